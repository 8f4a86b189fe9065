"""What community managers did about a newcomer thread in the queue: claim, assignment, snooze, dismissal."""

from django.conf import settings
from django.db import models


class QueueEntry(models.Model):
    """One per newcomer thread someone acted on; threads nobody touched have none."""

    thread = models.OneToOneField("forums.Thread", on_delete=models.CASCADE, primary_key=True, related_name="queue_entry")
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    no_reply_needed_at = models.DateTimeField(null=True, blank=True)
    no_reply_needed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    no_reply_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["claimed_by"], name="triage_claimed_by")]
        verbose_name_plural = "queue entries"

    def __str__(self) -> str:
        return f"Queue entry for thread {self.thread_id}"
