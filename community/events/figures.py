"""The events app's aggregate figures for the health dashboard's participation section (one query each)."""

from datetime import timedelta

from django.db.models import Count, Q

from community.events.models import RSVP, Event

CORE_ATTENDEE_EVENTS = 3
CORE_ATTENDEE_WITHIN = timedelta(days=90)


def participation(start, end, *, now, category_ids=None, with_core_attendees=True) -> dict:
    """Events that started in [start, end) (cancelled ones left out): RSVPs, check-ins, attendance and no-shows.

    Attendance and no-shows count only events that have started: a future event has no no-shows yet."""
    events = Event.objects.filter(starts_at__gte=start, starts_at__lt=end, cancelled_at__isnull=True)
    if category_ids is not None:
        events = events.filter(category_id__in=category_ids)
    found = RSVP.objects.filter(event__in=events).aggregate(
        going=Count("pk", filter=Q(status=RSVP.Status.GOING)),
        maybe=Count("pk", filter=Q(status=RSVP.Status.MAYBE)),
        waiting=Count("pk", filter=Q(status=RSVP.Status.WAITING)),
        held_going=Count("pk", filter=Q(status=RSVP.Status.GOING, event__starts_at__lte=now)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    found["events"] = events.count()
    found["no_shows"] = max(0, found["held_going"] - found["checked_in"])
    found["attendance_rate"] = found["checked_in"] / found["held_going"] if found["held_going"] else None
    found["no_show_rate"] = found["no_shows"] / found["held_going"] if found["held_going"] else None
    found["core_attendees"] = core_attendee_ids(end).count() if with_core_attendees else None
    return found


def core_attendee_ids(end):
    """Members checked in at 3 or more events in the 90 days up to `end`."""
    return (RSVP.objects.filter(checked_in_at__gte=end - CORE_ATTENDEE_WITHIN, checked_in_at__lt=end)
            .values("member_id").annotate(n=Count("pk")).filter(n__gte=CORE_ATTENDEE_EVENTS).values("member_id"))
