"""Moderation controls in templates owned by other apps (the profile): {% if user|can_sanction:member %}."""

from django import template

from moderation import permissions

register = template.Library()


@register.filter
def can_sanction(user, member) -> bool:
    return permissions.can_sanction(user, member)
