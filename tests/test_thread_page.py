"""The posts of a thread's page (forums.selectors.thread_page): each page's numbers plus the accepted answer, read with a
LIMIT so the planner takes key lookups on a long thread (issue 14: without it, it hashed the whole members table)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums import selectors, services
from forums.models import Thread
from tests.factories import make_reply, make_thread

pytestmark = pytest.mark.django_db


def test_a_full_page_after_the_answers_page_shows_all_its_posts_and_the_answer_in_one_limited_query(member, other_member, category, settings):
    settings.FORUMS_POSTS_PER_PAGE = 3
    thread = make_thread(author=member, category=category, title="Long one", body="Question.")
    replies = [make_reply(thread=thread, author=other_member, body=f"Reply number {n}.") for n in range(2, 8)]
    services.answer_accept(thread=thread, post=replies[0], member=member)  # post 2, on page 1
    thread = Thread.objects.get(pk=thread.pk)
    page = selectors.thread_page(thread=thread, member=AnonymousUser(), page=2)  # posts 4, 5, 6 and the answer
    assert sorted(post.number for post in page.posts + ([page.accepted_answer] if page.accepted_answer else [])) == [2, 4, 5, 6]
    with CaptureQueriesContext(connection) as queries:
        selectors.thread_page(thread=thread, member=AnonymousUser(), page=3)
    posts_query = next(query["sql"] for query in queries.captured_queries if 'FROM "forums_post"' in query["sql"])
    assert "LIMIT 4" in posts_query
