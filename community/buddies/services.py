"""Buddies: volunteering (opt in, change, opt out), matching a newcomer to a buddy, rematching, telling the buddy of posts.

Locks. Every write that changes a volunteer's load holds that volunteer's row lock, taken by
`_lock_volunteers` for every active volunteer at once, in primary-key order (so two matchers, or a
matcher and an opting-out buddy, never deadlock: they queue). Under those locks the load each
candidate shows is the committed truth, so no cap is over-filled. A newcomer's second open match is
refused by the partial unique constraint (buddy_match_one_open_per_newcomer), caught here as "already
matched": a job or signal that runs twice doubles nothing.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from community import permissions
from community.buddies import selectors
from community.buddies.models import MAX_CAP, BuddyMatch, BuddyVolunteer
from community.notifications.messages import Moment, message
from community.notifications.models import Kind
from community.notifications.services import notify

MAX_INTERESTS = 10


def _lock_volunteers(*, also_member_id: int | None = None) -> list[int]:
    """Lock every active volunteer row (and `also_member_id`'s, active or not) in primary-key order."""
    rows = Q(is_active=True) | Q(member_id=also_member_id) if also_member_id else Q(is_active=True)
    return list(BuddyVolunteer.objects.select_for_update().filter(rows).order_by("pk").values_list("pk", flat=True))


# -- volunteering -------------------------------------------------------------------------------------

def check_volunteer(*, interests, cap) -> None:
    if not interests:
        raise ValidationError(_("Choose at least one tag you know about: newcomers who care about it come to you first."))
    if len(interests) > MAX_INTERESTS:
        raise ValidationError(_("Choose at most %(max)d tags.") % {"max": MAX_INTERESTS})
    if cap is None or not 1 <= cap <= MAX_CAP:
        raise ValidationError(_("A buddy takes between 1 and %(max)d newcomers at once.") % {"max": MAX_CAP})


def volunteer_opt_in(*, member, interests, cap: int, now=None) -> BuddyVolunteer:
    """Offer to be a buddy, or change one's interests and cap. The cap cannot go below the newcomers one has
    now (checked under the row lock that matching takes too): they keep their buddy."""
    interests = list(interests)
    check_volunteer(interests=interests, cap=cap)
    now = now or timezone.now()
    with transaction.atomic():
        BuddyVolunteer.objects.bulk_create([BuddyVolunteer(member=member, cap=cap, opted_in_at=now)], ignore_conflicts=True)
        volunteer = BuddyVolunteer.objects.select_for_update().get(member=member)
        load = selectors.open_matches(now).filter(buddy_id=member.pk).count()
        if cap < load:
            raise ValidationError(_("You are the buddy of %(count)d newcomers now: choose a limit of at least %(count)d, "
                                    "or stop being a buddy (they will be matched to someone else).") % {"count": load})
        if not volunteer.is_active:
            volunteer.is_active, volunteer.opted_in_at, volunteer.opted_out_at = True, now, None
        volunteer.cap = cap
        volunteer.save(update_fields=["is_active", "opted_in_at", "opted_out_at", "cap"])
        volunteer.interests.set(interests)
    return volunteer


def volunteer_opt_out(*, member, reason: str = BuddyMatch.EndedReason.BUDDY_OPTED_OUT, now=None) -> list[BuddyMatch]:
    """Stop being a buddy: each newcomer one has (still in their fortnight) is matched to someone else and told.

    Returns the new matches. Opting out twice changes nothing the second time."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_volunteers(also_member_id=member.pk)
        volunteer = BuddyVolunteer.objects.filter(member_id=member.pk).first()
        if volunteer is None or not volunteer.is_active:
            return []
        volunteer.is_active, volunteer.opted_out_at = False, now
        volunteer.save(update_fields=["is_active", "opted_out_at"])
        return _end_and_rematch(buddy=member, reason=reason, now=now)


def _end_and_rematch(*, buddy, reason: str, now) -> list[BuddyMatch]:
    """End the buddy's open matches and find each newcomer another buddy. Called under the volunteer locks."""
    leaving = list(BuddyMatch.objects.select_related("newcomer").filter(buddy_id=buddy.pk, ended_at__isnull=True)
                   .order_by("matched_at", "pk"))
    for match in leaving:
        over = match.ends_at <= now
        match.ended_at = match.ends_at if over else now
        match.ended_reason = BuddyMatch.EndedReason.COMPLETED if over else reason
        match.save(update_fields=["ended_at", "ended_reason"])
    made = []
    for match in leaving:
        if match.ended_reason == BuddyMatch.EndedReason.COMPLETED:
            continue
        new = _match_locked(newcomer=match.newcomer, now=now, exclude_ids={buddy.pk}, previous=match)
        if new is not None:
            made.append(new)
        else:
            notify(recipient=match.newcomer, kind=Kind.BUDDY, dedupe_key=f"buddy:lost:{match.pk}", actor=buddy,
                   message=message(gettext_noop("%(previous)s can no longer be your buddy. We will find you another one soon."),
                                   previous=buddy.name))
    return made


def volunteers_review(*, now=None) -> int:
    """Volunteers who lost the right to be buddies (tier, sanction, account gone) stop, and their newcomers are rematched."""
    stopped = 0
    for volunteer in selectors.volunteers_no_longer_eligible():
        volunteer_opt_out(member=volunteer.member, reason=BuddyMatch.EndedReason.BUDDY_INELIGIBLE, now=now)
        stopped += 1
    return stopped


def member_leave(*, member, now=None) -> list[BuddyMatch]:
    """A member who deleted their account. As a buddy they stop, as `volunteer_opt_out` does it: each newcomer
    they had is matched to someone else and told. As a newcomer their match ends, which frees their buddy's
    place. Returns the new matches."""
    now = now or timezone.now()
    with transaction.atomic():
        made = volunteer_opt_out(member=member, now=now)
        mine = BuddyMatch.objects.filter(newcomer_id=member.pk, ended_at__isnull=True).first()
        if mine is not None:
            _lock_volunteers(also_member_id=mine.buddy_id)
            mine = BuddyMatch.objects.select_for_update().get(pk=mine.pk)
            if mine.ended_at is None:
                over = mine.ends_at <= now
                mine.ended_at = mine.ends_at if over else now
                mine.ended_reason = BuddyMatch.EndedReason.COMPLETED if over else BuddyMatch.EndedReason.NEWCOMER_LEFT
                mine.save(update_fields=["ended_at", "ended_reason"])
    return made


# -- matching -------------------------------------------------------------------------------------------

def match_newcomer(*, newcomer, now=None, by_interests: bool = True) -> BuddyMatch | None:
    """Give a newcomer a buddy, if they may have one and someone is free; both are told. None when the
    newcomer has a buddy already, is no longer in their first two weeks, or nobody is free (a later run tries again)."""
    now = now or timezone.now()
    if not selectors.newcomer_may_be_matched(newcomer, now):
        return None
    with transaction.atomic():
        _lock_volunteers()
        return _match_locked(newcomer=newcomer, now=now, by_interests=by_interests)


def _match_locked(*, newcomer, now, exclude_ids=(), previous: BuddyMatch | None = None,
                  by_interests: bool = True) -> BuddyMatch | None:
    if BuddyMatch.objects.filter(newcomer_id=newcomer.pk, ended_at__isnull=True).exists():
        return None  # matched meanwhile (read after the locks: the committed truth)
    ends_at = selectors.window_end_for(newcomer.pk, now)
    if ends_at <= now:
        return None
    volunteer = (selectors.ranked_candidates(newcomer=newcomer, now=now, exclude_ids=exclude_ids, by_interests=by_interests)
                 .select_related("member").first())
    if volunteer is None:
        return None
    try:
        with transaction.atomic():
            match = BuddyMatch.objects.create(newcomer=newcomer, buddy=volunteer.member, matched_at=now, ends_at=ends_at)
    except IntegrityError:
        return None  # another run matched this newcomer first
    _tell_matched(match, previous=previous)
    return match


def _tell_matched(match: BuddyMatch, *, previous: BuddyMatch | None) -> None:
    buddy, newcomer, key = match.buddy, match.newcomer, f"buddy:match:{match.pk}"
    if previous is None:
        said = message(gettext_noop("%(buddy)s is your buddy for your first two weeks: ask them anything, they are here to help."),
                       buddy=buddy.name)
    else:
        said = message(gettext_noop("%(previous)s can no longer be your buddy; %(buddy)s is your buddy now, until %(until)s."),
                       previous=previous.buddy.name, buddy=buddy.name, until=Moment(match.ends_at))
    notify(recipient=newcomer, kind=Kind.BUDDY, dedupe_key=key, actor=buddy, message=said)
    notify(recipient=buddy, kind=Kind.BUDDY, dedupe_key=key, actor=newcomer,
           message=message(gettext_noop("%(newcomer)s is new here and you are their buddy until %(until)s. Say hello!"),
                           newcomer=newcomer.name, until=Moment(match.ends_at)))


def match_waiting_newcomers(*, now=None, limit: int = 500) -> int:
    """The hourly job: close finished fortnights, stop volunteers who may no longer be buddies, and match the
    newcomers still without a buddy a day after joining (least loaded first; shared interests still rank)."""
    now = now or timezone.now()
    matches_complete(now=now)
    volunteers_review(now=now)
    made = 0
    for newcomer in selectors.newcomers_waiting(now)[:limit]:
        if match_newcomer(newcomer=newcomer, now=now) is not None:
            made += 1
    return made


def matches_complete(*, now=None) -> int:
    """Matches whose two weeks are over end as completed (they no longer count for anyone's load already)."""
    now = now or timezone.now()
    return BuddyMatch.objects.filter(ended_at__isnull=True, ends_at__lte=now).update(
        ended_at=F("ends_at"), ended_reason=BuddyMatch.EndedReason.COMPLETED)


# -- telling the buddy of posts -------------------------------------------------------------------------

def buddy_hears_of_post(*, post) -> bool:
    """One notification to the newcomer's buddy for a post written in their fortnight (once per post, by the
    dedupe key: a job run twice tells nobody twice). Only what the buddy may see is told."""
    match = selectors.match_for_post(newcomer_id=post.author_id, posted_at=post.created_at)
    if match is None or not permissions.can_see_post(match.buddy, post, thread=post.thread):
        return False
    said = message(gettext_noop("%(newcomer)s, the newcomer you are a buddy to, posted in “%(title)s”."),
                   newcomer=post.author.name, title=post.thread.title)
    return notify(recipient=match.buddy, kind=Kind.BUDDY, dedupe_key=f"buddy:post:{post.pk}", actor=post.author,
                  thread=post.thread, post=post, message=said) is not None
