"""Award jobs fed by domain signals. Each takes ids and settles from the source rows, so a second run is a no-op."""

import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop, override

from community.jobs import job
from community.members.models import Tier
from community.notifications.messages import message
from community.notifications.models import Kind
from community.notifications.services import notify
from forums.selectors import STAYED_WITHIN, newcomer_return_of, newcomers_answered_since
from loyalty import award_log, awards, badges, ledger, tiers
from loyalty.models import Kudos, Reason, StandingCheck

logger = logging.getLogger(__name__)
User = get_user_model()
# Tier and badge checks cost a few counts; after a burst of events for one member, once a minute is enough.
STANDING_CHECK_EVERY = 60


def refresh_standing(member_id: int, *, force: bool = False) -> None:
    """Recompute tier and badges for a member now (force), or mark them for the beat job that runs
    every 30 seconds (one mark per member per minute); notify what changed."""
    if not force:
        if cache.add(f"loyalty:standing:{member_id}", 1, timeout=STANDING_CHECK_EVERY):
            StandingCheck.objects.bulk_create([StandingCheck(member_id=member_id)], ignore_conflicts=True)
        return
    member = User.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return
    change = tiers.recompute_tier(member)
    if change:
        member.refresh_from_db(fields=["tier"])  # the tier badges read the new tier
        notify_tier_change(member, change)
        if change.old == Tier.NEWCOMER and change.new >= Tier.MEMBER:
            thank_the_buddy(member)
    for award in badges.award_earned_badges(member, tiers.stats_for(member)):
        # The English name (a msgid): the notification is put into words in the reader's language when shown.
        notify(recipient=member, kind=Kind.BADGE, dedupe_key=f"badge:{award.pk}", text=award.badge.name)


def thank_the_buddy(newcomer) -> None:
    """A newcomer reached tier 1: their buddy earns the points for it and hears of it (once: the ledger's and the
    notification's keys are the newcomer's)."""
    for entry in awards.settle_buddy(newcomer_id=newcomer.pk):
        buddy = User.objects.filter(pk=entry.member_id).first()
        if buddy is None:
            continue
        said = message(gettext_noop("%(newcomer)s, a newcomer you were a buddy to, reached tier 1 (Member): %(points)s points "
                                    "for you. Thank you."), newcomer=newcomer.name, points=entry.amount)
        notify(recipient=buddy, kind=Kind.BUDDY, dedupe_key=f"buddy:tier-1:{newcomer.pk}", actor=newcomer, message=said)
        refresh_standing(buddy.pk)


def notify_tier_change(member, change) -> None:
    with override("en"):  # a msgid, shown in the reader's language (notifications/_text.txt)
        label = str(Tier(change.new).label)
    notify(recipient=member, kind=Kind.TIER_CHANGED, dedupe_key=f"tier:{change.new}:{timezone.now():%Y%m%d%H%M%S}", text=label)


@job(name="loyalty.refresh_due_standing")
def refresh_due_standing(limit: int = 1_000) -> int:
    """Beat, every 30 s: tier and badge checks for members marked by recent awards."""
    with transaction.atomic():
        due = list(StandingCheck.objects.select_for_update(skip_locked=True).order_by("due_since").values_list("member_id", flat=True)[:limit])
        StandingCheck.objects.filter(member_id__in=due).delete()
    for member_id in due:
        refresh_standing(member_id, force=True)
    return len(due)


@job(name="loyalty.drain_award_log")
def drain_award_log() -> int:
    """Write the award log to the ledger (see loyalty.award_log); check standing at once where it matters."""
    read, check_now, posted_by = award_log.drain()
    for member_id in check_now:
        refresh_standing(member_id, force=True)
    settle_returns(posted_by)
    return read


@job(name="loyalty.award_one")
def award_one(member_id: int, reason: str, source_type: str, source_id: str, category_id: int | None, post_id: int | None) -> None:
    """One logged award that could not reach Redis, sent again by `requeue_jobs`."""
    award_log.write_batch([[member_id, reason, source_type, source_id, category_id, post_id]])
    if reason in award_log.POSTED:
        settle_returns({member_id})


def settle_returns(posted_by: set[int]) -> None:
    """Members who just posted: for each newcomer among them answered lately, this post may be their return,
    which earns the member whose answer they came back after (loyalty.earnings, NEWCOMER_STAYED)."""
    if not posted_by:
        return
    since = timezone.now() - STAYED_WITHIN
    for newcomer_id in newcomers_answered_since(posted_by, since=since):
        tell_stays(awards.settle_newcomer_stay(newcomer_id))


def tell_stays(entries) -> None:
    """Tell each member newly credited with a newcomer's return, and check their badges ("Anchor": five who stayed)."""
    for entry in entries:
        if entry.reason != Reason.NEWCOMER_STAYED:
            continue  # a correction: taken back or restored, nothing to announce
        member = User.objects.filter(pk=entry.member_id, is_active=True).first()
        newcomer_id = int(entry.source_id)
        found = newcomer_return_of(newcomer_id)
        newcomer = User.objects.filter(pk=newcomer_id).first()
        if member is None or found is None or newcomer is None:
            continue
        notify(recipient=member, kind=Kind.NEWCOMER_STAYED, dedupe_key=f"stayed:{newcomer_id}:{member.pk}", actor=newcomer,
               thread_id=found.thread_id)
        refresh_standing(member.pk, force=True)


# Every job below settles a source (loyalty.awards): it reads the source back rather than trusting the
# signal, so a late, repeated or out-of-order delivery changes nothing that is already right.


@job(name="loyalty.like_received")
def like_received(post_id: int, liker_id: int) -> None:
    facts = awards.settle_like(post_id, liker_id)
    if facts is not None:
        refresh_standing(facts.author_id)
        refresh_standing(liker_id)


@job(name="loyalty.like_removed")
def like_removed(post_id: int, liker_id: int) -> None:
    awards.settle_like(post_id, liker_id)


@job(name="loyalty.post_hidden")
def post_hidden(post_id: int) -> None:
    """Hidden or deleted: whatever the post earned goes back, its likes, answer and first-reply bonus included."""
    tell_stays(awards.settle_shown_or_hidden(post_id))


@job(name="loyalty.post_unhidden")
def post_unhidden(post_id: int) -> None:
    """Shown again: what hiding took comes back."""
    tell_stays(awards.settle_shown_or_hidden(post_id))


@job(name="loyalty.first_response_changed")
def first_response_changed(thread_id: int) -> None:
    for entry in awards.settle_first_reply(thread_id):
        if entry.amount > 0:
            refresh_standing(entry.member_id, force=True)
    tell_stays(awards.settle_stays_in_thread(thread_id))


@job(name="loyalty.answer_accepted")
def answer_accepted(post_id: int, previous_post_id: int | None = None) -> None:
    facts = awards.settle_post(post_id)
    if previous_post_id:
        awards.settle_post(previous_post_id)
    if facts is not None:
        refresh_standing(facts.author_id, force=True)


@job(name="loyalty.answer_unaccepted")
def answer_unaccepted(post_id: int) -> None:
    awards.settle_post(post_id)


@job(name="loyalty.kudos_sent")
def kudos_sent(kudos_id: int) -> None:
    kudos = Kudos.objects.select_related("sender", "receiver").filter(pk=kudos_id).first()
    if kudos is None:
        return
    awards.settle_kudos(kudos_id=kudos.pk, receiver_id=kudos.receiver_id)
    notify(recipient=kudos.receiver, kind=Kind.KUDOS, dedupe_key=f"kudos:{kudos.pk}", actor=kudos.sender, text=kudos.message)
    refresh_standing(kudos.sender_id, force=True)


@job(name="loyalty.event_attended")
def event_attended(event_id: int, member_id: int, category_id: int | None = None) -> None:
    """Checked in at an event: the event-attended points (once per member and event), then badges."""
    awards.settle_event(event_id=event_id, member_id=member_id, category_id=category_id)
    refresh_standing(member_id, force=True)


@job(name="loyalty.profile_updated")
def profile_updated(member_id: int) -> None:
    member = User.objects.filter(pk=member_id).select_related("profile").first()
    if member is None:
        return
    profile = getattr(member, "profile", None)
    complete = bool(profile and member.display_name and profile.bio and profile.interests.exists())
    awards.settle_profile(member_id=member_id, complete=complete)
    refresh_standing(member_id)  # a profile and interests are first steps: tier 1 may follow


@job(name="loyalty.refresh_all_standing")
def refresh_all_standing() -> int:
    """Nightly: every active member's tier and badges, and the 90-day scores re-derived from the ledger."""
    changed = 0
    for member_id in User.objects.filter(is_active=True).values_list("pk", flat=True).iterator():
        refresh_standing(member_id, force=True)
        changed += 1
    ledger.rebuild_accounts()
    return changed


@job(name="loyalty.celebrate_today")
def celebrate_today() -> int:
    from loyalty.celebrations import celebrate

    return celebrate(timezone.localdate())


# -- Ideas


@job(name="loyalty.idea_status_changed")
def idea_status_changed(thread_id: int) -> None:
    """An idea's status changed: its author's points for a done idea are granted, taken back or restored."""
    for entry in awards.settle_idea(thread_id):
        if entry.amount > 0:
            refresh_standing(entry.member_id)


@job(name="loyalty.idea_shown_or_hidden")
def idea_shown_or_hidden(thread_id: int) -> None:
    """A post of a thread was hidden, shown or deleted: if the thread is a done idea, its points follow whether it can be seen."""
    awards.settle_idea(thread_id, only_if_done=True)
