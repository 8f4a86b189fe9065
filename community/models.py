"""Site-wide rows: jobs that could not reach the broker and wait to be sent again."""

from django.db import models


class PendingJob(models.Model):
    """A Celery task whose enqueue failed (broker down). The data it needs is already committed;
    `requeue_jobs` (and the beat job of the same name) sends it again once the broker is back."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"
