"""Event pages: lists and the month calendar, one event, creating and changing, RSVP, the door, calendar files.

Views check permission through community.permissions and call the services; a refusal the member can
fix (a full event, a past one, a forged code) is a message where they are looking, nothing changed.
"""

import zoneinfo
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import permissions
from community.events import ics, qr, selectors, services
from community.events.forms import CancelForm, EventForm
from community.events.models import RSVP, Event
from forums.models import Category
from forums.selectors import page_number
from forums.view_helpers import is_htmx

PER_PAGE = 20


def event_list(request):
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    category = None
    if request.GET.get("category"):
        category = Category.objects.filter(slug=request.GET["category"]).first()
        if category is None:
            raise Http404(_("There is no such category."))
    events = (selectors.past if when == "past" else selectors.upcoming)(category=category)
    page = Paginator(events, PER_PAGE).get_page(page_number(request.GET.get("page")))
    answers = selectors.answers_of(request.user, page.object_list)
    for event in page.object_list:
        event.my_answer = answers.get(event.pk)
    feed = services.feed_of(request.user) if request.user.is_authenticated else None
    return render(request, "events/event_list.html", {
        "page": page, "when": when, "category": category, "feed": feed,
        "categories": Category.objects.filter(events__isnull=False).distinct().order_by("position", "name"),
        "can_create": permissions.can_create_event(request.user), "today": timezone.localdate(),
    })


def _month(raw: str | None) -> date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else date(today.year, today.month, 1)
    except ValueError:
        return date(today.year, today.month, 1)


def event_calendar(request):
    first = _month(request.GET.get("month"))
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    weeks = selectors.month_calendar(first.year, first.month, zone=timezone.get_current_timezone(),
                                     show_birthdays=request.user.is_authenticated)
    return render(request, "events/event_calendar.html", {
        "first": first, "previous": previous, "following": following, "weeks": weeks, "today": timezone.localdate()})


def _detail_context(request, event: Event) -> dict:
    user = request.user
    now = timezone.now()
    answer = selectors.answers_of(user, [event]).get(event.pk)
    going = answer is not None and answer.status == RSVP.Status.GOING
    host_view = permissions.can_check_in(user, event)
    zone = zoneinfo.ZoneInfo(event.time_zone)
    waiting = selectors.waiting_list(event)
    return {
        "event": event, "answer": answer, "statuses": RSVP.Status, "now": now,
        # Naive on purpose: the template's date filter would turn an aware time into the reader's zone.
        "starts_local": timezone.localtime(event.starts_at, zone).replace(tzinfo=None),
        "ends_local": timezone.localtime(event.ends_at, zone).replace(tzinfo=None),
        "is_over": event.ends_at <= now, "has_started": event.starts_at <= now,
        "show_join_link": going and event.kind == Event.Kind.ONLINE and event.join_url
                          and now >= event.starts_at - services.JOIN_LINK_BEFORE and now < event.ends_at,
        "join_link_from": event.starts_at - services.JOIN_LINK_BEFORE,
        "can_rsvp": permissions.can_rsvp(user, event) and event.ends_at > now,
        "can_edit": permissions.can_edit_event(user, event) and not event.is_cancelled,
        "host_view": host_view,
        "attendance": selectors.attendance(event) if host_view and event.starts_at <= now else None,
        "going": selectors.going_members(event), "waiting": waiting,
        "waiting_position": next((n for n, rsvp in enumerate(waiting, 1) if answer and rsvp.pk == answer.pk), None),
        # The event's own time is shown too when its clock reads differently from the reader's.
        "show_event_time": timezone.localtime(event.starts_at, zone).replace(tzinfo=None)
                           != timezone.localtime(event.starts_at).replace(tzinfo=None),
        "ticket_svg": qr.ticket_svg(request, event, user) if going and not event.is_cancelled and not answer.checked_in_at else None,
        "priority_open": event.priority_until and now < event.priority_until,
        "may_go_early": permissions.has_event_priority(user),
    }


def event_detail(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("category", "host", "thread"), pk=pk)
    return render(request, "events/event_detail.html", _detail_context(request, event))


@login_required
def event_create(request):
    permissions.check_can_create_event(request.user)
    form = EventForm(request.POST or None, member=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(host=request.user, fields=form.fields_for_service())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your event is up, with a discussion thread for questions."))
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": None}, status=400 if form.errors else 200)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def event_edit(request, pk: int):
    event = get_object_or_404(Event, pk=pk)
    permissions.check_can_edit_event(request.user, event)
    form = EventForm(request.POST or None, member=request.user, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, fields=form.fields_for_service(), editor=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved. Everyone who answered hears of a new time or place."))
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": event}, status=400 if form.errors else 200)


@login_required
@require_POST
def event_cancel(request, pk: int):
    event = get_object_or_404(Event, pk=pk)
    permissions.check_can_edit_event(request.user, event)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.event_cancel(event=event, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The event is cancelled; everyone who answered is told."))
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def rsvp(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("category", "host", "thread"), pk=pk)
    permissions.check_can_rsvp(request.user, event)
    error = None
    try:
        answer = services.rsvp_set(event=event, member=request.user, status=request.POST.get("status", ""))
    except ValidationError as refused:
        error = " ".join(refused.messages)
    else:
        if answer.status == RSVP.Status.WAITING and not is_htmx(request):  # htmx: the panel says it, where they clicked
            messages.info(request, _("The event is full: you are number %(n)d on the waiting list. You will be told when a seat frees up.")
                          % {"n": event.rsvps.filter(status=RSVP.Status.WAITING, position__lte=answer.position).count()})
    if is_htmx(request):
        event.refresh_from_db()
        context = _detail_context(request, event)
        context["rsvp_error"] = error
        return render(request, "events/_rsvp_panel.html", context)
    if error:
        messages.error(request, error)
    return redirect("events:detail", pk=event.pk)


# -- at the door ------------------------------------------------------------------------------------

@login_required
def attendees(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("category", "host"), pk=pk)
    permissions.check_can_check_in(request.user, event)
    return render(request, "events/attendees.html", {
        "event": event, "rows": selectors.attendee_list(event), "waiting": selectors.waiting_list(event),
        "attendance": selectors.attendance(event)})


@login_required
@require_POST
def check_in(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("category", "host"), pk=pk)
    permissions.check_can_check_in(request.user, event)
    try:
        member_id = int(request.POST.get("member", ""))
    except ValueError:
        member_id = 0
    error = None
    try:
        checked = services.check_in(event=event, member_id=member_id, by=request.user)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    if is_htmx(request) and error is None:
        return render(request, "events/_attendee_row.html", {"event": event, "rsvp": checked})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": checked.member.name})
    return redirect("events:attendees", pk=event.pk)


@login_required
def check_in_code(request, pk: int, code: str):
    """What the host's phone opens when it scans a member's QR code: who it is, and a button to check them in."""
    event = get_object_or_404(Event.objects.select_related("category", "host"), pk=pk)
    permissions.check_can_check_in(request.user, event)
    error, member, checked = None, None, None
    try:
        member_id = services.read_ticket(event, code)
        member = selectors.member_of_ticket(event, member_id)
        if request.method == "POST":
            checked = services.check_in(event=event, member_id=member_id, by=request.user)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    status = 400 if error else 200
    return render(request, "events/check_in_code.html", {"event": event, "member": member, "error": error,
                                                         "checked": checked, "code": code}, status=status)


# -- calendar files ---------------------------------------------------------------------------------

def _ics(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def event_ics(request, pk: int):
    event = get_object_or_404(Event, pk=pk)
    return _ics(ics.calendar([event], name=event.title), f"event-{event.pk}.ics")


def my_feed(request, token: str):
    """The member's secret calendar address: the events they are going to. A reset token is a 404."""
    feed = selectors.feed_by_token(token)
    if feed is None:
        raise Http404(_("This calendar address was reset or never existed."))
    return _ics(ics.calendar(selectors.feed_events(feed.member), name=_("My Roundtable events")), "roundtable-events.ics")


@login_required
@require_POST
def feed_reset(request):
    services.feed_reset(member=request.user)
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect(reverse("events:list") + "#calendar-feed")
