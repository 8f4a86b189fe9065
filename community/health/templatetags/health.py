"""How the dashboard writes its figures: shares as percentages, waits in hours, changes with their direction."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@register.filter
def hours(value) -> str:
    if value is None:
        return "—"
    return _("%(hours).1f h") % {"hours": value}


@register.filter
def number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


@register.filter
def change(relative) -> str:
    """+12% / −5% / = against the previous period."""
    if relative is None:
        return ""
    if abs(relative) < 0.005:
        return "="
    sign = "+" if relative > 0 else "\u2212"
    return f"{sign}{abs(relative) * 100:.0f}%"


@register.filter
def direction(relative) -> str:
    if relative is None or abs(relative) < 0.005:
        return "same"
    return "up" if relative > 0 else "down"


@register.filter
def shade(share) -> int:
    """A cohort cell's shade, 0 (nobody posting) to 5 (everyone)."""
    return min(5, int((share or 0) * 5 + 0.999))


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
