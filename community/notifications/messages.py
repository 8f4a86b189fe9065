"""Words written now and read later: put into words when shown, in the reader's language and time zone.

A stored message is its English source text (a msgid of the catalogue) with its arguments. An
argument is kept as it was given (a title, a moderator's own words), as a msgid to translate too
(`Words`), or as a moment shown in the reader's time zone (`Moment`). So a moderation notice reads
in Russian for a member who reads Russian, whoever acted and in whatever language, and a member who
chose no language reads it in their browser's.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext


@dataclass(frozen=True)
class Words:
    """An argument that is itself a msgid (marked with gettext_noop where it is written)."""

    text: str


@dataclass(frozen=True)
class Moment:
    at: datetime


def message(text: str, **args) -> dict:
    """A message to keep: `text` is the English source (mark it with gettext_noop so it is in the catalogue)."""
    kept, words, moments = {}, [], []
    for name, value in args.items():
        if isinstance(value, Words):
            kept[name] = value.text
            words.append(name)
        elif isinstance(value, Moment):
            kept[name] = value.at.isoformat()
            moments.append(name)
        else:
            kept[name] = str(value)
    return {"text": text, "args": kept, "words": words, "moments": moments}


def render(stored: dict) -> str:
    """The message in the active language and time zone."""
    args = {}
    text = gettext(stored.get("text", ""))
    for name, value in (stored.get("args") or {}).items():
        if name in stored.get("words", ()):
            value = gettext(value)
        elif name in stored.get("moments", ()):
            moment = parse_datetime(value)
            value = formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else value
            if f"%({name})s." in text:
                value = value.rstrip(".")  # "5 p.m." ending a sentence: one full stop, not "p.m.."
        args[name] = value
    return text % args if args else text
