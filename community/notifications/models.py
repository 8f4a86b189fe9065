"""Notification rows and each member's email preferences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REPLY = "reply", _("Replies to threads you started")
    WATCHED_REPLY = "watched_reply", _("Replies in threads you watch")
    MENTION = "mention", _("Mentions of you")
    QUOTE = "quote", _("Quotes of your posts")
    LIKE = "like", _("Likes on your posts")
    ASSIGNED = "assigned", _("Threads assigned to you")
    EXPERT_ROUTING = "expert_routing", _("New questions in your expert tags")
    ANSWER_ACCEPTED = "answer_accepted", _("Your answers accepted")
    MODERATION = "moderation", _("Moderation about your posts and flags")
    QUEUE_OVERDUE = "queue_overdue", _("Newcomer threads past the first-response target (managers)")
    QUEUE_HALF = "queue_half", _("Newcomer threads waiting half their first-response target (managers and moderators)")
    BADGE = "badge", _("Badges you earn")
    TIER_CHANGED = "tier_changed", _("Changes to your trust tier")
    KUDOS = "kudos", _("Kudos you receive")
    CELEBRATION = "celebration", _("Anniversaries and birthdays")
    IDEA_STATUS = "idea_status", _("Status changes of ideas you voted for or suggested")
    EVENT = "event", _("Events you answered: reminders, changes, a seat for you")
    ACCEPT_REMINDER = "accept_reminder", _("A reminder to mark the answer that helped you")
    WELCOME = "welcome", _("The welcome when you join")
    NEWCOMER_STAYED = "newcomer_stayed", _("Newcomers you answered first who came back and posted again")
    BUDDY = "buddy", _("Your buddy, or the newcomers you are a buddy to")


class Delivery(models.TextChoices):
    IMMEDIATELY = "now", _("Email me at once")
    DIGEST = "digest", _("In a daily digest")
    NEVER = "never", _("Never email")


# Mentions and replies to your own threads matter now; the rest can wait for the digest.
# So do events: a reminder or a cancellation in tomorrow's digest comes too late.
DEFAULT_DELIVERY = {Kind.MENTION: Delivery.IMMEDIATELY, Kind.REPLY: Delivery.IMMEDIATELY, Kind.EVENT: Delivery.IMMEDIATELY}


def default_delivery(kind: str) -> str:
    return DEFAULT_DELIVERY.get(kind, Delivery.DIGEST)


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    thread = models.ForeignKey("forums.Thread", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("forums.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # What makes this event one event for this recipient; a second delivery of it finds the row.
    dedupe_key = models.CharField(max_length=120)
    # A short line for events without a thread (the badge's name, the new tier, the kudos message).
    text = models.CharField(max_length=300, blank=True)
    # Or a message put into words when shown, in the reader's language and time zone (notifications.messages).
    message = models.JSONField(default=dict, blank=True)
    # Consolidated events ("3 people liked your post") keep the ids they gathered, so adding one twice is a no-op.
    gathered = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.DIGEST)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notifications_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-updated_at"], name="notifications_recipient_recent"),
            # The bell's unread count (on its recipient prefix) and marking a thread's notifications read as it is viewed.
            models.Index(fields=["recipient", "thread"], condition=Q(read_at__isnull=True), name="notifications_unread_by_thread"),
            models.Index(fields=["recipient", "created_at"], condition=Q(delivery="digest", emailed_at__isnull=True),
                         name="notifications_digest_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.dedupe_key})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Preference(models.Model):
    """How a member wants email for one kind of notification; no row means the default."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    delivery = models.CharField(max_length=8, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "kind"], name="notifications_preference_once")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.kind} → {self.delivery}"
