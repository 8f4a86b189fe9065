"""The promise of an answer: what a newcomer who just asked is told to expect, from what this category measured.

"People here usually get a first reply in about 2 hours" is the median wait of the category's newcomer
threads started in the last 30 days, counting those still waiting with their wait so far (the dashboard's
measure: an unanswered thread makes the figure longer, never vanishes from it). Below 10 threads the honest
answer is that we do not know yet. Measured at most every 10 minutes per category (cached).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import npgettext

from forums import figures

WINDOW = timedelta(days=30)
MIN_THREADS = 10
CACHE_SECONDS = 600


@dataclass(frozen=True)
class Promise:
    threads: int  # newcomer threads measured
    median_seconds: float | None  # None: fewer than MIN_THREADS, we do not know yet

    @property
    def known(self) -> bool:
        return self.median_seconds is not None

    @property
    def wait(self) -> str:
        """The typical wait in words ("35 minutes", "2 hours", "3 days"), rounded as people say it."""
        minutes = max(1, round((self.median_seconds or 0) / 60))
        if minutes < 90:
            return npgettext("in about", "%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
        hours = round(minutes / 60)
        if hours < 36:
            return npgettext("in about", "%(n)d hour", "%(n)d hours", hours) % {"n": hours}
        days = round(hours / 24)
        return npgettext("in about", "%(n)d day", "%(n)d days", days) % {"n": days}


def for_category(category_id: int) -> Promise:
    key = f"forums:answer-promise:{category_id}"
    found = cache.get(key)
    if found is None:
        now = timezone.now()
        measured = figures.first_response(now - WINDOW, now, now=now, category_ids=[category_id],
                                          target=timedelta(hours=settings.TRIAGE_FIRST_RESPONSE_TARGET_HOURS))
        median = measured["median_hours"] * 3600 if measured["threads"] >= MIN_THREADS and measured["median_hours"] is not None else None
        found = (measured["threads"], median)
        cache.set(key, found, timeout=CACHE_SECONDS)
    return Promise(threads=found[0], median_seconds=found[1])


def for_thread(thread, member) -> Promise | None:
    """The promise to show on a thread: to its newcomer author, while nobody has answered."""
    if (getattr(member, "pk", None) != thread.author_id or not thread.is_newcomer_thread
            or thread.first_response_at is not None or thread.is_deleted):
        return None
    return for_category(thread.category_id)
