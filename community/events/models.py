"""Events and who comes: online or offline meetups with RSVPs, a waiting list, reminders and check-in (DESIGN.md).

Times are stored in UTC; `time_zone` is the event's own, in which it was planned and is shown beside
the member's. Counters on Event are denormalised from RSVP rows under the event's row lock
(community.events.services), so a full event never takes one more "going" than it has seats.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    class Kind(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("In person")

    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), max_length=10_000, blank=True)
    description_html = models.TextField(blank=True, editable=False)
    kind = models.CharField(_("where"), max_length=10, choices=Kind.choices, default=Kind.OFFLINE)
    category = models.ForeignKey("forums.Category", on_delete=models.PROTECT, related_name="events", verbose_name=_("category"))
    # The discussion created with the event: questions before, photos after.
    thread = models.OneToOneField("forums.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="event")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_events")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # Online: the link is shown only to those going, from JOIN_LINK_BEFORE before the start.
    join_url = models.URLField(_("link to join"), max_length=500, blank=True)
    # Offline: where.
    venue = models.CharField(_("place"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True, help_text=_("Leave empty for no limit."))
    # Until then only members with the "event priority seats" perk may say they are going.
    priority_until = models.DateTimeField(_("early RSVP for tier 2 and up until"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    going_count = models.PositiveIntegerField(default=0)
    maybe_count = models.PositiveIntegerField(default=0)
    waiting_count = models.PositiveIntegerField(default=0)
    checked_in_count = models.PositiveIntegerField(default=0)
    # The next waiting-list position to hand out (positions only grow: the list keeps its order).
    next_position = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="events_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(going_count__lte=models.F("capacity")),
                                   name="events_never_overbooked"),
        ]
        indexes = [
            models.Index(fields=["starts_at"], condition=Q(cancelled_at__isnull=True), name="events_upcoming"),
            models.Index(fields=["category", "starts_at"], name="events_category"),
            models.Index(fields=["host", "starts_at"], name="events_host"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.going_count >= self.capacity

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.going_count)


class RSVP(models.Model):
    class Status(models.TextChoices):
        GOING = "going", _("Going")
        MAYBE = "maybe", _("Maybe")
        NO = "no", _("Not going")
        WAITING = "waiting", _("On the waiting list")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    status = models.CharField(max_length=10, choices=Status.choices)
    # Order on the waiting list (set while waiting).
    position = models.PositiveIntegerField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "event"], name="events_one_rsvp_per_member"),
            models.UniqueConstraint(fields=["event", "position"], name="events_one_member_per_position"),
            models.CheckConstraint(condition=Q(status="waiting", position__isnull=False) | (~Q(status="waiting") & Q(position__isnull=True)),
                                   name="events_position_only_while_waiting"),
        ]
        indexes = [
            models.Index(fields=["event", "status"], name="events_rsvp_status"),
            models.Index(fields=["member", "status"], name="events_rsvp_member"),
            models.Index(fields=["checked_in_at"], condition=Q(checked_in_at__isnull=False), name="events_rsvp_checked_in"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status} at {self.event_id}"


class Reminder(models.Model):
    """A reminder sent: one per member, event and kind ("day", "hour"), so a job running twice sends once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "member", "kind"], name="events_remind_once")]

    def __str__(self) -> str:
        return f"{self.kind} reminder of {self.event_id} for {self.member_id}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A member's secret calendar address (the events they are going to); resetting it revokes the old one."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", primary_key=True)
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar feed of {self.member_id}"
