"""New-member protection: first-day caps, mentions, duplicates (rate limits: test_forum_pages)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from community.members.models import User
from forums import services
from forums.models import Post, Thread
from tests.factories import UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


def test_a_new_account_starts_at_most_three_threads_on_its_first_day(client, settings, newcomer, category):
    settings.FORUMS_NEWCOMER_THREAD_INTERVAL = 0
    client.force_login(newcomer)
    for i in range(3):
        assert client.post("/t/new/", {"category": category.pk, "title": f"Question {i}", "body": f"Body {i}"}).status_code == 302
    response = client.post("/t/new/", {"category": category.pk, "title": "Question 4", "body": "Fourth body kept"})
    html = response.content.decode()
    assert "at most 3 threads on their first day" in html and "Try again in" in html and "Fourth body kept" in html
    assert Thread.objects.count() == 3


def test_a_new_account_posts_at_most_ten_replies_on_its_first_day(client, settings, newcomer, category):
    settings.FORUMS_NEWCOMER_POST_INTERVAL = 0
    thread = make_thread(author=UserFactory(), category=category)
    client.force_login(newcomer)
    for i in range(10):
        client.post(reverse("forums:reply", args=[thread.pk]), {"body": f"Reply {i}"})
    response = client.post(reverse("forums:reply", args=[thread.pk]), {"body": "Eleventh"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("#reply")
    assert "at most 10 replies on their first day" in response.content.decode() and "Eleventh" in response.content.decode()
    assert Post.objects.filter(author=newcomer).count() == 10


def test_after_the_first_day_the_caps_are_gone(client, settings, newcomer, category):
    settings.FORUMS_NEWCOMER_THREAD_INTERVAL = 0
    User.objects.filter(pk=newcomer.pk).update(date_joined=timezone.now() - timedelta(days=2))
    for i in range(3):
        make_thread(author=newcomer, category=category, title=f"Old question {i}")
    client.force_login(newcomer)
    assert client.post("/t/new/", {"category": category.pk, "title": "Another one", "body": "Fine now"}).status_code == 302


def test_newcomers_mention_at_most_two_people(client, newcomer, category):
    for name in ("ann", "bob", "cat"):
        UserFactory(username=name)
    client.force_login(newcomer)
    response = client.post("/t/new/", {"category": category.pk, "title": "Hello all", "body": "Hi @ann @bob @cat"})
    assert "mention at most 2 people" in response.content.decode() and not Thread.objects.exists()
    assert client.post("/t/new/", {"category": category.pk, "title": "Hello all", "body": "Hi @ann @bob"}).status_code == 302


def test_the_same_text_twice_in_a_day_is_refused(member, category):
    thread = make_thread(author=UserFactory(), category=category)
    make_reply(thread=thread, author=member, body="+1 same here")
    with pytest.raises(ValidationError, match="exactly this text already"):
        make_reply(thread=thread, author=member, body="+1 same here")


def test_a_newcomer_cannot_edit_a_post_to_mention_more_than_two_people(newcomer, category):
    for name in ("ann", "bob", "cat", "dan", "eve"):
        UserFactory(username=name)
    post = make_thread(author=newcomer, category=category, body="Hi @ann").posts.get()
    with pytest.raises(ValidationError, match="mention at most 2 people"):
        services.post_edit(post=post, editor=newcomer, body="Hi @ann @bob @cat @dan @eve")
    post.refresh_from_db()
    assert post.body == "Hi @ann" and post.edit_count == 0
    services.post_edit(post=post, editor=newcomer, body="Hi @ann @bob")
    post.refresh_from_db()
    assert post.body == "Hi @ann @bob"


def test_editing_a_post_to_its_own_text_is_not_a_duplicate_but_to_another_posts_text_is(member, category):
    thread = make_thread(author=member, category=category, title="Original title", body="My question text")
    post = thread.posts.get()
    services.post_edit(post=post, editor=member, body="My question text", title="A better title")
    thread.refresh_from_db()
    assert thread.title == "A better title"
    reply = make_reply(thread=thread, author=member, body="A follow-up")
    with pytest.raises(ValidationError, match="exactly this text already"):
        services.post_edit(post=reply, editor=member, body="My question text")
    services.post_edit(post=reply, editor=member, body="A follow-up, with more detail")
    reply.refresh_from_db()
    assert reply.body == "A follow-up, with more detail"


def test_the_edit_page_tells_a_newcomer_about_the_mention_cap_and_keeps_the_text(client, newcomer, category):
    for name in ("ann", "bob", "cat"):
        UserFactory(username=name)
    thread = make_thread(author=newcomer, category=category, body="Hi all")
    reply = make_reply(thread=thread, author=newcomer, body="Thanks")
    client.force_login(newcomer)
    response = client.post(reverse("forums:post_edit", args=[reply.pk]), {"body": "Thanks @ann @bob @cat"})
    html = response.content.decode()
    assert "mention at most 2 people" in html and "Thanks @ann @bob @cat" in html
    reply.refresh_from_db()
    assert reply.body == "Thanks" and reply.edit_count == 0
