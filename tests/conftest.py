"""Role fixtures and shared test setup. Every test runs against the real PostgreSQL and Redis."""

import pytest
from django.core.cache import cache

from community.members.models import Tier
from tests.factories import CategoryFactory, UserFactory, make_manager


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate-limit slots live in Redis; each test starts without any.
    cache.clear()
    yield


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


def pytest_sessionfinish(session, exitstatus):
    """Nothing may be skipped silently: a skipped test (e.g. no browser) fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and exitstatus == 0:
        reporter.write_line("Tests were skipped; every test must run. Failing the run.", red=True)
        session.exitstatus = 1
