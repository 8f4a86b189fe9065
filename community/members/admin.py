from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from community.members.models import Profile, User
from community.members.validators import refuse_deleted_prefix


class _RefuseDeletedNames:
    """A name set or changed here may not be a deleted account's; a deleted account keeps its own when saved."""

    def clean_username(self):
        username = super().clean_username() if hasattr(super(), "clean_username") else self.cleaned_data["username"]
        if "username" in self.changed_data:
            refuse_deleted_prefix(username)
        return username


class MemberChangeForm(_RefuseDeletedNames, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class MemberCreationForm(_RefuseDeletedNames, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form, add_form = MemberChangeForm, MemberCreationForm
    list_display = ("username", "email", "display_name", "tier", "is_staff", "date_joined")
    list_filter = ("tier", "is_staff", "is_active", "groups")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Roundtable", {"fields": ("display_name", "tier", "language", "timezone")}))


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "birthday_day", "birthday_month")
    raw_id_fields = ("user",)
