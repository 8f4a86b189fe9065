from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from community.members.models import Profile, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "display_name", "tier", "is_staff", "date_joined")
    list_filter = ("tier", "is_staff", "is_active", "groups")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Roundtable", {"fields": ("display_name", "tier", "language", "timezone")}))


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "birthday_day", "birthday_month")
    raw_id_fields = ("user",)
