"""The promise of an answer: the newcomer who asked sees the typical wait for a first reply in their category."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from community.members.models import Tier
from forums import answer_promise
from forums.models import Thread
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread


def _asked(category, *, waited: timedelta | None, ago=timedelta(days=2)):
    """A newcomer thread started `ago`, first answered after `waited` (None: nobody yet)."""
    thread = make_thread(author=UserFactory(tier=Tier.NEWCOMER), category=category, title="A newcomer asks")
    created = timezone.now() - ago
    Thread.objects.filter(pk=thread.pk).update(
        created_at=created, first_response_at=created + waited if waited is not None else None)
    return thread


def _page(thread, viewer):
    client = Client()
    client.force_login(viewer)
    return client.get(thread.get_absolute_url()).content.decode()


def test_below_ten_threads_we_say_we_do_not_know_yet(db):
    category = CategoryFactory()
    for _ in range(9):
        _asked(category, waited=timedelta(hours=1))
    promise = answer_promise.for_category(category.pk)
    assert (promise.threads, promise.known) == (9, False)
    newcomer = UserFactory(tier=Tier.NEWCOMER)
    mine = make_thread(author=newcomer, category=category, title="My first question")
    assert "We don't know yet how long a first reply takes here" in _page(mine, newcomer)


def test_the_typical_wait_is_the_median_counting_threads_still_waiting(db):
    category = CategoryFactory()
    for hours in (1, 1, 2, 2, 2):
        _asked(category, waited=timedelta(hours=hours))
    for _ in range(5):
        _asked(category, waited=None, ago=timedelta(hours=30))  # waiting 30 h so far: a lower bound
    promise = answer_promise.for_category(category.pk)
    # Dropping the waiting ones would say 2 hours; counting them (as the dashboard does), the median is 16 h.
    assert promise.threads == 10 and promise.median_seconds == pytest.approx(16 * 3600, rel=0.01)
    assert promise.wait == "16 hours"
    # Older than 30 days does not count.
    _asked(category, waited=timedelta(days=20), ago=timedelta(days=40))
    assert answer_promise.for_category(CategoryFactory().pk).threads == 0


def test_the_author_sees_the_promise_until_answered_and_nobody_else_does(db):
    category = CategoryFactory()
    for _ in range(10):
        _asked(category, waited=timedelta(minutes=40))
    newcomer, other = UserFactory(tier=Tier.NEWCOMER), UserFactory(tier=Tier.MEMBER)
    mine = make_thread(author=newcomer, category=category, title="How do I start?")
    page = _page(mine, newcomer)
    assert "People here usually get a first reply in about 40 minutes." in page
    assert "You will be notified as soon as someone answers" in page and mine.get_absolute_url() in page
    assert 'id="answer-promise"' not in _page(mine, other)
    make_reply(thread=mine, author=other, body="Welcome! Start with the guide.")
    assert 'id="answer-promise"' not in _page(Thread.objects.get(pk=mine.pk), newcomer)


@pytest.mark.parametrize(("minutes", "words"), [(1, "1 minute"), (45, "45 minutes"), (100, "2 hours"), (60 * 30, "30 hours"),
                                                (60 * 40, "2 days")])
def test_the_wait_in_words(minutes, words):
    assert answer_promise.Promise(threads=10, median_seconds=minutes * 60).wait == words


def test_the_promise_reads_naturally_in_russian(db):
    from django.utils import translation

    category = CategoryFactory()
    for _ in range(10):
        _asked(category, waited=timedelta(minutes=21))
    newcomer = UserFactory(tier=Tier.NEWCOMER, language="ru")
    page = _page(make_thread(author=newcomer, category=category, title="Мой первый вопрос"), newcomer)
    assert "Обычно здесь первый ответ приходит примерно через 21 минуту." in page
    with translation.override("ru"):
        assert answer_promise.Promise(threads=10, median_seconds=3 * 3600).wait == "3 часа"
