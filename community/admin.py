from django.contrib import admin

from community.models import PendingJob


@admin.register(PendingJob)
class PendingJobAdmin(admin.ModelAdmin):
    list_display = ("task_name", "args", "created_at", "error")
