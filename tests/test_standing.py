"""The newcomer rule until loyalty tiers exist: 5 posts and 3 days lift a member out of tier 0."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.members import standing
from community.members.models import Tier, User
from community.members.tasks import refresh_all_standing
from tests.factories import make_reply, make_thread

pytestmark = pytest.mark.django_db


def test_newcomer_with_five_posts_and_three_days_becomes_a_member(newcomer, category):
    User.objects.filter(pk=newcomer.pk).update(date_joined=timezone.now() - timedelta(days=4))
    newcomer.refresh_from_db()
    thread = make_thread(author=newcomer, category=category)
    for _i in range(3):
        make_reply(thread=thread, author=newcomer)
    assert standing.refresh_standing(newcomer) is False  # 4 posts
    make_reply(thread=thread, author=newcomer)
    assert standing.refresh_standing(newcomer) is True
    assert User.objects.get(pk=newcomer.pk).tier == Tier.MEMBER


def test_posts_alone_are_not_enough_before_three_days(newcomer, category):
    thread = make_thread(author=newcomer, category=category)
    for _i in range(6):
        make_reply(thread=thread, author=newcomer)
    assert standing.refresh_standing(newcomer) is False
    assert User.objects.get(pk=newcomer.pk).is_newcomer


def test_nightly_job_promotes_everyone_who_qualifies(newcomer, category):
    thread = make_thread(author=newcomer, category=category)
    for _i in range(4):
        make_reply(thread=thread, author=newcomer)
    User.objects.filter(pk=newcomer.pk).update(date_joined=timezone.now() - timedelta(days=5))
    assert refresh_all_standing() == 1
    assert not User.objects.get(pk=newcomer.pk).is_newcomer
