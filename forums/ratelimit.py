"""Posting rate limits: a minimum gap between two threads or two replies by one member (Redis-backed)."""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


def _interval(member, kind: str) -> int:
    newcomer = member.tier == 0
    if kind == "thread":
        return settings.FORUMS_NEWCOMER_THREAD_INTERVAL if newcomer else settings.FORUMS_THREAD_INTERVAL
    return settings.FORUMS_NEWCOMER_POST_INTERVAL if newcomer else settings.FORUMS_POST_INTERVAL


def check_posting_rate(member, kind: str) -> None:
    """Take the member's slot for `kind` ("thread" or "reply") or say when they may post again."""
    interval = _interval(member, kind)
    if interval <= 0 or member.is_community_manager:
        return
    key = f"ratelimit:{kind}:{member.pk}"
    now = time.time()
    if cache.add(key, now, timeout=interval):
        return
    since = cache.get(key, now)
    wait = max(1, int(interval - (now - since) + 0.999))
    raise ValidationError(
        ngettext(
            "You are posting too fast. Please wait %(seconds)d second and try again; your text is kept.",
            "You are posting too fast. Please wait %(seconds)d seconds and try again; your text is kept.",
            wait,
        )
        % {"seconds": wait},
        code="rate_limited",
    )


def release_posting_rate(member, kind: str) -> None:
    """Give the slot back when the post was not made after all (e.g. invalid input)."""
    cache.delete(f"ratelimit:{kind}:{member.pk}")
