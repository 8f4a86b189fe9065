"""Watched words (block, hold, flag), held newcomer posts, and moderators' edits on the record."""

import pytest
from django.urls import reverse

from forums.models import Post, Thread
from moderation import services
from moderation.models import ModerationAction, ReviewItem, WatchedWord
from tests.factories import UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


def test_a_blocked_word_refuses_the_post_and_keeps_the_text(client, member, category):
    WatchedWord.objects.create(word="Casino", action="block")
    client.force_login(member)
    response = client.post("/t/new/", {"category": category.pk, "title": "Great offer", "body": "Visit my casino today"})
    html = response.content.decode()
    assert "not allowed here" in html and "Visit my casino today" in html
    assert not Thread.objects.exists()


def test_held_words_hide_the_post_until_a_moderator_approves(member, manager, category, django_capture_on_commit_callbacks):
    WatchedWord.objects.create(word="crypto tips", action="hold")
    thread = make_thread(author=UserFactory(), category=category)
    with django_capture_on_commit_callbacks(execute=True):
        reply = make_reply(thread=thread, author=member, body="Free Crypto Tips inside")
    reply.refresh_from_db()
    assert reply.is_hidden and "approval" in reply.hidden_reason
    item = ReviewItem.objects.get(post=reply)
    services.resolve(item=item, moderator=manager, action="approve")
    reply.refresh_from_db()
    assert not reply.is_hidden


def test_flagged_words_queue_the_post_but_leave_it_visible(member, category, django_capture_on_commit_callbacks):
    WatchedWord.objects.create(word="refund", action="flag")
    with django_capture_on_commit_callbacks(execute=True):
        thread = make_thread(author=member, category=category, title="Refund please", body="Where is my money")
    post = thread.posts.get()
    assert not post.is_hidden and ReviewItem.objects.filter(post=post, status="pending").exists()
    assert ModerationAction.objects.get().action == "post_flag_for_review"


def test_words_match_whole_words_only(member, category, django_capture_on_commit_callbacks):
    WatchedWord.objects.create(word="ass", action="hold")
    with django_capture_on_commit_callbacks(execute=True):
        thread = make_thread(author=member, category=category, title="Class assignment", body="A classic passage")
    assert not thread.posts.get().is_hidden and not ReviewItem.objects.exists()


def test_newcomers_first_posts_can_be_held(settings, newcomer, category, django_capture_on_commit_callbacks):
    settings.MODERATION_HOLD_NEWCOMER_POSTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        first = make_thread(author=newcomer, category=category).posts.get()
        second = make_reply(thread=first.thread, author=newcomer)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_hidden and not second.is_hidden


def test_a_moderators_edit_keeps_before_and_after(client, manager, member, category):
    reply = make_reply(thread=make_thread(author=UserFactory(), category=category), author=member, body="rude words here")
    client.force_login(manager)
    client.post(reverse("moderation:post_edit", args=[reply.pk]), {"body": "polite words here", "reason": "tone"})
    assert Post.objects.get(pk=reply.pk).body == "polite words here"
    entry = ModerationAction.objects.get(action="post_edited")
    assert (entry.before, entry.after, entry.reason) == ({"body": "rude words here"}, {"body": "polite words here"}, "tone")
    assert reply.revisions.get().previous_body == "rude words here"
