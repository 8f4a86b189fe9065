"""Trust tiers from activity, as Discourse's trust levels: promotion by thresholds, demotion from 3 with margin and grace."""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from community.members import first_steps
from community.members.models import Tier
from forums.selectors import member_activity
from loyalty.defaults import TIER_REQUIREMENTS
from loyalty.ledger import locked_account
from loyalty.models import TierChange as TierChangeRecord
from loyalty.models import TierRequirement, VisitDay

User = get_user_model()
DEMOTION_MARGIN = 0.9  # tier 3 is kept while every figure stays above 90% of the threshold
DEMOTION_GRACE = timedelta(days=14)  # and for at least 14 days after reaching it

# What each requirement is measured by, and how to say what is missing (plural forms: Russian has three).
FIELDS = {
    "min_days_since_joining": ("days_since_joining", ngettext_lazy("%(n)d more day as a member", "%(n)d more days as a member", "n")),
    "min_days_visited": ("days_visited", ngettext_lazy("%(n)d more day visited", "%(n)d more days visited", "n")),
    "min_posts_read": ("posts_read", ngettext_lazy("%(n)d more post read", "%(n)d more posts read", "n")),
    "min_posts": ("posts", ngettext_lazy("%(n)d more post", "%(n)d more posts", "n")),
    "min_threads_replied": ("threads_replied", ngettext_lazy("%(n)d more thread replied to", "%(n)d more threads replied to", "n")),
    "min_likes_given": ("likes_given", ngettext_lazy("%(n)d more like given", "%(n)d more likes given", "n")),
    "min_likes_received": ("likes_received", ngettext_lazy("%(n)d more like received", "%(n)d more likes received", "n")),
    "min_first_steps": ("first_steps_done", ngettext_lazy("%(n)d more first step from the list on the home page",
                                                          "%(n)d more first steps from the list on the home page", "n")),
    "min_accepted_answers": ("accepted_answers", ngettext_lazy("%(n)d more accepted answer", "%(n)d more accepted answers", "n")),
    "sanction_free_days": ("days_since_sanction", ngettext_lazy("%(n)d more day without a sanction", "%(n)d more days without a sanction", "n")),
}
NEVER_SANCTIONED = 100_000


def stats_for(member, activity: dict[str, int] | None = None) -> dict[str, int]:
    """The figures tiers are judged on; pass `activity` when the caller already has the forum's counts."""
    stats = dict(activity) if activity is not None else member_activity(member.pk)
    stats["days_since_joining"] = (timezone.now() - member.date_joined).days
    stats["days_visited"] = VisitDay.objects.filter(member=member).count()
    stats["first_steps_done"] = first_steps.steps_done(member)
    # Moderation writes last_sanctioned_at on the user (loyalty reads no moderation tables).
    sanctioned = member.last_sanctioned_at
    stats["days_since_sanction"] = (timezone.now() - sanctioned).days if sanctioned else NEVER_SANCTIONED
    return stats


def _meets(requirement: TierRequirement, stats: dict[str, int], factor: float = 1.0) -> bool:
    return all(stats[stat] >= getattr(requirement, field) * factor for field, (stat, _text) in FIELDS.items())


@dataclass
class TierChange:
    member_id: int
    old: int
    new: int


def computed_tier(stats: dict[str, int], requirements: list[TierRequirement], *, current: int, since) -> int:
    """The tier activity earns. Tiers 1 and 2 are never lost; tier 3 is, after the grace period,
    once a figure drops below 90% of its threshold (then the member goes back to 2)."""
    reached = max((r.tier for r in requirements if _meets(r, stats)), default=Tier.NEWCOMER)
    if reached >= current:
        return reached
    if current != Tier.CHAMPION:
        return current
    champion = next((r for r in requirements if r.tier == Tier.CHAMPION), None)
    in_grace = since is not None and timezone.now() - since < DEMOTION_GRACE
    if in_grace or champion is None or _meets(champion, stats, DEMOTION_MARGIN):
        return Tier.CHAMPION
    return max(reached, Tier.REGULAR)


_REQUIREMENTS_TTL = 30.0
_requirements_cache: dict[str, object] = {"at": 0.0, "rows": []}


def requirements() -> list[TierRequirement]:
    """The thresholds for tiers 1–3 as managers set them (read at most every 30 s per process), defaults for any missing row."""
    now = time.monotonic()
    if now - _requirements_cache["at"] > _REQUIREMENTS_TTL:
        found = {r.tier: r for r in TierRequirement.objects.filter(tier__in=[1, 2, 3])}
        _requirements_cache["rows"] = [found.get(values["tier"]) or TierRequirement(**values) for values in TIER_REQUIREMENTS]
        _requirements_cache["at"] = now
    return _requirements_cache["rows"]


def forget_requirements() -> None:
    _requirements_cache["at"] = 0.0


def recompute_tier(member) -> TierChange | None:
    """Move the member to the tier their activity earns; tier 4 is only ever set by a manager."""
    requirements_now = requirements()
    stats = stats_for(member)
    with transaction.atomic():
        account = locked_account(member.pk)
        member = User.objects.select_for_update().get(pk=member.pk)
        if account.tier_set_by_manager or member.tier >= Tier.LEADER:
            return None
        new = computed_tier(stats, requirements_now, current=member.tier, since=account.tier_changed_at)
        if new == member.tier:
            return None
        change = TierChange(member.pk, member.tier, new)
        User.objects.filter(pk=member.pk).update(tier=new)
        account.tier_changed_at = timezone.now()
        TierChangeRecord.objects.create(member_id=member.pk, old_tier=change.old, new_tier=new, changed_at=account.tier_changed_at)
        account.save(update_fields=["tier_changed_at", "updated_at"])
    return change


def set_tier_by_manager(*, member, tier: int) -> TierChange | None:
    """Managers give (or take away) tier 4; computed tiers never override it."""
    with transaction.atomic():
        account = locked_account(member.pk)
        old = User.objects.select_for_update().get(pk=member.pk).tier
        if old == tier:
            return None
        User.objects.filter(pk=member.pk).update(tier=tier)
        account.tier_set_by_manager = tier == Tier.LEADER
        account.tier_changed_at = timezone.now()
        TierChangeRecord.objects.create(member_id=member.pk, old_tier=old, new_tier=tier, changed_at=account.tier_changed_at)
        account.save(update_fields=["tier_set_by_manager", "tier_changed_at", "updated_at"])
    return TierChange(member.pk, old, tier) if old != tier else None


@dataclass
class Progress:
    next_tier: int | None
    missing: list[str]


def progress_to_next(member, stats: dict[str, int] | None = None) -> Progress:
    """What the next tier still needs, in words ("3 more replies, 5 more days visited")."""
    if member.tier >= Tier.CHAMPION:
        return Progress(None, [])
    requirement = next((r for r in requirements() if r.tier == member.tier + 1), None)
    if requirement is None:
        return Progress(None, [])
    stats = stats if stats is not None else stats_for(member)
    missing = []
    for field, (stat, text) in FIELDS.items():
        gap = getattr(requirement, field) - stats[stat]
        if gap > 0:
            missing.append(text % {"n": gap})
    return Progress(requirement.tier, missing)
