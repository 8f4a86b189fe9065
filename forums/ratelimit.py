"""Posting rate limits: a minimum gap between two threads or two replies by one member (Redis-backed)."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import ngettext

from forums import permissions
from forums.models import Post


def _interval(member, kind: str) -> int:
    newcomer = member.tier == 0
    if kind == "thread":
        return settings.FORUMS_NEWCOMER_THREAD_INTERVAL if newcomer else settings.FORUMS_THREAD_INTERVAL
    return settings.FORUMS_NEWCOMER_POST_INTERVAL if newcomer else settings.FORUMS_POST_INTERVAL


def check_posting_rate(member, kind: str) -> None:
    """Take the member's slot for `kind` ("thread" or "reply") or say when they may post again.
    New accounts also meet their first-day limits here."""
    check_first_day_limits(member, kind)
    interval = _interval(member, kind)
    if interval <= 0 or permissions.is_exempt_from_posting_limits(member):
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


# A member's first day, as Discourse: at most this many threads and replies.
FIRST_DAY_LIMITS = {"thread": 3, "reply": 10}


def check_first_day_limits(member, kind: str) -> None:
    """New accounts post at most 3 threads and 10 replies in their first 24 hours."""
    first_day_ends = member.date_joined + timedelta(days=1)
    now = timezone.now()
    if now >= first_day_ends or permissions.is_exempt_from_posting_limits(member):
        return
    posts = Post.objects.filter(author=member, created_at__gte=member.date_joined)
    made = posts.filter(number=1).count() if kind == "thread" else posts.filter(number__gt=1).count()
    if made >= FIRST_DAY_LIMITS[kind]:
        hours = max(1, int((first_day_ends - now).total_seconds() // 3600) + 1)
        message = (
            ngettext("New members start at most %(limit)d thread on their first day.",
                     "New members start at most %(limit)d threads on their first day.", FIRST_DAY_LIMITS[kind])
            if kind == "thread"
            else ngettext("New members post at most %(limit)d reply on their first day.",
                          "New members post at most %(limit)d replies on their first day.", FIRST_DAY_LIMITS[kind])
        ) % {"limit": FIRST_DAY_LIMITS[kind]}
        raise ValidationError(
            message + " " + ngettext("Try again in %(hours)d hour; your text is kept.", "Try again in %(hours)d hours; your text is kept.", hours)
            % {"hours": hours},
            code="first_day",
        )


def release_posting_rate(member, kind: str) -> None:
    """Give the slot back when the post was not made after all (e.g. invalid input)."""
    cache.delete(f"ratelimit:{kind}:{member.pk}")
