"""What each source earns: the one mapping that awarding, reversing, restoring and the rebuild check all read.

A *claim* is one member's right to points for one source, e.g. (author, "reply_posted", "post", "42")
or (the post's author, "like_received", "like", "42:7"). The ledger holds, for each claim, its
*grant* (the first entry, keyed by the claim itself) and then any *corrections*: negative when the
source stops earning (hidden, deleted, unliked, un-accepted, no longer the first reply), positive
when it earns again. Corrections are keyed (member, correction reason, "<source_type>/<reason>",
"<source_id>", then "<source_id>#2", "#3", …), so the ledger stays append-only and every hide /
un-hide cycle has keys of its own.

A claim is worth its grant while its source earns and nothing while it does not. The grant is what
the rule gave when the claim was first awarded (for a capped rule, what the day's cap left, recorded
even when that is 0), so un-hiding gives back exactly what hiding took, whatever the rules say since.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from forums.ideas import IdeaFacts
from forums.selectors import FirstResponse, NewcomerReturn, PostFacts
from loyalty.models import Reason


@dataclass(frozen=True)
class Earning:
    """How one reason is earned: on which kind of source, and which correction takes it back."""

    reason: str
    source_type: str
    # The correction's reason when the source stops earning; None for what is kept once given.
    lost_by: str | None
    # Written through the award log (frequent and uncapped) rather than by a job of its own.
    logged: bool = False


EARNINGS: dict[str, Earning] = {earning.reason: earning for earning in (
    # A thread's opening post, and each reply, while everyone can see it.
    Earning(Reason.THREAD_STARTED, "post", Reason.POST_HIDDEN, logged=True),
    Earning(Reason.REPLY_POSTED, "post", Reason.POST_HIDDEN, logged=True),
    # A newcomer thread's first response from someone other than its author: whoever gave it, as things stand now.
    Earning(Reason.FIRST_REPLY_TO_NEWCOMER, "thread", Reason.FIRST_REPLY_LOST, logged=True),
    # Each like from someone else, while it stands and the post can be seen (the rule's daily cap applies to the grant).
    Earning(Reason.LIKE_RECEIVED, "like", Reason.LIKE_REMOVED),
    # The thread's accepted answer, while it is accepted and can be seen.
    Earning(Reason.ANSWER_ACCEPTED, "post", Reason.ANSWER_UNACCEPTED),
    # Given once and kept: a thank-you, an event attended, a completed profile, a birthday.
    Earning(Reason.KUDOS_RECEIVED, "kudos", None),
    Earning(Reason.EVENT_ATTENDED, "event", None),
    Earning(Reason.PROFILE_COMPLETED, "member", None),
    Earning(Reason.CELEBRATION, "birthday", None),
    # A buddy whose newcomer reached tier 1 (keyed by the newcomer: one buddy is paid per newcomer, once).
    Earning(Reason.BUDDY_NEWCOMER_REACHED_TIER_1, "buddy", None),
    # A newcomer's first answer, once the newcomer came back and posted again: whoever gave it, as things stand now
    # (the answer or the return hidden or deleted, and it is taken back; forums.selectors.NewcomerReturn says what counts).
    Earning(Reason.NEWCOMER_STAYED, "newcomer", Reason.NEWCOMER_STAY_LOST),
    # An idea its author suggested that the team marked done, while it is done and can be seen.
    Earning(Reason.IDEA_DONE, "idea", Reason.IDEA_REOPENED),
)}
LOGGED_REASONS = frozenset(reason for reason, earning in EARNINGS.items() if earning.logged)
# Kinds of source a recomputation from the source rows can judge (the others are their own record: the ledger).
JUDGED_SOURCE_TYPES = ("post", "like", "thread", "kudos", "idea", "newcomer")


@dataclass(frozen=True, order=True)
class Claim:
    member_id: int
    reason: str
    source_type: str
    source_id: str

    @classmethod
    def of_entry(cls, member_id: int, reason: str, source_type: str, source_id: str) -> "Claim":
        """The claim a ledger row belongs to: its own key for a grant, the earning it names for a correction."""
        if "/" in source_type:
            base_type, earned = source_type.split("/", 1)
            return cls(member_id, earned, base_type, source_id.split("#", 1)[0])
        return cls(member_id, reason, source_type, source_id)

    def is_grant(self, reason: str, source_type: str) -> bool:
        return reason == self.reason and source_type == self.source_type

    def correction_key(self, number: int) -> tuple[str, str]:
        """(source_type, source_id) of the claim's `number`-th correction (the first has the same shape as old reversals)."""
        return f"{self.source_type}/{self.reason}", self.source_id if number == 1 else f"{self.source_id}#{number}"


@dataclass(frozen=True)
class Due:
    """What a claim should be worth now: its grant while `earns`, nothing otherwise (taken back as `lost_by`)."""

    claim: Claim
    earns: bool
    lost_by: str | None
    category_id: int | None = None


def _types(source_type: str) -> list[str]:
    return [source_type, *(f"{source_type}/{reason}" for reason, e in EARNINGS.items() if e.source_type == source_type)]


def held_on(source_type: str, source_id) -> Q:
    """Ledger rows of every claim on one source (grants and their corrections), whoever holds them."""
    source_id = str(source_id)
    return Q(source_type__in=_types(source_type)) & (Q(source_id=source_id) | Q(source_id__startswith=f"{source_id}#"))


def source_type_is(source_type: str) -> Q:
    """Ledger rows of every claim on this kind of source (grants and their corrections)."""
    return Q(source_type__in=_types(source_type))


def likes_held_on(post_id: int) -> Q:
    """Ledger rows of every like claim on one post, including likes taken back since."""
    return Q(source_type__in=_types("like"), source_id__startswith=f"{post_id}:")


def judged_sources() -> Q:
    return Q(source_type__in=[t for source_type in JUDGED_SOURCE_TYPES for t in _types(source_type)])


def _due(claim: Claim, earns: bool, *, hidden: bool, category_id: int | None) -> Due:
    # What a hidden or deleted post loses, it loses because it is hidden, whatever else changed.
    return Due(claim, earns, Reason.POST_HIDDEN if hidden else EARNINGS[claim.reason].lost_by, category_id)


def post_claim(facts: PostFacts) -> Claim:
    reason = Reason.THREAD_STARTED if facts.number == 1 else Reason.REPLY_POSTED
    return Claim(facts.author_id, reason, "post", str(facts.post_id))


def like_claim(facts: PostFacts, liker_id: int) -> Claim:
    return Claim(facts.author_id, Reason.LIKE_RECEIVED, "like", f"{facts.post_id}:{liker_id}")


def first_reply_claim(member_id: int, thread_id: int) -> Claim:
    return Claim(member_id, Reason.FIRST_REPLY_TO_NEWCOMER, "thread", str(thread_id))


def post_dues(facts: PostFacts, likers: Iterable[int]) -> list[Due]:
    """Everything a post earns its author now: the post itself, the accepted answer, each like by someone else.
    (The first-reply bonus belongs to the thread: see first_reply_dues.)"""
    hidden, category_id = not facts.is_visible, facts.category_id
    dues = [
        _due(post_claim(facts), facts.is_visible, hidden=hidden, category_id=category_id),
        _due(Claim(facts.author_id, Reason.ANSWER_ACCEPTED, "post", str(facts.post_id)), facts.is_visible and facts.is_accepted_answer,
             hidden=hidden, category_id=category_id),
    ]
    return dues + [like_due(facts, liker_id, liked=True) for liker_id in sorted(likers) if liker_id != facts.author_id]


def like_due(facts: PostFacts, liker_id: int, *, liked: bool) -> Due:
    earns = liked and facts.is_visible and liker_id != facts.author_id
    return _due(like_claim(facts, liker_id), earns, hidden=not facts.is_visible, category_id=facts.category_id)


def first_reply_dues(first: FirstResponse, holders: Iterable[int]) -> list[Due]:
    """The thread's first-reply bonus: due to whoever gave its first response now, taken from anyone who held it before."""
    earning = first.is_newcomer_thread and not first.is_thread_deleted and first.responder_id is not None
    responder_id = first.responder_id if earning else None
    members = set(holders) | ({responder_id} if responder_id else set())
    lost_by = Reason.POST_HIDDEN if first.is_thread_deleted else Reason.FIRST_REPLY_LOST
    return [Due(first_reply_claim(member_id, first.thread_id), member_id == responder_id, lost_by, first.category_id)
            for member_id in sorted(members)]


def stay_claim(responder_id: int, newcomer_id: int) -> Claim:
    return Claim(responder_id, Reason.NEWCOMER_STAYED, "newcomer", str(newcomer_id))


def stay_dues(newcomer_id: int, found: NewcomerReturn | None, holders: Iterable[int]) -> list[Due]:
    """Credit for a newcomer who stayed: due to whoever gave their first answer now, once they came back;
    taken from anyone who held it before (the answer hidden, the return deleted, another reply first now)."""
    responder_id = found.responder_id if found is not None and found.came_back else None
    members = set(holders) | ({responder_id} if responder_id else set())
    category_id = found.category_id if found is not None else None
    return [Due(stay_claim(member_id, newcomer_id), member_id == responder_id, Reason.NEWCOMER_STAY_LOST, category_id)
            for member_id in sorted(members)]


def unfounded(claim: Claim, *, hidden: bool = False) -> Due | None:
    """A claim the ledger holds but no source makes now (a like taken back, a moved answer): worth nothing,
    unless its earning is one that is kept once given."""
    earning = EARNINGS.get(claim.reason)
    if earning is None or earning.lost_by is None:
        return None
    return Due(claim, False, Reason.POST_HIDDEN if hidden else earning.lost_by)


def logged_event_earns(claim: Claim, facts: PostFacts | None) -> bool:
    """Whether an award-log event is still due as it is written: the post may have been hidden or deleted,
    or may no longer be its thread's first response, since it was posted."""
    if facts is None or facts.author_id != claim.member_id or not facts.is_visible:
        return False
    if claim.reason == Reason.FIRST_REPLY_TO_NEWCOMER:
        return facts.is_newcomer_thread and facts.is_first_response and claim == first_reply_claim(facts.author_id, facts.thread_id)
    return claim == post_claim(facts)


def kudos_due(*, kudos_id: int, receiver_id: int) -> Due:
    return Due(Claim(receiver_id, Reason.KUDOS_RECEIVED, "kudos", str(kudos_id)), True, None)


def event_due(*, event_id: int, member_id: int, category_id: int | None = None) -> Due:
    return Due(Claim(member_id, Reason.EVENT_ATTENDED, "event", str(event_id)), True, None, category_id)


def buddy_due(*, buddy_id: int, newcomer_id: int) -> Due:
    return Due(Claim(buddy_id, Reason.BUDDY_NEWCOMER_REACHED_TIER_1, "buddy", str(newcomer_id)), True, None)


def profile_due(*, member_id: int, complete: bool) -> Due:
    return Due(Claim(member_id, Reason.PROFILE_COMPLETED, "member", str(member_id)), complete, None)


def idea_due(facts: IdeaFacts) -> Due:
    """An idea earns its author while it is done and everyone can see it; moved back out of done (or hidden) it earns nothing."""
    earns = facts.is_visible_idea and facts.status == "done"
    lost_by = Reason.IDEA_REOPENED if facts.is_visible_idea else Reason.POST_HIDDEN
    return Due(Claim(facts.author_id, Reason.IDEA_DONE, "idea", str(facts.thread_id)), earns, lost_by, facts.category_id)
