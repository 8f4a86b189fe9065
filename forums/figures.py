"""The forum's aggregate figures for the health dashboard: one SQL statement each, over indexed columns.

Counted posts are visible ones (not deleted, not hidden, in a thread that is not deleted). Time to first
response counts every newcomer thread of the range: a thread nobody answered yet counts with its wait so
far (a lower bound), so unanswered threads make the figure worse instead of vanishing from it.
Callers pass `category_ids` (None: every category) and, where members matter, querysets of member ids
that the members app builds: forums never decides who is staff or who signed up when.
"""

import re
from datetime import datetime, timedelta

from django.db import connections, router
from django.db.models import BooleanField, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from forums.models import Category, Post, Reaction, Thread

THREAD = Thread._meta.db_table
CATEGORY = Category._meta.db_table
POST = Post._meta.db_table
REACTION = Reaction._meta.db_table
THREAD_TAGS = Thread.tags.through._meta.db_table


def _rows(sql: str, params: dict) -> list[tuple]:
    with connections[router.db_for_read(Post)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%s")


def _rows_mixed(sql: str, positional: list, named: dict) -> list[tuple]:
    """Run SQL whose embedded ORM subqueries carry positional parameters and whose own text uses named ones."""
    embedded = iter(positional)
    values = []

    def placeholder(match) -> str:
        values.append(named[match.group(1)] if match.group(1) else next(embedded))
        return "%s"

    with connections[router.db_for_read(Post)].cursor() as cursor:
        cursor.execute(_PLACEHOLDER.sub(placeholder, sql), values)
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


# A thread's first-response target: its category's own where it sets one, else the site's (%(target)s).
# Every query using it joins the thread's category as c.
_TARGET = "COALESCE(c.first_response_target_hours * interval '1 hour', %(target)s)"

# The wait of a newcomer thread in hours: to its first response, or until now while nobody answered.
_WAIT = "EXTRACT(EPOCH FROM (COALESCE(t.first_response_at, %(now)s) - t.created_at)) / 3600.0"


def first_response(start: datetime, end: datetime, *, now: datetime, target: timedelta, category_ids=None) -> dict:
    """Newcomer threads started in [start, end): how many, answered, within target, never answered, median and p90 wait."""
    sql = f"""
        SELECT COUNT(*),
               COUNT(*) FILTER (WHERE t.first_response_at IS NOT NULL),
               COUNT(*) FILTER (WHERE t.first_response_at IS NOT NULL AND t.first_response_at - t.created_at <= {_TARGET}),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {_WAIT}),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY {_WAIT})
        FROM {THREAD} t JOIN {CATEGORY} c ON c.id = t.category_id
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
               AVG((t.first_response_at IS NOT NULL AND t.first_response_at - t.created_at <= {_TARGET})::int),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {_WAIT}), percentile_cont(0.9) WITHIN GROUP (ORDER BY {_WAIT})
        FROM {THREAD} t JOIN {CATEGORY} c ON c.id = t.category_id
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


def expert_answers(start, end, *, topics: list[tuple[int, int]], category_ids=None) -> list[tuple]:
    """(member id, questions, answered, first responses, median hours to their first reply) per expert.

    `topics` pairs each expert with a tag of theirs. An expert's questions are the newcomer threads of the
    range tagged with one of their tags (not their own); answered: those with a visible reply of theirs;
    first responses: those where theirs was the first reply; the median runs over their answered questions.
    Experts without questions in the range have no row."""
    if not topics:
        return []
    sql = f"""
        WITH topics(member_id, tag_id) AS (SELECT * FROM unnest(%(members)s::bigint[], %(tags)s::bigint[])),
        questions AS (
            SELECT DISTINCT e.member_id, t.id AS thread_id, t.created_at, t.first_responder_id
            FROM topics e JOIN {THREAD_TAGS} tt ON tt.tag_id = e.tag_id JOIN {THREAD} t ON t.id = tt.thread_id
            WHERE t.is_newcomer_thread AND NOT t.is_deleted AND t.author_id <> e.member_id
              AND t.created_at >= %(start)s AND t.created_at < %(end)s {_category_sql("t.category_id", category_ids)}),
        answers AS (
            SELECT q.*, (SELECT MIN(p.created_at) FROM {POST} p
                         WHERE p.thread_id = q.thread_id AND p.author_id = q.member_id AND p.number > 1
                           AND NOT p.is_deleted AND NOT p.is_hidden) AS replied_at
            FROM questions q)
        SELECT member_id, COUNT(*), COUNT(replied_at), COUNT(*) FILTER (WHERE first_responder_id = member_id),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (replied_at - created_at)) / 3600.0)
                   FILTER (WHERE replied_at IS NOT NULL)
        FROM answers GROUP BY member_id"""  # noqa: S608  (table names and fixed clauses; values are parameters)
    members, tags = zip(*topics, strict=True)
    return _rows(sql, _params(start, end, category_ids, members=list(members), tags=list(tags)))


def _embedded(queryset, empty: str) -> tuple[str, list]:
    """Another app's id subquery as SQL for a CTE (the ORM writes it; no table of theirs is named here)."""
    if queryset is None:
        return empty, []
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def activity_by_day(start, end, *, category_ids=None, per_category=False, staff_ids=None, newcomer_ids=None,
                    promotions=None) -> list[tuple]:
    """Each day's activity: (day, [category id,] posts, replies, likes, engaged members, new contributors,
    posts by newcomers, by returning members, by staff).

    Engaged: posted, replied or liked that day. A new contributor made their first visible post ever that
    day (in that category, per category). A post is a newcomer's when its author was at tier 0 when
    posting: at tier 0 now (`newcomer_ids`) or promoted from it later (`promotions`: member id, when).
    Staff (`staff_ids`) are counted as staff whatever their tier. The callers pass those member subqueries."""
    staff_sql, staff_params = _embedded(staff_ids, "SELECT NULL::bigint WHERE FALSE")
    newcomer_sql, newcomer_params = _embedded(newcomer_ids, "SELECT NULL::bigint WHERE FALSE")
    promoted_sql, promoted_params = _embedded(promotions, "SELECT NULL::bigint, NULL::timestamptz WHERE FALSE")
    by_category = ", category_id" if per_category else ""
    # The ORM's own SQL for the member subqueries, table names and fixed clauses: values are parameters.
    sql = f"""
        WITH staff(id) AS MATERIALIZED ({staff_sql}),
        newcomers(id) AS MATERIALIZED ({newcomer_sql}),
        promoted(member_id, at) AS MATERIALIZED ({promoted_sql}),
        acts AS (
            SELECT p.created_at AS at, t.category_id, p.author_id AS member_id, 'post' AS kind, p.number AS number,
                   CASE WHEN p.author_id IN (SELECT id FROM staff) THEN 'staff'
                        WHEN p.author_id IN (SELECT id FROM newcomers) OR pr.at > p.created_at THEN 'newcomer'
                        ELSE 'returning' END AS author_type,
                   NOT EXISTS (SELECT 1 FROM {POST} e JOIN {THREAD} et ON et.id = e.thread_id
                               WHERE e.author_id = p.author_id AND e.created_at < p.created_at
                                 AND NOT e.is_deleted AND NOT e.is_hidden AND NOT et.is_deleted) AS first_ever
            FROM {POST} p JOIN {THREAD} t ON t.id = p.thread_id LEFT JOIN promoted pr ON pr.member_id = p.author_id
            WHERE NOT p.is_deleted AND NOT p.is_hidden AND NOT t.is_deleted
              AND p.created_at >= %(start)s AND p.created_at < %(end)s AND (%(all)s OR t.category_id = ANY(%(category_ids)s))
            UNION ALL
            SELECT r.created_at, t.category_id, r.member_id, 'like', 0, NULL, FALSE
            FROM {REACTION} r JOIN {POST} p ON p.id = r.post_id JOIN {THREAD} t ON t.id = p.thread_id
            WHERE r.kind = 'like' AND NOT p.is_deleted AND NOT t.is_deleted
              AND r.created_at >= %(start)s AND r.created_at < %(end)s AND (%(all)s OR t.category_id = ANY(%(category_ids)s))),
        daily AS (
            SELECT date_trunc('day', at) AS day{by_category}, COUNT(*) FILTER (WHERE kind = 'post') AS posts,
                   COUNT(*) FILTER (WHERE kind = 'post' AND number > 1) AS replies,
                   COUNT(*) FILTER (WHERE kind = 'like') AS likes, COUNT(DISTINCT member_id) AS engaged,
                   COUNT(DISTINCT member_id) FILTER (WHERE first_ever) AS new_contributors,
                   COUNT(*) FILTER (WHERE author_type = 'newcomer') AS by_newcomers,
                   COUNT(*) FILTER (WHERE author_type = 'returning') AS by_returning,
                   COUNT(*) FILTER (WHERE author_type = 'staff') AS by_staff
            FROM acts GROUP BY 1{by_category})"""  # noqa: S608
    columns = ("posts", "replies", "likes", "engaged", "new_contributors", "by_newcomers", "by_returning", "by_staff")
    if per_category:  # only days and categories with activity: the rollup writes zeros site-wide
        sql += f" SELECT day::date, category_id, {', '.join(columns)} FROM daily ORDER BY 1, 2"  # noqa: S608  (fixed names)
    else:  # every day of the range, days without activity included
        sql += f"""
        SELECT d.day::date, {', '.join(f"COALESCE(daily.{name}, 0)" for name in columns)}
        FROM generate_series(date_trunc('day', %(start)s::timestamptz), %(end)s::timestamptz - interval '1 microsecond',
                             interval '1 day') AS d(day)
        LEFT JOIN daily ON daily.day = d.day
        ORDER BY d.day"""  # noqa: S608  (fixed names; values are parameters)
    params = {**_params(start, end, category_ids), "all": category_ids is None}
    # Positional parameters for the embedded subqueries come first: turn the named ones into positional too.
    return _rows_mixed(sql, staff_params + newcomer_params + promoted_params, params)


def new_contributor_ids(start, end, *, category_ids=None) -> QuerySet:
    """Members whose first visible post ever was made in the range (in one of these categories), for listing."""
    earlier = visible_posts(category_ids=None).filter(author_id=OuterRef("author_id"), created_at__lt=OuterRef("created_at"))
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


# -- the newcomer funnel: facts about the member of an outer query (`member`: OuterRef to their id) --

def first_post_at(member) -> QuerySet:
    """When the member made their first visible post."""
    return visible_posts().filter(author_id=member).order_by("created_at").values("created_at")[:1]


def first_reply_at(member) -> QuerySet:
    """When someone else first replied to one of the member's threads (first_responder is never the author)."""
    return (Thread.objects.filter(author_id=member, is_deleted=False, first_response_at__isnull=False)
            .order_by("first_response_at").values("first_response_at")[:1])


def target_of_thread(site_target: timedelta) -> Coalesce:
    """A thread's first-response target as an expression: its category's own, else the site's."""
    own = ExpressionWrapper(F("category__first_response_target_hours") * Value(timedelta(hours=1)), output_field=DurationField())
    return Coalesce(own, Value(site_target, output_field=DurationField()))


def first_thread_answered_in_time(member, site_target: timedelta) -> QuerySet:
    """Whether the member's first thread got its first reply within its category's target (null while nobody answered)."""
    return (Thread.objects.filter(author_id=member, is_deleted=False).order_by("created_at")
            .annotate(in_time=ExpressionWrapper(Q(first_response_at__lte=F("created_at") + target_of_thread(site_target)),
                                                output_field=BooleanField()))
            .values("in_time")[:1])


def second_post_before(member, deadline) -> QuerySet:
    """The member's second visible post made before `deadline` (for Exists: there are at least two)."""
    return visible_posts().filter(author_id=member, created_at__lt=deadline).order_by("created_at")[1:2]


def cohort_posting(joined: QuerySet) -> list[tuple]:
    """(join week, weeks since joining, members posting) for the `joined` members (their id and date_joined)."""
    joined_sql, joined_params = joined.query.sql_with_params()
    # The members app's own SQL for who joined, table names and fixed clauses: values are parameters.
    sql = f"""
        WITH joined(id, date_joined) AS MATERIALIZED ({joined_sql})
        SELECT date_trunc('week', u.date_joined)::date,
               FLOOR(EXTRACT(EPOCH FROM (p.created_at - u.date_joined)) / 604800)::int,
               COUNT(DISTINCT p.author_id)
        FROM joined u CROSS JOIN LATERAL (  -- each member's own posts, by the (author, created_at) index
            SELECT p.created_at, p.author_id FROM {POST} p JOIN {THREAD} t ON t.id = p.thread_id
            WHERE p.author_id = u.id AND p.created_at >= u.date_joined
              AND NOT p.is_deleted AND NOT p.is_hidden AND NOT t.is_deleted
            OFFSET 0) p  -- OFFSET 0 keeps the planner from turning this into a hash of every post
        GROUP BY 1, 2 ORDER BY 1, 2"""  # noqa: S608
    return _rows_mixed(sql, list(joined_params), {})


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
