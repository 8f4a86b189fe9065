"""Accepted answers: who may mark one, what can be one, and where it shows."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from forums import services
from forums.models import Post, Thread
from tests.factories import make_reply, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(newcomer, category):
    return make_thread(author=newcomer, category=category, title="How do I deploy?", body="Please help")


def test_author_marks_a_reply_as_the_answer_and_can_change_it(client, newcomer, expert, member, question):
    first = make_reply(thread=question, author=expert, body="Use gunicorn.")
    second = make_reply(thread=question, author=member, body="Or uwsgi.")
    client.force_login(newcomer)
    assert client.post(reverse("forums:answer_accept", args=[first.pk])).status_code == 302
    assert Thread.objects.get(pk=question.pk).accepted_answer == first
    client.post(reverse("forums:answer_accept", args=[second.pk]))
    assert Thread.objects.get(pk=question.pk).accepted_answer == second
    client.post(reverse("forums:answer_unaccept", args=[question.pk]))
    assert Thread.objects.get(pk=question.pk).accepted_answer is None


def test_a_manager_marks_the_answer_on_the_authors_behalf_only_after_a_week(client, manager, expert, question):
    reply = make_reply(thread=question, author=expert)
    client.force_login(manager)
    refused = client.post(reverse("forums:answer_accept", args=[reply.pk]))
    assert refused.status_code == 403 and "After a week without one" in refused.content.decode()
    assert Thread.objects.get(pk=question.pk).accepted_answer is None
    Thread.objects.filter(pk=question.pk).update(created_at=timezone.now() - timedelta(days=7, minutes=1))
    client.post(reverse("forums:answer_accept", args=[reply.pk]))
    assert Thread.objects.get(pk=question.pk).accepted_answer == reply


def test_a_categorys_moderator_may_mark_it_after_a_week_and_others_never(client, expert, member, question):
    from community.members.models import Tier
    from moderation import services as moderation
    from tests.factories import CategoryFactory, UserFactory, make_manager

    reply = make_reply(thread=question, author=expert)
    Thread.objects.filter(pk=question.pk).update(created_at=timezone.now() - timedelta(days=8))
    boss = make_manager()
    elsewhere = moderation.grant_role(member=UserFactory(tier=Tier.REGULAR), category=CategoryFactory(), granted_by=boss).member
    here = moderation.grant_role(member=UserFactory(tier=Tier.REGULAR), category=question.category, granted_by=boss).member
    for outsider in (member, elsewhere):
        client.force_login(outsider)
        client.post(reverse("forums:answer_accept", args=[reply.pk]))
        assert Thread.objects.get(pk=question.pk).accepted_answer is None
    client.force_login(here)
    client.post(reverse("forums:answer_accept", args=[reply.pk]))
    assert Thread.objects.get(pk=question.pk).accepted_answer == reply


def test_marking_an_answer_on_someone_elses_thread_is_forbidden(client, member, expert, question):
    reply = make_reply(thread=question, author=expert)
    client.force_login(member)
    response = client.post(reverse("forums:answer_accept", args=[reply.pk]))
    assert response.status_code == 403 and "author marks the answer" in response.content.decode()
    assert Thread.objects.get(pk=question.pk).accepted_answer is None


def test_the_first_post_cannot_be_the_answer(client, newcomer, question):
    client.force_login(newcomer)
    response = client.post(reverse("forums:answer_accept", args=[question.posts.get().pk]), follow=True)
    assert "Only a reply in this thread can be the answer." in response.content.decode()
    assert Thread.objects.get(pk=question.pk).accepted_answer is None


def test_a_deleted_reply_cannot_be_the_answer_and_deleting_the_answer_unmarks_it(newcomer, expert, question):
    reply = make_reply(thread=question, author=expert)
    services.answer_accept(thread=question, post=reply, member=newcomer)
    services.post_delete(post=reply, member=expert)
    assert Thread.objects.get(pk=question.pk).accepted_answer is None
    reply.refresh_from_db()
    with pytest.raises(ValidationError):
        services.answer_accept(thread=question, post=reply, member=newcomer)


def test_answer_shows_under_the_first_post_and_lists_mark_solved(client, newcomer, expert, member, question, category):
    reply = make_reply(thread=question, author=expert, body="The **answer** is here.")
    services.answer_accept(thread=question, post=reply, member=newcomer)
    open_thread = make_thread(author=member, category=category, title="Still open")
    html = client.get(question.get_absolute_url()).content.decode()
    box = html.index('class="accepted-answer"')
    assert html.index('id="post-1"') < box < html.index('id="post-2"')
    assert "Solved — answer by" in html and "<strong>answer</strong>" in html
    latest = client.get("/").content.decode()
    assert latest.count('class="solved-mark"') == 1
    assert [t.title for t in client.get("/?status=solved").context["threads"]] == ["How do I deploy?"]
    assert [t.title for t in client.get("/?status=unsolved").context["threads"]] == [open_thread.title]


def test_thread_page_with_an_answer_on_another_page_stays_constant_in_queries(
    client, newcomer, expert, question, django_assert_max_num_queries
):
    answer = make_reply(thread=question, author=expert)
    for _i in range(25):
        make_reply(thread=question, author=expert)
    services.answer_accept(thread=question, post=answer, member=newcomer)
    client.force_login(newcomer)
    with django_assert_max_num_queries(15):
        response = client.get(question.get_absolute_url() + "?page=2")
    assert response.context["page"].accepted_answer == answer


def test_a_hidden_reply_cannot_be_the_answer_and_the_thread_is_unchanged(newcomer, expert, member, question):
    earlier = make_reply(thread=question, author=member)
    services.answer_accept(thread=question, post=earlier, member=newcomer)
    reply = make_reply(thread=question, author=expert)
    services.post_hide(post=reply, reason="flagged")
    before = Thread.objects.filter(pk=question.pk).values().get()
    with pytest.raises(ValidationError, match="hidden while moderators review it"):
        services.answer_accept(thread=question, post=reply, member=newcomer)
    assert Thread.objects.filter(pk=question.pk).values().get() == before
    assert Thread.objects.get(pk=question.pk).accepted_answer == earlier


def test_a_reply_hidden_since_it_was_loaded_cannot_be_the_answer(newcomer, expert, question):
    reply = make_reply(thread=question, author=expert)
    stale = Post.objects.get(pk=reply.pk)  # as a view loaded it, before a moderator hid it
    services.post_hide(post=reply, reason="flagged")
    with pytest.raises(ValidationError, match="hidden while moderators review it"):
        services.answer_accept(thread=question, post=stale, member=newcomer)
    assert Thread.objects.get(pk=question.pk).accepted_answer is None


def test_hiding_the_answer_unmarks_it_and_showing_it_again_does_not_mark_it_back(newcomer, expert, question):
    reply = make_reply(thread=question, author=expert)
    services.answer_accept(thread=question, post=reply, member=newcomer)
    services.post_hide(post=reply, reason="flagged")
    assert Thread.objects.get(pk=question.pk).accepted_answer is None
    services.post_unhide(post=reply)
    assert Thread.objects.get(pk=question.pk).accepted_answer is None
    reply.refresh_from_db()
    services.answer_accept(thread=question, post=reply, member=newcomer)  # the author may mark it again
    assert Thread.objects.get(pk=question.pk).accepted_answer == reply


def test_hiding_another_reply_leaves_the_answer_alone(newcomer, expert, member, question):
    answer = make_reply(thread=question, author=expert)
    other = make_reply(thread=question, author=member)
    services.answer_accept(thread=question, post=answer, member=newcomer)
    services.post_hide(post=other, reason="flagged")
    assert Thread.objects.get(pk=question.pk).accepted_answer == answer


def test_accepting_a_hidden_reply_on_the_page_is_refused_with_a_reason(client, manager, expert, question):
    reply = make_reply(thread=question, author=expert)
    services.post_hide(post=reply, reason="flagged")
    Thread.objects.filter(pk=question.pk).update(created_at=timezone.now() - timedelta(days=8))  # on the author's behalf
    client.force_login(manager)  # managers see hidden posts, so the refusal comes from the rule, not from a 404
    response = client.post(reverse("forums:answer_accept", args=[reply.pk]), follow=True)
    assert response.status_code == 200
    assert "hidden while moderators review it" in response.content.decode()
    assert Thread.objects.get(pk=question.pk).accepted_answer is None


def test_a_newcomer_with_replies_but_no_answer_is_reminded_once_after_three_days(newcomer, expert, question):
    from community.members.models import Profile
    from community.notifications.models import Kind, Notification
    from community.notifications.tasks import remind_to_accept
    from tests.factories import UserFactory

    make_reply(thread=question, author=expert)
    assert remind_to_accept() == 0  # too soon
    Thread.objects.filter(pk=question.pk).update(created_at=timezone.now() - timedelta(days=3, minutes=1))
    # A second newcomer said no to these reminders in their settings; a third question has no reply.
    other = UserFactory(tier=0)
    declined = make_thread(author=other, category=question.category, title="Another question", body="Help me too")
    make_reply(thread=declined, author=expert)
    Profile.objects.create(user=other, remind_to_accept=False)
    silent = make_thread(author=UserFactory(tier=0), category=question.category, title="Nobody answered", body="Hello?")
    Thread.objects.filter(pk__in=[declined.pk, silent.pk]).update(created_at=timezone.now() - timedelta(days=4))
    assert remind_to_accept() == 1
    assert remind_to_accept() == 0  # the job run twice reminds once
    notice = Notification.objects.get(kind=Kind.ACCEPT_REMINDER)
    assert notice.recipient == newcomer and notice.thread_id == question.pk
    # Answered threads are not reminded.
    services.answer_accept(thread=question, post=question.posts.get(number=2), member=newcomer)
    Notification.objects.all().delete()
    assert remind_to_accept() == 0


def test_the_reminder_can_be_switched_off_in_settings(client, newcomer):
    from community.members.models import Profile

    client.force_login(newcomer)
    client.post("/settings/", {"display_name": "", "timezone": "UTC"})
    assert Profile.objects.get(user=newcomer).remind_to_accept is False  # an unticked box is a no
    client.post("/settings/", {"display_name": "", "timezone": "UTC", "remind_to_accept": "on"})
    assert Profile.objects.get(user=newcomer).remind_to_accept is True
    assert 'name="remind_to_accept"' in client.get("/settings/").content.decode()
