from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from forums.models import Category, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position", "is_read_only", "thread_count", "post_count")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("thread_count", "post_count", "last_thread", "last_posted_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", "colour", "position", "is_read_only", "is_ideas")}),
        (_("New thread template"), {"fields": ("body_template_en", "body_template_ru")}),
        (_("Newcomers"), {"fields": ("first_response_target_hours",)}),
        (_("Counters"), {"fields": readonly_fields}),
    )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "thread_count")
    search_fields = ("name",)
    readonly_fields = ("thread_count",)
