"""Writing the nightly rollup: each past day's activity figures, site-wide and per category, recomputed idempotently.

A day is written whole (every name, every category with activity, zeros site-wide) so that the dashboard can
tell a rolled-up day from a missing one by the site-wide "posts" row alone.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from community.health.models import DailyFigure
from community.members import figures as member_figures
from forums import figures as forum_figures
from loyalty import figures as loyalty_figures

ACTIVITY = ("posts", "replies", "likes", "engaged")
SITE_WIDE_ONLY = ("kudos", "sign_ups")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def roll_up(first_day: date, last_day: date) -> int:
    """Write the figures of the days first_day..last_day (both included); returns how many rows were written."""
    start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
    rows = []
    for day, posts, replies, likes, engaged in forum_figures.activity_by_day(start, end):
        rows += [DailyFigure(day=day, category_id=None, name=name, value=value)
                 for name, value in zip(ACTIVITY, (posts, replies, likes, engaged), strict=True)]
    for day, category_id, *values in forum_figures.activity_by_day_per_category(start, end):
        rows += [DailyFigure(day=day, category_id=category_id, name=name, value=value)
                 for name, value in zip(ACTIVITY, values, strict=True)]
    for day, value in loyalty_figures.kudos_by_day(start, end):
        rows.append(DailyFigure(day=day, category_id=None, name="kudos", value=value))
    for day, value in member_figures.sign_ups_by_day(start, end):
        rows.append(DailyFigure(day=day, category_id=None, name="sign_ups", value=value))
    with transaction.atomic():
        DailyFigure.objects.bulk_create(rows, update_conflicts=True, unique_fields=["day", "category_id", "name"],
                                        update_fields=["value"])
    return len(rows)


def roll_up_recent(*, days: int = 200) -> int:
    """Yesterday, and any day of the last `days` that was never rolled up (the first night backfills)."""
    today = timezone.localdate()
    first = today - timedelta(days=days)
    done = set(DailyFigure.objects.filter(name="posts", category_id__isnull=True, day__gte=first).values_list("day", flat=True))
    missing = [first + timedelta(days=n) for n in range(days) if first + timedelta(days=n) not in done]
    yesterday = today - timedelta(days=1)
    if not missing:
        missing = [yesterday]
    return roll_up(min(missing), yesterday)
