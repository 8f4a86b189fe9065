"""The heavy read-only pages read from the replica; other pages, writes and what follows a write stay on the primary.

In the tests `replica` is a second connection to the test database (a test mirror, tests/settings.py), so the
queries each connection ran show where the router sent them. The data must be committed for the second
connection to see it, hence transactional tests.
"""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from community import db_routing
from community.members.models import User
from community.notifications.models import Notification
from tests.factories import CategoryFactory, UserFactory, make_manager, make_thread

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture(autouse=True)
def _replica_router(settings):
    """What community.settings installs when DATABASE_REPLICA_URL is set (tests/test_database_settings.py checks it there)."""
    settings.DATABASE_ROUTERS = ["community.db_routing.ReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("django.middleware.security.SecurityMiddleware") + 1, "community.db_routing.ReplicaReadsMiddleware")
    settings.MIDDLEWARE = middleware


@pytest.fixture
def queries():
    """The SQL each connection runs during the test, by alias."""
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
        yield {"default": primary, "replica": replica}


def _sql(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


def _clear(queries) -> None:
    for captured in queries.values():
        captured.initial_queries = len(captured.connection.queries_log)


def _visited_today(client, member) -> None:
    """Log in and make the day's first visit (a write), then forget the cookie that write set: the next page is a plain read."""
    client.force_login(member)
    client.get("/notifications/")
    client.cookies.pop(db_routing.PIN_COOKIE, None)


# Each page and a piece of SQL only its own reading runs (the ORM's or raw), which must not reach the primary.
HEAVY_PAGES = [
    ("/leaderboard/", "loyalty_pointsentry"),
    ("/search/?q=django", "websearch_to_tsquery"),  # raw SQL (forums/search.py)
    ("/u/ann/", "forums_post"),
    ("/loyalty/", "loyalty_pointsentry"),
    ("/dashboard/?period=7", "generate_series"),  # raw SQL (the health figures)
]


@pytest.mark.parametrize(("url", "its_sql"), HEAVY_PAGES)
def test_each_heavy_read_page_reads_from_the_replica_and_writes_nothing_there(client, queries, url, its_sql):
    ann = make_manager(username="ann")  # a manager: the dashboard is hers to see
    make_thread(author=ann, category=CategoryFactory(), title="Django on a replica")
    _visited_today(client, ann)
    _clear(queries)

    response = client.get(url)

    assert response.status_code == 200
    assert any(its_sql in sql for sql in _sql(queries["replica"])), f"{url} did not read from the replica"
    assert not any(its_sql in sql for sql in _sql(queries["default"])), f"{url} read from the primary"
    assert not [sql for sql in _sql(queries["replica"]) if sql.lstrip().upper().startswith(WRITES)]
    assert db_routing.PIN_COOKIE not in response.cookies


def test_a_page_not_listed_reads_only_from_the_primary(client, queries):
    make_thread(author=UserFactory(), category=CategoryFactory(), title="Latest threads come from the primary")
    response = client.get("/")
    assert response.status_code == 200 and "Latest threads come from the primary" in response.content.decode()
    assert _sql(queries["default"]) and not _sql(queries["replica"])


def test_a_listed_page_whose_request_wrote_first_reads_everything_from_the_primary_and_pins_the_member(client, queries):
    member = UserFactory(username="ann")
    client.force_login(member)
    _clear(queries)

    response = client.get("/loyalty/")  # the day's first visit is recorded before the page is read

    assert response.status_code == 200
    assert any(sql.lstrip().upper().startswith("INSERT") for sql in _sql(queries["default"]))
    assert not _sql(queries["replica"])
    assert response.cookies[db_routing.PIN_COOKIE]["max-age"] == 10


def test_the_pages_after_a_write_read_from_the_primary_until_the_pin_expires(client, queries):
    member = UserFactory(username="ann")
    thread = make_thread(author=UserFactory(), category=CategoryFactory())
    _visited_today(client, member)
    _clear(queries)

    response = client.post(f"/t/{thread.pk}/reply/", {"body": "A reply written on the primary."})
    assert response.status_code in (200, 302) and db_routing.PIN_COOKIE in response.cookies
    client.get("/leaderboard/")
    assert not _sql(queries["replica"])  # neither the reply nor the leaderboard right after it

    client.cookies.pop(db_routing.PIN_COOKIE)  # as the browser does once max-age has passed
    client.get("/leaderboard/")
    assert _sql(queries["replica"])


def test_reads_inside_a_transaction_stay_on_the_primary_even_on_a_listed_page():
    router = db_routing.ReplicaRouter()
    token = db_routing._request_reads.set(db_routing.RequestReads(replica_allowed=True))
    try:
        assert router.db_for_read(User) == "replica"
        with transaction.atomic():
            assert router.db_for_read(User) == "default"
        assert router.db_for_write(Notification) == "default"
        assert router.db_for_read(User) == "replica"  # asking where a write would go is not a write
        db_routing._note_writes(db_routing._request_reads.get(), lambda *args: None, "INSERT INTO x VALUES (1)", None, False, {})
        assert router.db_for_read(User) == "default"  # read-your-writes for the rest of the request
    finally:
        db_routing._request_reads.reset(token)


def test_outside_a_request_jobs_and_commands_read_and_write_on_the_primary():
    router = db_routing.ReplicaRouter()
    assert router.db_for_read(User) == "default" and router.db_for_write(User) == "default"
    assert router.allow_migrate("replica", "members") is False and router.allow_migrate("default", "members") is True


def _view_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _view_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_page_listed_for_the_replica_is_a_page_of_the_site():
    assert _view_names(get_resolver().url_patterns) >= db_routing.REPLICA_READ_VIEWS
