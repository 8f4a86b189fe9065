"""Read queries for forum pages; each page loads in a fixed number of queries whatever its length."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, router
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from forums import flairs
from forums.models import Category, Post, Reaction, ReadHorizon, ReadState, Subscription, Tag, Thread


@dataclass
class PageOf:
    """One page of a list. The total comes from a denormalised counter when there is one; otherwise
    it is unknown (None) and `has_more` (one extra row fetched) says whether a next page exists,
    so no list ever pays for a COUNT."""

    items: list
    number: int
    total: int | None
    per_page: int
    has_more: bool = False

    @property
    def page_count(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.has_more if self.total is None else self.number < self.page_count

    @property
    def has_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


# Far past any real list, small enough that (page - 1) * per_page stays a valid SQL OFFSET.
MAX_PAGE = 1_000_000


def page_number(raw) -> int:
    """?page= as a page number: 1 for anything that is not a number, at most MAX_PAGE."""
    try:
        return min(max(1, int(raw)), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def check_page_exists(number: int, items) -> None:
    """A page past the end of a list is not an empty list (which would say "nothing here yet"): it is not there."""
    if number > 1 and not items:
        raise Http404(gettext("There is no page %(number)d of this list.") % {"number": number})


def visible_threads() -> QuerySet[Thread]:
    return Thread.objects.filter(is_deleted=False)


# What a thread row shows of its people; the rest of a user row (password hash, flags) stays in the database.
_ROW_PEOPLE_FIELDS = [f"{who}__{field}" for who in ("author", "last_poster") for field in ("username", "display_name")]


def _thread_rows() -> QuerySet[Thread]:
    return (
        visible_threads()
        .select_related("category", "author", "last_poster")
        .only(
            "title", "slug", "category", "author", "last_poster", "reply_count", "like_count", "last_post_number",
            "last_posted_at", "created_at", "is_newcomer_thread", "is_locked", "is_pinned", "accepted_answer",
            "category__name", "category__slug", "category__colour", *_ROW_PEOPLE_FIELDS,
        )
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
    )


TOP_PERIODS = {"day": 1, "week": 7, "month": 30, "year": 365, "all": None}


SOLVED_STATUSES = ("all", "solved", "unsolved")


def thread_list(*, member, order: str = "latest", category: Category | None = None,
                tag: Tag | None = None, period: str = "all", status: str = "all", page: int = 1) -> PageOf:
    """Threads for the latest/top/unanswered lists, a category or a tag, with unread marks."""
    per_page = settings.FORUMS_THREADS_PER_PAGE
    threads = _thread_rows()
    if category is not None:
        threads = threads.filter(category=category)
    if tag is not None:
        threads = threads.filter(tags=tag)
    if status in ("solved", "unsolved"):
        threads = threads.filter(accepted_answer__isnull=status == "unsolved")
    if order == "top":
        days = TOP_PERIODS.get(period)
        if days:
            threads = threads.filter(created_at__gte=timezone.now() - timedelta(days=days))
        threads = threads.order_by("-like_count", "-last_posted_at")
        total = None
    elif order == "unanswered":
        # Newcomers first: their questions are the ones that decide whether they stay.
        threads = threads.filter(reply_count=0).order_by("-is_newcomer_thread", "-created_at")
        total = None
    else:
        # Pinned threads lead their category (as Discourse); the site-wide latest list is by activity only.
        threads = threads.order_by("-is_pinned", "-last_posted_at") if category is not None else threads.order_by("-last_posted_at")
        if status != "all":
            total = None
        elif category is not None:
            total = category.thread_count
        elif tag is not None:
            total = tag.thread_count
        else:
            total = Category.objects.aggregate(total=Sum("thread_count"))["total"] or 0
    start = (page - 1) * per_page
    items = list(threads[start:start + per_page + 1])
    has_more = len(items) > per_page
    items = items[:per_page]
    attach_unread(items, member)
    return PageOf(items=items, number=page, total=total, per_page=per_page, has_more=has_more)


def attach_unread(threads: list[Thread], member) -> None:
    """Set `thread.is_unread` and `thread.first_unread_number` for the member, in two queries.

    A thread is unread when it has posts past the member's read mark and activity after their
    read horizon (sign-up, or the last "mark all read" of the site or of its category).
    """
    if not member.is_authenticated or not threads:
        for thread in threads:
            thread.is_unread, thread.first_unread_number = False, 1
        return
    read = dict(
        ReadState.objects.filter(member=member, thread_id__in=[thread.pk for thread in threads]).values_list("thread_id", "last_read_number")
    )
    horizons = ReadHorizons.of(member)
    for thread in threads:
        last_read = read.get(thread.pk, 0)
        thread.is_unread = last_read < thread.last_post_number and thread.last_posted_at > horizons.of_category(thread.category_id)
        thread.first_unread_number = min(last_read + 1, thread.last_post_number)


@dataclass(frozen=True)
class ReadHorizons:
    """Before when everything counts as read for a member: site-wide, and per category marked read."""

    site: datetime
    categories: dict[int, datetime]

    @classmethod
    def of(cls, member) -> "ReadHorizons":
        rows = ReadHorizon.objects.filter(member=member).values_list("category_id", "read_before")
        site, categories = member.date_joined, {}
        for category_id, read_before in rows:
            if category_id is None:
                site = max(site, read_before)
            else:
                categories[category_id] = read_before
        return cls(site=site, categories=categories)

    def of_category(self, category_id: int) -> datetime:
        return max(self.site, self.categories.get(category_id, self.site))


def titles_of(*, post_ids, thread_ids) -> tuple[dict[int, tuple[int, str]], dict[int, str]]:
    """For a record that names posts and threads: each post's (number, thread title) and each thread's title, in two queries."""
    posts = {pk: (number, title) for pk, number, title in
             Post.objects.filter(pk__in=set(post_ids)).values_list("pk", "number", "thread__title")} if post_ids else {}
    threads = dict(Thread.objects.filter(pk__in=set(thread_ids)).values_list("pk", "title")) if thread_ids else {}
    return posts, threads


def categories_with_latest() -> list[Category]:
    return list(Category.objects.select_related("last_thread", "last_thread__last_poster"))


def thread_to_write_in(thread_id: int) -> Thread:
    """The thread's own row (no tags, no author), for an action that writes to it: a reply."""
    return Thread.objects.defer("search_vector").get(pk=thread_id)


def thread_for_page(thread_id: int) -> Thread:
    """The thread with its category, author and tag names (`thread.tag_list`), in one query."""
    # The tag names as a correlated ARRAY(SELECT …), not an aggregate over a join: no GROUP BY of the thread's
    # whole row to plan (planning alone took 1 ms).
    tag_names = Tag.objects.filter(threads=OuterRef("pk")).order_by("name").values("name")
    thread = (
        Thread.objects.defer("search_vector").select_related("category", "author")
        .annotate(tag_names=ArraySubquery(tag_names))
        .get(pk=thread_id)
    )
    thread.tag_list = [Tag(name=name) for name in thread.tag_names]
    return thread


@dataclass
class ThreadPage:
    thread: Thread
    posts: list[Post]
    accepted_answer: Post | None
    number: int
    page_count: int
    is_watching: bool
    last_read_number: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def thread_page(*, thread: Thread, member, page: int) -> ThreadPage:
    """Posts `number` (page-1)*20+1 .. page*20, by their stable numbers: no COUNT, no OFFSET scan."""
    per_page = settings.FORUMS_POSTS_PER_PAGE
    page = min(page, thread.page_count)
    first = (page - 1) * per_page + 1
    on_page = Q(number__gte=first, number__lt=first + per_page)
    # The accepted answer comes in the same query when it is on another page (a later page shows it too).
    wanted = on_page | Q(pk=thread.accepted_answer_id) if thread.accepted_answer_id else on_page
    # Without their authors: the page's kept posts (forums.fragments) need none, and `attach_post_people` loads
    # them by id for the others. The LIMIT cuts nothing (a page holds per_page numbers, plus the answer) but tells
    # the planner so. (Joined, with no LIMIT, a long thread's page hashed the whole member table: 10-46 ms.)
    posts_wanted = Post.objects.filter(wanted, thread=thread).defer("search_vector").order_by("number")
    is_watching = False
    last_read = 0
    if member.is_authenticated:
        # Whether the member liked each post, in the posts' own query (an index probe per post, not one more query).
        posts_wanted = posts_wanted.annotate(liked_by_me=Exists(
            Reaction.objects.filter(member=member, post=OuterRef("pk"), kind=Reaction.Kind.LIKE)
        ))
        is_watching, last_read, horizon = _watch_and_read_state(thread, member)
    found = list(posts_wanted[: per_page + 1])
    for post in found:
        post.liked_by_me = getattr(post, "liked_by_me", False)
        post.is_unread = member.is_authenticated and post.number > last_read and post.created_at > horizon
    accepted = next((post for post in found if post.pk == thread.accepted_answer_id), None)
    posts = [post for post in found if first <= post.number < first + per_page]
    return ThreadPage(thread=thread, posts=posts, accepted_answer=accepted, number=page, page_count=thread.page_count,
                      is_watching=is_watching, last_read_number=last_read)


def attach_post_people(thread: Thread, posts: list[Post]) -> None:
    """Each post's author and their flair (expert, moderator), for the posts about to be rendered: two queries
    and one per flair provider, whatever the number of posts."""
    if not posts:
        return
    prefetch_related_objects(posts, "author")
    flairs.attach(thread, posts)


def _watch_and_read_state(thread: Thread, member) -> tuple[bool, int, datetime]:
    """Whether the member watches the thread, how far they read it and their read horizon for it, in one query."""
    horizons = ReadHorizon.objects.filter(member=member).filter(Q(category__isnull=True) | Q(category=thread.category_id))
    watching, last_read, horizon = Thread.objects.filter(pk=thread.pk).values_list(
        Exists(Subscription.objects.filter(member=member, thread=OuterRef("pk"))),
        Subquery(ReadState.objects.filter(member=member, thread=OuterRef("pk")).values("last_read_number")[:1]),
        Subquery(horizons.order_by("-read_before").values("read_before")[:1]),
    ).get()
    return watching, last_read or 0, max(member.date_joined, horizon or member.date_joined)


def page_of_post_number(number: int) -> int:
    return (number - 1) // settings.FORUMS_POSTS_PER_PAGE + 1


def first_unread_number(*, thread: Thread, member) -> int:
    """The first post past the member's read mark that came after their read horizon (the last post if none)."""
    if not member.is_authenticated:
        return 1
    _, last_read, horizon = _watch_and_read_state(thread, member)
    first = (
        Post.objects.filter(thread=thread, number__gt=last_read, created_at__gt=horizon)
        .order_by("number").values_list("number", flat=True).first()
    )
    return first or min(last_read + 1, thread.last_post_number)


def post_revisions(post: Post) -> list:
    return list(post.revisions.select_related("editor"))


def tags_with_counts() -> QuerySet[Tag]:
    return Tag.objects.order_by("-thread_count", "name")


def tags_by_names(names: list[str]) -> tuple[list[Tag], list[str]]:
    """The tags with these names, and the names that are not tags."""
    wanted = [name.strip().lower() for name in names if name.strip()]
    found = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    return [found[name] for name in dict.fromkeys(wanted) if name in found], [n for n in wanted if n not in found]


def member_recent_posts(member, *, limit: int = 20) -> list[Post]:
    return list(
        Post.objects.filter(author=member, is_deleted=False, is_hidden=False, thread__is_deleted=False)
        # What the profile's list shows (snippets are made from the rendered text): twenty posts with their
        # threads and categories whole were most of the page's time spent building objects.
        .only("thread", "created_at", "body_html", "thread__title", "thread__category",
              "thread__category__name", "thread__category__slug", "thread__category__colour")
        .select_related("thread", "thread__category")
        .order_by("-created_at")[:limit]
    )



@dataclass(frozen=True)
class PostFacts:
    """What other apps need to know about a post (loyalty: what it earns), without touching forum models themselves."""

    post_id: int
    author_id: int
    thread_id: int
    number: int
    category_id: int
    is_newcomer_thread: bool
    is_deleted: bool
    is_hidden: bool
    # Seen by everyone: not deleted, not hidden, in a thread that is not deleted.
    is_visible: bool
    is_accepted_answer: bool
    # The thread's first response: its earliest reply not deleted, not hidden and not by the thread's author.
    is_first_response: bool


def post_facts(post_id: int) -> PostFacts | None:
    return facts_of_posts([post_id]).get(post_id)


# One statement, written out: the ORM spent more time building the two queries this replaced than PostgreSQL
# spent answering them (the profile and "my points" pages ask on every view). tests/test_members.py checks the
# figures against the rows they count.
_MEMBER_ACTIVITY_SQL = """
WITH own AS (
    SELECT p.id, p.thread_id, p.number, p.like_count
    FROM forums_post p JOIN forums_thread t ON t.id = p.thread_id
    WHERE p.author_id = %(member)s AND NOT p.is_deleted AND NOT t.is_deleted
)
SELECT count(*),
       count(DISTINCT thread_id) FILTER (WHERE number > 1),
       count(*) FILTER (WHERE number = 1),
       COALESCE(sum(like_count), 0),
       COALESCE(max(like_count), 0),
       (SELECT count(*) FROM forums_reaction r WHERE r.member_id = %(member)s),
       (SELECT count(*) FROM forums_thread a JOIN forums_post ap ON ap.id = a.accepted_answer_id
        WHERE ap.author_id = %(member)s AND NOT a.is_deleted),
       (SELECT COALESCE(sum(rs.last_read_number), 0) FROM forums_readstate rs WHERE rs.member_id = %(member)s)
FROM own
"""
ACTIVITY_FIELDS = ("posts", "threads_replied", "threads_started", "likes_received", "best_post_likes",
                   "likes_given", "accepted_answers", "posts_read")


def member_activity(member_id: int) -> dict[str, int]:
    """Counts that trust tiers and badges are computed from, in one query."""
    with connections[router.db_for_read(Post)].cursor() as cursor:
        cursor.execute(_MEMBER_ACTIVITY_SQL, {"member": member_id})
        row = cursor.fetchone()
    return {field: int(value) for field, value in zip(ACTIVITY_FIELDS, row, strict=True)}


def liked_posts_of(member_id: int, *, min_likes: int) -> list[int]:
    return list(Post.objects.filter(author_id=member_id, is_deleted=False, like_count__gte=min_likes).values_list("pk", flat=True))


def accepted_answers_by_tag(member_id: int) -> dict[str, int]:
    rows = (
        Thread.objects.filter(accepted_answer__author_id=member_id, is_deleted=False)
        .values_list("tags__name").annotate(n=Count("id")).filter(tags__name__isnull=False)
    )
    return dict(rows)


# What the loyalty app reads to know what posts earn (it never reads forum tables itself).


def _first_response_post_id(thread_id, thread_author_id) -> Subquery:
    """The thread's first response, as forums.services._refresh_first_response defines it: its earliest
    reply (by number) not deleted, not hidden and not by the thread's author. One range of the (thread, number) index."""
    return Subquery(
        Post.objects.filter(thread_id=thread_id, number__gt=1, is_deleted=False, is_hidden=False)
        .exclude(author_id=thread_author_id)
        .order_by("number")
        .values("pk")[:1]
    )


def _facts(posts: QuerySet[Post]) -> list[PostFacts]:
    rows = posts.annotate(
        first_response_id=_first_response_post_id(OuterRef("thread_id"), OuterRef("thread__author_id")),
    ).values_list(
        "pk", "author_id", "thread_id", "number", "thread__category_id", "thread__is_newcomer_thread", "is_deleted", "is_hidden",
        "thread__is_deleted", "thread__accepted_answer_id", "first_response_id",
    )
    return [
        PostFacts(post_id=pk, author_id=author_id, thread_id=thread_id, number=number, category_id=category_id,
                  is_newcomer_thread=is_newcomer_thread, is_deleted=is_deleted, is_hidden=is_hidden,
                  is_visible=not (is_deleted or is_hidden or thread_deleted), is_accepted_answer=accepted_id == pk,
                  is_first_response=first_response_id == pk)
        for (pk, author_id, thread_id, number, category_id, is_newcomer_thread, is_deleted, is_hidden, thread_deleted, accepted_id,
             first_response_id) in rows
    ]


def facts_of_posts(post_ids) -> dict[int, PostFacts]:
    """PostFacts for many posts in one query (the award log checks a batch of a thousand at once)."""
    return {facts.post_id: facts for facts in _facts(Post.objects.filter(pk__in=list(post_ids)))}


def facts_of_posts_by(author_ids) -> list[PostFacts]:
    """PostFacts of every post these members wrote (for recomputing their points from the posts)."""
    return _facts(Post.objects.filter(author_id__in=list(author_ids)))


def likers_of(post_id: int) -> set[int]:
    return set(Reaction.objects.filter(post_id=post_id, kind=Reaction.Kind.LIKE).values_list("member_id", flat=True))


def has_liked(*, post_id: int, member_id: int) -> bool:
    return Reaction.objects.filter(post_id=post_id, member_id=member_id, kind=Reaction.Kind.LIKE).exists()


def likes_on_posts_by(author_ids) -> list[tuple[int, int]]:
    """(post id, liker id) for every like on these members' posts."""
    return list(Reaction.objects.filter(post__author_id__in=list(author_ids), kind=Reaction.Kind.LIKE).values_list("post_id", "member_id"))


def thread_post_ids(thread_id: int) -> list[int]:
    return list(Post.objects.filter(thread_id=thread_id).order_by("number").values_list("pk", flat=True))


def thread_post_authors(thread_id: int) -> list[int]:
    return sorted(set(Post.objects.filter(thread_id=thread_id).values_list("author_id", flat=True)))


@dataclass(frozen=True)
class FirstResponse:
    """Who gave a thread its first response now (None for both when nobody has)."""

    thread_id: int
    category_id: int
    is_newcomer_thread: bool
    is_thread_deleted: bool
    post_id: int | None
    responder_id: int | None
    author_id: int


def _with_first_response(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    return threads.annotate(first_response_id=_first_response_post_id(OuterRef("pk"), OuterRef("author_id"))).annotate(
        responder_id=Subquery(Post.objects.filter(pk=OuterRef("first_response_id")).values("author_id")[:1]),
    )


def _first_responses(threads: QuerySet[Thread]) -> list[FirstResponse]:
    rows = threads.values_list("pk", "category_id", "is_newcomer_thread", "is_deleted", "first_response_id", "responder_id", "author_id")
    return [FirstResponse(*row) for row in rows]


def first_response_of(thread_id: int) -> FirstResponse | None:
    found = _first_responses(_with_first_response(Thread.objects.filter(pk=thread_id)))
    return found[0] if found else None


def newcomer_first_responses(responder_ids) -> list[FirstResponse]:
    """First responses by these members in newcomer threads that are not deleted."""
    threads = _with_first_response(Thread.objects.filter(is_newcomer_thread=True, is_deleted=False))
    return _first_responses(threads.filter(responder_id__in=list(responder_ids)))


# A newcomer "stayed" when they posted again, anywhere but the answered thread, within this long of their first answer.
STAYED_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class NewcomerReturn:
    """A newcomer's first answer (the earliest first response among their newcomer threads that can be seen)
    and whether they came back: a post everyone can see, in another thread, within STAYED_WITHIN of it.
    A thank-you in the same thread is not coming back; a new question or a reply elsewhere is."""

    newcomer_id: int
    thread_id: int
    category_id: int
    responder_id: int
    came_back: bool


def _newcomer_returns(threads: QuerySet[Thread]) -> list[NewcomerReturn]:
    answered = Thread.objects.filter(is_newcomer_thread=True, is_deleted=False, first_response_at__isnull=False,
                                     first_responder__isnull=False)
    first_answered = answered.filter(author_id=OuterRef("author_id")).order_by("first_response_at", "pk").values("pk")[:1]
    stay_ends = ExpressionWrapper(OuterRef("first_response_at") + STAYED_WITHIN, output_field=DateTimeField())
    came_back = Exists(
        Post.objects.filter(author_id=OuterRef("author_id"), is_deleted=False, is_hidden=False, thread__is_deleted=False,
                            created_at__gt=OuterRef("first_response_at"), created_at__lte=stay_ends)
        .exclude(thread_id=OuterRef("pk"))
    )
    rows = (threads.filter(pk__in=answered.values("pk")).filter(pk=Subquery(first_answered))
            .annotate(came_back=came_back)
            .values_list("author_id", "pk", "category_id", "first_responder_id", "came_back"))
    return [NewcomerReturn(*row) for row in rows]


def newcomer_return_of(newcomer_id: int) -> NewcomerReturn | None:
    found = _newcomer_returns(Thread.objects.filter(author_id=newcomer_id))
    return found[0] if found else None


def newcomer_returns_answered_by(responder_ids) -> list[NewcomerReturn]:
    """The first answers these members gave newcomers, whether or not the newcomer came back (for the rebuild check)."""
    return _newcomer_returns(Thread.objects.filter(first_responder_id__in=list(responder_ids)))


def newcomers_answered_since(member_ids, *, since: datetime) -> list[int]:
    """Which of these members have a newcomer thread answered after `since` (so a post of theirs now may be their return)."""
    return sorted(set(Thread.objects.filter(author_id__in=list(member_ids), is_newcomer_thread=True, is_deleted=False,
                                            first_response_at__gte=since).values_list("author_id", flat=True)))


def threads_waiting_for_an_accepted_answer(*, replied_before, since) -> QuerySet[Thread]:
    """Newcomer threads started in [since, replied_before) that someone else answered but whose author has
    marked no answer yet (for the reminder that closes the loop)."""
    return (Thread.objects.filter(is_newcomer_thread=True, is_deleted=False, accepted_answer__isnull=True,
                                  first_response_at__isnull=False, created_at__gte=since, created_at__lt=replied_before)
            .select_related("author").order_by("created_at"))


def has_posted(member_id: int) -> bool:
    """Whether the member has a post everyone can see (a first step: introduce yourself or ask)."""
    return Post.objects.filter(author_id=member_id, is_deleted=False, is_hidden=False, thread__is_deleted=False).exists()


def has_liked_a_post(member_id: int) -> bool:
    return Reaction.objects.filter(member_id=member_id, kind="like").exists()


def posts_for_export(member_id: int) -> list[dict]:
    """Every post the member wrote, with its thread's title, for their own data export: one query.

    Deleted and hidden posts are theirs too, so they are in it, marked; nobody else's words are.
    """
    rows = (Post.objects.filter(author_id=member_id).order_by("created_at", "pk")
            .values("pk", "thread_id", "thread__title", "number", "body", "created_at", "edited_at", "is_deleted", "is_hidden",
                    "like_count"))
    return [{"id": row["pk"], "thread_id": row["thread_id"], "thread_title": row["thread__title"], "number": row["number"],
             "body": row["body"], "created_at": row["created_at"].isoformat(),
             "edited_at": row["edited_at"].isoformat() if row["edited_at"] else None,
             "is_deleted": row["is_deleted"], "is_hidden": row["is_hidden"], "likes": row["like_count"]} for row in rows]


def posts_standing_count(member_id: int) -> int:
    return Post.objects.filter(author_id=member_id, is_deleted=False).count()


def posts_standing_by(member_id: int, *, limit: int | None = None) -> list[Post]:
    """The member's posts not deleted, replies first (newest first), then the threads they opened: the order to delete
    them in (the first `limit` of them, when given)."""
    posts = (Post.objects.filter(author_id=member_id, is_deleted=False).select_related("thread")
             .order_by(Case(When(number=1, then=1), default=0), "-created_at", "-pk"))
    return list(posts[:limit] if limit is not None else posts)
