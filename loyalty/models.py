"""The reward side's data: an append-only points ledger, accounts derived from it, rules, badges, rewards, kudos."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    THREAD_STARTED = "thread_started", _("Started a thread")
    REPLY_POSTED = "reply_posted", _("Replied")
    FIRST_REPLY_TO_NEWCOMER = "first_reply_to_newcomer", _("First reply to a newcomer's thread")
    LIKE_RECEIVED = "like_received", _("Like received")
    ANSWER_ACCEPTED = "answer_accepted", _("Answer accepted")
    KUDOS_RECEIVED = "kudos_received", _("Kudos received")
    EVENT_ATTENDED = "event_attended", _("Event attended")
    PROFILE_COMPLETED = "profile_completed", _("Profile completed")
    CELEBRATION = "celebration", _("Celebration")
    IDEA_DONE = "idea_done", _("Idea done")
    NEWCOMER_STAYED = "newcomer_stayed", _("Helped a newcomer stay")
    BUDDY_NEWCOMER_REACHED_TIER_1 = "buddy_newcomer_tier_1", _("Your buddy newcomer reached tier 1")
    # Corrections (loyalty.earnings): negative when a source stops earning, positive when it earns again.
    POST_HIDDEN = "post_hidden", _("Post hidden or deleted")
    LIKE_REMOVED = "like_removed", _("Like removed")
    ANSWER_UNACCEPTED = "answer_unaccepted", _("Answer un-accepted")
    FIRST_REPLY_LOST = "first_reply_lost", _("No longer the first reply to a newcomer")
    IDEA_REOPENED = "idea_reopened", _("Idea no longer done")
    NEWCOMER_STAY_LOST = "newcomer_stay_lost", _("No longer credited with a newcomer's return")
    RESTORED = "restored", _("Points restored")
    REDEMPTION = "redemption", _("Reward redeemed")


class EarningRule(models.Model):
    """How many points a reason is worth; managers tune these in the admin."""

    reason = models.CharField(max_length=40, choices=Reason.choices, unique=True)
    amount = models.PositiveIntegerField()
    daily_cap = models.PositiveIntegerField(null=True, blank=True, help_text=_("Most points a member earns for this per day."))
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.reason}: {self.amount}"


class LoyaltyAccount(models.Model):
    """Derived from the ledger, updated in the same transaction as each entry; `loyalty_rebuild` re-derives it."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="loyalty_account")
    balance = models.IntegerField(default=0)
    lifetime_points = models.IntegerField(default=0)
    score_90d = models.IntegerField(default=0)
    tier_changed_at = models.DateTimeField(null=True, blank=True)
    # Tier 4 is given by a manager and never computed away.
    tier_set_by_manager = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="loyalty_balance_never_negative")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.balance}"


class PointsEntry(models.Model):
    """One append-only ledger row. The unique key makes an award that runs twice a no-op.

    An earning's first entry is keyed by its claim (member, reason, source); the corrections that
    follow it are keyed (member, correction reason, "<source_type>/<reason>", "<source_id>[#n]"): see loyalty.earnings.
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_entries")
    amount = models.IntegerField()
    reason = models.CharField(max_length=40, choices=Reason.choices)
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=60)
    # Where it was earned, for the per-category leaderboard (null for points not tied to a category).
    category_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "reason", "source_type", "source_id"], name="loyalty_entry_once"),
        ]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="loyalty_entry_member"),
            models.Index(fields=["created_at"], name="loyalty_entry_created"),
            models.Index(fields=["member", "reason", "created_at"], name="loyalty_entry_daily_cap"),
            # Who holds a claim on a source (a thread's first-reply bonus moves between members).
            models.Index(fields=["source_type", "source_id"], name="loyalty_entry_source"),
        ]
        verbose_name_plural = "points entries"

    def __str__(self) -> str:
        return f"{self.member_id} {self.amount:+d} {self.reason} ({self.source_type}:{self.source_id})"

    @property
    def reason_label(self) -> str:
        """What `get_reason_display` says, looked up in the enum: Django's version hashes every choice of the
        field (a translation each) on every call, which made it the costliest cell of the ledger page."""
        try:
            return Reason(self.reason).label
        except ValueError:
            return self.reason


class TierRequirement(models.Model):
    """What reaching a tier takes, modelled on Discourse's trust levels; editable in the admin."""

    tier = models.PositiveSmallIntegerField(unique=True, help_text=_("1 Member, 2 Regular, 3 Champion"))
    min_days_since_joining = models.PositiveIntegerField(default=0)
    min_days_visited = models.PositiveIntegerField(default=0)
    min_posts_read = models.PositiveIntegerField(default=0)
    min_posts = models.PositiveIntegerField(default=0)
    min_threads_replied = models.PositiveIntegerField(default=0)
    min_likes_given = models.PositiveIntegerField(default=0)
    min_likes_received = models.PositiveIntegerField(default=0)
    min_accepted_answers = models.PositiveIntegerField(default=0)
    min_first_steps = models.PositiveSmallIntegerField(
        default=0, help_text=_("How many of the five first steps on a newcomer's home page must be done (tier 1)."))
    sanction_free_days = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["tier"]

    def __str__(self) -> str:
        return f"Tier {self.tier}"


class VisitDay(models.Model):
    """A day the member came to the site (for "days visited")."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_days")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="loyalty_visit_once_a_day")]

    def __str__(self) -> str:
        return f"{self.member_id} visited {self.day}"


class Badge(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=200)
    # Repeatable badges are awarded once per source (a year, a tag); the others once per member.
    is_repeatable = models.BooleanField(default=False)
    icon = models.CharField(max_length=8, default="🏅")

    def __str__(self) -> str:
        return self.name


class BadgeAward(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    source_key = models.CharField(max_length=60, default="", blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "badge", "source_key"], name="loyalty_badge_once")]
        indexes = [models.Index(fields=["member", "-created_at"], name="loyalty_badge_member"),
                   models.Index(fields=["created_at"], name="loyalty_badge_created")]

    def __str__(self) -> str:
        return f"{self.badge_id} for {self.member_id} {self.source_key}"


class Reward(models.Model):
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    cost = models.PositiveIntegerField(_("cost in points"))
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty means unlimited."))
    min_tier = models.PositiveSmallIntegerField(_("minimum tier"), default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["cost", "name"]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="redemptions")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    cost = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["fulfilled_at", "created_at"], name="loyalty_redemption_queue"),
                   models.Index(fields=["created_at"], name="loyalty_redemption_created")]

    def __str__(self) -> str:
        return f"{self.reward_id} for {self.member_id}"


class Kudos(models.Model):
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_sent")
    receiver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_received")
    message = models.CharField(max_length=280)
    post_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(sender=models.F("receiver")), name="loyalty_kudos_not_to_self")]
        indexes = [
            models.Index(fields=["receiver", "-created_at"], name="loyalty_kudos_receiver"),
            models.Index(fields=["sender", "created_at"], name="loyalty_kudos_sender"),
            models.Index(fields=["created_at"], name="loyalty_kudos_created"),
        ]
        verbose_name_plural = "kudos"

    def __str__(self) -> str:
        return f"kudos {self.sender_id} → {self.receiver_id}"


class StandingCheck(models.Model):
    """A member whose tier and badges should be looked at again; the beat job works through these."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    due_since = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"standing check for {self.member_id}"


class TierChange(models.Model):
    """One move between tiers, written by loyalty.tiers whenever `User.tier` changes (the dashboard's pipeline and funnel read it)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tier_changes")
    old_tier = models.PositiveSmallIntegerField()
    new_tier = models.PositiveSmallIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["changed_at"], name="loyalty_tierchange_changed"),
            models.Index(fields=["member", "new_tier"], name="loyalty_tierchange_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.old_tier} → {self.new_tier}"
