"""Accepted answers: who may mark one, what can be one, and where it shows."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forums import services
from forums.models import Thread
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


def test_manager_marks_an_answer_on_anyones_thread(client, manager, expert, question):
    reply = make_reply(thread=question, author=expert)
    client.force_login(manager)
    client.post(reverse("forums:answer_accept", args=[reply.pk]))
    assert Thread.objects.get(pk=question.pk).accepted_answer == reply


def test_marking_an_answer_on_someone_elses_thread_is_forbidden(client, member, expert, question):
    reply = make_reply(thread=question, author=expert)
    client.force_login(member)
    response = client.post(reverse("forums:answer_accept", args=[reply.pk]))
    assert response.status_code == 403 and "marks the answer" in response.content.decode()
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
