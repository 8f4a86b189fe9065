"""Template helpers for the people side."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def seconds_short(value) -> str:
    """A duration in seconds as '45 min', '3 h 20 min' or '2 d 4 h'; '—' when there is none."""
    if value is None:
        return "—"
    minutes = round(float(value) / 60)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


@register.filter
def notification_message(notification) -> str:
    """A notification's stored message in the reader's language and time zone (its old text if it has none)."""
    from community.notifications.messages import render

    return render(notification.message) if notification.message else notification.text


@register.filter
def new_member(member) -> bool:
    """In their first 14 days (community.members.newness); reads the author row the page already has."""
    from community.members.newness import is_new_member

    return is_new_member(member)
