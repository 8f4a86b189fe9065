"""Event operations: create, change, cancel, RSVP with a waiting list, check-in. One transaction each.

Every RSVP and check-in locks the event's row first, so seats are handed out one at a time: a full
event puts "going" on the waiting list in the order the requests got the lock, and a freed seat goes
to the first in that order. The counters on Event are recounted from the RSVP rows under that lock.
Permission (who may do this to this event) is the views' business, through community.permissions;
these functions refuse what no one may do (a past or cancelled event, too few seats, a forged code).
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from community import permissions
from community.events import signals
from community.events.models import RSVP, CalendarFeed, Event, new_feed_token
from community.jobs import enqueue_on_commit
from forums import services as forum_services
from forums.markup import plain_line, render_markdown

JOIN_LINK_BEFORE = timedelta(minutes=15)
CHECK_IN_OPENS_BEFORE = timedelta(hours=2)
CHECK_IN_CLOSES_AFTER = timedelta(hours=12)
TICKET_SALT = "events.check-in"
Status = RSVP.Status


@dataclass
class EventFields:
    """What a host fills in; times are aware datetimes (the form reads them in the event's time zone)."""

    title: str
    description: str
    kind: str
    category: object
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    join_url: str = ""
    venue: str = ""
    address: str = ""
    capacity: int | None = None
    priority_until: datetime | None = None


def check_fields(fields: EventFields, *, event: Event | None = None) -> EventFields:
    """The rules every event keeps; raises ValidationError naming the field a host must change."""
    fields.title = plain_line(fields.title)
    errors = {}
    if len(fields.title) < 3:
        errors["title"] = _("Give the event a title of at least 3 characters.")
    if fields.time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = _("Choose a time zone from the list.")
    if fields.ends_at <= fields.starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    if event is None and fields.starts_at <= timezone.now():
        errors["starts_at"] = _("An event starts in the future.")
    if fields.kind == Event.Kind.OFFLINE and not (fields.venue.strip() or fields.address.strip()):
        errors["venue"] = _("Say where people meet: a place or an address.")
    if fields.capacity is not None and fields.capacity < 1:
        errors["capacity"] = _("An event has at least one seat, or no limit.")
    if event is not None and fields.capacity is not None and fields.capacity < event.going_count:
        errors["capacity"] = _("%(n)d people are already going: the event needs at least %(n)d seats.") % {"n": event.going_count}
    if fields.priority_until is not None and fields.priority_until >= fields.starts_at:
        errors["priority_until"] = _("Early RSVP must end before the event starts.")
    if errors:
        raise ValidationError(errors)
    return fields


def _apply(event: Event, fields: EventFields) -> None:
    event.title, event.description = fields.title, fields.description.strip()
    event.description_html = render_markdown(event.description).html if event.description else ""
    event.kind, event.category = fields.kind, fields.category
    event.starts_at, event.ends_at, event.time_zone = fields.starts_at, fields.ends_at, fields.time_zone
    event.join_url = fields.join_url.strip() if fields.kind == Event.Kind.ONLINE else ""
    event.venue = fields.venue.strip() if fields.kind == Event.Kind.OFFLINE else ""
    event.address = fields.address.strip() if fields.kind == Event.Kind.OFFLINE else ""
    event.capacity, event.priority_until = fields.capacity, fields.priority_until


def _thread_body(event: Event) -> str:
    """The discussion's opening post: what the event is, and where to answer."""
    when = formats.date_format(timezone.localtime(event.starts_at, zoneinfo.ZoneInfo(event.time_zone)), "DATETIME_FORMAT")
    place = (event.venue or event.address) if event.kind == Event.Kind.OFFLINE else _("online")
    lines = [event.description or event.title, "",
             _("When: %(when)s (%(zone)s). Where: %(place)s.") % {"when": when, "zone": event.time_zone, "place": place},
             "", _("Say whether you come on the event page: %(url)s") % {"url": reverse("events:detail", args=[event.pk])},
             _("Questions before, photos after: reply here.")]
    return "\n".join(lines)


def event_create(*, host, fields: EventFields) -> Event:
    """A new event and its discussion thread in the event's category, started by the host."""
    check_fields(fields)
    now = timezone.now()
    with transaction.atomic():
        event = Event(host=host, created_by=host, created_at=now, updated_at=now)
        _apply(event, fields)
        event.save()
        event.thread = forum_services.thread_create(author=host, category=fields.category, title=event.title,
                                                    body=_thread_body(event))
        event.save(update_fields=["thread"])
    return event


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _recount(event: Event) -> None:
    counts = event.rsvps.aggregate(
        going=Count("pk", filter=Q(status=Status.GOING)), maybe=Count("pk", filter=Q(status=Status.MAYBE)),
        waiting=Count("pk", filter=Q(status=Status.WAITING)), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)))
    Event.objects.filter(pk=event.pk).update(going_count=counts["going"], maybe_count=counts["maybe"],
                                             waiting_count=counts["waiting"], checked_in_count=counts["checked_in"])
    event.going_count, event.maybe_count = counts["going"], counts["maybe"]
    event.waiting_count, event.checked_in_count = counts["waiting"], counts["checked_in"]


def _promote(event: Event, now) -> list[int]:
    """Hand freed seats to the waiting list, first come first served; returns who was promoted."""
    promoted = []
    going = event.rsvps.filter(status=Status.GOING).count()
    free = None if event.capacity is None else event.capacity - going
    waiting = event.rsvps.filter(status=Status.WAITING).order_by("position")
    for rsvp in waiting if free is None else waiting[: max(0, free)]:
        rsvp.status, rsvp.position, rsvp.updated_at = Status.GOING, None, now
        rsvp.save(update_fields=["status", "position", "updated_at"])
        promoted.append(rsvp.pk)
    return promoted


def event_update(*, event: Event, fields: EventFields, editor=None) -> Event:
    """Change an event; more seats promote the waiting list; a new time or place is told to everyone who answered,
    and the discussion's opening post and title follow (the post keeps its earlier text as a revision)."""
    with transaction.atomic():
        event = _locked(event)
        if event.is_cancelled:
            raise ValidationError(_("This event was cancelled; it can no longer be changed."))
        check_fields(fields, event=event)
        moved = (fields.starts_at, fields.ends_at, fields.kind, fields.venue.strip(), fields.address.strip(),
                 fields.join_url.strip()) != (event.starts_at, event.ends_at, event.kind, event.venue, event.address, event.join_url)
        renamed = fields.title != event.title or fields.description.strip() != event.description
        _apply(event, fields)
        now = timezone.now()
        event.updated_at = now
        event.save()
        promoted = _promote(event, now)
        _recount(event)
        if (moved or renamed) and event.thread_id:
            opening = event.thread.posts.filter(number=1).first()
            if opening is not None:
                forum_services.post_edit(post=opening, editor=editor or event.host, body=_thread_body(event), title=event.title)
        if moved:
            from community.events import tasks

            enqueue_on_commit(tasks.tell_event_changed, event.pk, f"{now:%Y%m%d%H%M%S%f}")
        _tell_promoted(event, promoted)
    return event


def event_cancel(*, event: Event, reason: str) -> Event:
    """Cancel an event; everyone who said going, maybe or waiting is told, with the reason."""
    reason = plain_line(reason)[:300]
    with transaction.atomic():
        event = _locked(event)
        if event.is_cancelled:
            raise ValidationError(_("This event was already cancelled."))
        if event.ends_at <= timezone.now():
            raise ValidationError(_("This event is over; there is nothing to cancel."))
        event.cancelled_at = event.updated_at = timezone.now()
        event.cancel_reason = reason
        event.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
        from community.events import tasks

        enqueue_on_commit(tasks.tell_event_cancelled, event.pk)
    return event


def _tell_promoted(event: Event, rsvp_ids: list[int]) -> None:
    if rsvp_ids:
        from community.events import tasks

        for rsvp_id in rsvp_ids:
            enqueue_on_commit(tasks.tell_promoted, rsvp_id)


def check_rsvp(event: Event, member, status: str) -> None:
    if status not in Status.values or status == Status.WAITING:
        raise ValidationError(_("Choose going, maybe or not going."))
    if event.is_cancelled:
        raise ValidationError(_("This event was cancelled."))
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is over."))
    if (status == Status.GOING and event.priority_until and timezone.now() < event.priority_until
            and not permissions.has_event_priority(member)):
        raise ValidationError(
            _("Until %(when)s only members of tier 2 (Regular) and up can say they are going; you can say maybe meanwhile.")
            % {"when": formats.date_format(timezone.localtime(event.priority_until), "DATETIME_FORMAT")})


def rsvp_set(*, event: Event, member, status: str) -> RSVP:
    """Answer going, maybe or not going. Going to a full event joins the waiting list; leaving frees a seat for the first waiting."""
    check_rsvp(event, member, status)
    with transaction.atomic():
        event = _locked(event)
        now = timezone.now()  # read under the lock: the waiting list's order is the order requests got it
        check_rsvp(event, member, status)  # again under the lock: it may have been cancelled meanwhile
        rsvp = RSVP.objects.filter(event=event, member=member).first()
        if rsvp is None:
            rsvp = RSVP(event=event, member=member, created_at=now)
        was = rsvp.status if rsvp.pk else None
        if rsvp.checked_in_at is not None:
            raise ValidationError(_("You were checked in at this event: your answer stays as it is."))
        if status == Status.GOING and was in (Status.GOING, Status.WAITING):
            return rsvp  # already going, or already in line
        if status == Status.GOING and event.is_full:
            rsvp.status, rsvp.position = Status.WAITING, event.next_position
            Event.objects.filter(pk=event.pk).update(next_position=event.next_position + 1)
        else:
            rsvp.status, rsvp.position = status, None
        rsvp.updated_at = now
        rsvp.save()
        promoted = _promote(event, now) if was == Status.GOING and status != Status.GOING else []
        _recount(event)
        _tell_promoted(event, promoted)
    return rsvp


def member_leave(*, member) -> int:
    """A member who deleted their account: "not going" to every event still ahead, through `rsvp_set` as they
    would answer one by one, so a seat they held goes to the first waiting and the counters are recounted.
    What happened stays (a check-in, an event that is over: counts others read); their calendar address stops.
    Returns how many answers were withdrawn."""
    withdrawn = 0
    with transaction.atomic():
        ahead = (RSVP.objects.filter(member=member, checked_in_at__isnull=True, event__cancelled_at__isnull=True,
                                     event__ends_at__gt=timezone.now())
                 .exclude(status=Status.NO).select_related("event").order_by("event_id"))
        for rsvp in ahead:
            rsvp_set(event=rsvp.event, member=member, status=Status.NO)
            withdrawn += 1
        CalendarFeed.objects.filter(member=member).delete()
    return withdrawn


# -- check-in ---------------------------------------------------------------------------------------

def ticket_code(event: Event, member) -> str:
    """The member's signed check-in code for this event (what their QR code carries)."""
    return signing.dumps({"e": event.pk, "m": member.pk}, salt=TICKET_SALT, compress=True)


def read_ticket(event: Event, code: str) -> int:
    """The member id a code checks in at this event; a forged code or one for another event is refused."""
    try:
        found = signing.loads(code, salt=TICKET_SALT)
    except signing.BadSignature:
        raise ValidationError(_("This check-in code is not valid.")) from None
    if not isinstance(found, dict) or found.get("e") != event.pk or not isinstance(found.get("m"), int):
        raise ValidationError(_("This check-in code is for another event."))
    return found["m"]


def check_in(*, event: Event, member_id: int, by) -> RSVP:
    """Mark a member who said they are going as here; once only (a reused code is refused)."""
    now = timezone.now()
    with transaction.atomic():
        event = _locked(event)
        if event.is_cancelled:
            raise ValidationError(_("This event was cancelled."))
        if not event.starts_at - CHECK_IN_OPENS_BEFORE <= now <= event.ends_at + CHECK_IN_CLOSES_AFTER:
            raise ValidationError(_("Check-in opens two hours before the event starts and closes 12 hours after it ends."))
        rsvp = RSVP.objects.select_for_update().select_related("member").filter(event=event, member_id=member_id).first()
        if rsvp is None or rsvp.status != Status.GOING:
            raise ValidationError(_("This member is not on the going list."))
        if rsvp.checked_in_at is not None:
            raise ValidationError(_("%(name)s was already checked in at %(time)s.") % {
                "name": rsvp.member.name, "time": formats.time_format(timezone.localtime(rsvp.checked_in_at), "TIME_FORMAT")})
        rsvp.checked_in_at, rsvp.checked_in_by, rsvp.updated_at = now, by, now
        rsvp.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
        _recount(event)
        transaction.on_commit(lambda: signals.event_attended.send(
            sender=Event, event_id=event.pk, member_id=member_id, category_id=event.category_id))
    return rsvp


# -- the personal calendar feed ---------------------------------------------------------------------

def feed_of(member) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(member=member, defaults={"created_at": timezone.now()})
    return feed


def feed_reset(*, member) -> CalendarFeed:
    """A new secret address for the member's calendar; the old one stops working at once."""
    feed = feed_of(member)
    feed.token, feed.created_at = new_feed_token(), timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed
