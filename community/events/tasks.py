"""Telling people about events: reminders a day and an hour before (beat), a freed seat, a change, a cancellation.

Each notice is one Notification per member (its dedupe key), and each reminder one Reminder row per
member, event and kind: a job that runs twice, or is retried after a crash, tells nobody twice.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from community.events.models import RSVP, Event, Reminder
from community.jobs import job
from community.notifications.messages import Moment, message
from community.notifications.models import Kind
from community.notifications.services import notify

User = get_user_model()
Status = RSVP.Status
# (kind, how long before the start): a reminder is due once the start is that close; an event that is
# already within the hour when first seen gets only the hour's.
REMINDERS = (("hour", timedelta(hours=1)), ("day", timedelta(days=1)))


def _remind(event: Event, member, kind: str, now) -> bool:
    """One reminder, once: the Reminder row and the notification commit together or not at all."""
    try:
        with transaction.atomic():
            Reminder.objects.create(event=event, member=member, kind=kind, sent_at=now)
            if kind == "hour":
                said = message(gettext_noop("Starting within the hour, at %(when)s: “%(title)s”"), title=event.title,
                               when=Moment(event.starts_at))
            else:
                said = message(gettext_noop("Tomorrow at %(when)s: “%(title)s”"), title=event.title, when=Moment(event.starts_at))
            notify(recipient=member, kind=Kind.EVENT, dedupe_key=f"event:{event.pk}:reminder:{kind}", thread=event.thread,
                   message=said)
    except IntegrityError:
        return False  # already reminded (another run got there first)
    return True


@job(name="events.send_reminders")
def send_reminders() -> int:
    """Every few minutes (beat): members going (or maybe) to an event starting within a day, or within the hour."""
    now = timezone.now()
    sent = 0
    hour, day = REMINDERS[0][1], REMINDERS[1][1]
    events = Event.objects.filter(cancelled_at__isnull=True, starts_at__gt=now, starts_at__lte=now + day).select_related("thread")
    for event in events:
        kind = "hour" if event.starts_at <= now + hour else "day"
        already = set(Reminder.objects.filter(event=event, kind=kind).values_list("member_id", flat=True))
        members = User.objects.filter(is_active=True, rsvps__event=event, rsvps__status__in=[Status.GOING, Status.MAYBE])
        for member in members.exclude(pk__in=already):
            sent += _remind(event, member, kind, now)
    return sent


@job(name="events.tell_promoted")
def tell_promoted(rsvp_id: int) -> bool:
    """A seat freed up and the first on the waiting list has it now: they are told (once per promotion)."""
    rsvp = RSVP.objects.select_related("event", "member", "event__thread").filter(pk=rsvp_id, status=Status.GOING).first()
    if rsvp is None:
        return False
    event = rsvp.event
    said = message(gettext_noop("A seat freed up: you are going to “%(title)s” (%(when)s)"), title=event.title,
                   when=Moment(event.starts_at))
    key = f"event:{event.pk}:promoted:{rsvp.member_id}:{rsvp.updated_at:%Y%m%d%H%M%S%f}"
    return notify(recipient=rsvp.member, kind=Kind.EVENT, dedupe_key=key, thread=event.thread, message=said) is not None


def _answered(event: Event):
    return User.objects.filter(is_active=True, rsvps__event=event,
                               rsvps__status__in=[Status.GOING, Status.MAYBE, Status.WAITING]).exclude(pk=event.host_id)


@job(name="events.tell_event_changed")
def tell_event_changed(event_id: int, stamp: str) -> int:
    """The time or place changed: everyone who answered hears the event as it is now (once per change)."""
    event = Event.objects.select_related("thread").filter(pk=event_id, cancelled_at__isnull=True).first()
    if event is None:
        return 0
    said = message(gettext_noop("“%(title)s” changed: it is now at %(when)s; the event page has the details."), title=event.title,
                   when=Moment(event.starts_at))
    return sum(notify(recipient=member, kind=Kind.EVENT, dedupe_key=f"event:{event.pk}:changed:{stamp}", actor=event.host,
                      thread=event.thread, message=said) is not None for member in _answered(event))


@job(name="events.tell_event_cancelled")
def tell_event_cancelled(event_id: int) -> int:
    event = Event.objects.select_related("thread", "host").filter(pk=event_id, cancelled_at__isnull=False).first()
    if event is None:
        return 0
    if event.cancel_reason:
        said = message(gettext_noop("“%(title)s” (%(when)s) was cancelled: %(reason)s"), title=event.title,
                       when=Moment(event.starts_at), reason=event.cancel_reason)
    else:
        said = message(gettext_noop("“%(title)s” (%(when)s) was cancelled."), title=event.title, when=Moment(event.starts_at))
    return sum(notify(recipient=member, kind=Kind.EVENT, dedupe_key=f"event:{event.pk}:cancelled", actor=event.host,
                      thread=event.thread, message=said) is not None for member in _answered(event))
