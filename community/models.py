"""Site-wide rows: jobs that could not reach the broker and wait to be sent again, and the pages managers write."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language


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


class SitePage(models.Model):
    """A page community managers write in English and Russian: the guidelines, the welcome a new member gets.

    The Markdown goes through the one sanitising pipeline when saved (community.pages); readers get their
    language, or English when the Russian text is empty. The last manager to edit a page signs it."""

    slug = models.SlugField(max_length=40, unique=True)
    title_en = models.CharField(max_length=150)
    title_ru = models.CharField(max_length=150, blank=True)
    body_en = models.TextField(max_length=20_000)
    body_ru = models.TextField(max_length=20_000, blank=True)
    body_html_en = models.TextField(blank=True, editable=False)
    body_html_ru = models.TextField(blank=True, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.slug

    def _russian(self) -> bool:
        return (get_language() or "").startswith("ru") and bool(self.body_ru.strip())

    @property
    def title(self) -> str:
        return self.title_ru if self._russian() and self.title_ru else self.title_en

    @property
    def body_html(self) -> str:
        return self.body_html_ru if self._russian() else self.body_html_en
