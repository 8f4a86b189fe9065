"""Reads about buddies: who may be matched to whom, a buddy's load, a member's buddy or newcomers, and what loyalty asks."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from community import permissions
from community.buddies.models import BuddyMatch, BuddyVolunteer
from community.members.models import Profile, Tier, User
from forums.models import Post

BUDDY_DAYS = 14
BUDDY_WINDOW = timedelta(days=BUDDY_DAYS)
# A newcomer who neither picks interests nor posts is matched by the hourly job after this long.
WAIT_BEFORE_MATCHING = timedelta(hours=24)
LEAVING = (BuddyMatch.EndedReason.BUDDY_OPTED_OUT, BuddyMatch.EndedReason.BUDDY_INELIGIBLE)


def open_matches(now=None):
    """Matches that count: not ended, window still open."""
    return BuddyMatch.objects.filter(ended_at__isnull=True, ends_at__gt=now or timezone.now())


def _count(queryset, group_by: str):
    return Coalesce(Subquery(queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1],
                             output_field=IntegerField()), Value(0))


def load_of(buddy_id_ref, now):
    """The number of newcomers a buddy has now (an expression on OuterRef to the buddy's member id)."""
    return _count(open_matches(now).filter(buddy_id=buddy_id_ref), "buddy_id")


def ranked_candidates(*, newcomer, now, exclude_ids=(), by_interests: bool = True):
    """Volunteers who may take this newcomer now, best first: the most interests shared with the newcomer's,
    then the fewest newcomers already (least loaded), then the longest-serving volunteer.

    Never the newcomer themselves, never a volunteer at their cap, never one who may no longer be a buddy."""
    volunteers = (BuddyVolunteer.objects.filter(is_active=True).filter(permissions.buddy_eligible_members("member__"))
                  .exclude(member_id=newcomer.pk).exclude(member_id__in=list(exclude_ids))
                  .annotate(load=load_of(OuterRef("member_id"), now)).filter(load__lt=F("cap")))
    if by_interests:
        theirs = Profile.interests.through.objects.filter(profile_id=newcomer.pk).values("tag_id")
        shared = BuddyVolunteer.interests.through.objects.filter(buddyvolunteer_id=OuterRef("pk"), tag_id__in=theirs)
        volunteers = volunteers.annotate(shared=_count(shared, "buddyvolunteer_id"))
    else:
        volunteers = volunteers.annotate(shared=Value(0))
    return volunteers.order_by("-shared", "load", "opted_in_at", "pk")


def newcomer_may_be_matched(newcomer, now=None) -> bool:
    """A newcomer (tier 0) in their first 14 days, active, without a buddy now."""
    now = now or timezone.now()
    return (newcomer.is_active and newcomer.tier == Tier.NEWCOMER and now - newcomer.date_joined < BUDDY_WINDOW
            and not BuddyMatch.objects.filter(newcomer_id=newcomer.pk, ended_at__isnull=True).exists())


def window_end_for(newcomer_id: int, now):
    """A newcomer's buddy fortnight starts with their first match; a rematch keeps it."""
    first = BuddyMatch.objects.filter(newcomer_id=newcomer_id).order_by("matched_at").values_list("matched_at", flat=True).first()
    return (first or now) + BUDDY_WINDOW


def newcomers_waiting(now=None):
    """Verified newcomers here at least a day (and under two weeks) who have no buddy: the hourly job's work."""
    now = now or timezone.now()
    return (User.objects.filter(is_active=True, awaiting_approval=False, tier=Tier.NEWCOMER,
                                date_joined__gt=now - BUDDY_WINDOW, date_joined__lte=now - WAIT_BEFORE_MATCHING)
            .filter(Exists(EmailAddress.objects.filter(user_id=OuterRef("pk"), verified=True)))
            .exclude(Exists(BuddyMatch.objects.filter(newcomer_id=OuterRef("pk"), ended_at__isnull=True)))
            .order_by("date_joined", "pk"))


def volunteers_no_longer_eligible():
    """Active volunteers who may not be buddies any more (tier dropped, sanctioned, gone)."""
    return BuddyVolunteer.objects.filter(is_active=True).exclude(permissions.buddy_eligible_members("member__")).select_related("member")


def volunteer_of(member) -> BuddyVolunteer | None:
    if not getattr(member, "is_authenticated", False):
        return None
    return BuddyVolunteer.objects.prefetch_related("interests").filter(member_id=member.pk).first()


def active_match_of(newcomer_id: int, now=None) -> BuddyMatch | None:
    """The newcomer's buddy now (with the buddy's row), or None."""
    return open_matches(now).select_related("buddy").filter(newcomer_id=newcomer_id).first()


def newcomers_of(buddy, now=None) -> list[BuddyMatch]:
    """A buddy's current newcomers, each with `posts` (their visible posts so far): one query."""
    posts = Post.objects.filter(author_id=OuterRef("newcomer_id"), is_deleted=False, is_hidden=False)
    return list(open_matches(now).filter(buddy_id=buddy.pk).select_related("newcomer")
                .annotate(posts=_count(posts, "author_id")).order_by("matched_at", "pk"))


def match_for_post(*, newcomer_id: int, posted_at) -> BuddyMatch | None:
    """The match under which a post written at `posted_at` is news to the buddy: not ended by the buddy leaving,
    its window open at that moment (a job that runs late still goes by the post's own time). A first post that
    brought the match about is news to the new buddy too."""
    return (BuddyMatch.objects.select_related("buddy").filter(newcomer_id=newcomer_id, ends_at__gt=posted_at)
            .filter(Q(ended_at__isnull=True) | Q(ended_reason=BuddyMatch.EndedReason.COMPLETED))
            .order_by("-matched_at").first())


# -- what loyalty asks -----------------------------------------------------------------------------

def match_of(newcomer_id: int) -> BuddyMatch | None:
    """The newcomer's open match, or else their most recent one (ended or not), or None if they never had a buddy."""
    return (BuddyMatch.objects.filter(newcomer_id=newcomer_id)
            .order_by(F("ended_at").desc(nulls_first=True), "-matched_at", "-pk").first())


def buddy_at_tier_1(newcomer_id: int) -> int | None:
    """Who earns the points when this newcomer reaches tier 1: the buddy of their open match, or else of their
    most recent match that ran its course; None when there is none (a buddy who left earns nothing)."""
    match = match_of(newcomer_id)
    if match is None:
        return None
    if match.ended_reason in LEAVING:
        match = (BuddyMatch.objects.filter(newcomer_id=newcomer_id).exclude(ended_reason__in=LEAVING)
                 .order_by("-matched_at", "-pk").first())
    return match.buddy_id if match else None
