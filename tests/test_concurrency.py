"""Real concurrency (issue 15, point 3): many members acting on one thing at the same moment, each in a thread with
a PostgreSQL connection of its own, released together by a barrier. Counters stay equal to their rows, there is
one winner per item, and nothing is written twice. (Fifty redemptions racing for stock and thirty RSVPs racing
for seats are in tests/test_loyalty_rewards_and_pages.py and tests/test_events_property.py.)"""

from datetime import timedelta

from community.events import services as event_services
from community.events.models import RSVP
from community.members.models import Tier
from community.triage import services as triage_services
from community.triage.models import QueueEntry
from forums import services as forum_services
from forums.models import Idea, IdeaVote, Post, Reaction
from loyalty import services as loyalty_services
from loyalty.models import Kudos
from moderation import services
from moderation.models import Flag, ModerationAction, ReviewItem
from tests.factories import CategoryFactory, UserFactory, make_event, make_manager, make_reply, make_thread
from tests.races import race

FLAGGERS = 10
ROUNDS = 8
CROWD = 50  # connections at once (PostgreSQL allows 100 here)


def test_simultaneous_flaggers_hide_log_queue_and_tell_once(transactional_db):
    # Probing the running site found five flags at once writing two "hidden" entries (fixed since: only the flag
    # that really hides logs). This test found the other side: eight flags at once, each counting too few of the
    # others, hid nothing (failed 2 runs in 3 before flags waited for the post's review item).
    category = CategoryFactory()
    flaggers = [UserFactory(tier=Tier.MEMBER) for _ in range(FLAGGERS)]
    for _round in range(ROUNDS):
        author = UserFactory(tier=Tier.MEMBER)
        post = make_reply(thread=make_thread(author=UserFactory(), category=category), author=author, body="Buy cheap pills")
        # Each flagger holds the post as their page did before anyone flagged it.
        calls = [lambda f=f, pk=post.pk: services.flag_post(post=Post.objects.get(pk=pk), flagger=f, reason="spam") for f in flaggers]

        assert race(calls) == []
        assert Post.objects.get(pk=post.pk).is_hidden
        assert Flag.objects.filter(post=post).count() == FLAGGERS
        assert ModerationAction.objects.filter(action="post_hidden_by_flags", target_id=post.pk).count() == 1
        assert ReviewItem.objects.filter(post=post, status=ReviewItem.Status.PENDING).count() == 1
        assert author.notifications.filter(dedupe_key__startswith="moderation:hidden-by-flags").count() == 1


def test_twenty_five_members_liking_one_post_twice_at_once_count_twenty_five(transactional_db):
    post = make_reply(thread=make_thread(author=UserFactory()), author=UserFactory())
    likers = [UserFactory(tier=Tier.MEMBER) for _ in range(CROWD // 2)]
    # Each liker's button pressed twice (a double click): the second press finds the like already there.
    calls = [lambda m=m: forum_services.like_add(post=Post.objects.get(pk=post.pk), member=m) for m in likers for _ in range(2)]

    assert race(calls) == []
    assert Reaction.objects.filter(post=post).count() == CROWD // 2
    assert Post.objects.get(pk=post.pk).like_count == CROWD // 2


def test_twenty_five_members_voting_for_one_idea_twice_at_once_count_twenty_five(transactional_db):
    idea = make_thread(author=UserFactory(tier=Tier.MEMBER), category=CategoryFactory(is_ideas=True), title="Dark mode")
    voters = [UserFactory(tier=Tier.MEMBER) for _ in range(CROWD // 2)]
    calls = [lambda m=m: forum_services.idea_vote(thread=idea, member=m) for m in voters for _ in range(2)]

    assert race(calls) == []
    assert IdeaVote.objects.filter(idea__thread=idea).count() == CROWD // 2
    assert Idea.objects.get(thread=idea).vote_count == CROWD // 2


def test_fifty_managers_claiming_one_newcomer_thread_leave_one_claim(transactional_db):
    thread = make_thread(author=UserFactory(tier=Tier.NEWCOMER), title="My first question here")
    managers = [make_manager() for _ in range(CROWD)]
    calls = [lambda m=m: triage_services.claim(thread=thread, member=m) for m in managers]

    outcomes = race(calls)
    assert outcomes == ["claimed_by_other"] * (CROWD - 1)
    entry = QueueEntry.objects.get(thread=thread)
    assert entry.claimed_by in managers


def test_fifty_moderators_claiming_one_review_item_leave_one_claim(transactional_db):
    post = make_reply(thread=make_thread(author=UserFactory()), author=UserFactory(tier=Tier.MEMBER), body="Cheap pills")
    services.flag_post(post=post, flagger=UserFactory(tier=Tier.MEMBER), reason="spam")
    item = ReviewItem.objects.get(post=post)
    moderators = [UserFactory(tier=Tier.CHAMPION) for _ in range(CROWD)]
    calls = [lambda m=m: services.claim(item=item, moderator=m) for m in moderators]

    assert race(calls) == ["claimed"] * (CROWD - 1)
    assert ReviewItem.objects.get(pk=item.pk).claimed_by in moderators


def test_fifty_check_ins_of_one_ticket_at_once_check_in_once(transactional_db):
    host = make_manager()
    event = make_event(host=host, starts_in=timedelta(minutes=30))
    guest = UserFactory(tier=Tier.MEMBER)
    event_services.rsvp_set(event=event, member=guest, status=RSVP.Status.GOING)
    # The same code scanned at fifty doors at once.
    calls = [lambda: event_services.check_in(event=event, member_id=guest.pk, by=host) for _ in range(CROWD)]

    outcomes = race(calls)
    assert len(outcomes) == CROWD - 1 and all(outcome == "refused" for outcome in outcomes)
    rsvp = RSVP.objects.get(event=event, member=guest)
    assert rsvp.checked_in_at is not None
    event.refresh_from_db()
    assert event.checked_in_count == 1


def test_fifty_kudos_sent_at_once_by_one_member_stop_at_the_daily_cap(transactional_db):
    sender = UserFactory(tier=Tier.MEMBER)
    receivers = [UserFactory(tier=Tier.MEMBER) for _ in range(CROWD)]
    calls = [lambda r=r: loyalty_services.send_kudos(sender=sender, receiver=r, message="Thanks!") for r in receivers]

    assert race(calls) == ["rate"] * (CROWD - loyalty_services.KUDOS_PER_DAY)
    assert Kudos.objects.filter(sender=sender).count() == loyalty_services.KUDOS_PER_DAY
