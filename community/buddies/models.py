"""A buddy for a newcomer's first two weeks: members of tier 2 and up volunteer, and each newcomer is matched to one.

A match is *active* while it has not ended (`ended_at` empty) and its window is open (`ends_at` in the future).
The window is the newcomer's fortnight: a rematch after a buddy leaves keeps the window of the first match.
Every write that changes a volunteer's load (a match made, a match ended) holds that volunteer's row lock
(community.buddies.services), so caps hold under concurrency; the partial unique constraint below is the
last word on "one active buddy per newcomer".
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DEFAULT_CAP = 3
MAX_CAP = 10


class BuddyVolunteer(models.Model):
    """A member who offers to be a buddy: their interests (matched against a newcomer's) and how many newcomers at once."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buddy_volunteer")
    interests = models.ManyToManyField("forums.Tag", blank=True, related_name="+", verbose_name=_("interests"))
    cap = models.PositiveSmallIntegerField(_("newcomers at once"), default=DEFAULT_CAP)
    is_active = models.BooleanField(default=True)
    opted_in_at = models.DateTimeField()
    opted_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(cap__gte=1) & Q(cap__lte=MAX_CAP), name="buddy_volunteer_cap_in_range"),
            models.CheckConstraint(condition=Q(is_active=True) | Q(opted_out_at__isnull=False),
                                   name="buddy_volunteer_out_has_a_time"),
        ]
        # Matching reads the active volunteers, the longest-serving first.
        indexes = [models.Index(fields=["opted_in_at"], condition=Q(is_active=True), name="buddy_volunteer_active")]

    def __str__(self) -> str:
        return f"buddy volunteer {self.member_id} ({'in' if self.is_active else 'out'}, cap {self.cap})"


class BuddyMatch(models.Model):
    class EndedReason(models.TextChoices):
        BUDDY_OPTED_OUT = "opted_out", _("The buddy stopped being a buddy")
        BUDDY_INELIGIBLE = "ineligible", _("The buddy can no longer be a buddy")
        COMPLETED = "completed", _("The two weeks are over")
        NEWCOMER_LEFT = "left", _("The newcomer deleted their account")

    newcomer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buddy_matches")
    # The load count and "my newcomers" start from the buddy (index below); no plain FK index needed.
    buddy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buddy_newcomers",
                              db_index=False)
    matched_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=12, choices=EndedReason.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["newcomer"], condition=Q(ended_at__isnull=True), name="buddy_match_one_open_per_newcomer"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("matched_at")), name="buddy_match_window_after_start"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True, ended_reason="") | Q(ended_at__isnull=False) & ~Q(ended_reason=""),
                                   name="buddy_match_ended_has_reason"),
            models.CheckConstraint(condition=~Q(newcomer=models.F("buddy")), name="buddy_match_not_oneself"),
        ]
        indexes = [
            # A buddy's load (open matches whose window has not closed) and their current newcomers.
            models.Index(fields=["buddy", "ends_at"], condition=Q(ended_at__isnull=True), name="buddy_match_open_by_buddy"),
            # Closing finished windows (the hourly job).
            models.Index(fields=["ends_at"], condition=Q(ended_at__isnull=True), name="buddy_match_open_by_end"),
        ]

    def __str__(self) -> str:
        return f"{self.buddy_id} buddy of {self.newcomer_id}"
