"""Moderation controls in templates owned by other apps (the profile): {% if user|can_sanction:member %}."""

from django import template

from moderation import permissions
from moderation.models import ModeratorRole

register = template.Library()


@register.filter
def can_sanction(user, member) -> bool:
    return permissions.can_sanction(user, member)


@register.filter
def moderates(user, category_id) -> bool:
    """{% if user|moderates:thread.category_id %}"""
    return bool(getattr(user, "is_authenticated", False)) and permissions.can_moderate(user, category_id)


@register.simple_tag
def active_roles(member):
    """{% active_roles member as roles %}: the member's moderator roles (for managers on the profile)."""
    return list(ModeratorRole.objects.filter(member=member, revoked_at__isnull=True).select_related("category"))
