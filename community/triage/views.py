"""The newcomer queue page and its htmx actions. Each action re-renders its row in place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import permissions
from community.triage import live, selectors, services
from community.triage.forms import QueueFilterForm, member_by_name
from forums.models import Tag, Thread
from forums.selectors import check_page_exists, page_number


def _rows_context(request) -> dict:
    scope = permissions.queue_category_ids(request.user)
    form = QueueFilterForm(request.GET or None, category_ids=scope)
    number = page_number(request.GET.get("page"))
    # Read before the rows: a change made meanwhile bumps it again, so the page asks once more rather than miss it.
    version = live.version()
    rows, has_more = selectors.newcomer_queue(member=request.user, filters=form.filters(), page=number, category_ids=scope)
    check_page_exists(number, rows)
    query = request.GET.copy()
    query.pop("v", None)
    return {"rows": rows, "has_more": has_more, "page_number": number, "form": form, "scope": scope,
            "queue_version": version, "live_query": query.urlencode()}


@login_required
def queue(request):
    permissions.check_can_work_queue(request.user)
    context = _rows_context(request)
    return render(request, "triage/queue.html", {
        **context, "figures": selectors.dashboard_figures(category_ids=context["scope"]),
        "target_hours": selectors.target().total_seconds() / 3600, "tags": Tag.objects.only("name"),
    })


@login_required
def queue_live(request):
    """Asked every 10 s by an open queue page with the version it shows: 204 (htmx leaves the page alone, and no
    SQL beyond the member's own row and roles: tests/test_query_budgets.py) while nothing changed; the fresh rows once something did."""
    permissions.check_can_work_queue(request.user)
    try:
        shown = int(request.GET.get("v", ""))
    except ValueError:
        shown = -1
    if shown == live.version():
        return HttpResponse(status=204)
    return render(request, "triage/_queue_rows.html", _rows_context(request))


@login_required
def row_actions(request, thread_id):
    """The assign / snooze / no-reply forms of one row, loaded when its "More" is opened."""
    thread = _thread(thread_id)
    permissions.check_can_work_queue_thread(request.user, thread)
    return render(request, "triage/_row_actions.html", {"row": thread})


def _thread(thread_id: int) -> Thread:
    thread = Thread.objects.filter(pk=thread_id, is_newcomer_thread=True).first()
    if thread is None:
        raise Http404(_("No newcomer thread with this number."))
    return thread


def _act(request, thread_id, action):
    permissions.check_can_work_queue(request.user)
    thread = _thread(thread_id)
    permissions.check_can_work_queue_thread(request.user, thread)
    error = note = ""
    try:
        note = action(thread)
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if request.headers.get("HX-Request") != "true":
        if error:
            messages.error(request, error)
        elif note:
            messages.success(request, note)
        return redirect("triage:queue")
    row = selectors.queue_row(thread.pk)
    left_queue = row.first_response_at is not None or (row.entry and (row.entry.no_reply_needed_at or _snoozed(row)))
    return render(request, "triage/_row.html", {"row": row, "error": error, "note": note, "left_queue": left_queue})


def _snoozed(row) -> bool:
    return bool(row.entry.snoozed_until and row.entry.snoozed_until > timezone.now())


@login_required
@require_POST
def claim(request, thread_id):
    def action(thread):
        services.claim(thread=thread, member=request.user)
        return _("Claimed: it is yours to answer or route.")
    return _act(request, thread_id, action)


@login_required
@require_POST
def unclaim(request, thread_id):
    def action(thread):
        services.unclaim(thread=thread, member=request.user, is_manager=permissions.is_manager(request.user))
        return _("Released.")
    return _act(request, thread_id, action)


@login_required
@require_POST
def assign(request, thread_id):
    def action(thread):
        assignee = member_by_name(request.POST.get("username", ""))
        services.assign(thread=thread, assignee=assignee, assigned_by=request.user)
        return _("Assigned to %(name)s; they have been notified.") % {"name": assignee.name}
    return _act(request, thread_id, action)


@login_required
@require_POST
def snooze(request, thread_id):
    def action(thread):
        entry = services.snooze(thread=thread, member=request.user, duration=request.POST.get("duration", ""))
        return _("Snoozed until %(when)s.") % {"when": formats.date_format(timezone.localtime(entry.snoozed_until), "DATETIME_FORMAT")}
    return _act(request, thread_id, action)


@login_required
@require_POST
def no_reply_needed(request, thread_id):
    def action(thread):
        services.mark_no_reply_needed(thread=thread, member=request.user, reason=request.POST.get("reason", ""))
        return _("Marked as needing no reply.")
    return _act(request, thread_id, action)
