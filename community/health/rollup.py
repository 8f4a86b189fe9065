"""Writing the nightly rollup: each past day's additive figures, site-wide and per category, recomputed idempotently.

A day is written whole (every series site-wide, zeros included; every category with activity) and then
marked with a "rolled_up" row holding ROLLUP_VERSION: the dashboard reads a day from the rollup only when
that mark is there and current, so adding a series to the rollup makes the next night rewrite every day.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from community.health import selectors
from community.health.models import DailyFigure
from community.members import figures as member_figures
from loyalty import figures as loyalty_figures

ROLLUP_VERSION = selectors.ROLLUP_VERSION
MARK = selectors.ROLLUP_MARK


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def roll_up(first_day: date, last_day: date) -> int:
    """Write the figures of the days first_day..last_day (both included); returns how many rows were written."""
    start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    values = {}  # (day, category id or None, name) -> value; site-wide zeros first, so every day is whole
    for day in days:
        values.update({(day, None, name): 0 for name in selectors.SERIES})
    for day, *found in selectors.activity(start, end):
        values.update({(day, None, name): value for name, value in zip(selectors.ACTIVITY_SERIES, found, strict=True)})
    for day, category_id, *found in selectors.activity(start, end, per_category=True):
        values.update({(day, category_id, name): value for name, value in zip(selectors.ACTIVITY_SERIES, found, strict=True)})
    for day, *found in loyalty_figures.points_by_day(start, end):
        values.update({(day, None, name): value for name, value in zip(selectors.POINTS_SERIES, found, strict=True)})
    for day, category_id, *found in loyalty_figures.points_by_day(start, end, per_category=True):
        if category_id is not None:
            values.update({(day, category_id, name): value for name, value in zip(selectors.POINTS_SERIES, found, strict=True)})
    for day, kudos, redeemed, badges in loyalty_figures.by_day(start, end):
        values.update({(day, None, "kudos"): kudos, (day, None, "redeemed"): redeemed, (day, None, "badges"): badges})
    for day, value in member_figures.sign_ups_by_day(start, end):
        values[(day, None, "sign_ups")] = value
    values.update({(day, None, MARK): ROLLUP_VERSION for day in days})
    rows = [DailyFigure(day=day, category_id=category_id, name=name, value=value)
            for (day, category_id, name), value in values.items() if day in set(days)]
    with transaction.atomic():
        DailyFigure.objects.bulk_create(rows, update_conflicts=True, unique_fields=["day", "category_id", "name"],
                                        update_fields=["value"], batch_size=5_000)
    return len(rows)


def roll_up_recent(*, days: int = 200) -> int:
    """Yesterday, and any day of the last `days` never rolled up or rolled up by an older version (the first night backfills)."""
    today = timezone.localdate()
    first = today - timedelta(days=days)
    done = set(DailyFigure.objects.filter(name=MARK, category_id__isnull=True, day__gte=first, value=ROLLUP_VERSION)
               .values_list("day", flat=True))
    missing = [first + timedelta(days=n) for n in range(days) if first + timedelta(days=n) not in done]
    yesterday = today - timedelta(days=1)
    if not missing:
        missing = [yesterday]
    return roll_up(min(missing), yesterday)
