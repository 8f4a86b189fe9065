"""Idea pages and actions: the ideas category list, voting (htmx or a plain form), setting a status, announcing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forums import ideas, permissions, selectors, services
from forums.models import Category, IdeaStatus
from forums.view_helpers import get_visible_thread, is_htmx


def idea_list(request: HttpRequest, category: Category):
    """An ideas category: by votes (default) or newest, optionally one status (?order=, ?idea_status=)."""
    order = request.GET.get("order", "votes")
    if order not in ideas.IDEA_ORDERS:
        order = "votes"
    status = request.GET.get("idea_status", "all")
    if status not in ideas.IDEA_STATUS_FILTERS:
        status = "all"
    page = ideas.idea_list(member=request.user, category=category, order=order, status=status,
                           page=selectors.page_number(request.GET.get("page")))
    selectors.check_page_exists(page.number, page.items)
    may_vote = permissions.can_vote_idea(request.user, _CategoryThread(category))
    for thread in page.items:
        thread.can_vote = may_vote
    return render(request, "forums/idea_list.html", {
        "page": page, "threads": page.items, "category": category, "list_title": category.name, "order": order,
        "idea_status": status, "idea_statuses": IdeaStatus.choices,
        "can_start_thread": permissions.can_start_thread(request.user, category),
        "any_unread": any(thread.is_unread for thread in page.items),
    })


class _CategoryThread:
    """What the vote rule reads of a thread on a list row: its category (rows of one list share it) and that it stands."""

    is_deleted = False

    def __init__(self, category):
        self.category, self.category_id = category, category.pk


@login_required
@require_POST
def idea_vote(request, thread_id):
    thread = get_visible_thread(request, thread_id)
    action = request.POST.get("action", "")
    note = ""
    try:
        permissions.check_can_vote_idea(request.user, thread)
        if action == "vote":
            if not services.idea_vote(thread=thread, member=request.user):
                note = _("You had voted for this idea already.")
        elif action == "unvote":
            if not services.idea_unvote(thread=thread, member=request.user):
                note = _("You had not voted for this idea.")
        else:
            note = _("Choose to vote or to take your vote back.")
    except (ValidationError, PermissionDenied) as error:
        note = " ".join(getattr(error, "messages", None) or [str(error)])
        if not is_htmx(request):
            messages.error(request, note)
            return redirect(thread)
    panel = ideas.idea_panel(thread, request.user)
    if is_htmx(request):
        return render(request, "forums/_idea_vote.html", {
            "vote_thread_id": thread.pk, "votes": panel.vote_count, "voted": panel.voted_by_me,
            "can_vote": permissions.can_vote_idea(request.user, thread), "note": note,
            "next": request.POST.get("next", "")[:500]})
    if note:
        messages.info(request, note)
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/c/") else thread)


@login_required
@require_POST
def idea_status(request, thread_id):
    thread = get_visible_thread(request, thread_id)
    permissions.check_can_set_idea_status(request.user, thread)
    try:
        services.idea_set_status(thread=thread, member=request.user, status=request.POST.get("status", ""),
                                 note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The idea's status is saved; its voters and author are told."))
    return redirect(thread)


@login_required
@require_POST
def idea_announce(request, thread_id):
    thread = get_visible_thread(request, thread_id)
    permissions.check_can_announce_idea(request.user, thread)
    try:
        announcement = services.idea_announce(thread=thread, member=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(thread)
    messages.success(request, _("The idea is announced."))
    return redirect(announcement)
