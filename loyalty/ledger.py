"""The points ledger: award, reverse, rebuild. Idempotent by the ledger's unique key; accounts move in the same transaction."""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from loyalty.defaults import EARNING_RULES
from loyalty.models import EarningRule, LoyaltyAccount, PointsEntry, Reason

logger = logging.getLogger(__name__)

SCORE_WINDOW = timedelta(days=90)
# Spending is not earning: redemptions count in the balance only.
NOT_EARNED = Q(reason=Reason.REDEMPTION)


_RULES_TTL = 30.0
_rules_cache: dict[str, object] = {"at": 0.0, "rules": {}}


def rule_for(reason: str) -> EarningRule | None:
    """The manager-tuned rule for a reason (read at most every 30 s per process), or its default when no row exists."""
    now = time.monotonic()
    if now - _rules_cache["at"] > _RULES_TTL:
        _rules_cache["rules"] = {rule.reason: rule for rule in EarningRule.objects.all()}
        _rules_cache["at"] = now
    rule = _rules_cache["rules"].get(reason)
    if rule is None and reason in EARNING_RULES:
        amount, cap = EARNING_RULES[reason]
        rule = EarningRule(reason=reason, amount=amount, daily_cap=cap)
    return rule


def forget_rules() -> None:
    _rules_cache["at"] = 0.0


def locked_account(member_id: int) -> LoyaltyAccount:
    """The member's account row, created if needed and locked until the transaction ends."""
    LoyaltyAccount.objects.bulk_create([LoyaltyAccount(member_id=member_id)], ignore_conflicts=True)
    return LoyaltyAccount.objects.select_for_update().get(member_id=member_id)


# Entry and account in one statement: the hot path of the award pipeline (uncapped rules). A post's
# award is skipped once the post is hidden: hiding commits before its reversal job is sent, so an
# award either lands before the hide (and is reversed) or sees the hidden post and gives nothing.
_AWARD_SQL = """
    WITH entry AS (
        INSERT INTO loyalty_pointsentry (member_id, amount, reason, source_type, source_id, category_id, created_at)
        SELECT %(member)s, %(amount)s, %(reason)s, %(source_type)s, %(source_id)s, %(category)s, %(now)s
        WHERE NOT EXISTS (SELECT 1 FROM forums_post WHERE id = %(post)s AND is_deleted)
        ON CONFLICT (member_id, reason, source_type, source_id) DO NOTHING
        RETURNING id, member_id, amount
    )
    INSERT INTO loyalty_loyaltyaccount AS account (member_id, balance, lifetime_points, score_90d, tier_set_by_manager, updated_at)
    SELECT member_id, amount, amount, amount, false, %(now)s FROM entry
    ON CONFLICT (member_id) DO UPDATE SET
        balance = account.balance + EXCLUDED.balance,
        lifetime_points = account.lifetime_points + EXCLUDED.lifetime_points,
        score_90d = account.score_90d + EXCLUDED.score_90d,
        updated_at = EXCLUDED.updated_at
    RETURNING (SELECT id FROM entry)
"""


def award(*, member_id: int, reason: str, source_type: str, source_id, category_id: int | None = None,
          amount: int | None = None) -> PointsEntry | None:
    """Give the points a rule says (or `amount`) once per (member, reason, source); None if nothing was given."""
    rule = rule_for(reason)
    if amount is None:
        if rule is None or not rule.is_active:
            return None
        amount = rule.amount
    now = timezone.now()
    if rule is None or rule.daily_cap is None:
        if amount <= 0:
            return None
        params = {"member": member_id, "amount": amount, "reason": reason, "source_type": source_type,
                  "source_id": str(source_id), "category": category_id, "now": now,
                  "post": int(source_id) if source_type == "post" else None}
        with connection.cursor() as cursor:
            cursor.execute(_AWARD_SQL, params)
            row = cursor.fetchone()
        if row is None or row[0] is None:
            return None  # already awarded: this delivery is a repeat
        return PointsEntry(pk=row[0], member_id=member_id, amount=amount, reason=reason, source_type=source_type,
                           source_id=str(source_id), category_id=category_id, created_at=now)
    # Capped rules need the day's total under the account lock.
    with transaction.atomic():
        account = locked_account(member_id)
        if rule is not None and rule.daily_cap is not None:
            start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
            earned_today = PointsEntry.objects.filter(member_id=member_id, reason=reason, created_at__gte=start_of_day).aggregate(
                total=Coalesce(Sum("amount"), 0))["total"]
            amount = min(amount, rule.daily_cap - earned_today)
        if amount <= 0:
            return None
        try:
            with transaction.atomic():
                entry = PointsEntry.objects.create(member_id=member_id, amount=amount, reason=reason, source_type=source_type,
                                                   source_id=str(source_id), category_id=category_id, created_at=now)
        except IntegrityError:
            return None  # already awarded: this delivery is a repeat
        _apply(account, entry)
    return entry


def reverse(*, member_id: int, original_reason: str, reversal_reason: str, source_type: str, source_id) -> PointsEntry | None:
    """Take back what an award gave (as a negative entry of its own reason), never below a zero balance."""
    with transaction.atomic():
        account = locked_account(member_id)
        original = PointsEntry.objects.filter(member_id=member_id, reason=original_reason, source_type=source_type,
                                              source_id=str(source_id)).first()
        if original is None or original.amount <= 0:
            return None
        amount = min(original.amount, account.balance)
        try:
            with transaction.atomic():
                # The reversal's source names what it reverses, so one post's several awards each reverse once.
                entry = PointsEntry.objects.create(member_id=member_id, amount=-amount, reason=reversal_reason,
                                                   source_type=f"{source_type}/{original_reason}"[:40], source_id=str(source_id),
                                                   category_id=original.category_id, created_at=timezone.now())
        except IntegrityError:
            return None
        _apply(account, entry)
    return entry


def spend(*, account: LoyaltyAccount, amount: int, source_type: str, source_id) -> PointsEntry:
    """Deduct points from an account the caller already locked (a redemption)."""
    entry = PointsEntry.objects.create(member_id=account.member_id, amount=-amount, reason=Reason.REDEMPTION,
                                       source_type=source_type, source_id=str(source_id), created_at=timezone.now())
    _apply(account, entry)
    return entry


def _apply(account: LoyaltyAccount, entry: PointsEntry) -> None:
    account.balance += entry.amount
    if entry.reason != Reason.REDEMPTION:
        account.lifetime_points += entry.amount
        account.score_90d += entry.amount
    account.save(update_fields=["balance", "lifetime_points", "score_90d", "updated_at"])


@dataclass
class Drift:
    member_id: int
    field: str
    stored: int
    ledger: int


def rebuild_accounts(*, fix: bool = True) -> list[Drift]:
    """Re-derive every account from the ledger; returns what differed (and fixes it when asked)."""
    since = timezone.now() - SCORE_WINDOW
    totals = (
        PointsEntry.objects.values("member_id")
        .annotate(
            balance=Sum("amount"),
            lifetime=Coalesce(Sum("amount", filter=~NOT_EARNED), 0),
            score=Coalesce(Sum("amount", filter=~NOT_EARNED & Q(created_at__gte=since)), 0),
        )
    )
    expected = {row["member_id"]: row for row in totals}
    drifts = []
    with transaction.atomic():
        accounts = {a.member_id: a for a in LoyaltyAccount.objects.select_for_update()}
        for member_id in set(expected) - set(accounts):
            accounts[member_id] = LoyaltyAccount.objects.create(member_id=member_id)
        for member_id, account in accounts.items():
            row = expected.get(member_id, {"balance": 0, "lifetime": 0, "score": 0})
            changed = False
            for field, value in (("balance", row["balance"]), ("lifetime_points", row["lifetime"]), ("score_90d", row["score"])):
                if getattr(account, field) != value:
                    drifts.append(Drift(member_id, field, getattr(account, field), value))
                    setattr(account, field, value)
                    changed = True
            if changed and fix:
                account.save(update_fields=["balance", "lifetime_points", "score_90d", "updated_at"])
        if not fix:
            transaction.set_rollback(True)
    return drifts
