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
