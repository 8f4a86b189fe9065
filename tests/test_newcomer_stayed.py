"""Credit for helping a newcomer stay (issue 13, point 7): the member who gave a newcomer their first answer earns
points and a note when the newcomer comes back and posts again within 30 days, and loses them with the source."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.notifications.models import Notification
from forums import services as forum_services
from forums.models import Post, Thread
from loyalty import ledger, tasks
from loyalty.models import BadgeAward, LoyaltyAccount, PointsEntry, Reason
from loyalty.recompute import source_drift
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread

STAYED = 10  # loyalty/defaults.py, written out so the test does not read the code it checks


def stay_points(member) -> int:
    return sum(PointsEntry.objects.filter(member=member, source_type__startswith="newcomer").values_list("amount", flat=True))


def assert_exact() -> None:
    assert source_drift() == [] and ledger.rebuild_accounts(fix=False) == []


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Do something through the services and then the jobs its commits enqueue, as the worker would."""
    def _run(action):
        with django_capture_on_commit_callbacks(execute=True):
            result = action()
        tasks.drain_award_log()
        return result
    return _run


@pytest.fixture
def answered(run, newcomer, expert, category):
    """A newcomer's first question, answered first by an expert."""
    thread = run(lambda: make_thread(author=newcomer, category=category, title="How do I install it?"))
    reply = run(lambda: make_reply(thread=thread, author=expert))
    return thread, reply


def hide(post) -> None:
    forum_services.post_hide(post=post, reason="spam")
    tasks.post_hidden(post.pk)


def unhide(post) -> None:
    forum_services.post_unhide(post=post)
    tasks.post_unhidden(post.pk)


@pytest.mark.django_db
class TestCredit:
    def test_a_newcomer_who_posts_again_elsewhere_earns_their_first_responder_points_and_a_note(self, run, answered, newcomer, expert,
                                                                                                category, client):
        assert stay_points(expert) == 0
        run(lambda: make_thread(author=newcomer, category=category, title="And how do I configure it?"))
        assert stay_points(expert) == STAYED
        assert PointsEntry.objects.filter(member=expert, reason=Reason.NEWCOMER_STAYED, source_id=str(newcomer.pk)).count() == 1
        note = Notification.objects.get(recipient=expert, kind="newcomer_stayed")
        assert note.actor == newcomer and note.thread_id == answered[0].pk
        client.force_login(expert)
        page = client.get("/notifications/").content.decode()
        assert f"{newcomer.name} came back and posted again — your answer in “How do I install it?” helped" in page
        assert_exact()

    def test_a_reply_in_another_members_thread_is_coming_back_too(self, run, answered, newcomer, expert, member, category):
        elsewhere = run(lambda: make_thread(author=member, category=category, title="Show your setup"))
        run(lambda: make_reply(thread=elsewhere, author=newcomer))
        assert stay_points(expert) == STAYED

    def test_a_thank_you_in_the_same_thread_is_not_coming_back(self, run, answered, newcomer, expert):
        run(lambda: make_reply(thread=answered[0], author=newcomer, body="Thank you, that worked!"))
        assert stay_points(expert) == 0
        assert not Notification.objects.filter(recipient=expert, kind="newcomer_stayed").exists()
        assert_exact()

    def test_a_post_before_the_first_answer_is_not_coming_back(self, run, newcomer, expert, category):
        thread = run(lambda: make_thread(author=newcomer, category=category))
        run(lambda: make_thread(author=newcomer, category=category, title="Another question"))
        run(lambda: make_reply(thread=thread, author=expert))
        # Both threads are answered now; the first answer came to the first thread, and nothing was posted after it.
        assert stay_points(expert) == 0
        assert_exact()

    def test_coming_back_more_than_30_days_after_the_answer_earns_nothing(self, run, answered, newcomer, expert, category):
        thread, reply = answered
        long_ago = timezone.now() - timedelta(days=31)
        Post.objects.filter(pk=reply.pk).update(created_at=long_ago)
        Thread.objects.filter(pk=thread.pk).update(first_response_at=long_ago)
        run(lambda: make_thread(author=newcomer, category=category, title="Back after a while"))
        assert stay_points(expert) == 0
        assert_exact()

    def test_only_the_newcomers_first_answer_earns_and_only_once(self, run, answered, newcomer, expert, member, category):
        second = run(lambda: make_thread(author=newcomer, category=category, title="A second question"))
        run(lambda: make_reply(thread=second, author=member))
        run(lambda: make_thread(author=newcomer, category=category, title="A third question"))
        assert (stay_points(expert), stay_points(member)) == (STAYED, 0)
        assert PointsEntry.objects.filter(reason=Reason.NEWCOMER_STAYED).count() == 1

    def test_running_the_jobs_again_credits_and_notes_once(self, run, answered, newcomer, expert, category):
        run(lambda: make_thread(author=newcomer, category=category, title="Another one"))
        tasks.settle_returns({newcomer.pk})
        tasks.settle_returns({newcomer.pk})
        tasks.first_response_changed(answered[0].pk)
        assert stay_points(expert) == STAYED
        assert Notification.objects.filter(recipient=expert, kind="newcomer_stayed").count() == 1


@pytest.mark.django_db
class TestReversedWithTheSource:
    def test_hiding_the_return_takes_the_credit_back_and_showing_it_restores_it(self, run, answered, newcomer, expert, category):
        again = run(lambda: make_thread(author=newcomer, category=category, title="Back again"))
        opening = again.posts.get(number=1)
        hide(opening)
        assert stay_points(expert) == 0
        unhide(opening)
        assert stay_points(expert) == STAYED
        reasons = list(PointsEntry.objects.filter(member=expert, source_type__startswith="newcomer").order_by("id")
                       .values_list("reason", "amount"))
        assert reasons == [(Reason.NEWCOMER_STAYED, STAYED), (Reason.NEWCOMER_STAY_LOST, -STAYED), (Reason.RESTORED, STAYED)]
        assert Notification.objects.filter(recipient=expert, kind="newcomer_stayed").count() == 1  # restored, not news
        assert_exact()

    def test_when_the_first_answer_is_deleted_the_credit_moves_to_the_next_first_responder(self, run, answered, newcomer, expert, member,
                                                                                              category):
        thread, reply = answered
        run(lambda: make_reply(thread=thread, author=member))
        run(lambda: make_thread(author=newcomer, category=category, title="Back again"))
        forum_services.post_delete(post=reply, member=expert)
        tasks.post_hidden(reply.pk)
        assert (stay_points(expert), stay_points(member)) == (0, STAYED)
        assert Notification.objects.filter(recipient=member, kind="newcomer_stayed").count() == 1
        assert_exact()

    def test_deleting_the_answered_thread_takes_the_credit_back(self, run, answered, newcomer, expert, category):
        thread, _reply = answered
        run(lambda: make_thread(author=newcomer, category=category, title="Back again"))
        opening = thread.posts.get(number=1)
        forum_services.post_delete(post=opening, member=newcomer)
        tasks.post_hidden(opening.pk)
        assert stay_points(expert) == 0
        assert_exact()

    def test_the_rebuild_check_finds_a_credit_that_was_never_written(self, django_capture_on_commit_callbacks, newcomer, expert, category):
        # Posted without running any job: the rebuild check judges the stay from the rows and reports it missing.
        thread = make_thread(author=newcomer, category=category)
        make_reply(thread=thread, author=expert)
        make_thread(author=newcomer, category=category, title="Back again")
        drifts = [drift for drift in source_drift([expert.pk]) if drift.claim.reason == Reason.NEWCOMER_STAYED]
        assert [(drift.claim.source_id, drift.held, drift.due) for drift in drifts] == [(str(newcomer.pk), 0, STAYED)]


@pytest.mark.django_db
def test_five_newcomers_who_stayed_earn_the_anchor_badge_and_four_do_not(run, expert):
    category = CategoryFactory()
    for number in range(5):
        newcomer = UserFactory(tier=0)
        thread = run(lambda newcomer=newcomer, n=number: make_thread(author=newcomer, category=category, title=f"Question {n}"))
        run(lambda thread=thread: make_reply(thread=thread, author=expert))
        run(lambda newcomer=newcomer, n=number: make_thread(author=newcomer, category=category, title=f"Follow-up {n}"))
        has_badge = BadgeAward.objects.filter(member=expert, badge__slug="anchor").exists()
        assert has_badge == (number == 4), number
    assert LoyaltyAccount.objects.get(member=expert).balance >= 5 * STAYED
    assert Notification.objects.filter(recipient=expert, kind="badge", text="Anchor").count() == 1
