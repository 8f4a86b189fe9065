"""Moderators wear a flair on their posts (one query for a page of posts)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from forums.flairs import Flair
from moderation.models import ModeratorRole


def moderator_flairs(thread, author_ids: set[int]) -> dict[int, list[Flair]]:
    # Site-wide moderators everywhere; category moderators in their category.
    moderators = set(
        ModeratorRole.objects.filter(member_id__in=author_ids, revoked_at__isnull=True)
        .filter(Q(category__isnull=True) | Q(category_id=thread.category_id))
        .values_list("member_id", flat=True)
    )
    return {member_id: [Flair(label=_("🛡 Moderator"), title=_("Moderator"))] for member_id in moderators}
