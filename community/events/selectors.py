"""Read queries about events: the lists, one event's people and figures, the month calendar, a member's feed."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from community.events.models import RSVP, CalendarFeed, Event
from community.members import selectors as member_selectors

Status = RSVP.Status
FEED_PAST_DAYS = 30
ANNIVERSARIES_SHOWN = 3  # a big community has dozens a day: the first few, and how many more


def _events() -> QuerySet[Event]:
    return Event.objects.select_related("category", "host").defer("description")


def upcoming(*, category=None, now=None) -> QuerySet[Event]:
    """Events not over yet, soonest first (cancelled ones too, marked: people look for them)."""
    events = _events().filter(ends_at__gt=now or timezone.now())
    return (events if category is None else events.filter(category=category)).order_by("starts_at", "pk")


def past(*, category=None, now=None) -> QuerySet[Event]:
    events = _events().filter(ends_at__lte=now or timezone.now())
    return (events if category is None else events.filter(category=category)).order_by("-starts_at", "-pk")


def answers_of(member, events) -> dict[int, RSVP]:
    """The member's RSVP to each of these events, by event id (one query)."""
    if not getattr(member, "is_authenticated", False):
        return {}
    return {rsvp.event_id: rsvp for rsvp in RSVP.objects.filter(member=member, event__in=[e.pk for e in events])}


def event_detail(pk: int) -> Event:
    return Event.objects.select_related("category", "host", "thread").get(pk=pk)


def going_members(event: Event) -> list:
    return [rsvp.member for rsvp in event.rsvps.filter(status=Status.GOING).select_related("member").order_by("created_at", "pk")]


def waiting_list(event: Event) -> list[RSVP]:
    return list(event.rsvps.filter(status=Status.WAITING).select_related("member").order_by("position"))


def attendee_list(event: Event) -> list[RSVP]:
    """For the host at the door: everyone going, those not yet checked in first, by name."""
    rsvps = event.rsvps.filter(status=Status.GOING).select_related("member")
    return sorted(rsvps, key=lambda r: (r.checked_in_at is not None, r.member.name.lower()))


@dataclass
class Attendance:
    going: int
    checked_in: int

    @property
    def no_shows(self) -> int:
        return max(0, self.going - self.checked_in)

    @property
    def rate(self) -> float | None:
        return self.checked_in / self.going if self.going else None

    @property
    def no_show_rate(self) -> float | None:
        return self.no_shows / self.going if self.going else None


def attendance(event: Event) -> Attendance:
    return Attendance(going=event.going_count, checked_in=event.checked_in_count)


def feed_events(member) -> QuerySet[Event]:
    """The events the member is going to, from a month ago on (their personal calendar feed)."""
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    return (_events().filter(rsvps__member=member, rsvps__status=Status.GOING, starts_at__gte=since)
            .order_by("starts_at"))


def attended_count(member_id: int, *, since: datetime) -> int:
    """How many events the member was checked in at since then (for the core-attendee badge)."""
    return RSVP.objects.filter(member_id=member_id, checked_in_at__gte=since).count()


# -- the month calendar -----------------------------------------------------------------------------

@dataclass
class Day:
    day: date
    in_month: bool
    events: list = field(default_factory=list)
    birthdays: list = field(default_factory=list)
    anniversaries: list = field(default_factory=list)  # (member, years)

    @property
    def anniversaries_shown(self) -> list:
        return self.anniversaries[:ANNIVERSARIES_SHOWN]

    @property
    def anniversaries_more(self) -> int:
        return max(0, len(self.anniversaries) - ANNIVERSARIES_SHOWN)


def month_calendar(year: int, month: int, *, zone, show_birthdays: bool) -> list[list[Day]]:
    """Weeks (Monday first) of days, each with its events (in the reader's time zone) and, for members, the
    birthdays shown and the join anniversaries."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    days = {day: Day(day, day.month == month) for week in weeks for day in week}
    for event in _events().filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at"):
        days[timezone.localtime(event.starts_at, zone).date()].events.append(event)
    if show_birthdays:
        for number, member in member_selectors.birthdays_shown_in_month(month):
            try:
                days[date(year, month, number)].birthdays.append(member)
            except (ValueError, KeyError):  # 29 February in a common year
                continue
        for number, member, years in member_selectors.join_anniversaries_in_month(year, month):
            try:
                days[date(year, month, number)].anniversaries.append((member, years))
            except (ValueError, KeyError):
                continue
    return [[days[day] for day in week] for week in weeks]


def member_of_ticket(event: Event, member_id: int):
    """The member a check-in code names (shown to the host before they confirm); refused if unknown."""
    member = get_user_model().objects.filter(pk=member_id).first()
    if member is None:
        raise ValidationError(_("This check-in code is not valid."))
    return member


def feed_by_token(token: str):
    return CalendarFeed.objects.select_related("member").filter(token=token, member__is_active=True).first()


def rsvps_for_export(member) -> list[dict]:
    """The member's answers to events, for their own data export: one query."""
    return [{"event_id": rsvp.event_id, "event": rsvp.event.title, "starts_at": rsvp.event.starts_at.isoformat(),
             "status": rsvp.status, "checked_in_at": rsvp.checked_in_at.isoformat() if rsvp.checked_in_at else None,
             "answered_at": rsvp.created_at.isoformat()}
            for rsvp in RSVP.objects.filter(member=member).select_related("event").order_by("event__starts_at", "pk")]
