"""The members app's aggregate figures for the health dashboard: sign-ups, tiers and the funnel's counts."""

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Count, Q, QuerySet

User = get_user_model()


def joined_between(start, end) -> QuerySet:
    """Ids of the members who signed up in [start, end)."""
    return User.objects.filter(date_joined__gte=start, date_joined__lt=end).values("pk")


def sign_ups(start, end) -> dict:
    """Sign-ups in the range and how many of them are still active (net new members)."""
    return User.objects.filter(date_joined__gte=start, date_joined__lt=end).aggregate(
        sign_ups=Count("pk"), net_new=Count("pk", filter=Q(is_active=True)))


def sign_ups_by_day(start, end) -> list[tuple]:
    """(day, sign-ups) for every day of the range."""
    sql = f"""
        SELECT d.day::date, COUNT(u.id)
        FROM generate_series(date_trunc('day', %(start)s::timestamptz), %(end)s::timestamptz - interval '1 microsecond',
                             interval '1 day') AS d(day)
        LEFT JOIN {User._meta.db_table} u ON u.date_joined >= d.day AND u.date_joined < d.day + interval '1 day'
             AND u.date_joined >= %(start)s AND u.date_joined < %(end)s
        GROUP BY d.day ORDER BY d.day"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    with connections[router.db_for_read(User)].cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end})
        return cursor.fetchall()


def members_per_tier() -> dict[int, int]:
    return dict(User.objects.filter(is_active=True).values_list("tier").annotate(n=Count("pk")).order_by("tier"))


def at_tier(tier: int) -> QuerySet:
    """Ids of the members at `tier` now."""
    return User.objects.filter(tier=tier).values("pk")


def members_joined(start, end) -> QuerySet:
    """The members who signed up in [start, end), for the funnel to annotate with each step."""
    return User.objects.filter(date_joined__gte=start, date_joined__lt=end)


def names_of(member_ids) -> dict[int, str]:
    return {pk: display or username for pk, username, display in
            User.objects.filter(pk__in=list(member_ids)).values_list("pk", "username", "display_name")}


def cohort_sizes(start, end) -> list[tuple]:
    """(join week, members) for members who joined in the range."""
    sql = f"""SELECT date_trunc('week', date_joined)::date, COUNT(*) FROM {User._meta.db_table}
              WHERE date_joined >= %(start)s AND date_joined < %(end)s GROUP BY 1 ORDER BY 1"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    with connections[router.db_for_read(User)].cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end})
        return cursor.fetchall()


def joined_with_dates(start, end) -> QuerySet:
    """(id, date_joined) of the members who joined in the range, for the cohort table."""
    return User.objects.filter(date_joined__gte=start, date_joined__lt=end).values_list("pk", "date_joined")


def members_in(ids: QuerySet) -> QuerySet:
    """The members behind a figure, for its drill-down list."""
    return User.objects.filter(pk__in=ids).only("pk", "username", "display_name", "date_joined", "tier").order_by("-date_joined", "pk")
