"""Hidden means hidden: one visibility rule (community.permissions.can_see_post) for every way a post's text leaves the server.

A hidden post shows to its author and to the moderators of its category (marked as hidden); to
everyone else its text is nowhere: not on the thread page, not in the answer box, not through
?quote=, not in its edit history, not in search.
"""

import pytest
from django.test import Client
from django.urls import reverse

from community.members.models import Tier
from forums import services
from forums.models import Thread
from moderation import services as moderation
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db

SECRET = "Buy cheap watches at the place I will not name"


@pytest.fixture
def hidden(manager, category):
    author = UserFactory(username="spammer", tier=Tier.MEMBER)
    thread = make_thread(author=UserFactory(username="asker", tier=Tier.MEMBER), category=category, title="Watches?")
    post = make_reply(thread=thread, author=author, body="A first draft")
    services.post_edit(post=post, editor=author, body=SECRET)
    services.post_hide(post=post, reason="flagged as spam")
    post.refresh_from_db()
    return post


@pytest.fixture
def viewers(manager, hidden):
    site = UserFactory(username="site_mod", tier=Tier.CHAMPION)
    here = UserFactory(username="help_mod", tier=Tier.REGULAR)
    elsewhere = UserFactory(username="other_mod", tier=Tier.REGULAR)
    moderation.grant_role(member=site, granted_by=manager)
    moderation.grant_role(member=here, category=hidden.thread.category, granted_by=manager)
    moderation.grant_role(member=elsewhere, category=CategoryFactory(), granted_by=manager)
    return {
        "anonymous": None, "member": UserFactory(username="reader", tier=Tier.MEMBER), "author": hidden.author,
        "moderator of another category": elsewhere, "moderator of this category": here, "site-wide moderator": site,
        "manager": manager,
    }


MAY_SEE = {"author", "moderator of this category", "site-wide moderator", "manager"}


def _as(viewer) -> Client:
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    return client


@pytest.mark.parametrize("who", ["anonymous", "member", "author", "moderator of another category",
                                 "moderator of this category", "site-wide moderator", "manager"])
def test_hidden_post_text_reaches_exactly_its_author_and_its_moderators(hidden, viewers, who):
    client = _as(viewers[who])
    thread_url = hidden.thread.get_absolute_url()
    pages = {
        "thread page": client.get(thread_url).content.decode(),
        "quote": client.get(f"{thread_url}?quote={hidden.pk}").content.decode(),
        "history": client.get(reverse("forums:post_history", args=[hidden.pk])).content.decode(),
    }
    for where, html in pages.items():
        assert (SECRET in html) == (who in MAY_SEE), f"{where} as {who}"
    if who in MAY_SEE - {"author"}:
        assert "Hidden from others while moderators review it" in pages["thread page"]


@pytest.mark.parametrize("who", ["anonymous", "author", "manager"])
def test_search_never_returns_a_hidden_post(hidden, viewers, who):
    make_reply(thread=hidden.thread, author=UserFactory(), body="Cheap tricks are not what this forum is for")
    html = _as(viewers[who]).get("/search/?q=cheap").content.decode()
    assert "tricks are not what this forum" in html  # the search does find the word…
    assert "place I will not name" not in html  # …but never in the hidden post


def test_a_hidden_post_cannot_be_accepted_and_the_answer_box_never_shows_hidden_text(client, hidden, manager):
    thread = hidden.thread
    client.force_login(thread.author)
    client.post(reverse("forums:answer_accept", args=[hidden.pk]))
    assert Thread.objects.get(pk=thread.pk).accepted_answer_id is None
    # Accepted first, hidden later: the answer box shows nothing of it to a visitor.
    moderation.resolve(item=_review_item(hidden, manager), moderator=manager, action="approve")
    hidden.refresh_from_db()
    services.answer_accept(thread=thread, post=hidden, member=thread.author)
    services.post_hide(post=hidden, reason="flagged again")
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert SECRET not in html


def _review_item(post, manager):
    from moderation.models import ReviewItem

    moderation.flag_post(post=post, flagger=UserFactory(tier=Tier.MEMBER), reason="spam")
    return ReviewItem.objects.get(post=post, status="pending")


def test_silenced_member_cannot_edit_an_old_post(client, member, category):
    from datetime import timedelta

    from django.utils import timezone

    thread = make_thread(author=member, category=category, body="What I wrote before")
    post = thread.posts.get()
    type(member).objects.filter(pk=member.pk).update(silenced_until=timezone.now() + timedelta(days=1))
    client.force_login(member)
    response = client.post(reverse("forums:post_edit", args=[post.pk]), {"body": "What I write now", "title": thread.title})
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.body == "What I wrote before"


def test_moderator_replies_to_a_locked_thread_in_their_category_and_sees_the_reply_box(client, manager, category):
    here = UserFactory(username="help_mod", tier=Tier.REGULAR)
    moderation.grant_role(member=here, category=category, granted_by=manager)
    thread = make_thread(author=UserFactory(), category=category)
    services.thread_set_flags(thread=thread, is_locked=True)
    client.force_login(here)
    assert 'id="reply"' in client.get(thread.get_absolute_url()).content.decode()
    client.post(reverse("forums:reply", args=[thread.pk]), {"body": "Locked: see the new thread."})
    assert thread.posts.count() == 2
