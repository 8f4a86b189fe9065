"""Kept search results (issue 14): the same search again is served from Redis, yet a post, a hide, a delete or a
renamed thread shows on the very next search, for every reader, and each language and time zone gets its own list."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forums import services
from tests.factories import make_reply, make_thread

pytestmark = pytest.mark.django_db(transaction=True)  # the content versions move after commit, as in production


def _search(client, words="waffle") -> tuple[str, list]:
    response = client.get(f"/search/?q={words}")
    assert response.status_code == 200
    return response.content.decode(), [hit.post.pk for hit in response.context["hits"]]


def _as(member) -> Client:
    client = Client()
    if member is not None:
        client.force_login(member)
    return client


def test_the_same_search_again_reads_no_post_or_thread_and_shows_the_same_results(member, category):
    make_thread(author=member, category=category, title="Waffle irons", body="Cast iron waffle irons last.")
    client = _as(member)
    _first, first_ids = _search(client)
    with CaptureQueriesContext(connection) as queries:
        again, again_ids = _search(client)
    assert again_ids == first_ids and len(first_ids) == 1
    assert not [query["sql"] for query in queries.captured_queries if "forums_post" in query["sql"] or "forums_thread" in query["sql"]]
    assert "Waffle irons" in again


def test_a_new_reply_shows_in_the_next_search(member, other_member, category):
    thread = make_thread(author=member, category=category, title="Breakfast", body="Pancakes or what?")
    client = _as(member)
    assert _search(client)[1] == []
    reply = make_reply(thread=thread, author=other_member, body="A waffle, always.")
    assert _search(client)[1] == [reply.pk]


def test_a_hidden_or_deleted_post_leaves_the_next_search_for_every_reader(member, other_member, manager, moderator, category):
    thread = make_thread(author=member, category=category, title="Breakfast", body="Pancakes or what?")
    hidden = make_reply(thread=thread, author=other_member, body="A waffle with cream.")
    deleted = make_reply(thread=thread, author=other_member, body="A waffle with jam.")
    readers = [None, member, other_member, moderator, manager]
    for reader in readers:
        assert set(_search(_as(reader))[1]) == {hidden.pk, deleted.pk}
    services.post_hide(post=hidden, reason="spam")
    services.post_delete(post=deleted, member=other_member)
    for reader in readers:  # moderators do not see hidden posts in search, kept or not
        html, ids = _search(_as(reader))
        assert ids == [] and "with cream" not in html and "with jam" not in html, reader


def test_a_renamed_thread_shows_its_new_title_in_the_next_search(member, category):
    thread = make_thread(author=member, category=category, title="Waffle irons", body="Which one lasts?")
    client = _as(member)
    assert "Waffle irons" in _search(client)[0]
    services.post_edit(post=thread.posts.get(number=1), editor=member, body="Which one lasts?", title="Waffle makers")
    html, ids = _search(client)
    assert "Waffle makers" in html and "Waffle irons" not in html and ids == [thread.posts.get(number=1).pk]


def test_readers_in_other_languages_and_time_zones_get_their_own_list(member, other_member, manager, category):
    thread = make_thread(author=member, category=category, title="Waffle batter", body="Too thin?")
    answer = make_reply(thread=thread, author=other_member, body="Add a waffle spoon of flour.")
    services.answer_accept(thread=thread, post=answer, member=member)
    User = type(member)
    User.objects.filter(pk=member.pk).update(language="en", timezone="UTC")
    User.objects.filter(pk=other_member.pk).update(language="ru", timezone="UTC")
    User.objects.filter(pk=manager.pk).update(language="en", timezone="Asia/Vladivostok")
    english, _ids = _search(_as(User.objects.get(pk=member.pk)))
    russian, _ids = _search(_as(User.objects.get(pk=other_member.pk)))
    far_east, _ids = _search(_as(User.objects.get(pk=manager.pk)))
    assert "Answer</span>" in english and "Ответ</span>" in russian and "Answer</span>" not in russian

    def hover_times(html):  # the exact local time each result was written, on hover
        return re.findall(r'<time datetime="[^"]+" title="([^"]+)"', html)

    assert hover_times(english) and hover_times(far_east) != hover_times(english)
