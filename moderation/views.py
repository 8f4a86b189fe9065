"""Moderation pages: flag a post, the review queue, the audit log."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from community import permissions
from forums.models import Category, Post, Thread
from forums.selectors import check_page_exists, page_number
from moderation import promotion, selectors, services
from moderation.models import Flag, ModeratorRole, Nomination, ReviewItem

User = get_user_model()

SANCTION_DAYS_MAX = 3650
_ID_MAX = 2**63 - 1  # PostgreSQL bigint


def _form_id(raw) -> int | None:
    """A positive whole number typed into a form (a row id), or None: letters, a sign, zero, past the bigint range."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if 1 <= number <= _ID_MAX else None


def _sanction_days(raw) -> int | None:
    """The length of a sanction in whole days, or None when it is not a number from 1 to SANCTION_DAYS_MAX."""
    days = _form_id(raw)
    return days if days is not None and days <= SANCTION_DAYS_MAX else None


def _report(request, work, success: str) -> bool:
    """Run a moderation service; its refusal becomes an error message, its success a confirmation."""
    try:
        work()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True


@login_required
@require_POST
def flag(request, post_id):
    post = get_object_or_404(Post.objects.select_related("author", "thread"), pk=post_id)
    permissions.check_can_flag(request.user, post)

    def work():
        services.flag_post(post=post, flagger=request.user, reason=request.POST.get("reason", ""), note=request.POST.get("note", ""))

    _report(request, work, _("Thank you. Moderators will look at this post."))
    return redirect(post)


@login_required
def review(request):
    permissions.check_can_review(request.user)
    scopes = permissions.moderated_category_ids(request.user)
    return render(request, "moderation/review.html", {
        "items": selectors.review_queue(category_ids=scopes), "reasons": Flag.Reason,
        # New accounts are site-wide business: only site-wide moderators and managers decide them.
        "new_members": selectors.members_awaiting_approval() if permissions.can_decide_new_members(request.user) else [],
    })


@login_required
@require_POST
def review_act(request, item_id, action):
    item = get_object_or_404(ReviewItem, pk=item_id)
    permissions.check_can_moderate(request.user, item.category_id)

    def work():
        if action == "claim":
            services.claim(item=item, moderator=request.user)
        else:
            services.resolve(item=item, moderator=request.user, action=action, reason=request.POST.get("reason", ""))

    _report(request, work, str(REVIEW_DONE.get(action, _("Done."))))
    return redirect("moderation:review")


# What each action did, said back to the moderator in words (not "Done.").
REVIEW_DONE = {
    "claim": gettext_lazy("Claimed: this item is yours to handle."),
    "approve": gettext_lazy("Approved: the post is visible again, and the flaggers are told."),
    "hide": gettext_lazy("Kept hidden: the author is told why, and the flaggers are thanked."),
    "dismiss": gettext_lazy("Flags dismissed; the post stays visible."),
}
THREAD_DONE = {
    "lock": gettext_lazy("Thread locked: members can no longer reply (moderators still can)."),
    "unlock": gettext_lazy("Thread unlocked: replies are open again."),
    "pin": gettext_lazy("Thread pinned: it leads its category."),
    "unpin": gettext_lazy("Thread unpinned."),
    "move": gettext_lazy("Thread moved."),
}
CANDIDATE_DONE = {
    "approve": gettext_lazy("Approved: the member is invited to moderate."),
    "decline": gettext_lazy("Declined; your note is on the record."),
    "defer": gettext_lazy("Deferred: the candidate stays on the list."),
}


@login_required
def log(request):
    permissions.check_can_review(request.user)
    number = page_number(request.GET.get("page"))
    action, actor = request.GET.get("action", ""), request.GET.get("actor", "").strip()
    entries, has_more = selectors.log_page(action=action, actor=actor, page=number)
    check_page_exists(number, entries)
    return render(request, "moderation/log.html", {
        "entries": entries, "has_more": has_more, "page_number": number, "action": action, "actor": actor,
        "actions": selectors.log_actions(),
    })


@login_required
@require_POST
def sanction(request, username):
    member = get_object_or_404(User, username=username)
    permissions.check_can_sanction(request.user, member)
    days = _sanction_days(request.POST.get("days"))
    if days is None:
        messages.error(request, _("Give the length of the sanction in days, between 1 and %(max)d.") % {"max": SANCTION_DAYS_MAX})
        return redirect("members:profile", username=member.username)
    until = timezone.now() + timedelta(days=days)

    def work():
        services.sanction(member=member, moderator=request.user, kind=request.POST.get("kind", ""),
                          reason=request.POST.get("reason", ""), until=until)

    shown_until = formats.date_format(timezone.localtime(until), "DATE_FORMAT")  # the member's day, in the moderator's zone
    _report(request, work, _("%(name)s is sanctioned until %(until)s.") % {"name": member.name, "until": shown_until})
    return redirect("members:profile", username=member.username)


@login_required
@require_POST
def spammer(request, username):
    member = get_object_or_404(User, username=username)
    permissions.check_can_delete_spammer(request.user, member)
    try:
        hidden = services.delete_spammer(member=member, manager=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("members:profile", username=member.username)
    messages.success(request, _("Account disabled and %(count)d posts hidden.") % {"count": hidden})
    return redirect("moderation:log")


@login_required
@require_POST
def thread_act(request, thread_id, action):
    thread = get_object_or_404(Thread, pk=thread_id)
    permissions.check_can_moderate(request.user, thread.category_id)
    category = None
    if action == "move":
        category_id = _form_id(request.POST.get("category"))
        category = Category.objects.filter(pk=category_id).first() if category_id else None
        if category is not None:
            permissions.check_can_moderate(request.user, category.pk)

    def work():
        services.moderate_thread(thread=thread, moderator=request.user, action=action, category=category,
                                 reason=request.POST.get("reason", ""))

    _report(request, work, str(THREAD_DONE.get(action, _("Done."))))
    return redirect(thread)


@login_required
@require_POST
def post_remove(request, post_id):
    post = get_object_or_404(Post.objects.select_related("thread"), pk=post_id)
    permissions.check_can_moderate(request.user, post.thread.category_id)
    services.moderator_delete_post(post=post, moderator=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("The post was deleted."))
    return redirect(post.thread)


@login_required
@require_POST
def post_restore(request, post_id):
    post = get_object_or_404(Post.objects.select_related("thread"), pk=post_id)
    permissions.check_can_restore_post(request.user, post)
    services.moderator_restore_post(post=post, moderator=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("The thread was restored.") if post.is_first else _("The post was restored."))
    return redirect(post.thread)


@login_required
def candidates(request):
    permissions.check_can_decide_candidates(request.user)
    open_ones = Nomination.objects.filter(status__in=[Nomination.Status.CANDIDATE, Nomination.Status.DEFERRED]).select_related("member")
    return render(request, "moderation/candidates.html", {
        "nominations": list(open_ones.order_by("status", "-created_at")), "categories": Category.objects.only("name"),
        "offered": list(Nomination.objects.filter(status=Nomination.Status.OFFERED).select_related("member")),
    })


@login_required
@require_POST
def candidate_decide(request, nomination_id, decision):
    permissions.check_can_decide_candidates(request.user)
    nomination = get_object_or_404(Nomination, pk=nomination_id)

    def work():
        if decision == "approve":
            ids = [pk for pk in map(_form_id, request.POST.getlist("categories")) if pk is not None]
            chosen = list(Category.objects.filter(pk__in=ids))
            promotion.approve(nomination=nomination, manager=request.user, categories=chosen)
        elif decision == "decline":
            promotion.decline(nomination=nomination, manager=request.user, note=request.POST.get("note", ""))
        elif decision == "defer":
            promotion.defer(nomination=nomination, manager=request.user)
        else:
            raise ValidationError(_("Unknown action."))

    _report(request, work, str(CANDIDATE_DONE.get(decision, _("Done."))))
    return redirect("moderation:candidates")


@login_required
def invitation(request):
    nomination = Nomination.objects.filter(member=request.user, status=Nomination.Status.OFFERED).first()
    if request.method == "POST" and nomination is not None:
        accept = request.POST.get("answer") == "accept"
        promotion.answer(nomination=nomination, member=request.user, accept=accept)
        if accept:
            messages.success(request, _("Welcome to the moderators. The review queue is yours to help with."))
            return redirect("moderation:review")
        messages.info(request, _("Thank you for letting us know."))
        return redirect("forums:latest")
    return render(request, "moderation/invitation.html", {"nomination": nomination})


@login_required
@require_POST
def post_edit(request, post_id):
    post = get_object_or_404(Post.objects.select_related("thread", "author"), pk=post_id)
    permissions.check_can_moderate(request.user, post.thread.category_id)

    def work():
        services.moderator_edit_post(post=post, moderator=request.user, body=request.POST.get("body", ""),
                                     reason=request.POST.get("reason", ""))

    _report(request, work, _("The post is changed; what it said before and after is in the log."))
    return redirect("moderation:review")


@login_required
@require_POST
def role_revoke(request, role_id):
    permissions.check_can_grant_or_revoke_moderators(request.user)
    role = get_object_or_404(ModeratorRole.objects.select_related("member"), pk=role_id)
    services.revoke_role(role=role, revoked_by=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("%(name)s no longer moderates there.") % {"name": role.member.name})
    return redirect("members:profile", username=role.member.username)


@login_required
@require_POST
def new_member_decide(request, username, decision):
    permissions.check_can_decide_new_members(request.user)
    member = get_object_or_404(User, username=username)

    def work():
        services.decide_new_member(member=member, moderator=request.user, approve=decision == "approve",
                                   reason=request.POST.get("reason", ""))

    _report(request, work, _("Approved: they can post now.") if decision == "approve"
            else _("Turned away: the account is disabled."))
    return redirect("moderation:review")
