"""The points ledger: grant, settle (reverse and restore), spend, rebuild. Append-only, idempotent by its unique key;
accounts move in the same transaction, under the account's row lock."""

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from loyalty import earnings
from loyalty.defaults import EARNING_RULES
from loyalty.earnings import Claim, Due
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


def lock_accounts(member_ids: Iterable[int]) -> dict[int, LoyaltyAccount]:
    """The members' account rows, created if needed and locked until the transaction ends. Always
    taken in member order, so two transactions locking several accounts never deadlock."""
    ids = sorted(set(member_ids))
    existing = set(LoyaltyAccount.objects.filter(member_id__in=ids).values_list("member_id", flat=True))
    if len(existing) < len(ids):  # inserting a thousand rows that are there already is most of a batch's cost
        LoyaltyAccount.objects.bulk_create([LoyaltyAccount(member_id=m) for m in ids if m not in existing], ignore_conflicts=True)
    locked = LoyaltyAccount.objects.select_for_update().filter(member_id__in=ids).order_by("member_id")
    return {account.member_id: account for account in locked}


def locked_account(member_id: int) -> LoyaltyAccount:
    """The member's account row, created if needed and locked until the transaction ends."""
    return lock_accounts([member_id])[member_id]


# Transaction-scoped advisory locks, one per thread, taken before any account row: whoever writes a
# thread's first-reply bonus (the award log, a settle) holds it, so the bonus moves between members
# one writer at a time. The first number says what is locked, so the keys are nobody else's.
_FIRST_REPLY_LOCK = 0x4C59  # "LY"


def lock_first_replies(thread_ids: Iterable[int]) -> None:
    with connection.cursor() as cursor:
        for thread_id in sorted(set(thread_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_FIRST_REPLY_LOCK, thread_id % 2**31])


_NEWCOMER_STAY_LOCK = 0x4E53  # "NS": one per newcomer, for the credit of the member who helped them stay


def lock_newcomer_stay(newcomer_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_NEWCOMER_STAY_LOCK, newcomer_id % 2**31])


def stay_holders(newcomer_id: int) -> set[int]:
    """Members ever credited with this newcomer's return (some may have lost it since)."""
    return set(PointsEntry.objects.filter(reason=Reason.NEWCOMER_STAYED, source_type="newcomer", source_id=str(newcomer_id))
               .values_list("member_id", flat=True))


def first_reply_holders(thread_id: int) -> set[int]:
    """Members ever granted this thread's first-reply bonus (some may have lost it since)."""
    return set(PointsEntry.objects.filter(reason=Reason.FIRST_REPLY_TO_NEWCOMER, source_type="thread", source_id=str(thread_id))
               .values_list("member_id", flat=True))


def first_reply_claims_held(claims) -> set:
    """Which of these first-reply claims the ledger already has a row for (granted once, maybe lost since)."""
    if not claims:
        return set()
    thread_ids = {claim.source_id for claim in claims}
    held = set(PointsEntry.objects.filter(reason=Reason.FIRST_REPLY_TO_NEWCOMER, source_type="thread", source_id__in=thread_ids)
               .values_list("member_id", "source_id"))
    return {claim for claim in claims if (claim.member_id, claim.source_id) in held}


def claims_held(member_ids: Iterable[int], where: Q) -> dict[Claim, list[PointsEntry]]:
    """The members' ledger rows matching `where`, by the claim each belongs to."""
    held: dict[Claim, list[PointsEntry]] = defaultdict(list)
    for entry in PointsEntry.objects.filter(where, member_id__in=list(member_ids)).order_by("id"):
        held[Claim.of_entry(entry.member_id, entry.reason, entry.source_type, entry.source_id)].append(entry)
    return held


def claims_still_earning(member_id: int, source_type: str) -> int:
    """How many of the member's claims on this kind of source are worth something now (granted, not all taken back)."""
    return sum(1 for rows in claims_held([member_id], earnings.source_type_is(source_type)).values() if sum(row.amount for row in rows) > 0)


def settle(accounts: dict[int, LoyaltyAccount], dues: Iterable[Due], held: dict[Claim, list[PointsEntry]]) -> list[PointsEntry]:
    """Append what brings each claim to what it is due now: its grant, or a correction of the difference.

    The caller holds the accounts' locks and read `dues` and `held` after taking them, so no other
    writer moves these claims before it commits; running it again finds nothing to do.
    """
    now = timezone.now()
    written = []
    for due in dues:
        entry = _settle_claim(accounts[due.claim.member_id], due, held.get(due.claim, []), now)
        if entry is not None:
            written.append(entry)
    return written


def _settle_claim(account: LoyaltyAccount, due: Due, rows: list[PointsEntry], now) -> PointsEntry | None:
    claim = due.claim
    grant = next((row for row in rows if claim.is_grant(row.reason, row.source_type)), None)
    if grant is None:
        return _grant(account, claim, category_id=due.category_id, now=now) if due.earns else None
    change = (grant.amount if due.earns else 0) - sum(row.amount for row in rows)
    if change < 0:
        if due.lost_by is None:
            return None  # kept once given
        # Never below a zero balance: what the member has already spent is taken by a later settle, once they have it.
        change = -min(-change, account.balance)
    if change == 0:
        return None
    source_type, source_id = claim.correction_key(len(rows))  # the grant and n-1 corrections so far: this is the n-th
    return _write(account, PointsEntry(member_id=claim.member_id, amount=change, reason=due.lost_by if change < 0 else Reason.RESTORED,
                                       source_type=source_type, source_id=source_id, category_id=grant.category_id, created_at=now))


def _grant(account: LoyaltyAccount, claim: Claim, *, category_id: int | None, now, amount: int | None = None) -> PointsEntry | None:
    """A claim's first entry: the rule's amount (or `amount`), within the rule's daily cap. A capped grant is
    written even when the cap leaves nothing, so the claim keeps that verdict when it is settled again."""
    rule = rule_for(claim.reason)
    if amount is None:
        if rule is None or not rule.is_active:
            return None
        amount = rule.amount
    if rule is not None and rule.daily_cap is not None:
        start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        earned_today = PointsEntry.objects.filter(member_id=claim.member_id, reason=claim.reason, created_at__gte=start_of_day).aggregate(
            total=Coalesce(Sum("amount"), 0))["total"]
        amount = max(0, min(amount, rule.daily_cap - earned_today))
    elif amount <= 0:
        return None
    return _write(account, PointsEntry(member_id=claim.member_id, amount=amount, reason=claim.reason, source_type=claim.source_type,
                                       source_id=claim.source_id, category_id=category_id, created_at=now))


def _write(account: LoyaltyAccount, entry: PointsEntry) -> PointsEntry | None:
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        return None  # written already: this delivery is a repeat
    if entry.amount:
        _apply(account, entry)
    return entry


def award(*, member_id: int, reason: str, source_type: str, source_id, category_id: int | None = None,
          amount: int | None = None) -> PointsEntry | None:
    """Grant a claim once: the rule's amount (or `amount`), within its daily cap; None if nothing was written.
    For what is kept once given (see loyalty.earnings); what follows a source is settled (loyalty.awards)."""
    with transaction.atomic():
        account = locked_account(member_id)
        return _grant(account, Claim(member_id, reason, source_type, str(source_id)), category_id=category_id,
                      now=timezone.now(), amount=amount)


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
        accounts = {a.member_id: a for a in LoyaltyAccount.objects.select_for_update().order_by("member_id")}
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
