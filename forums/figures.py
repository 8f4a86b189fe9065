"""The forum's aggregate figures for the health dashboard: one SQL statement each, over indexed columns.

Counted posts are visible ones (not deleted, not hidden, in a thread that is not deleted). Time to first
response counts every newcomer thread of the range: a thread nobody answered yet counts with its wait so
far (a lower bound), so unanswered threads make the figure worse instead of vanishing from it.
Callers pass `category_ids` (None: every category) and, where members matter, querysets of member ids
that the members app builds: forums never decides who is staff or who signed up when.
"""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from forums.models import Post, Reaction, Thread

THREAD = Thread._meta.db_table
POST = Post._meta.db_table
REACTION = Reaction._meta.db_table


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _category_sql(column: str, category_ids) -> str:
    return "" if category_ids is None else f" AND {column} = ANY(%(category_ids)s)"


def _params(start, end, category_ids, **more) -> dict:
    return {"start": start, "end": end, "category_ids": list(category_ids or []), **more}


def visible_posts(start=None, end=None, *, category_ids=None) -> QuerySet[Post]:
    posts = Post.objects.filter(is_deleted=False, is_hidden=False, thread__is_deleted=False)
    if start is not None:
        posts = posts.filter(created_at__gte=start, created_at__lt=end)
    if category_ids is not None:
        posts = posts.filter(thread__category_id__in=category_ids)
    return posts


def newcomer_threads(start, end, *, category_ids=None) -> QuerySet[Thread]:
    threads = Thread.objects.filter(is_newcomer_thread=True, is_deleted=False, created_at__gte=start, created_at__lt=end)
    return threads if category_ids is None else threads.filter(category_id__in=category_ids)


# The wait of a newcomer thread in hours: to its first response, or until now while nobody answered.
_WAIT = "EXTRACT(EPOCH FROM (COALESCE(t.first_response_at, %(now)s) - t.created_at)) / 3600.0"


def first_response(start: datetime, end: datetime, *, now: datetime, target: timedelta, category_ids=None) -> dict:
    """Newcomer threads started in [start, end): how many, answered, within target, never answered, median and p90 wait."""
    sql = f"""
        SELECT COUNT(*),
               COUNT(*) FILTER (WHERE t.first_response_at IS NOT NULL),
               COUNT(*) FILTER (WHERE t.first_response_at IS NOT NULL AND t.first_response_at - t.created_at <= %(target)s),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {_WAIT}),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY {_WAIT})
        FROM {THREAD} t
        WHERE t.is_newcomer_thread AND NOT t.is_deleted AND t.created_at >= %(start)s AND t.created_at < %(end)s
        {_category_sql("t.category_id", category_ids)}"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    threads, answered, within, median, p90 = _rows(sql, _params(start, end, category_ids, now=now, target=target))[0]
    return {
        "threads": threads, "answered": answered, "unanswered": threads - answered, "within_target": within,
        "share_within_target": within / threads if threads else None,
        "median_hours": median, "p90_hours": p90,
    }


def first_response_by_day(start, end, *, now, category_ids=None) -> list[tuple]:
    """(day, threads, unanswered, median hours, p90 hours) for each day of the range, days without threads included."""
    sql = f"""
        WITH daily AS (
            SELECT date_trunc('day', t.created_at) AS day, COUNT(*) AS threads, COUNT(*) FILTER (WHERE t.first_response_at IS NULL) AS waiting,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY {_WAIT}) AS median, percentile_cont(0.9) WITHIN GROUP (ORDER BY {_WAIT}) AS p90
            FROM forums_thread t
            WHERE t.is_newcomer_thread AND NOT t.is_deleted AND t.created_at >= %(start)s AND t.created_at < %(end)s
              AND (%(all)s OR t.category_id = ANY(%(category_ids)s))
            GROUP BY 1)
        SELECT d.day::date, COALESCE(daily.threads, 0), COALESCE(daily.waiting, 0), daily.median, daily.p90
        FROM generate_series(date_trunc('day', %(start)s::timestamptz), %(end)s::timestamptz - interval '1 microsecond',
                             interval '1 day') AS d(day)
        LEFT JOIN daily ON daily.day = d.day
        ORDER BY d.day"""  # noqa: S608  (a fixed expression; values are parameters)
    return _rows(sql, {**_params(start, end, category_ids, now=now), "all": category_ids is None})


def first_response_by_category(start, end, *, now, target, category_ids=None) -> list[tuple]:
    """(category id, threads, unanswered, share within target, median hours, p90 hours), busiest first."""
    sql = f"""
        SELECT t.category_id, COUNT(*), COUNT(*) FILTER (WHERE t.first_response_at IS NULL),
               AVG((t.first_response_at IS NOT NULL AND t.first_response_at - t.created_at <= %(target)s)::int),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {_WAIT}), percentile_cont(0.9) WITHIN GROUP (ORDER BY {_WAIT})
        FROM {THREAD} t
        WHERE t.is_newcomer_thread AND NOT t.is_deleted AND t.created_at >= %(start)s AND t.created_at < %(end)s
        {_category_sql("t.category_id", category_ids)}
        GROUP BY t.category_id ORDER BY COUNT(*) DESC, t.category_id"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    return _rows(sql, _params(start, end, category_ids, now=now, target=target))


def responders(start, end, *, category_ids=None, limit: int = 20) -> list[tuple]:
    """(member id, replies to newcomer threads, first responses, median hours to their first responses), most replies first.

    A reply to a newcomer is a visible post, not the opening one, by someone other than the thread's author."""
    sql = f"""
        WITH replies AS (
            SELECT p.author_id, COUNT(*) AS replies
            FROM {POST} p JOIN {THREAD} t ON t.id = p.thread_id
            WHERE t.is_newcomer_thread AND NOT t.is_deleted AND NOT p.is_deleted AND NOT p.is_hidden AND p.number > 1
              AND p.author_id <> t.author_id AND p.created_at >= %(start)s AND p.created_at < %(end)s
              {_category_sql("t.category_id", category_ids)}
            GROUP BY p.author_id),
        firsts AS (
            SELECT t.first_responder_id AS author_id, COUNT(*) AS firsts,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (t.first_response_at - t.created_at)) / 3600.0) AS median
            FROM {THREAD} t
            WHERE t.is_newcomer_thread AND NOT t.is_deleted AND t.first_responder_id IS NOT NULL
              AND t.first_response_at >= %(start)s AND t.first_response_at < %(end)s
              {_category_sql("t.category_id", category_ids)}
            GROUP BY t.first_responder_id)
        SELECT COALESCE(r.author_id, f.author_id), COALESCE(r.replies, 0), COALESCE(f.firsts, 0), f.median
        FROM replies r FULL OUTER JOIN firsts f ON f.author_id = r.author_id
        ORDER BY COALESCE(r.replies, 0) DESC, COALESCE(f.firsts, 0) DESC, 1 LIMIT %(limit)s"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    return _rows(sql, _params(start, end, category_ids, limit=limit))


def activity_by_day(start, end, *, category_ids=None) -> list[tuple]:
    """(day, posts, replies, likes, engaged members) per day; engaged: posted, replied or liked that day."""
    sql = """
        WITH acts AS (
            SELECT p.created_at AS at, p.author_id AS member_id, 'post' AS kind, p.number AS number
            FROM forums_post p JOIN forums_thread t ON t.id = p.thread_id
            WHERE NOT p.is_deleted AND NOT p.is_hidden AND NOT t.is_deleted
              AND p.created_at >= %(start)s AND p.created_at < %(end)s AND (%(all)s OR t.category_id = ANY(%(category_ids)s))
            UNION ALL
            SELECT r.created_at, r.member_id, 'like', 0
            FROM forums_reaction r JOIN forums_post p ON p.id = r.post_id JOIN forums_thread t ON t.id = p.thread_id
            WHERE r.kind = 'like' AND NOT p.is_deleted AND NOT t.is_deleted
              AND r.created_at >= %(start)s AND r.created_at < %(end)s AND (%(all)s OR t.category_id = ANY(%(category_ids)s))),
        daily AS (
            SELECT date_trunc('day', at) AS day, COUNT(*) FILTER (WHERE kind = 'post') AS posts,
                   COUNT(*) FILTER (WHERE kind = 'post' AND number > 1) AS replies,
                   COUNT(*) FILTER (WHERE kind = 'like') AS likes, COUNT(DISTINCT member_id) AS engaged
            FROM acts GROUP BY 1)
        SELECT d.day::date, COALESCE(daily.posts, 0), COALESCE(daily.replies, 0), COALESCE(daily.likes, 0), COALESCE(daily.engaged, 0)
        FROM generate_series(date_trunc('day', %(start)s::timestamptz), %(end)s::timestamptz - interval '1 microsecond',
                             interval '1 day') AS d(day)
        LEFT JOIN daily ON daily.day = d.day
        ORDER BY d.day"""
    return _rows(sql, {**_params(start, end, category_ids), "all": category_ids is None})


def totals(start, end, *, category_ids=None, staff_ids: QuerySet | None = None) -> dict:
    """Posts, replies, threads, engaged members and posts by member type in the range (one query)."""
    posts = visible_posts(start, end, category_ids=category_ids)
    staff = Q(author_id__in=staff_ids) if staff_ids is not None else Q(pk__in=[])
    return posts.aggregate(
        posts=Count("pk"), replies=Count("pk", filter=Q(number__gt=1)), threads=Count("pk", filter=Q(number=1)),
        posters=Count("author_id", distinct=True),
        by_staff=Count("pk", filter=staff),
        by_newcomers=Count("pk", filter=~staff & Q(author__tier=0)),
        by_returning=Count("pk", filter=~staff & Q(author__tier__gt=0)),
    )


def new_contributor_ids(start, end, *, category_ids=None) -> QuerySet:
    """Members whose first visible post ever was made in the range (ids, for counting or listing)."""
    earlier = visible_posts(category_ids=None).filter(author_id=OuterRef("author_id"), created_at__lt=start)
    return (visible_posts(start, end, category_ids=category_ids).filter(~Exists(earlier))
            .values("author_id").distinct())


def accepted_answers(start, end, *, category_ids=None) -> dict:
    """Threads started in the range that got a reply, and how many of them have an accepted answer."""
    threads = Thread.objects.filter(is_deleted=False, created_at__gte=start, created_at__lt=end)
    if category_ids is not None:
        threads = threads.filter(category_id__in=category_ids)
    found = threads.aggregate(threads=Count("pk"), answered=Count("pk", filter=Q(reply_count__gt=0)),
                              accepted=Count("pk", filter=Q(accepted_answer__isnull=False)))
    found["rate"] = found["accepted"] / found["answered"] if found["answered"] else None
    return found


# -- the newcomer funnel: each step narrows the member ids of the one before -----------------------

def posters_among(member_ids: QuerySet) -> QuerySet:
    """Of these members, those with a visible post."""
    return visible_posts().filter(author_id__in=member_ids).values("author_id")


def answered_by_others_among(member_ids: QuerySet) -> QuerySet:
    """Of these members, those with a thread someone else replied to (first_responder is never the author)."""
    return Thread.objects.filter(author_id__in=member_ids, is_deleted=False, first_response_at__isnull=False).values("author_id")


def first_thread_answered_within(member_ids: QuerySet, target: timedelta) -> QuerySet:
    """Of these members, those whose first thread got its first reply within the target."""
    earlier = Thread.objects.filter(author_id=OuterRef("author_id"), is_deleted=False, created_at__lt=OuterRef("created_at"))
    return (Thread.objects.filter(author_id__in=member_ids, is_deleted=False, first_response_at__lte=F("created_at") + target)
            .filter(~Exists(earlier)).values("author_id"))


def second_post_within_among(member_ids: QuerySet, days: int = 30) -> QuerySet:
    """Of these members, those with two visible posts within `days` days of signing up."""
    return (visible_posts().filter(author_id__in=member_ids, created_at__lt=F("author__date_joined") + timedelta(days=days))
            .values("author_id").annotate(n=Count("pk")).filter(n__gte=2).values("author_id"))


def cohort_posting(start, end) -> list[tuple]:
    """(join week, weeks since joining, members posting) for members who joined in the range."""
    sql = f"""
        SELECT date_trunc('week', u.date_joined)::date,
               FLOOR(EXTRACT(EPOCH FROM (p.created_at - u.date_joined)) / 604800)::int,
               COUNT(DISTINCT p.author_id)
        FROM {POST} p JOIN {THREAD} t ON t.id = p.thread_id
        JOIN {Post._meta.get_field("author").related_model._meta.db_table} u ON u.id = p.author_id
        WHERE u.date_joined >= %(start)s AND u.date_joined < %(end)s AND p.created_at >= u.date_joined
          AND NOT p.is_deleted AND NOT p.is_hidden AND NOT t.is_deleted
        GROUP BY 1, 2 ORDER BY 1, 2"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    return _rows(sql, {"start": start, "end": end})


# -- drill-down lists -------------------------------------------------------------------------------

def first_response_threads(start, end, *, category_ids=None, unanswered_only=False, now=None) -> QuerySet[Thread]:
    threads = newcomer_threads(start, end, category_ids=category_ids)
    if unanswered_only:
        threads = threads.filter(first_response_at__isnull=True)
    return threads.select_related("category", "author").order_by("created_at", "pk")


def category_choices() -> list[tuple[int, str]]:
    """(id, name) of every category, for the dashboard's filter and its per-category table."""
    from forums.models import Category

    return list(Category.objects.order_by("name").values_list("pk", "name"))


def activity_by_day_per_category(start, end) -> list[tuple]:
    """(day, category id, posts, replies, likes, engaged members), for the nightly rollup."""
    sql = f"""
        WITH acts AS (
            SELECT p.created_at AS at, t.category_id, p.author_id AS member_id, 'post' AS kind, p.number AS number
            FROM {POST} p JOIN {THREAD} t ON t.id = p.thread_id
            WHERE NOT p.is_deleted AND NOT p.is_hidden AND NOT t.is_deleted AND p.created_at >= %(start)s AND p.created_at < %(end)s
            UNION ALL
            SELECT r.created_at, t.category_id, r.member_id, 'like', 0
            FROM {REACTION} r JOIN {POST} p ON p.id = r.post_id JOIN {THREAD} t ON t.id = p.thread_id
            WHERE r.kind = 'like' AND NOT p.is_deleted AND NOT t.is_deleted AND r.created_at >= %(start)s AND r.created_at < %(end)s)
        SELECT date_trunc('day', at)::date, category_id, COUNT(*) FILTER (WHERE kind = 'post'),
               COUNT(*) FILTER (WHERE kind = 'post' AND number > 1), COUNT(*) FILTER (WHERE kind = 'like'), COUNT(DISTINCT member_id)
        FROM acts GROUP BY 1, 2 ORDER BY 1, 2"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    return _rows(sql, {"start": start, "end": end})
