"""Perks and beta features in templates: {% if user|has_perk:"invite" %}, {% if user|uses_beta:"dark_theme" %}."""

from django import template

register = template.Library()


@register.filter
def has_perk(user, perk: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perk(perk)


@register.filter
def uses_beta(user, feature: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.uses_beta(feature)
