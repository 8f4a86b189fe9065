"""The newcomer rule until loyalty tiers exist: tier 0 ends after enough posts and days.

The loyalty work replaces this module with its tier computation; `User.is_newcomer` stays the one
question everyone asks.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from community.members.models import Tier, User
from forums.models import Post


def has_outgrown_newcomer(member: User) -> bool:
    old_enough = member.date_joined <= timezone.now() - timedelta(days=settings.NEWCOMER_MIN_DAYS)
    return old_enough and Post.objects.filter(author=member, is_deleted=False).count() >= settings.NEWCOMER_MIN_POSTS


def refresh_standing(member: User) -> bool:
    """Lift a newcomer to tier 1 when the rule says so; returns whether it changed."""
    if member.tier != Tier.NEWCOMER or not has_outgrown_newcomer(member):
        return False
    return User.objects.filter(pk=member.pk, tier=Tier.NEWCOMER).update(tier=Tier.MEMBER) == 1
