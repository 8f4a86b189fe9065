"""The queue's version: a number in Redis that every change to the queue bumps, so an open queue page can ask
"anything new since version N?" for nothing (no SQL) and reload its rows only when the answer is yes."""

from django.core.cache import cache
from django.db import transaction

KEY = "triage:queue-version"


def version() -> int:
    return int(cache.get(KEY) or 0)


def bump() -> None:
    """After the change commits: a page that reloads at once must see it."""
    def _bump():
        try:
            cache.incr(KEY)
        except ValueError:  # not set yet (or evicted): start it
            cache.add(KEY, 1, timeout=None)

    transaction.on_commit(_bump)
