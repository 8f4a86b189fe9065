"""Read queries for the loyalty pages; each page is a fixed number of queries."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Count, Q, Sum
from django.utils import timezone

from community.members.perks import PERKS
from loyalty.models import Badge, BadgeAward, Kudos, LoyaltyAccount, PointsEntry, Reason, Redemption, Reward
from loyalty.services import redeem_refusal

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
    return list(
        Kudos.objects.filter(receiver=member).select_related("sender")
        .only("message", "created_at", "sender__username", "sender__display_name").order_by("-created_at")[:limit]
    )


def rewards() -> list[Reward]:
    return list(Reward.objects.filter(is_active=True))


def rewards_for(member, *, balance: int) -> list[Reward]:
    """The rewards on offer, each marked with what redeeming it would leave (`balance_after`) or, when
    the member cannot redeem it, why (`locked_code`, `locked_reason`), asked of the services' one rule."""
    offered = rewards()
    for reward in offered:
        refusal = redeem_refusal(member=member, reward=reward, balance=balance)
        reward.locked_code = refusal.code if refusal else ""
        reward.locked_reason = refusal.reason if refusal else ""
        reward.balance_after = balance - reward.cost
    return offered


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


def ledger_version() -> int:
    """The newest ledger entry's id: one index-only lookup that changes with every write to the ledger."""
    return PointsEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _period_totals(period: str, category_id: int | None):
    """Points earned per member in the period (and category), as a grouped queryset: what the leaderboard ranks."""
    entries = PointsEntry.objects.exclude(reason=Reason.REDEMPTION)
    days = PERIODS.get(period)
    if days:
        entries = entries.filter(created_at__gte=timezone.now() - timedelta(days=days))
    if category_id:
        entries = entries.filter(category_id=category_id)
    return entries.values("member_id").annotate(
        points=Sum("amount"),
        first_replies=Count("id", filter=Q(reason=Reason.FIRST_REPLY_TO_NEWCOMER)),
        accepted=Count("id", filter=Q(reason=Reason.ANSWER_ACCEPTED)),
    ).filter(points__gt=0)


def leaderboard(*, period: str = "week", category_id: int | None = None, version: int | None = None) -> list[LeaderRow]:
    """Top contributors by points earned in the period (and category), cached under the ledger's version:
    the newest entry's id, one index-only lookup, so writing the ledger costs nothing extra."""
    version = ledger_version() if version is None else version
    key = f"loyalty:leaderboard:{version}:{period}:{category_id or 'all'}"
    rows = cache.get(key)
    if rows is None:
        totals = list(_period_totals(period, category_id).order_by("-points", "member_id")[:LEADERBOARD_SIZE])
        rows = [(r["member_id"], r["points"], r["first_replies"], r["accepted"]) for r in totals]
        cache.set(key, rows, timeout=300)
    # Active members only: a deleted account keeps its ledger (what others earned from it holds) but leaves the board.
    members = {m.pk: m for m in User.objects.filter(pk__in=[r[0] for r in rows], is_active=True).only("username", "display_name", "tier")}
    return [LeaderRow(members[r[0]], r[1], r[2], r[3]) for r in rows if r[0] in members]


@dataclass
class Standing:
    """Where a member stands on a leaderboard: rank in its order (points, then who came first), or None with no points."""

    rank: int | None
    points: int


def standing_of(member, *, period: str = "week", category_id: int | None = None, version: int) -> Standing:
    """The member's own rank and points, for when they are not among the rows shown: one query (a CTE over the
    period's totals, counted once), cached per member under the same ledger version as the board."""
    key = f"loyalty:standing:{version}:{period}:{category_id or 'all'}:{member.pk}"
    found = cache.get(key)
    if found is None:
        totals_sql, params = _period_totals(period, category_id).values("member_id", "points").query.sql_with_params()
        with connections[router.db_for_read(PointsEntry)].cursor() as cursor:
            cursor.execute(
                f"WITH totals AS MATERIALIZED ({totals_sql}) "  # noqa: S608 (the ORM's own SQL and parameters)
                "SELECT me.points, 1 + (SELECT COUNT(*) FROM totals other WHERE other.points > me.points"
                " OR (other.points = me.points AND other.member_id < me.member_id))"
                " FROM totals me WHERE me.member_id = %s",
                [*params, member.pk],
            )
            row = cursor.fetchone()
        found = (row[1], row[0]) if row else (None, 0)
        cache.set(key, found, timeout=300)
    return Standing(rank=found[0], points=found[1])


@dataclass
class LeaderboardPage:
    rows: list[LeaderRow]
    # The viewer's own standing when they are signed in and not among the rows shown; else None.
    mine: Standing | None


def leaderboard_page(viewer, *, period: str, category_id: int | None) -> LeaderboardPage:
    """The board plus the viewer's own place below it: one version lookup for both, and the standing
    read only when there is a board and the viewer's row is not on it."""
    version = ledger_version()
    rows = leaderboard(period=period, category_id=category_id, version=version)
    mine = None
    if viewer.is_authenticated and rows and not any(row.member.pk == viewer.pk for row in rows):
        mine = standing_of(viewer, period=period, category_id=category_id, version=version)
    return LeaderboardPage(rows=rows, mine=mine)


def points_for_export(member) -> dict:
    """The member's balance, totals, every ledger entry and their badges, for their own data export: three queries."""
    account = account_of(member)
    entries = [{"id": entry["pk"], "amount": entry["amount"], "reason": entry["reason"], "source_type": entry["source_type"],
                "source_id": entry["source_id"], "created_at": entry["created_at"].isoformat()}
               for entry in PointsEntry.objects.filter(member=member).order_by("created_at", "pk")
               .values("pk", "amount", "reason", "source_type", "source_id", "created_at")]
    badges = [{"badge": award.badge.slug, "name": award.badge.name, "source": award.source_key,
               "awarded_at": award.created_at.isoformat()} for award in badges_of(member)]
    return {"balance": account.balance, "lifetime_points": account.lifetime_points, "score_90d": account.score_90d,
            "ledger": entries, "badges": badges}
