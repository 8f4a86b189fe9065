"""Posting a reply (issue 14): a fixed number of queries in the request, and no award or notification work in it;
those run in Celery jobs and the award log after commit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_reply, make_thread

pytestmark = pytest.mark.django_db(transaction=True)  # the after-commit work runs, as in production


def test_a_reply_costs_a_fixed_number_of_queries_and_writes_no_points_or_notifications_inline(client, member, other_member, category):
    thread = make_thread(author=other_member, category=category, title="Sourdough starter", body="Mine smells of acetone.")
    make_reply(thread=thread, author=other_member, body="Feed it twice a day.")
    client.force_login(member)
    client.get("/")  # the day's first request records the visit (loyalty.middleware); that is not the reply's work
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/t/{thread.pk}/reply/", {"body": f"Feed it more often, @{other_member.username}."})
    assert response.status_code == 302 and response["Location"].startswith("/p/")
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [statement for statement in sql if "loyalty_" in statement or "notifications_" in statement]
    assert len(sql) <= 16, "\n".join(sql)
