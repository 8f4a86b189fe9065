from django.contrib import admin

from community.buddies.models import BuddyMatch, BuddyVolunteer


@admin.register(BuddyVolunteer)
class BuddyVolunteerAdmin(admin.ModelAdmin):
    # Read here; volunteers opt in and out on /buddies/ (the services keep caps and rematches right).
    list_display = ("member", "is_active", "cap", "opted_in_at", "opted_out_at")
    list_filter = ("is_active",)
    raw_id_fields = ("member",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(BuddyMatch)
class BuddyMatchAdmin(admin.ModelAdmin):
    # A record of what matching did: written only by community.buddies.services.
    list_display = ("newcomer", "buddy", "matched_at", "ends_at", "ended_at", "ended_reason")
    list_filter = ("ended_reason",)
    raw_id_fields = ("newcomer", "buddy")
    date_hierarchy = "matched_at"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
