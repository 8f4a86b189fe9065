"""The loyalty app's aggregate figures for the health dashboard: visits, kudos, points, rewards, badges, tier changes."""

from django.db import connections, router
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from loyalty.models import BadgeAward, Kudos, PointsEntry, Reason, Redemption, TierChange, VisitDay


def active_members(end_day, *, days: int) -> dict:
    """Average daily active members over the `days` days ending with `end_day`; weekly (last 7 days) and monthly (last 30) actives."""
    sql = f"""
        SELECT COUNT(*) FILTER (WHERE day > %(end)s::date - %(days)s)::float / %(days)s,
               COUNT(DISTINCT member_id) FILTER (WHERE day > %(end)s::date - 7),
               COUNT(DISTINCT member_id) FILTER (WHERE day > %(end)s::date - 30)
        FROM {VisitDay._meta.db_table} WHERE day > %(end)s::date - GREATEST(30, %(days)s) AND day <= %(end)s::date"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    with connections[router.db_for_read(PointsEntry)].cursor() as cursor:
        cursor.execute(sql, {"end": end_day, "days": days})
        dau, wau, mau = cursor.fetchone()
    return {"dau": dau or 0.0, "wau": wau, "mau": mau, "stickiness": (dau / mau) if mau else None}


def _count_on_day(table: str, column: str) -> str:
    """A per-day count of one table's rows for every day of the range (a fixed clause for by_day)."""
    return f"""(SELECT COUNT(*) FROM {table} x WHERE x.{column} >= d.day AND x.{column} < d.day + interval '1 day'
               AND x.{column} >= %(start)s AND x.{column} < %(end)s)"""  # noqa: S608  (table names; values are parameters)


def by_day(start, end) -> list[tuple]:
    """(day, kudos, rewards redeemed, badges given) for every day of the range, site-wide."""
    columns = ", ".join(_count_on_day(model._meta.db_table, "created_at") for model in (Kudos, Redemption, BadgeAward))
    sql = f"""
        SELECT d.day::date, {columns}
        FROM generate_series(date_trunc('day', %(start)s::timestamptz), %(end)s::timestamptz - interval '1 microsecond',
                             interval '1 day') AS d(day)
        ORDER BY d.day"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    with connections[router.db_for_read(PointsEntry)].cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end})
        return cursor.fetchall()


def points_by_day(start, end, *, category_ids=None, per_category=False) -> list[tuple]:
    """(day, [category id,] points earned, points spent) for the days with entries; earned leaves out refunds
    of redemptions, spent is what redemptions took."""
    entries = PointsEntry.objects.filter(created_at__gte=start, created_at__lt=end)
    if category_ids is not None:
        entries = entries.filter(category_id__in=category_ids)
    keys = ["day", "category_id"] if per_category else ["day"]
    return list(entries.annotate(day=TruncDate("created_at")).values(*keys).annotate(
        earned=Sum("amount", filter=Q(amount__gt=0) & ~Q(reason=Reason.REDEMPTION), default=0),
        spent=-Sum("amount", filter=Q(reason=Reason.REDEMPTION, amount__lt=0), default=0),
    ).order_by(*keys).values_list(*keys, "earned", "spent"))


def tier_moves(start, end) -> dict:
    return TierChange.objects.filter(changed_at__gte=start, changed_at__lt=end).aggregate(
        promotions=Count("pk", filter=Q(new_tier__gt=F("old_tier"))),
        demotions=Count("pk", filter=Q(new_tier__lt=F("old_tier"))))


def moved_ids(start, end, *, up: bool) -> QuerySet:
    """Members promoted (or demoted) in the range."""
    moves = TierChange.objects.filter(changed_at__gte=start, changed_at__lt=end)
    return moves.filter(Q(new_tier__gt=F("old_tier")) if up else Q(new_tier__lt=F("old_tier"))).values("member_id")


def first_promotions() -> QuerySet:
    """(member id, when) each member first left tier 0: before then their posts were a newcomer's."""
    return (TierChange.objects.filter(old_tier=0, new_tier__gte=1).values("member_id")
            .annotate(at=Min("changed_at")).values("member_id", "at").order_by())


def reached_tier(member, tier: int) -> QuerySet:
    """The moves of the member of an outer query (`member`: OuterRef) to `tier` or above, for Exists."""
    return TierChange.objects.filter(member_id=member, new_tier__gte=tier)


def visited_between(member, after, until) -> QuerySet:
    """The member's visits on a day after `after` and no later than `until` (day expressions), for Exists."""
    return VisitDay.objects.filter(member_id=member, day__gt=after, day__lte=until)
