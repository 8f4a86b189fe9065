"""The dashboard as managers are served it: a snapshot of its figures, computed at most every few minutes.

Computing every figure takes a few hundred milliseconds on a large community (docs/benchmarks.md), and
every manager sees the same figures, so they are computed once and kept in the cache for SNAPSHOT_SECONDS:
by the beat job for the site-wide periods (so managers are never the ones who wait) or on a miss. The page
says when its figures were computed and offers to recompute them now.
"""

from django.core.cache import cache
from django.utils import timezone

from community.health import selectors

SNAPSHOT_SECONDS = 6 * 60  # the beat job recomputes the site-wide ones every 5 minutes, before they expire


def _key(days: int, category_id: int | None) -> str:
    return f"health:dashboard:v{selectors.ROLLUP_VERSION}:{days}:{category_id or 'all'}"


def dashboard(*, days: int, category_id: int | None, fresh: bool = False) -> dict:
    """The dashboard's figures for this period and category, from the snapshot unless `fresh` (or none is kept)."""
    key = _key(days, category_id)
    data = None if fresh else cache.get(key)
    if data is None:
        data = selectors.dashboard(days=days, category_id=category_id)
        data["computed_at"] = timezone.now()
        cache.set(key, data, timeout=SNAPSHOT_SECONDS)
    return data


def refresh_site_wide() -> int:
    """Recompute the site-wide snapshot of every period (the beat job); returns how many were computed."""
    for days in selectors.PERIODS:
        dashboard(days=days, category_id=None, fresh=True)
    return len(selectors.PERIODS)
