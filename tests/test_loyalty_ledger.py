"""The points ledger: every earning rule, idempotent awards, reversals, caps, the balance check, rebuild."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from forums import services as forum_services
from loyalty import award_log, ledger, tasks
from loyalty.models import EarningRule, LoyaltyAccount, PointsEntry, Reason
from tests.factories import UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


def balance(member) -> int:
    account = LoyaltyAccount.objects.filter(member=member).first()
    return account.balance if account else 0


def test_default_rules_are_as_the_issue_says():
    rules = {r.reason: (r.amount, r.daily_cap) for r in EarningRule.objects.all()}
    assert rules[Reason.THREAD_STARTED] == (2, None) and rules[Reason.REPLY_POSTED] == (1, None)
    assert rules[Reason.FIRST_REPLY_TO_NEWCOMER] == (10, None) and rules[Reason.LIKE_RECEIVED] == (1, 20)
    assert rules[Reason.ANSWER_ACCEPTED] == (15, None) and rules[Reason.KUDOS_RECEIVED] == (5, None)
    assert rules[Reason.EVENT_ATTENDED] == (20, None) and rules[Reason.PROFILE_COMPLETED] == (5, None)


def test_posting_earns_thread_reply_and_first_reply_to_newcomer_points(newcomer, expert, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        thread = make_thread(author=newcomer, category=category)
        make_reply(thread=thread, author=expert)
    assert award_log.pending() == 3  # posting only appended events
    assert tasks.drain_award_log() == 3 and award_log.pending() == 0
    assert balance(newcomer) == 2
    assert balance(expert) == 1 + 10
    entry = PointsEntry.objects.get(member=expert, reason=Reason.FIRST_REPLY_TO_NEWCOMER)
    assert (entry.source_type, entry.source_id, entry.category_id) == ("thread", str(thread.pk), category.pk)


def test_an_event_delivered_twice_awards_once(member, other_member, category):
    reply = make_reply(thread=make_thread(author=member, category=category), author=other_member)
    event = {"member_id": other_member.pk, "reason": Reason.REPLY_POSTED, "source_type": "post", "source_id": reply.pk,
             "category_id": category.pk, "post_id": reply.pk}
    award_log.append(**event)
    award_log.append(**event)
    tasks.drain_award_log()
    award_log.append(**event)
    tasks.drain_award_log()
    tasks.award_one(other_member.pk, Reason.REPLY_POSTED, "post", str(reply.pk), category.pk, reply.pk)
    assert PointsEntry.objects.filter(member=other_member).count() == 1 and balance(other_member) == 1


def test_a_drain_that_crashed_before_trimming_reads_the_events_again_without_double_awards(member, other_member, category):
    reply = make_reply(thread=make_thread(author=member, category=category), author=other_member)
    award_log.append(member_id=other_member.pk, reason=Reason.REPLY_POSTED, source_type="post", source_id=reply.pk,
                     category_id=category.pk, post_id=reply.pk)
    events = [__import__("json").loads(item) for item in award_log._redis().lrange(award_log.LOG_KEY, 0, -1)]
    award_log.write_batch(events)  # written, then "crashed": the log still holds the event
    assert award_log.pending() == 1
    tasks.drain_award_log()
    assert award_log.pending() == 0 and balance(other_member) == 1


def test_first_reply_to_a_members_thread_earns_no_newcomer_bonus(member, expert, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(thread=make_thread(author=member, category=category), author=expert)
    tasks.drain_award_log()
    assert not PointsEntry.objects.filter(reason=Reason.FIRST_REPLY_TO_NEWCOMER).exists()
    assert balance(expert) == 1


def like(post, liker) -> None:
    forum_services.like_add(post=post, member=liker)
    tasks.like_received(post.pk, liker.pk)  # the job the like's signal enqueues


def unlike(post, liker) -> None:
    forum_services.like_remove(post=post, member=liker)
    tasks.like_removed(post.pk, liker.pk)


def test_likes_received_are_capped_at_twenty_a_day(member, category):
    posts = [make_thread(author=member, category=category, title=f"Thread {i}").posts.get() for i in range(5)]
    likers = [UserFactory() for _ in range(5)]
    for post in posts:
        for liker in likers:
            like(post, liker)
    assert balance(member) == 20
    # The five likes past the cap are granted 0 and keep that verdict.
    assert PointsEntry.objects.filter(member=member, reason=Reason.LIKE_RECEIVED, amount=1).count() == 20
    assert PointsEntry.objects.filter(member=member, reason=Reason.LIKE_RECEIVED, amount=0).count() == 5
    first, capped = posts[0], posts[-1]
    for post in (first, capped):
        forum_services.post_hide(post=post, reason="spam")
        tasks.post_hidden(post.pk)
    assert balance(member) == 15
    # Showing them again gives back what hiding took, though today's cap is reached: a restore is not new earning.
    for post in (first, capped):
        forum_services.post_unhide(post=post)
        tasks.post_unhidden(post.pk)
    own_points = 2 + 2  # never drained in this test, so granted by the settle
    assert balance(member) == 20 + own_points


def test_a_removed_like_takes_its_point_back_and_a_like_given_again_restores_it(member, other_member, category):
    post = make_thread(author=member, category=category).posts.get()
    like(post, other_member)
    unlike(post, other_member)
    tasks.like_removed(post.pk, other_member.pk)  # delivered twice
    assert balance(member) == 0
    like(post, other_member)
    tasks.like_received(post.pk, other_member.pk)
    assert balance(member) == 1
    assert list(PointsEntry.objects.filter(member=member).values_list("reason", "amount")) == [
        (Reason.LIKE_RECEIVED, 1), (Reason.LIKE_REMOVED, -1), (Reason.RESTORED, 1)]


def test_liking_your_own_post_earns_nothing(member, category):
    post = make_thread(author=member, category=category).posts.get()
    like(post, member)
    assert balance(member) == 0


def test_a_deleted_post_takes_back_what_it_earned_answer_and_likes_included(member, other_member, newcomer, category):
    thread = make_thread(author=newcomer, category=category)
    reply = make_reply(thread=thread, author=other_member)
    ledger.award(member_id=other_member.pk, reason=Reason.REPLY_POSTED, source_type="post", source_id=reply.pk)
    forum_services.answer_accept(thread=thread, post=reply, member=newcomer)
    tasks.answer_accepted(reply.pk)
    like(reply, member)
    assert balance(other_member) == 1 + 15 + 1
    forum_services.post_delete(post=reply, member=other_member)
    tasks.post_hidden(reply.pk)
    assert balance(other_member) == 0
    assert set(PointsEntry.objects.filter(member=other_member, amount__lt=0).values_list("reason", flat=True)) == {Reason.POST_HIDDEN}


def test_changing_the_accepted_answer_moves_the_points(newcomer, expert, member, category):
    thread = make_thread(author=newcomer, category=category)
    first, second = make_reply(thread=thread, author=expert), make_reply(thread=thread, author=member)
    forum_services.answer_accept(thread=thread, post=first, member=newcomer)
    tasks.answer_accepted(first.pk)
    forum_services.answer_accept(thread=thread, post=second, member=newcomer)
    tasks.answer_accepted(second.pk, first.pk)
    # Each keeps the point for the reply itself (settled along with the post: no drain runs in this test).
    assert balance(expert) == 1 and balance(member) == 1 + 15
    forum_services.answer_unaccept(thread=thread, member=newcomer)
    tasks.answer_unaccepted(second.pk)
    assert balance(member) == 1
    assert PointsEntry.objects.get(member=member, amount__lt=0).reason == Reason.ANSWER_UNACCEPTED


def test_an_accept_job_for_an_answer_no_longer_accepted_gives_nothing(newcomer, expert, category):
    thread = make_thread(author=newcomer, category=category)
    reply = make_reply(thread=thread, author=expert)
    forum_services.answer_accept(thread=thread, post=reply, member=newcomer)
    forum_services.answer_unaccept(thread=thread, member=newcomer)
    tasks.answer_accepted(reply.pk)  # arrives after the un-accept: the thread says no answer
    tasks.answer_unaccepted(reply.pk)
    assert balance(expert) == 1  # the reply itself, settled along with the post


def test_a_reversal_never_takes_the_balance_below_zero_and_takes_the_rest_once_there_is_some(newcomer, expert, category):
    thread = make_thread(author=newcomer, category=category)
    reply = make_reply(thread=thread, author=expert)
    forum_services.answer_accept(thread=thread, post=reply, member=newcomer)
    tasks.answer_accepted(reply.pk)  # 15 for the answer, 1 for the reply
    ledger.spend(account=LoyaltyAccount.objects.get(member=expert), amount=10, source_type="redemption", source_id=1)
    forum_services.answer_unaccept(thread=thread, member=newcomer)
    tasks.answer_unaccepted(reply.pk)
    assert balance(expert) == 0
    ledger.award(member_id=expert.pk, reason=Reason.KUDOS_RECEIVED, source_type="kudos", source_id=1)
    tasks.answer_unaccepted(reply.pk)  # settled again: of the 9 points still owed, the 5 there are now are taken
    assert balance(expert) == 0 and ledger.rebuild_accounts(fix=False) == []
    assert list(PointsEntry.objects.filter(member=expert, reason=Reason.ANSWER_UNACCEPTED).values_list("amount", flat=True)) == [-6, -5]


def test_the_database_refuses_a_negative_balance(member):
    ledger.award(member_id=member.pk, reason=Reason.REPLY_POSTED, source_type="post", source_id=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LoyaltyAccount.objects.filter(member=member).update(balance=-1)


def test_inactive_rules_give_nothing(member):
    EarningRule.objects.filter(reason=Reason.REPLY_POSTED).update(is_active=False)
    assert ledger.award(member_id=member.pk, reason=Reason.REPLY_POSTED, source_type="post", source_id=1) is None
    assert balance(member) == 0


def test_completing_the_profile_earns_points_once(client, member):
    from tests.factories import TagFactory

    TagFactory(name="python")
    client.force_login(member)
    data = {"display_name": "Mo", "timezone": "UTC", "bio": "I help", "interests": "python"}
    client.post("/settings/", data)
    tasks.profile_updated(member.pk)
    tasks.profile_updated(member.pk)
    assert list(PointsEntry.objects.filter(member=member).values_list("reason", "amount")) == [(Reason.PROFILE_COMPLETED, 5)]


def test_an_award_arriving_after_the_post_was_deleted_gives_nothing(member, other_member, category):
    reply = make_reply(thread=make_thread(author=member, category=category), author=other_member)
    forum_services.post_delete(post=reply, member=other_member)
    tasks.post_hidden(reply.pk)  # ran first: nothing to reverse yet
    award_log.write_batch([[other_member.pk, Reason.REPLY_POSTED, "post", str(reply.pk), category.pk, reply.pk]])
    assert balance(other_member) == 0 and not PointsEntry.objects.filter(member=other_member).exists()


def test_an_award_log_event_naming_the_wrong_member_or_post_gives_nothing(member, other_member, category):
    reply = make_reply(thread=make_thread(author=member, category=category), author=other_member)
    award_log.write_batch([
        [member.pk, Reason.REPLY_POSTED, "post", str(reply.pk), category.pk, reply.pk],  # not the reply's author
        [other_member.pk, Reason.THREAD_STARTED, "post", str(reply.pk), category.pk, reply.pk],  # a reply starts no thread
        [other_member.pk, Reason.FIRST_REPLY_TO_NEWCOMER, "thread", str(reply.thread_id), category.pk, reply.pk],  # not a newcomer's
    ])
    assert not PointsEntry.objects.exists()


def test_rebuild_reports_and_fixes_drift(member, other_member, capsys):
    ledger.award(member_id=member.pk, reason=Reason.ANSWER_ACCEPTED, source_type="test", source_id=1)
    ledger.award(member_id=other_member.pk, reason=Reason.REPLY_POSTED, source_type="test", source_id=2)
    LoyaltyAccount.objects.filter(member=member).update(balance=99, lifetime_points=3)
    call_command("loyalty_rebuild", "--check")
    out = capsys.readouterr().out
    assert f"member {member.pk}: balance was 99, ledger says 15" in out and "2 drift(s) found." in out
    assert LoyaltyAccount.objects.get(member=member).balance == 99  # --check changes nothing
    call_command("loyalty_rebuild")
    assert LoyaltyAccount.objects.get(member=member).balance == 15
    call_command("loyalty_rebuild", "--check")
    assert "0 drift(s) found." in capsys.readouterr().out


def test_newcomers_cannot_post_links_and_keep_their_text(client, newcomer, member, category):
    client.force_login(newcomer)
    response = client.post("/t/new/", {"category": category.pk, "title": "Look here", "body": "see https://spam.example"})
    assert "post links or images yet" in response.content.decode() and "https://spam.example" in response.content.decode()
    client.force_login(member)
    assert client.post("/t/new/", {"category": category.pk, "title": "Look here", "body": "see https://ok.example"}).status_code == 302


def test_an_event_appended_right_after_a_drain_still_gets_a_drain(member, other_member, category):
    from django.core.cache import cache

    reply = make_reply(thread=make_thread(author=member, category=category), author=other_member)
    award_log.schedule_drain()  # a drain was scheduled a moment ago…
    tasks.drain_award_log()  # …and has run, finding nothing
    assert cache.add(award_log.DRAIN_SCHEDULED_KEY, 1, timeout=1)  # the mark is clear: the next event schedules its own
    cache.delete(award_log.DRAIN_SCHEDULED_KEY)
    award_log.append(member_id=other_member.pk, reason=Reason.REPLY_POSTED, source_type="post", source_id=reply.pk,
                     category_id=category.pk, post_id=reply.pk)
    assert not cache.add(award_log.DRAIN_SCHEDULED_KEY, 1, timeout=1)  # append scheduled a drain


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_entrys_reason_label_says_what_get_reason_display_says(language):
    from django.utils import translation

    with translation.override(language):
        for reason in [*Reason.values, "no_longer_a_reason"]:
            entry = PointsEntry(reason=reason)
            assert entry.reason_label == entry.get_reason_display()
