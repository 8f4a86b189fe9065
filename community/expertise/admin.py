from django.contrib import admin

from community.expertise.models import ExpertAvailability, Expertise, RoutedQuestion


@admin.register(Expertise)
class ExpertiseAdmin(admin.ModelAdmin):
    list_display = ("member", "tag", "source", "created_at")
    list_filter = ("source",)
    raw_id_fields = ("member", "appointed_by")


@admin.register(ExpertAvailability)
class ExpertAvailabilityAdmin(admin.ModelAdmin):
    list_display = ("member", "away_until", "weekly_cap", "updated_at")
    raw_id_fields = ("member",)


@admin.register(RoutedQuestion)
class RoutedQuestionAdmin(admin.ModelAdmin):
    # A record of what routing did: read here, written only by routing.
    list_display = ("expert", "thread", "routed_at")
    raw_id_fields = ("expert", "thread")
    date_hierarchy = "routed_at"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
