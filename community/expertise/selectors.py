"""Read queries about experts."""

import zoneinfo
from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, F
from django.utils import timezone

from community.expertise.models import ExpertAvailability, Expertise, RoutedQuestion
from forums import figures as forum_figures
from forums.models import Post, Tag

# The weekly cap and the load are counted over the last 7 days, a rolling week: no Monday rush.
WEEK = timedelta(days=7)
FIGURES_DAYS = 30


def experts_for_tags(tag_ids) -> dict[int, list]:
    """{tag_id: [member, ...]} for the given tags, in one query."""
    found = defaultdict(list)
    rows = Expertise.objects.filter(tag_id__in=set(tag_ids), member__is_active=True).select_related("member").order_by("member__username")
    for row in rows:
        found[row.tag_id].append(row.member)
    return dict(found)


def expert_tags_of(member_ids) -> dict[int, list[str]]:
    """{member_id: [tag name, ...]} in one query."""
    found = defaultdict(list)
    for member_id, name in Expertise.objects.filter(member_id__in=set(member_ids)).values_list("member_id", "tag__name").order_by("tag__name"):
        found[member_id].append(name)
    return dict(found)


def all_expertise(now=None) -> list[Expertise]:
    """Every expertise row by tag, each with `away_until` (the day its expert is away through, or None)."""
    rows = list(Expertise.objects.select_related("member", "member__expert_availability", "tag")
                .order_by("tag__name", "member__username"))
    _attach_away(rows, now)
    return rows


def _attach_away(rows, now=None) -> None:
    """`row.away_until` on expertise rows whose member was loaded with `member__expert_availability`."""
    now = now or timezone.now()
    for row in rows:
        # A member without a row raises RelatedObjectDoesNotExist, an AttributeError: getattr's default.
        availability = getattr(row.member, "expert_availability", None)
        away = availability is not None and availability.is_away_on(expert_today(row.member, now))
        row.away_until = availability.away_until if away else None


# -- availability and load --------------------------------------------------------------------------

def expert_today(member, now=None) -> date:
    """Today in the expert's own time zone: "away until the 30th" ends at their midnight, not the server's."""
    try:
        zone = zoneinfo.ZoneInfo(member.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.localdate(now or timezone.now(), zone)


def availability_of(member_ids) -> dict[int, ExpertAvailability]:
    """{member id: availability row} for those who set one, in one query."""
    return {row.member_id: row for row in ExpertAvailability.objects.filter(member_id__in=set(member_ids))}


def availability_for(member) -> ExpertAvailability | None:
    return ExpertAvailability.objects.filter(member=member).first()


def routed_since(member_ids, since) -> dict[int, int]:
    """{expert id: questions routed to them since `since`} in one query on (expert, routed_at)."""
    rows = (RoutedQuestion.objects.filter(expert_id__in=set(member_ids), routed_at__gte=since)
            .values("expert_id").annotate(n=Count("id")).values_list("expert_id", "n"))
    return dict(rows)


def routed_this_week(member, now=None) -> int:
    """What counts against the expert's weekly cap; one indexed count on (expert, routed_at)."""
    return RoutedQuestion.objects.filter(expert=member, routed_at__gte=(now or timezone.now()) - WEEK).count()


def experts_routed_to(thread_id: int) -> set[int]:
    return set(RoutedQuestion.objects.filter(thread_id=thread_id).values_list("expert_id", flat=True))


def routed_counts(start, end, *, member_ids=None, category_ids=None) -> dict[int, int]:
    """{expert id: questions routed to them in [start, end)}, of threads in `category_ids` when given; one query."""
    rows = RoutedQuestion.objects.filter(routed_at__gte=start, routed_at__lt=end)
    if member_ids is not None:
        rows = rows.filter(expert_id__in=set(member_ids))
    if category_ids is not None:
        rows = rows.filter(thread__category_id__in=category_ids)
    return dict(rows.values("expert_id").annotate(n=Count("id")).values_list("expert_id", "n"))


def expert_recent_figures(expertise_rows, now=None, *, days: int = FIGURES_DAYS) -> list[dict]:
    """Per expert of `expertise_rows` (loaded with their members), over the last `days`: questions routed to
    them, newcomer questions in their tags, those they answered, and the median hours to their reply.
    Two queries whatever the number of experts; experts with nothing to count are listed with zeros."""
    now = now or timezone.now()
    start = now - timedelta(days=days)
    members = {row.member_id: row.member for row in expertise_rows if row.member.is_active}
    if not members:
        return []
    topics = [(row.member_id, row.tag_id) for row in expertise_rows if row.member_id in members]
    answers = {row[0]: row[1:] for row in forum_figures.expert_answers(start, now, topics=topics)}
    routed = routed_counts(start, now, member_ids=members)
    figures = []
    for member_id, member in members.items():
        questions, answered, _firsts, median = answers.get(member_id, (0, 0, 0, None))
        figures.append({"member": member, "routed": routed.get(member_id, 0), "questions": questions,
                        "answered": answered, "median_hours": median})
    figures.sort(key=lambda row: (-row["answered"], -row["routed"], row["member"].username.lower()))
    return figures


def experts_of_tag(tag: Tag) -> list:
    """Experts in a tag, each with `accepted_count` (accepted answers in threads with this tag), best first."""
    rows = list(
        Expertise.objects.filter(tag=tag, member__is_active=True).select_related("member", "member__expert_availability")
    )
    _attach_away(rows)
    counts = dict(
        Post.objects.filter(author__in=[row.member_id for row in rows], thread__tags=tag, thread__accepted_answer=F("pk"))
        .values("author_id").annotate(n=Count("id")).values_list("author_id", "n")
    ) if rows else {}
    for row in rows:
        row.accepted_count = counts.get(row.member_id, 0)
    rows.sort(key=lambda row: (-row.accepted_count, row.member.username))
    return rows


def accepted_answers_in_tag(tag: Tag, member_ids, *, limit: int = 20) -> list[Post]:
    return list(
        Post.objects.filter(author__in=member_ids, thread__tags=tag, thread__accepted_answer=F("pk"), is_deleted=False)
        .select_related("thread", "author").defer("search_vector", "thread__search_vector")
        .order_by("-created_at")[:limit]
    )


def expert_topics() -> list[tuple[int, int, str]]:
    """(member id, tag id, tag name) for every active expert's tags, by member and tag name."""
    return list(Expertise.objects.filter(member__is_active=True).order_by("member_id", "tag__name")
                .values_list("member_id", "tag_id", "tag__name"))


def is_expert(member) -> bool:
    return Expertise.objects.filter(member=member).exists()
