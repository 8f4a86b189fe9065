"""Read queries about experts."""

from collections import defaultdict

from django.db.models import Count, F

from community.expertise.models import Expertise
from forums.models import Post, Tag


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


def all_expertise():
    return Expertise.objects.select_related("member", "tag").order_by("tag__name", "member__username")


def experts_of_tag(tag: Tag) -> list:
    """Experts in a tag, each with `accepted_count` (accepted answers in threads with this tag), best first."""
    rows = list(
        Expertise.objects.filter(tag=tag, member__is_active=True).select_related("member")
    )
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
