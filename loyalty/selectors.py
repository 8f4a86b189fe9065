"""Read queries for the loyalty pages; each page is a fixed number of queries."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from community.members.perks import PERKS
from loyalty.models import Badge, BadgeAward, Kudos, LoyaltyAccount, PointsEntry, Reason, Redemption, Reward

User = get_user_model()
LEDGER_PER_PAGE = 25
LEADERBOARD_SIZE = 25
PERIODS = {"week": 7, "month": 30, "all": None}


def account_of(member) -> LoyaltyAccount:
    return LoyaltyAccount.objects.filter(member=member).first() or LoyaltyAccount(member=member)


def ledger_page(member, *, page: int) -> tuple[list[PointsEntry], bool]:
    start = (page - 1) * LEDGER_PER_PAGE
    # A capped grant the day's cap left at 0 is a verdict kept for the ledger, not a line to show.
    rows = list(PointsEntry.objects.filter(member=member).exclude(amount=0).order_by("-created_at", "-id")[start:start + LEDGER_PER_PAGE + 1])
    return rows[:LEDGER_PER_PAGE], len(rows) > LEDGER_PER_PAGE


@dataclass
class PerkState:
    slug: str
    label: str
    tier: int
    unlocked: bool


def perks_for(member) -> list[PerkState]:
    return [PerkState(slug, label, tier, member.has_perk(slug)) for slug, (tier, label) in PERKS.items()]


def badges_of(member) -> list[BadgeAward]:
    return list(BadgeAward.objects.filter(member=member).select_related("badge").order_by("-created_at"))


def all_badges_with_counts() -> list[Badge]:
    return list(Badge.objects.annotate(holders=Count("awards__member", distinct=True)).order_by("name"))


def kudos_for(member, *, limit: int = 10) -> list[Kudos]:
    return list(Kudos.objects.filter(receiver=member).select_related("sender").order_by("-created_at")[:limit])


def rewards() -> list[Reward]:
    return list(Reward.objects.filter(is_active=True))


def redemptions_of(member) -> list[Redemption]:
    return list(Redemption.objects.filter(member=member).select_related("reward").order_by("-created_at")[:20])


def pending_redemptions() -> list[Redemption]:
    return list(Redemption.objects.filter(fulfilled_at__isnull=True).select_related("reward", "member").order_by("created_at")[:100])


@dataclass
class LeaderRow:
    member: object
    points: int
    first_replies: int
    accepted_answers: int


def leaderboard(*, period: str = "week", category_id: int | None = None) -> list[LeaderRow]:
    """Top contributors by points earned in the period (and category), cached under the ledger's version:
    the newest entry's id, one index-only lookup, so writing the ledger costs nothing extra."""
    version = PointsEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    key = f"loyalty:leaderboard:{version}:{period}:{category_id or 'all'}"
    rows = cache.get(key)
    if rows is None:
        entries = PointsEntry.objects.exclude(reason=Reason.REDEMPTION)
        days = PERIODS.get(period)
        if days:
            entries = entries.filter(created_at__gte=timezone.now() - timedelta(days=days))
        if category_id:
            entries = entries.filter(category_id=category_id)
        totals = list(
            entries.values("member_id")
            .annotate(
                points=Sum("amount"),
                first_replies=Count("id", filter=Q(reason=Reason.FIRST_REPLY_TO_NEWCOMER)),
                accepted=Count("id", filter=Q(reason=Reason.ANSWER_ACCEPTED)),
            )
            .filter(points__gt=0)
            .order_by("-points", "member_id")[:LEADERBOARD_SIZE]
        )
        rows = [(r["member_id"], r["points"], r["first_replies"], r["accepted"]) for r in totals]
        cache.set(key, rows, timeout=300)
    members = {m.pk: m for m in User.objects.filter(pk__in=[r[0] for r in rows]).only("username", "display_name", "tier")}
    return [LeaderRow(members[r[0]], r[1], r[2], r[3]) for r in rows if r[0] in members]
