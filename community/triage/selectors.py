"""The newcomer-priority reply queue and its first-response figures."""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from community.expertise.selectors import availability_of, expert_today, experts_for_tags
from community.triage import live
from forums.models import Tag, Thread

PER_PAGE = 30
CLAIM_FILTERS = ("all", "mine", "unclaimed")


def target() -> timedelta:
    """The site's first-response target; a category may set its own (target_for)."""
    return timedelta(hours=settings.TRIAGE_FIRST_RESPONSE_TARGET_HOURS)


def target_for(category) -> timedelta:
    hours = getattr(category, "first_response_target_hours", None)
    return timedelta(hours=hours) if hours else target()


# The escalation ladder (issue 13): experts hear of a newcomer's thread at once (routing), the category's
# managers and moderators at half its target, and at the target it is breached.
STEP_EXPERTS, STEP_MODERATORS, STEP_BREACHED = "experts", "moderators", "breached"


def step_of(waited: timedelta, limit: timedelta) -> str:
    ratio = waited / limit
    return STEP_BREACHED if ratio >= 1 else STEP_MODERATORS if ratio >= 0.5 else STEP_EXPERTS


def with_deadlines(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """Each thread's target as an interval (its category's, else the site's) and the two moments of the ladder."""
    hours = Coalesce(F("category__first_response_target_hours"), Value(settings.TRIAGE_FIRST_RESPONSE_TARGET_HOURS))
    interval = ExpressionWrapper(hours * Value(timedelta(hours=1)), output_field=DurationField())
    return threads.annotate(
        breach_at=ExpressionWrapper(F("created_at") + interval, output_field=DateTimeField()),
        half_at=ExpressionWrapper(F("created_at") + interval / 2, output_field=DateTimeField()),
    )


def waiting_newcomer_threads() -> QuerySet[Thread]:
    """Newcomer threads nobody but the author has answered: the rows of the partial index forums_thread_newcomer_queue."""
    return Thread.objects.filter(is_newcomer_thread=True, first_response_at__isnull=True, is_deleted=False)


def snoozed(now) -> QuerySet[Thread]:
    """Waiting threads set aside until later: out of the queue's list, reachable through its "Snoozed" filter."""
    return waiting_newcomer_threads().filter(queue_entry__no_reply_needed_at__isnull=True, queue_entry__snoozed_until__gt=now)


def in_queue(now) -> QuerySet[Thread]:
    return waiting_newcomer_threads().filter(
        Q(queue_entry__isnull=True)
        | Q(queue_entry__no_reply_needed_at__isnull=True)
        & (Q(queue_entry__snoozed_until__isnull=True) | Q(queue_entry__snoozed_until__lte=now))
    )


@dataclass
class QueueFilters:
    category_id: int | None = None
    tag: str = ""
    claim: str = "all"
    overdue_only: bool = False
    snoozed_only: bool = False


def newcomer_queue(*, member, filters: QueueFilters, page: int = 1, category_ids=None) -> tuple[list[Thread], bool]:
    """Oldest-waiting first, within `category_ids` (None: all); each row gets wait, colour, entry and
    suggested experts. Fixed number of queries."""
    now = timezone.now()
    threads = snoozed(now) if filters.snoozed_only else in_queue(now)
    if category_ids is not None:
        threads = threads.filter(category_id__in=category_ids)
    if filters.category_id:
        threads = threads.filter(category_id=filters.category_id)
    if filters.tag:
        threads = threads.filter(tags__name=filters.tag)
    if filters.claim == "mine":
        threads = threads.filter(queue_entry__claimed_by=member)
    elif filters.claim == "unclaimed":
        threads = threads.filter(Q(queue_entry__isnull=True) | Q(queue_entry__claimed_by__isnull=True))
    if filters.overdue_only:
        threads = with_deadlines(threads).filter(breach_at__lte=now)
    start = (page - 1) * PER_PAGE
    rows = list(
        threads.select_related("author", "category", "queue_entry", "queue_entry__claimed_by", "queue_entry__assigned_to")
        .defer("search_vector")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
        .order_by("created_at", "id")[start:start + PER_PAGE + 1]
    )
    has_more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    decorate_rows(rows, now=now)
    return rows, has_more


def decorate_rows(rows: list[Thread], *, now) -> None:
    experts = experts_for_tags({tag.pk for row in rows for tag in row.tags.all()})
    # Experts away today are not suggested (they said no for now: community.expertise availability).
    by_pk = {expert.pk: expert for members in experts.values() for expert in members}
    away = {pk for pk, row in availability_of(by_pk).items() if row.is_away_on(expert_today(by_pk[pk], now))}
    for row in rows:
        row.waited = now - row.created_at
        row.target = target_for(row.category)
        row.step = step_of(row.waited, row.target)
        row.wait_state = {STEP_BREACHED: "overdue", STEP_MODERATORS: "warning", STEP_EXPERTS: "ok"}[row.step]
        row.entry = getattr(row, "queue_entry", None)
        suggested = {}
        for tag in row.tags.all():
            for expert in experts.get(tag.pk, []):
                if expert.pk != row.author_id and expert.pk not in away:
                    suggested.setdefault(expert.pk, expert)
        row.suggested_experts = list(suggested.values())[:3]


def queue_row(thread_id: int):
    now = timezone.now()
    row = (
        Thread.objects.filter(pk=thread_id)
        .select_related("author", "category", "queue_entry", "queue_entry__claimed_by", "queue_entry__assigned_to")
        .defer("search_vector")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
        .first()
    )
    if row is not None:
        decorate_rows([row], now=now)
    return row


@dataclass
class ResponseFigures:
    threads: int
    answered: int
    median_seconds: float | None
    p90_seconds: float | None
    within_target: int
    due: int

    @property
    def within_target_percent(self) -> float | None:
        return None if not self.due else round(100 * self.within_target / self.due, 1)


WINDOWS = (7, 30)


def _figure_columns(window: str, scope: str) -> str:
    """Six aggregate columns for threads started in `window` (a SQL condition) within `scope`."""
    base = f"{window} AND {scope}"
    answered = f"{base} AND t.first_response_at IS NOT NULL"
    waited = "extract(epoch FROM t.first_response_at - t.created_at)"
    # Each thread against its category's own target where it sets one, else the site's.
    target_sql = "COALESCE(c.first_response_target_hours * interval '1 hour', %(target)s)"
    return ", ".join([
        f"count(*) FILTER (WHERE {base})",
        f"count(*) FILTER (WHERE {answered})",
        f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {waited}) FILTER (WHERE {answered})",
        f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {waited}) FILTER (WHERE {answered})",
        f"count(*) FILTER (WHERE {answered} AND t.first_response_at - t.created_at <= {target_sql})",
        f"count(*) FILTER (WHERE {base} AND (t.first_response_at IS NOT NULL OR t.created_at <= %(now)s - {target_sql}))",
    ])


def response_figures(now=None) -> dict[tuple[int, str], ResponseFigures]:
    """Time to first response for threads started in the last 7 and 30 days, newcomers' and everyone's, in one query.

    "Due" threads are those answered, or unanswered for longer than the target: a thread posted a
    minute ago is not yet a miss.
    """
    now = now or timezone.now()
    scopes = {"newcomers": "t.is_newcomer_thread", "everyone": "TRUE"}
    keys, columns, params = [], [], {"target": target(), "now": now}
    for days in WINDOWS:
        params[f"since{days}"] = now - timedelta(days=days)
        for scope, condition in scopes.items():
            keys.append((days, scope))
            columns.append(_figure_columns(f"t.created_at >= %(since{days})s", condition))
    sql = (
        f"SELECT {', '.join(columns)} FROM forums_thread t JOIN forums_category c ON c.id = t.category_id "  # noqa: S608  (no user input)
        f"WHERE NOT t.is_deleted AND t.created_at >= %(since{max(WINDOWS)})s AND t.created_at <= %(now)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
    return {key: ResponseFigures(*values[index * 6:(index + 1) * 6]) for index, key in enumerate(keys)}


def queue_counts(now=None, *, category_ids=None) -> dict[str, int]:
    now = now or timezone.now()
    # "Waiting now" counts what the list shows; snoozed threads are counted apart.
    waiting = waiting_newcomer_threads().exclude(queue_entry__no_reply_needed_at__isnull=False)
    if category_ids is not None:
        waiting = waiting.filter(category_id__in=category_ids)
    is_snoozed = Q(queue_entry__snoozed_until__gt=now)
    not_snoozed = Q(queue_entry__isnull=True) | Q(queue_entry__snoozed_until__isnull=True) | Q(queue_entry__snoozed_until__lte=now)
    return with_deadlines(waiting).aggregate(
        waiting=Count("id", filter=not_snoozed), overdue=Count("id", filter=not_snoozed & Q(breach_at__lte=now)),
        snoozed=Count("id", filter=is_snoozed),
    )


# The figures above the queue cost two aggregates over every waiting thread and a month of threads (most of the
# page's SQL time), and are the same for everyone who works the same categories. They are kept under the queue's
# version (community.triage.live: bumped after commit by every change that can move them) and a slice of the
# clock as short as the open page's own refresh, since "overdue now" and the windows move with time alone.
FIGURES_SLICE_SECONDS = 10


def dashboard_figures(*, category_ids=None) -> dict:
    scope = "all" if category_ids is None else ",".join(map(str, sorted(category_ids)))
    key = f"triage:figures:{live.version()}:{int(time.time()) // FIGURES_SLICE_SECONDS}:{scope}"
    figures = cache.get(key)
    if figures is None:
        figures = _dashboard_figures(category_ids=category_ids)
        cache.set(key, figures, timeout=2 * FIGURES_SLICE_SECONDS)
    return figures


def _dashboard_figures(*, category_ids=None) -> dict:
    now = timezone.now()
    figures = response_figures(now)
    return {
        "counts": queue_counts(now, category_ids=category_ids),
        "windows": [{"days": days, "newcomers": figures[days, "newcomers"], "everyone": figures[days, "everyone"]} for days in WINDOWS],
    }
