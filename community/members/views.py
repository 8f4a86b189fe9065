"""Member pages: public profile and own settings."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community import permissions
from community.expertise import selectors as expertise_selectors
from community.members import selectors, services
from community.members.export import member_data_export
from community.members.forms import AccountDeleteForm, SettingsForm
from forums import selectors as forum_selectors
from forums.models import Tag
from loyalty import selectors as loyalty_selectors
from loyalty import tiers
from moderation import selectors as moderation_selectors


def profile(request, username):
    member = selectors.member_by_username(username)
    activity = forum_selectors.member_activity(member.pk)
    member_can = permissions.member_abilities(request.user, member)
    return render(request, "members/profile.html", {
        "member": member,
        "profile": selectors.profile_of(member),
        "counts": activity,
        "recent_posts": forum_selectors.member_recent_posts(member),
        "expert_tags": expertise_selectors.expert_tags_of([member.pk]).get(member.pk, []),
        "badges": loyalty_selectors.badges_of(member),
        "kudos": loyalty_selectors.kudos_for(member),
        "progress": tiers.progress_to_next(member, tiers.stats_for(member, activity)) if request.user == member else None,
        "member_can": member_can,
        # Read only when the template shows a manager the roles to revoke.
        "moderator_roles": (lambda: moderation_selectors.active_roles_of(member)) if member_can.revoke_moderator else (),
    })


@login_required
def settings_page(request):
    member = request.user
    profile = selectors.profile_of(member)
    initial = {"display_name": member.display_name, "language": member.language, "timezone": member.timezone,
               "dark_theme": member.uses_beta("dark_theme"), "flair_text": member.flair_text}
    if profile:
        initial.update(
            bio=profile.bio, birthday_day=profile.birthday_day, birthday_month=profile.birthday_month,
            show_birthday=profile.show_birthday, remind_to_accept=profile.remind_to_accept,
            interests=", ".join(tag.name for tag in profile.interests.all()),
        )
    form = SettingsForm(request.POST or None, initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        services.profile_update(member=member, **form.cleaned_data)
        # Said in the language the next page is in: the one just chosen (or the browser's, for "browser default").
        chosen = form.cleaned_data.get("language") or translation.get_language_from_request(request)
        with translation.override(chosen):
            messages.success(request, _("Your settings are saved."))
        return redirect("members:settings")
    return render(request, "members/settings.html", {"form": form, "tags": Tag.objects.only("name")})


@login_required
def data_export(request):
    """The member's own data as a JSON file (only theirs: the signed-in member is the one exported)."""
    response = JsonResponse(member_data_export(request.user), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="roundtable-{request.user.username}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def account_delete(request):
    """Delete one's own account, after the password again and the choice of what becomes of one's posts."""
    permissions.check_can_delete_own_account(request.user)
    form = AccountDeleteForm(request.POST or None, member=request.user)
    if request.method == "POST" and form.is_valid():
        left = services.account_delete(member=request.user, remove_posts=form.cleaned_data["posts"] == AccountDeleteForm.REMOVE)
        logout(request)
        messages.success(request, _("Your account is deleted. Goodbye, and thank you for being here."))
        if left:
            messages.info(request, ngettext("Your last post is being removed: it is gone within a few minutes.",
                                            "Your other %(count)d posts are being removed: they are gone within a few minutes.",
                                            left) % {"count": left})
        return redirect("forums:latest")
    return render(request, "members/account_delete.html", {"form": form})


@login_required
def autocomplete(request):
    """Up to 10 active members whose username starts with ?username= or ?q=, as <option>s for a datalist."""
    permissions.check_can_look_up_members(request.user)
    prefix = (request.GET.get("username") or request.GET.get("q") or "").strip().lstrip("@")
    members = selectors.members_starting_with(prefix) if len(prefix) >= 1 else []
    return render(request, "members/_autocomplete.html", {"members": members})
