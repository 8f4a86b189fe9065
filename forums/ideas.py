"""Read queries about ideas: the ideas list, an idea's panel, the facts loyalty reads, and the dashboard's figures.

An idea is a thread in a category marked `is_ideas`; its Idea row may not exist yet (no vote, no
status), so every read here joins it as optional and reads a missing row as a new idea with no votes.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Coalesce

from forums.models import Category, Idea, IdeaStatus, IdeaVote, Post, Thread
from forums.selectors import PageOf, _thread_rows, attach_unread

IDEA_ORDERS = ("votes", "newest")
IDEA_STATUS_FILTERS = ("all", *IdeaStatus.values)


def _hidden_opening(thread_ref="pk") -> Exists:
    return Exists(Post.objects.filter(thread_id=OuterRef(thread_ref), number=1, is_hidden=True))


def visible_ideas(*, category_ids=None) -> QuerySet[Thread]:
    """Threads that are ideas now and that everyone can see: in an ideas category, not deleted, opening post not hidden."""
    threads = Thread.objects.filter(category__is_ideas=True, is_deleted=False).exclude(_hidden_opening())
    if category_ids is not None:
        threads = threads.filter(category_id__in=list(category_ids))
    return threads


def idea_list(*, member, category: Category, order: str = "votes", status: str = "all", page: int = 1) -> PageOf:
    """One page of an ideas category: by votes (most first) or newest, optionally of one status, with the member's votes and unread marks."""
    per_page = settings.FORUMS_THREADS_PER_PAGE
    threads = _thread_rows().filter(category=category).annotate(
        idea_votes=Coalesce("idea__vote_count", 0),
        idea_status=Coalesce("idea__status", Value(IdeaStatus.NEW)),
    )
    if member.is_authenticated:
        threads = threads.annotate(voted_by_me=Exists(IdeaVote.objects.filter(idea_id=OuterRef("pk"), member=member)))
    else:
        threads = threads.annotate(voted_by_me=Value(False))
    if status in IdeaStatus.values:
        threads = threads.filter(idea_status=status)
    by = ("-created_at", "-pk") if order == "newest" else ("-idea_votes", "-last_posted_at", "-pk")
    threads = threads.order_by(*by)
    start = (page - 1) * per_page
    items = list(threads[start:start + per_page + 1])
    has_more = len(items) > per_page
    items = items[:per_page]
    for thread in items:
        thread.idea_status_label = IdeaStatus(thread.idea_status).label
    attach_unread(items, member)
    return PageOf(items=items, number=page, total=None, per_page=per_page, has_more=has_more)


@dataclass(frozen=True)
class IdeaPanel:
    """What an idea's page shows about it."""

    thread_id: int
    status: str
    status_label: str
    status_note: str
    status_changed_at: datetime | None
    vote_count: int
    voted_by_me: bool
    announcement_url: str | None

    @property
    def statuses(self) -> list[tuple[str, str]]:
        return IdeaStatus.choices


def idea_panel(thread: Thread, member) -> IdeaPanel:
    """The idea's status, note, votes and the member's vote, in one query."""
    rows = Idea.objects.filter(pk=thread.pk).select_related("announcement").only(
        "status", "status_note", "status_changed_at", "vote_count", "announcement__slug", "announcement__is_deleted")
    if member.is_authenticated:
        rows = rows.annotate(voted=Exists(IdeaVote.objects.filter(idea_id=OuterRef("pk"), member=member)))
    else:
        rows = rows.annotate(voted=Value(False))
    idea = rows.first()
    if idea is None:
        return IdeaPanel(thread.pk, IdeaStatus.NEW, str(IdeaStatus.NEW.label), "", None, 0, False, None)
    announcement = idea.announcement
    return IdeaPanel(
        thread_id=thread.pk, status=idea.status, status_label=str(IdeaStatus(idea.status).label), status_note=idea.status_note,
        status_changed_at=idea.status_changed_at, vote_count=idea.vote_count, voted_by_me=idea.voted,
        announcement_url=announcement.get_absolute_url() if announcement and not announcement.is_deleted else None,
    )


@dataclass(frozen=True)
class IdeaFacts:
    """What loyalty needs to know about an idea (what it earns its author), without reading forum tables."""

    thread_id: int
    author_id: int
    category_id: int
    status: str
    # An idea everyone can see now: in an ideas category, not deleted, opening post not hidden.
    is_visible_idea: bool


def _idea_facts(threads: QuerySet[Thread]) -> list[IdeaFacts]:
    rows = threads.annotate(hidden=_hidden_opening(), idea_status=Coalesce("idea__status", Value(IdeaStatus.NEW))).values_list(
        "pk", "author_id", "category_id", "idea_status", "category__is_ideas", "is_deleted", "hidden")
    return [IdeaFacts(pk, author_id, category_id, status, bool(is_ideas and not deleted and not hidden))
            for pk, author_id, category_id, status, is_ideas, deleted, hidden in rows]


def idea_facts(thread_id: int) -> IdeaFacts | None:
    found = _idea_facts(Thread.objects.filter(pk=thread_id))
    return found[0] if found else None


def facts_of_ideas_by(author_ids) -> list[IdeaFacts]:
    """IdeaFacts of every thread by these members that has ever had a vote or a status (for recomputing their points)."""
    return _idea_facts(Thread.objects.filter(author_id__in=list(author_ids), idea__isnull=False))


def voters_of(thread_id: int) -> list[int]:
    return list(IdeaVote.objects.filter(idea_id=thread_id).values_list("member_id", flat=True))


# -- the dashboard's figures (community.health reads exactly these) ---------------------------------

def idea_status_counts(*, category_ids=None) -> dict[str, int]:
    """How many visible ideas are in each status now (every status present, 0 when none)."""
    rows = (
        visible_ideas(category_ids=category_ids)
        .annotate(idea_status=Coalesce("idea__status", Value(IdeaStatus.NEW)))
        .order_by().values_list("idea_status").annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(IdeaStatus.values, 0)
    counts.update(dict(rows))
    return counts


def ideas_created_between(start: datetime, end: datetime, *, category_ids=None) -> int:
    """Visible ideas started in [start, end)."""
    return visible_ideas(category_ids=category_ids).filter(created_at__gte=start, created_at__lt=end).count()


def staff_answer_figures(start: datetime, end: datetime, *, category_ids=None) -> dict:
    """Of the visible ideas started in [start, end): how many got a staff answer (a reply or a status from a
    manager or moderator), the share, and the median hours from the idea to that answer (over answered ideas). One query."""
    ids = None if category_ids is None else [int(pk) for pk in category_ids]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*),
                   count(i.staff_answered_at),
                   percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY extract(epoch FROM (i.staff_answered_at - t.created_at)) / 3600.0
                   ) FILTER (WHERE i.staff_answered_at IS NOT NULL)
            FROM forums_thread t
            JOIN forums_category c ON c.id = t.category_id AND c.is_ideas
            LEFT JOIN forums_idea i ON i.thread_id = t.id
            WHERE NOT t.is_deleted AND t.created_at >= %s AND t.created_at < %s
              AND (%s::bigint[] IS NULL OR t.category_id = ANY(%s::bigint[]))
              AND NOT EXISTS (SELECT 1 FROM forums_post p WHERE p.thread_id = t.id AND p.number = 1 AND p.is_hidden)
            """,
            [start, end, ids, ids],
        )
        ideas, answered, median = cursor.fetchone()
    return {
        "ideas": ideas,
        "answered": answered,
        "share_answered": (answered / ideas) if ideas else None,
        "median_hours_to_staff_answer": float(median) if median is not None else None,
    }

