"""What the ledger should hold, recomputed from the source rows through loyalty.earnings.

`loyalty_rebuild --check` and the property test compare it with the ledger, claim by claim. A claim
is worth its grant while its source earns (a grant depends on the rule and, for capped rules, on the
day it was written, so it is read from the ledger); a claim that earns but was never granted is
worth what its rule gives now, so a missing award shows as drift. Kinds of source that are their
own record (an event attended, a completed profile, a birthday, test grants) are not judged.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from forums.ideas import facts_of_ideas_by
from forums.selectors import facts_of_posts_by, likes_on_posts_by, newcomer_first_responses, newcomer_returns_answered_by
from loyalty import earnings, ledger
from loyalty.earnings import Claim, Due
from loyalty.models import Kudos, PointsEntry

BATCH = 1_000


@dataclass(frozen=True)
class SourceDrift:
    claim: Claim
    held: int  # what the ledger gives the claim
    due: int  # what the source rows say it is worth


def dues_of(member_ids: Iterable[int]) -> dict[Claim, Due]:
    """Every claim these members' sources make now, and whether each earns."""
    ids = list(member_ids)
    likers: dict[int, set[int]] = defaultdict(set)
    for post_id, liker_id in likes_on_posts_by(ids):
        likers[post_id].add(liker_id)
    dues = [due for facts in facts_of_posts_by(ids) for due in earnings.post_dues(facts, likers[facts.post_id])]
    dues += [due for first in newcomer_first_responses(ids) for due in earnings.first_reply_dues(first, ())]
    dues += [earnings.kudos_due(kudos_id=kudos_id, receiver_id=receiver_id)
             for kudos_id, receiver_id in Kudos.objects.filter(receiver_id__in=ids).values_list("pk", "receiver_id")]
    dues += [earnings.idea_due(facts) for facts in facts_of_ideas_by(ids)]
    dues += [due for found in newcomer_returns_answered_by(ids) for due in earnings.stay_dues(found.newcomer_id, found, ())]
    return {due.claim: due for due in dues}


def worth(due: Due, rows: list[PointsEntry]) -> int:
    """What a claim is worth now: while it earns, its grant (or, never granted, what its rule gives); else nothing."""
    if not due.earns:
        return 0
    grant = next((row for row in rows if due.claim.is_grant(row.reason, row.source_type)), None)
    if grant is not None:
        return grant.amount
    rule = ledger.rule_for(due.claim.reason)
    if rule is None or not rule.is_active:
        return 0
    return rule.amount if rule.daily_cap is None else min(rule.amount, rule.daily_cap)


def source_drift(member_ids: Iterable[int] | None = None, *, batch: int = BATCH) -> list[SourceDrift]:
    """Claims whose points in the ledger differ from what their sources say (all members unless given)."""
    ids = list(member_ids) if member_ids is not None else list(get_user_model().objects.order_by("pk").values_list("pk", flat=True))
    drifts = []
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        dues = dues_of(chunk)
        held = ledger.claims_held(chunk, earnings.judged_sources())
        for claim in sorted(set(dues) | set(held)):
            due = dues.get(claim) or earnings.unfounded(claim)
            if due is None:
                continue  # kept once given, though its source is gone
            rows = held.get(claim, [])
            points, expected = sum(row.amount for row in rows), worth(due, rows)
            if points != expected:
                drifts.append(SourceDrift(claim, points, expected))
    return drifts
