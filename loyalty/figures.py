"""The loyalty app's aggregate figures for the health dashboard: visits, kudos, points, rewards, badges, tier changes."""

from datetime import timedelta

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum

from loyalty.models import BadgeAward, Kudos, PointsEntry, Reason, Redemption, TierChange, VisitDay


def active_members(end_day, *, days: int) -> dict:
    """Average daily active members over the `days` days ending with `end_day`; weekly (last 7 days) and monthly (last 30) actives."""
    sql = f"""
        SELECT COUNT(*) FILTER (WHERE day > %(end)s::date - %(days)s)::float / %(days)s,
               COUNT(DISTINCT member_id) FILTER (WHERE day > %(end)s::date - 7),
               COUNT(DISTINCT member_id) FILTER (WHERE day > %(end)s::date - 30)
        FROM {VisitDay._meta.db_table} WHERE day > %(end)s::date - GREATEST(30, %(days)s) AND day <= %(end)s::date"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"end": end_day, "days": days})
        dau, wau, mau = cursor.fetchone()
    return {"dau": dau or 0.0, "wau": wau, "mau": mau, "stickiness": (dau / mau) if mau else None}


def kudos_by_day(start, end) -> list[tuple]:
    sql = f"""
        SELECT d.day::date, COUNT(k.id)
        FROM generate_series(date_trunc('day', %(start)s::timestamptz), %(end)s::timestamptz - interval '1 microsecond',
                             interval '1 day') AS d(day)
        LEFT JOIN {Kudos._meta.db_table} k ON k.created_at >= d.day AND k.created_at < d.day + interval '1 day'
             AND k.created_at >= %(start)s AND k.created_at < %(end)s
        GROUP BY d.day ORDER BY d.day"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end})
        return cursor.fetchall()


def points_and_rewards(start, end, *, category_ids=None) -> dict:
    """Points earned (positive entries but redemptions' refunds), points spent on rewards, rewards redeemed, badges given, kudos."""
    entries = PointsEntry.objects.filter(created_at__gte=start, created_at__lt=end)
    if category_ids is not None:
        entries = entries.filter(category_id__in=category_ids)
    found = entries.aggregate(
        earned=Sum("amount", filter=Q(amount__gt=0) & ~Q(reason=Reason.REDEMPTION), default=0),
        spent=Sum("amount", filter=Q(reason=Reason.REDEMPTION, amount__lt=0), default=0))
    found["spent"] = -found["spent"]
    found["redeemed"] = Redemption.objects.filter(created_at__gte=start, created_at__lt=end).count()
    found["badges"] = BadgeAward.objects.filter(created_at__gte=start, created_at__lt=end).count()
    found["kudos"] = Kudos.objects.filter(created_at__gte=start, created_at__lt=end).count()
    return found


def tier_moves(start, end) -> dict:
    return TierChange.objects.filter(changed_at__gte=start, changed_at__lt=end).aggregate(
        promotions=Count("pk", filter=Q(new_tier__gt=F("old_tier"))),
        demotions=Count("pk", filter=Q(new_tier__lt=F("old_tier"))))


def moved_ids(start, end, *, up: bool) -> QuerySet:
    """Members promoted (or demoted) in the range."""
    moves = TierChange.objects.filter(changed_at__gte=start, changed_at__lt=end)
    return moves.filter(Q(new_tier__gt=F("old_tier")) if up else Q(new_tier__lt=F("old_tier"))).values("member_id")


def reached_tier_among(member_ids: QuerySet, tier: int) -> QuerySet:
    """Of these members, those who ever moved to `tier` or above."""
    return TierChange.objects.filter(member_id__in=member_ids, new_tier__gte=tier).values("member_id")


def came_back_within_among(member_ids: QuerySet, days: int = 7) -> QuerySet:
    """Of these members, those who visited on another day than their sign-up day, within `days` days of it."""
    return (VisitDay.objects.filter(member_id__in=member_ids, day__gt=F("member__date_joined__date"),
                                    day__lte=F("member__date_joined__date") + timedelta(days=days)).values("member_id"))
