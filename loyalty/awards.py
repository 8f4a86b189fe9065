"""Awarding, reversing and restoring are one step: settle a source against what loyalty.earnings says it earns now.

Jobs never trust what a signal said. Each takes the account lock of every member holding a claim on
the source, reads the source back through the forum's selectors, and appends the difference
(loyalty.ledger.settle). Whatever order the deliveries come in, and however often they repeat, the
ledger ends the same: what the source rows say.
"""

from django.db import transaction

from community.buddies.selectors import buddy_at_tier_1
from forums.ideas import idea_facts
from forums.selectors import (
    PostFacts,
    first_response_of,
    has_liked,
    likers_of,
    newcomer_return_of,
    post_facts,
    thread_post_authors,
    thread_post_ids,
)
from loyalty import earnings, ledger
from loyalty.models import PointsEntry


def settle_post(post_id: int) -> PostFacts | None:
    """The post's own points, its accepted answer and its likes, as the post stands now; its facts, or None if it is gone."""
    facts = post_facts(post_id)  # only for its author, who never changes: the facts that count are read under the lock
    if facts is None:
        return None
    with transaction.atomic():
        accounts = ledger.lock_accounts([facts.author_id])
        facts = post_facts(post_id)
        held = ledger.claims_held([facts.author_id], earnings.held_on("post", post_id) | earnings.likes_held_on(post_id))
        dues = earnings.post_dues(facts, likers_of(post_id))
        due_claims = {due.claim for due in dues}
        dues += [due for claim in held if claim not in due_claims
                 if (due := earnings.unfounded(claim, hidden=not facts.is_visible)) is not None]
        ledger.settle(accounts, dues, held)
    return facts


def settle_like(post_id: int, liker_id: int) -> PostFacts | None:
    """One like's point, as the like and the post stand now."""
    facts = post_facts(post_id)
    if facts is None:
        return None
    with transaction.atomic():
        accounts = ledger.lock_accounts([facts.author_id])
        facts = post_facts(post_id)
        due = earnings.like_due(facts, liker_id, liked=has_liked(post_id=post_id, member_id=liker_id))
        held = ledger.claims_held([facts.author_id], earnings.held_on("like", due.claim.source_id))
        ledger.settle(accounts, [due], held)
    return facts


def settle_first_reply(thread_id: int) -> list[PointsEntry]:
    """The thread's first-reply bonus: to whoever gave its first response now, back from anyone who held it before."""
    with transaction.atomic():
        ledger.lock_first_replies([thread_id])
        first = first_response_of(thread_id)
        if first is None:
            return []
        dues = earnings.first_reply_dues(first, ledger.first_reply_holders(thread_id))
        accounts = ledger.lock_accounts(due.claim.member_id for due in dues)
        held = ledger.claims_held(accounts, earnings.held_on("thread", thread_id))
        return ledger.settle(accounts, dues, held)


def settle_shown_or_hidden(post_id: int) -> list[PointsEntry]:
    """After a post was hidden, shown again or deleted: everything it earned, its thread's first-reply bonus, and the
    credit for a newcomer who stayed (the post may be the newcomer's return, or the answer they came back after).
    Deleting an opening post deletes its thread, so then every post in the thread is settled too.
    Returns the stay credits written (granted ones are news to their new holders)."""
    facts = settle_post(post_id)
    if facts is None:
        return []
    if facts.number == 1:
        for other_id in thread_post_ids(facts.thread_id)[1:]:
            settle_post(other_id)
    settle_first_reply(facts.thread_id)
    return settle_stays_in_thread(facts.thread_id, also=[facts.author_id], everyone=facts.number == 1)


def settle_newcomer_stay(newcomer_id: int) -> list[PointsEntry]:
    """The credit for a newcomer who came back and posted again: to whoever gave their first answer now, back
    from anyone who held it before. One writer per newcomer at a time (an advisory lock, taken before accounts)."""
    with transaction.atomic():
        ledger.lock_newcomer_stay(newcomer_id)
        dues = earnings.stay_dues(newcomer_id, newcomer_return_of(newcomer_id), ledger.stay_holders(newcomer_id))
        if not dues:
            return []
        accounts = ledger.lock_accounts(due.claim.member_id for due in dues)
        held = ledger.claims_held(accounts, earnings.held_on("newcomer", newcomer_id))
        return ledger.settle(accounts, dues, held)


def settle_stays_in_thread(thread_id: int, *, also: list[int] = (), everyone: bool = False) -> list[PointsEntry]:
    """After a thread's first response moved: its author's stay credit (the answer they came back after may be another
    now), and `also` these members' (a post of theirs hidden or shown may be their return); `everyone`: every author in it."""
    first = first_response_of(thread_id)
    newcomer_ids = {first.author_id} if first is not None else set()
    newcomer_ids |= set(also) | (set(thread_post_authors(thread_id)) if everyone else set())
    return [entry for newcomer_id in sorted(newcomer_ids) for entry in settle_newcomer_stay(newcomer_id)]


def settle_kudos(*, kudos_id: int, receiver_id: int) -> list[PointsEntry]:
    with transaction.atomic():
        accounts = ledger.lock_accounts([receiver_id])
        held = ledger.claims_held(accounts, earnings.held_on("kudos", kudos_id))
        return ledger.settle(accounts, [earnings.kudos_due(kudos_id=kudos_id, receiver_id=receiver_id)], held)


def settle_event(*, event_id: int, member_id: int, category_id: int | None = None) -> list[PointsEntry]:
    """Coming to an event earns once and is kept (the check-in is its own record)."""
    with transaction.atomic():
        accounts = ledger.lock_accounts([member_id])
        held = ledger.claims_held(accounts, earnings.held_on("event", event_id))
        return ledger.settle(accounts, [earnings.event_due(event_id=event_id, member_id=member_id, category_id=category_id)], held)


def settle_buddy(*, newcomer_id: int) -> list[PointsEntry]:
    """The newcomer reached tier 1: their buddy's points (community.buddies says who), once and kept."""
    buddy_id = buddy_at_tier_1(newcomer_id)
    if buddy_id is None:
        return []
    with transaction.atomic():
        accounts = ledger.lock_accounts([buddy_id])
        held = ledger.claims_held(accounts, earnings.held_on("buddy", newcomer_id))
        return ledger.settle(accounts, [earnings.buddy_due(buddy_id=buddy_id, newcomer_id=newcomer_id)], held)


def settle_profile(*, member_id: int, complete: bool) -> list[PointsEntry]:
    with transaction.atomic():
        accounts = ledger.lock_accounts([member_id])
        held = ledger.claims_held(accounts, earnings.held_on("member", member_id))
        return ledger.settle(accounts, [earnings.profile_due(member_id=member_id, complete=complete)], held)


def settle_idea(thread_id: int, *, only_if_done: bool = False) -> list[PointsEntry]:
    """The idea's points for its author, as the idea stands now (done and visible, or not): granted once, taken back, restored.

    `only_if_done`: after a hide or delete, where only a done idea can hold points (every status change settles itself)."""
    facts = idea_facts(thread_id)
    if facts is None or (only_if_done and facts.status != "done"):
        return []
    with transaction.atomic():
        accounts = ledger.lock_accounts([facts.author_id])
        facts = idea_facts(thread_id)
        held = ledger.claims_held([facts.author_id], earnings.held_on("idea", thread_id))
        return ledger.settle(accounts, [earnings.idea_due(facts)], held)
