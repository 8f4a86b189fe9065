"""The members app's aggregate figures for the health dashboard: sign-ups, tiers and the funnel's counts."""

from django.contrib.auth import get_user_model
from django.db import connection
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
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end})
        return cursor.fetchall()


def members_per_tier() -> dict[int, int]:
    return dict(User.objects.filter(is_active=True).values_list("tier").annotate(n=Count("pk")).order_by("tier"))


def _in_any(subqueries) -> Q:
    found = Q(pk__in=[])
    for ids in subqueries:
        found |= Q(pk__in=ids)
    return found


def _cumulative(steps: dict[str, list], split) -> tuple[Q, dict[str, Q]]:
    """Each step's condition includes every step before it, so the funnel never widens; `split` is (ids, inside?)."""
    among = Q()
    if split is not None:
        ids, inside = split
        among = Q(pk__in=ids) if inside else ~Q(pk__in=ids)
    conditions, so_far = {}, among
    for name, subqueries in steps.items():
        so_far = so_far & _in_any(subqueries)
        conditions[name] = so_far
    return among, conditions


def count_steps(base: QuerySet, steps: dict[str, list], *, split=None) -> dict[str, int]:
    """How many of the `base` members are in each step (a step: a list of id subqueries, any of which counts). One query."""
    among, conditions = _cumulative(steps, split)
    return User.objects.filter(pk__in=base).aggregate(
        base=Count("pk", filter=among) if split is not None else Count("pk"),
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()})


def count_steps_by_split(base: QuerySet, steps: dict[str, list], split_ids: QuerySet) -> dict[str, dict[str, int]]:
    """count_steps for all of `base`, for those in `split_ids` ("fast") and for the rest ("slow"), in one query.

    Each member's steps are worked out once, in a materialised CTE (the ORM would repeat every step's
    subquery in every later step's FILTER); the counts are then FILTERs over those flags."""
    columns, params = [], []
    for n, subqueries in enumerate(steps.values()):
        alternatives = []
        for ids in subqueries:
            sql, found = ids.query.sql_with_params()
            alternatives.append(f"u.id IN ({sql})")
            params += found
        columns.append(f"({' OR '.join(alternatives)}) AS s{n}")
    sql, found = split_ids.query.sql_with_params()
    columns.append(f"u.id IN ({sql}) AS fast")
    params += found
    base_sql, found = base.query.sql_with_params()
    params += found
    counts, names = [], []
    for split, among in (("all", "TRUE"), ("fast", "fast"), ("slow", "NOT fast")):
        condition = among
        counts.append(f"COUNT(*) FILTER (WHERE {condition})")
        names.append((split, "base"))
        for n, name in enumerate(steps):
            condition += f" AND s{n}"
            counts.append(f"COUNT(*) FILTER (WHERE {condition})")
            names.append((split, name))
    # The ORM's own SQL and parameters, and fixed clauses: no input reaches the text.
    query = f"WITH flags AS MATERIALIZED (SELECT u.id, {', '.join(columns)} FROM members_user u WHERE u.id IN ({base_sql})) "  # noqa: S608
    query += f"SELECT {', '.join(counts)} FROM flags"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        row = cursor.fetchone()
    result = {"all": {}, "fast": {}, "slow": {}}
    for (split, name), value in zip(names, row, strict=True):
        result[split][name] = value
    return result


def members_in_steps(base: QuerySet, steps: dict[str, list], *, split=None) -> QuerySet:
    """The members of `base` in the last of `steps` (and so in all before it)."""
    among, conditions = _cumulative(steps, split)
    condition = list(conditions.values())[-1] if conditions else among
    return members_in(User.objects.filter(Q(pk__in=base) & condition).values("pk"))


def at_tier_among(member_ids: QuerySet, tier: int) -> QuerySet:
    """Of these members, those at `tier` or above now."""
    return User.objects.filter(pk__in=member_ids, tier__gte=tier).values("pk")


def names_of(member_ids) -> dict[int, str]:
    return {pk: display or username for pk, username, display in
            User.objects.filter(pk__in=list(member_ids)).values_list("pk", "username", "display_name")}


def cohort_sizes(start, end) -> list[tuple]:
    """(join week, members) for members who joined in the range."""
    sql = f"""SELECT date_trunc('week', date_joined)::date, COUNT(*) FROM {User._meta.db_table}
              WHERE date_joined >= %(start)s AND date_joined < %(end)s GROUP BY 1 ORDER BY 1"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end})
        return cursor.fetchall()


def members_in(ids: QuerySet) -> QuerySet:
    """The members behind a figure, for its drill-down list."""
    return User.objects.filter(pk__in=ids).only("pk", "username", "display_name", "date_joined", "tier").order_by("-date_joined", "pk")
