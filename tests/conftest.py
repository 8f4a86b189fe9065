"""Role fixtures and shared test setup. Every test runs against the real PostgreSQL and Redis."""

import pytest
from django.core.cache import cache

from community.members.models import Tier
from tests.factories import CategoryFactory, UserFactory, make_manager


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate-limit slots live in Redis and earning rules in a per-process cache; each test starts without any.
    from loyalty.ledger import forget_rules
    from loyalty.tiers import forget_requirements
    from moderation.watched_words import forget as forget_watched_words

    cache.clear()
    # A request's LocaleMiddleware leaves its language active in this thread: each test starts in the default.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    forget_rules()
    forget_requirements()
    forget_watched_words()
    yield


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread of this process) consuming the test broker on Redis.

    Flows that cross Celery need committed data, hence transactional_db; mail sent by tasks lands
    in django.core.mail.outbox because the worker shares this process.
    """
    from celery.contrib.testing.worker import start_worker

    from community.celery import app
    from community.queues import QUEUES

    app.control.purge()
    # Every queue, as `make run`'s one worker consumes them (production gives each its own workers).
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING",
                      queues=list(QUEUES)) as worker:
        yield worker
    app.control.purge()
    # The worker thread keeps its database connection between tasks (as in production); end it so
    # the test database can be flushed and dropped.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def wait_for(condition, *, timeout: float = 10.0, interval: float = 0.05):
    """Poll until `condition()` is truthy (work done by the Celery worker); fail with a clear message."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {condition}")


@pytest.fixture
def member(db):
    return UserFactory(username="mo", tier=Tier.MEMBER)


@pytest.fixture
def other_member(db):
    return UserFactory(username="olga", tier=Tier.MEMBER)


@pytest.fixture
def newcomer(db):
    return UserFactory(username="nell", tier=Tier.NEWCOMER)


@pytest.fixture
def expert(db):
    return UserFactory(username="eva", tier=Tier.REGULAR)


@pytest.fixture
def moderator(db):
    return UserFactory(username="max", tier=Tier.CHAMPION)


@pytest.fixture
def manager(db):
    return make_manager(username="mia", tier=Tier.LEADER)


@pytest.fixture
def admin(db):
    return UserFactory(username="ada", is_staff=True, is_superuser=True, tier=Tier.LEADER)


@pytest.fixture
def category(db):
    return CategoryFactory(name="Help", slug="help")


@pytest.fixture
def read_only_category(db):
    return CategoryFactory(name="Announcements", slug="announcements", is_read_only=True)


@pytest.fixture
def moderator_in_group(moderator, manager):
    """A site-wide moderator, made as the site makes one: a ModeratorRole (which also puts them in the group)."""
    from moderation.services import grant_role

    grant_role(member=moderator, granted_by=manager)
    return type(moderator).objects.get(pk=moderator.pk)


def pytest_sessionfinish(session, exitstatus):
    """Nothing may be skipped silently: a skipped test (e.g. no browser) fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and exitstatus == 0:
        reporter.write_line("Tests were skipped; every test must run. Failing the run.", red=True)
        session.exitstatus = 1
