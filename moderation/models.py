"""The safety side's data: moderator roles, flags, review items and the audit log that is never edited."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ModeratorRole(models.Model):
    """A moderator, site-wide (no category) or for one category. Revoked roles stay as history."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator_roles")
    category = models.ForeignKey("forums.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="moderator_roles")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "category"], condition=Q(revoked_at__isnull=True),
                                    name="moderation_one_active_role_per_scope", nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return f"moderator {self.member_id} ({self.category_id or 'site-wide'})"


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        OFF_TOPIC = "off_topic", _("Off-topic")
        ABUSIVE = "abusive", _("Abusive")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        AGREED = "agreed", _("Agreed")
        DISAGREED = "disagreed", _("Disagreed")

    post = models.ForeignKey("forums.Post", on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "flagger"], condition=Q(status="open"), name="moderation_one_open_flag"),
        ]
        indexes = [models.Index(fields=["flagger", "status"], name="moderation_flag_accuracy")]

    def __str__(self) -> str:
        return f"{self.reason} flag on {self.post_id} by {self.flagger_id}"


class ReviewItem(models.Model):
    """A post waiting for a moderator: flagged (maybe hidden already) or held."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        HIDDEN = "hidden", _("Kept hidden")
        DISMISSED = "dismissed", _("Flags dismissed")

    post = models.ForeignKey("forums.Post", on_delete=models.CASCADE, related_name="review_items")
    category_id = models.BigIntegerField(help_text="Copied from the thread, to scope the queue to a moderator's categories.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post"], condition=Q(status="pending"), name="moderation_one_pending_item_per_post"),
        ]
        indexes = [models.Index(fields=["created_at"], condition=Q(status="pending"), name="moderation_review_pending")]

    def __str__(self) -> str:
        return f"review of post {self.post_id} ({self.status})"


# What each action of the log is called on the page (the rows keep the code).
ACTION_LABELS = {
    "post_hidden_by_flags": _("Post hidden by flags"),
    "post_hold_for_review": _("Post held for review"),
    "post_flag_for_review": _("Post flagged for review"),
    "review_approve": _("Post approved"),
    "review_hide": _("Post kept hidden"),
    "review_dismiss": _("Flags dismissed"),
    "post_edited": _("Post edited"),
    "post_deleted": _("Post deleted"),
    "post_restored": _("Deleted post restored"),
    "thread_lock": _("Thread locked"),
    "thread_unlock": _("Thread unlocked"),
    "thread_pin": _("Thread pinned"),
    "thread_unpin": _("Thread unpinned"),
    "thread_move": _("Thread moved"),
    "member_silenced": _("Member silenced"),
    "member_suspended": _("Member suspended"),
    "silence_lifted": _("Silence lifted"),
    "suspend_lifted": _("Suspension lifted"),
    "spammer_deleted": _("Spammer deleted"),
    "member_approved": _("New account approved"),
    "member_rejected": _("New account turned away"),
    "moderator_granted": _("Moderator role granted"),
    "moderator_revoked": _("Moderator role revoked"),
    "candidate_approved": _("Candidate approved"),
    "candidate_declined": _("Candidate declined"),
    "moderation_offer_refused": _("Moderator invitation declined"),
}
TARGET_LABELS = {"post": _("post"), "thread": _("thread"), "member": _("member")}


class ModerationAction(models.Model):
    """The audit log: who did what to what, why, and when. A database trigger refuses updates and deletes."""

    # PROTECT: a member in the log is never deleted (they are deactivated), and the log never changes.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    reason = models.CharField(max_length=500, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["-created_at"], name="moderation_log_recent"),
            models.Index(fields=["action", "-created_at"], name="moderation_log_action"),
            models.Index(fields=["actor", "-created_at"], name="moderation_log_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.action} on {self.target_type} {self.target_id} by {self.actor_id}"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def target_label(self) -> str:
        return str(TARGET_LABELS.get(self.target_type, self.target_type))


class Sanction(models.Model):
    class Kind(models.TextChoices):
        SILENCE = "silence", _("Silenced (can read, cannot post)")
        SUSPEND = "suspend", _("Suspended (cannot log in)")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=500)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ends_at"], condition=Q(lifted_at__isnull=True), name="moderation_sanction_active")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.member_id} until {self.ends_at:%Y-%m-%d}"


class Nomination(models.Model):
    """A member proposed for moderation by the nightly job, with the evidence; managers decide, the member accepts."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        DEFERRED = "deferred", _("Deferred")
        OFFERED = "offered", _("Approved, waiting for the member")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined by a manager")
        REFUSED = "refused", _("Declined by the member")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nominations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CANDIDATE)
    evidence = models.JSONField(default=dict)
    # Empty: site-wide. Otherwise the categories the offer is for.
    category_ids = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status__in=["candidate", "deferred", "offered"]),
                                    name="moderation_one_open_nomination"),
        ]

    def __str__(self) -> str:
        return f"nomination of {self.member_id} ({self.status})"


class WatchedWord(models.Model):
    """A word (or phrase) that blocks a post, holds it for review, or flags it for a moderator's look."""

    class Action(models.TextChoices):
        BLOCK = "block", _("Block the post")
        HOLD = "hold", _("Hold the post for review")
        FLAG = "flag", _("Flag the post for review")

    word = models.CharField(max_length=100, unique=True)
    action = models.CharField(max_length=5, choices=Action.choices)

    def __str__(self) -> str:
        return f"{self.word} ({self.action})"

    def save(self, *args, **kwargs):
        self.word = " ".join(self.word.lower().split())
        super().save(*args, **kwargs)
