"""A member is an expert in a tag: appointed by a manager, or earned (by the loyalty job, later)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Expertise(models.Model):
    class Source(models.TextChoices):
        APPOINTED = "appointed", _("Appointed")
        EARNED = "earned", _("Earned")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expertise")
    tag = models.ForeignKey("forums.Tag", on_delete=models.CASCADE, related_name="expertise")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.APPOINTED)
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "tag"], name="expertise_once_per_tag")]
        indexes = [models.Index(fields=["tag", "member"], name="expertise_by_tag")]

    def __str__(self) -> str:
        return f"{self.member_id} expert in {self.tag_id}"


class ExpertAvailability(models.Model):
    """What an expert takes on: away through a day (in their own time zone), and at most so many routed
    questions a week. No row, or empty fields, means available without a limit.

    Routing locks this row while it decides for the expert (community.triage.tasks), and so does an expert
    changing it: an expert who has just set "away" is never told a moment later."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_availability")
    away_until = models.DateField(null=True, blank=True)  # away up to and including this day
    weekly_cap = models.PositiveSmallIntegerField(null=True, blank=True)  # routed questions in 7 days; empty: no limit
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(weekly_cap__isnull=True) | models.Q(weekly_cap__gte=1),
                                              name="expert_availability_cap_positive")]

    def __str__(self) -> str:
        return f"{self.member_id} away until {self.away_until}, cap {self.weekly_cap}"

    def is_away_on(self, day) -> bool:
        """Away on `day`, a date in the expert's own time zone (selectors.expert_today)."""
        return self.away_until is not None and self.away_until >= day


class RoutedQuestion(models.Model):
    """Routing told this expert about this newcomer's thread: once per expert and thread (a job run twice
    finds the row). Counted for the weekly cap, the least-loaded choice and the experts' figures."""

    # Looked up by the two indexes below, which both start with the expert; the thread's own FK index
    # answers "who was this thread routed to".
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routed_questions", db_index=False)
    thread = models.ForeignKey("forums.Thread", on_delete=models.CASCADE, related_name="+")
    routed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "thread"], name="routed_question_once")]
        indexes = [
            # "Routed to this expert since …": the cap, the load, the figures.
            models.Index(fields=["expert", "routed_at"], name="routed_question_by_expert"),
            # The dashboard's period, all experts.
            models.Index(fields=["routed_at"], name="routed_question_by_time"),
        ]

    def __str__(self) -> str:
        return f"thread {self.thread_id} routed to {self.expert_id}"
