"""A member's ticket: a QR code of the address the host's phone opens to check them in (SVG, drawn here)."""

import segno
from django.urls import reverse
from django.utils.safestring import mark_safe

from community.events import services


def ticket_url(request, event, member) -> str:
    return request.build_absolute_uri(reverse("events:check_in_code", args=[event.pk, services.ticket_code(event, member)]))


def ticket_svg(request, event, member) -> str:
    # Our own drawing of our own address (the code is URL-safe base64 from django.core.signing): no member text in it.
    return mark_safe(segno.make(ticket_url(request, event, member), error="m").svg_inline(  # noqa: S308
        scale=4, dark="#111", light="#fff", title="QR"))
