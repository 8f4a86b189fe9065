"""iCalendar (RFC 5545) files: one event, or a member's feed of the events they are going to.

Times are written in UTC (…Z), which every calendar application shows in its reader's own zone; text
is escaped and long lines folded as the RFC asks."""

from datetime import UTC

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from community.events.models import Event

PRODID = "-//Roundtable//Events//EN"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (never splitting a UTF-8 character)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return "\r\n ".join(out)


def _stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _vevent(event: Event, *, host: str) -> list[str]:
    url = settings.SITE_URL.rstrip("/") + reverse("events:detail", args=[event.pk])
    where = ", ".join(part for part in (event.venue, event.address) if part) if event.kind == Event.Kind.OFFLINE else url
    description = strip_tags(event.description_html).strip()
    lines = [
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@{host}",
        f"DTSTAMP:{_stamp(event.updated_at)}",
        f"DTSTART:{_stamp(event.starts_at)}",
        f"DTEND:{_stamp(event.ends_at)}",
        f"SUMMARY:{_escape(event.title)}",
        f"LOCATION:{_escape(where)}",
        f"URL:{url}",
        f"DESCRIPTION:{_escape((description + chr(10) + chr(10) if description else '') + url)}",
        f"STATUS:{'CANCELLED' if event.is_cancelled else 'CONFIRMED'}",
        "END:VEVENT",
    ]
    return lines


def calendar(events, *, name: str) -> str:
    host = settings.SITE_DOMAIN.split(":", 1)[0] or "roundtable"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(name)}"]
    for event in events:
        lines += _vevent(event, host=host)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
