"""New members wear a "new here" flair on their posts for their first 14 days."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from community.members.models import Tier
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread


def test_new_members_wear_new_here_for_two_weeks(db):
    fresh = UserFactory(display_name="Fresh Face", tier=Tier.NEWCOMER, date_joined=timezone.now() - timedelta(days=3))
    settled = UserFactory(display_name="Old Hand", tier=Tier.NEWCOMER, date_joined=timezone.now() - timedelta(days=15))
    thread = make_thread(author=fresh, category=CategoryFactory(), title="Hello everyone")
    make_reply(thread=thread, author=settled, body="Welcome!")
    page = Client().get(thread.get_absolute_url()).content.decode()
    fresh_post = page[page.index('id="post-1"'):page.index('id="post-2"')]
    settled_post = page[page.index('id="post-2"'):]
    assert ">new here</span>" in fresh_post and "new here</span>" not in settled_post
    assert "is new here — say welcome!" in fresh_post  # the existing notice stays
