from django.contrib import admin

from community.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "count", "created_at", "read_at", "delivery", "emailed_at")
    list_filter = ("kind", "delivery")
    raw_id_fields = ("recipient", "actor", "thread", "post")
