from django.contrib import admin

from moderation.models import WatchedWord


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    list_display = ("word", "action")
    list_filter = ("action",)
    search_fields = ("word",)
