"""Read queries for moderation pages."""

from django.db.models import Case, Count, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from forums.selectors import titles_of
from moderation.models import ACTION_LABELS, Flag, ModerationAction, ModeratorRole, ReviewItem

PER_PAGE = 30


def flag_reasons() -> list[tuple[str, str]]:
    """The reasons a member may give when flagging, as (value, label) for a form."""
    return Flag.Reason.choices


def moderator_scopes(member_id: int) -> set[int | None]:
    """The categories a member moderates (None in the set: site-wide), for the permissions authority."""
    return set(ModeratorRole.objects.filter(member_id=member_id, revoked_at__isnull=True).values_list("category_id", flat=True))


def active_roles_of(member) -> list[ModeratorRole]:
    """The member's moderator roles with their categories (shown to managers on the profile)."""
    return list(ModeratorRole.objects.filter(member=member, revoked_at__isnull=True).select_related("category"))


def review_queue(*, category_ids: set | None) -> list[ReviewItem]:
    """Pending items, oldest first, scoped to the moderator's categories (None: all), with their flags."""
    items = ReviewItem.objects.filter(status=ReviewItem.Status.PENDING)
    if category_ids is not None:
        items = items.filter(category_id__in=category_ids)
    return list(
        items.select_related("post", "post__author", "post__thread", "claimed_by")
        .defer("post__search_vector", "post__thread__search_vector")
        .prefetch_related(Prefetch("post__flags", queryset=Flag.objects.filter(status=Flag.Status.OPEN).select_related("flagger")))
        .order_by("created_at")[:PER_PAGE]
    )


def pending_count(*, category_ids: set | None) -> int:
    """Items waiting in the moderator's scope (and, for site-wide moderators, new accounts waiting), in one query."""
    items = ReviewItem.objects.filter(status=ReviewItem.Status.PENDING)
    if category_ids is not None:
        return items.filter(category_id__in=category_ids).count()
    from django.contrib.auth import get_user_model

    waiting = get_user_model().objects.filter(awaiting_approval=True, is_active=True).order_by()
    waiting_count = waiting.annotate(everything=Value(1)).values("everything").annotate(n=Count("id")).values("n")[:1]
    return items.aggregate(total=Count("id") + Coalesce(Subquery(waiting_count), 0))["total"]


def flag_accuracy(member) -> tuple[int, float | None]:
    """(resolved flags, share agreed): what moderator nomination looks at."""
    counts = Flag.objects.filter(flagger=member).exclude(status=Flag.Status.OPEN).aggregate(
        resolved=Count("id"), agreed=Count("id", filter=Q(status=Flag.Status.AGREED)))
    return counts["resolved"], (counts["agreed"] / counts["resolved"] if counts["resolved"] else None)


def log_page(*, action: str = "", actor: str = "", page: int = 1) -> tuple[list[ModerationAction], bool]:
    from django.contrib.auth import get_user_model

    # A member acted on is linked by username, read in the same statement.
    members = get_user_model().objects.filter(pk=OuterRef("target_id"))
    entries = (
        ModerationAction.objects.select_related("actor").order_by("-created_at", "-id")
        .annotate(target_username=Case(When(target_type="member", then=Subquery(members.values("username")[:1])), default=None),
                  target_display_name=Case(When(target_type="member", then=Subquery(members.values("display_name")[:1])),
                                           default=None))
    )
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor__in=get_user_model().objects.named(actor))
    start = (page - 1) * PER_PAGE
    rows = list(entries[start:start + PER_PAGE + 1])
    rows, has_more = rows[:PER_PAGE], len(rows) > PER_PAGE
    _attach_target_urls(rows)
    return rows, has_more


def _attach_target_urls(entries: list[ModerationAction]) -> None:
    """Where each entry's target lives (the post, the thread, the member's profile) and what it is called there:
    a post by its number and thread title, a thread by its title, a member by name (two queries for the page)."""
    from django.urls import reverse

    posts, threads = titles_of(post_ids=[e.target_id for e in entries if e.target_type == "post"],
                               thread_ids=[e.target_id for e in entries if e.target_type == "thread"])
    for entry in entries:
        entry.post_number, entry.thread_title, entry.member_name = None, "", ""
        if entry.target_type == "post":
            entry.target_url = reverse("forums:post", args=[entry.target_id])
            entry.post_number, entry.thread_title = posts.get(entry.target_id, (None, ""))
        elif entry.target_type == "thread":
            entry.target_url = reverse("forums:thread_short", args=[entry.target_id])
            entry.thread_title = threads.get(entry.target_id, "")
        elif entry.target_username:
            entry.target_url = reverse("members:profile", args=[entry.target_username])
            entry.member_name = entry.target_display_name or entry.target_username
        else:
            entry.target_url = ""


def log_actions() -> list[tuple[str, str]]:
    """(code, label) of every action in the log, for its filter."""
    codes = ModerationAction.objects.order_by().values_list("action", flat=True).distinct()
    return sorted(((code, str(ACTION_LABELS.get(code, code))) for code in codes), key=lambda pair: pair[1])


def members_awaiting_approval(limit: int = 50) -> list:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(awaiting_approval=True, is_active=True).order_by("date_joined")[:limit])


def moderators_of(category_ids) -> dict[int | None, set[int]]:
    """{category id: moderators of it} for these categories, and {None: site-wide moderators}, active roles only."""
    found: dict[int | None, set[int]] = {}
    roles = ModeratorRole.objects.filter(Q(category_id__in=set(category_ids)) | Q(category__isnull=True), revoked_at__isnull=True,
                                         member__is_active=True)
    for member_id, category_id in roles.values_list("member_id", "category_id"):
        found.setdefault(category_id, set()).add(member_id)
    return found
