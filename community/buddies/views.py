"""The buddies page: a newcomer sees their buddy; a member of tier 2 and up offers to be one and sees their newcomers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import permissions
from community.buddies import selectors, services
from community.buddies.forms import VolunteerForm
from forums.models import Tag


def buddies_home(request):
    return _page(request)


def _page(request, *, form=None, status=200):
    user = request.user
    signed_in = user.is_authenticated
    volunteer = selectors.volunteer_of(user)
    can_volunteer = signed_in and permissions.can_volunteer_as_buddy(user)
    if form is None and can_volunteer:
        initial = {"cap": volunteer.cap, "interests": ", ".join(t.name for t in volunteer.interests.all())} if volunteer else {}
        form = VolunteerForm(initial=initial)
    context = {
        "volunteer": volunteer, "is_buddy": bool(volunteer and volunteer.is_active), "can_volunteer": can_volunteer,
        "form": form, "my_buddy": selectors.active_match_of(user.pk) if signed_in else None,
        "my_newcomers": selectors.newcomers_of(user) if volunteer else [],
        "buddy_days": selectors.BUDDY_DAYS, "tags": Tag.objects.only("name") if can_volunteer else [],
    }
    return render(request, "buddies/home.html", context, status=status)


@require_POST
def volunteer(request):
    """Offer to be a buddy, or change one's topics and how many newcomers at once."""
    permissions.check_can_volunteer_as_buddy(request.user)
    form = VolunteerForm(request.POST)
    if form.is_valid():
        was_buddy = selectors.volunteer_of(request.user)
        try:
            services.volunteer_opt_in(member=request.user, interests=form.cleaned_data["interests"], cap=form.cleaned_data["cap"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if was_buddy and was_buddy.is_active:
                messages.success(request, _("Saved. Newcomers you have keep you; your topics and limit count for the next ones."))
            else:
                messages.success(request, _("Thank you! You are a buddy now: the next newcomers who share your topics "
                                            "will be matched to you, and you will be told."))
            return redirect("buddies:home")
    return _page(request, form=form, status=400)


@require_POST
def opt_out(request):
    """Stop being a buddy; one's newcomers are matched to someone else and told."""
    permissions.check_can_stop_being_buddy(request.user)
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None or not volunteer.is_active:
        messages.info(request, _("You are not a buddy at the moment, so there was nothing to stop."))
        return redirect("buddies:home")
    rematched = services.volunteer_opt_out(member=request.user)
    text = _("You are no longer a buddy. Thank you for helping!")
    if rematched:
        text += " " + _("Your newcomers have a new buddy and have been told.")
    messages.success(request, text)
    return redirect("buddies:home")
