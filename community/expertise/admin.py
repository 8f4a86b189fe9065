from django.contrib import admin

from community.expertise.models import Expertise


@admin.register(Expertise)
class ExpertiseAdmin(admin.ModelAdmin):
    list_display = ("member", "tag", "source", "created_at")
    list_filter = ("source",)
    raw_id_fields = ("member", "appointed_by")
