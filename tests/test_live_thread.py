"""A thread page learns of new replies without a reload, and an ask when nothing changed is a 304 from one query."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forums import services
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread


def test_new_replies_are_announced_and_unchanged_asks_cost_one_query_and_a_304(db):
    thread = make_thread(author=UserFactory(), category=CategoryFactory(), title="A live thread")
    page = Client().get(thread.get_absolute_url()).content.decode()
    assert f'hx-get="/t/{thread.pk}/news/?after=1"' in page and 'hx-trigger="every 10s"' in page
    url = f"/t/{thread.pk}/news/?after=1"
    client = Client()
    first = client.get(url)
    assert first.status_code == 200 and first.content.decode().strip() == "" and first["ETag"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and len(queries) == 1
    make_reply(thread=thread, author=UserFactory(), body="A new answer")
    hidden = make_reply(thread=thread, author=UserFactory(), body="A hidden answer")
    services.post_hide(post=hidden, reason="spam")
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and "1 new reply: show it" in changed.content.decode()
    assert "?page=1#post-2" in changed.content.decode()


def test_an_unknown_thread_or_a_bad_number_is_no_500(db):
    assert Client().get("/t/999999/news/?after=1").status_code in (200, 404)
    thread = make_thread(author=UserFactory(), category=CategoryFactory(), title="Another thread")
    assert Client().get(f"/t/{thread.pk}/news/?after=abc").status_code == 200


def test_the_bell_answers_304_while_the_count_stays_the_same(db):
    from community.notifications.models import Kind
    from community.notifications.services import notify

    member, thread = UserFactory(), make_thread(author=UserFactory(), category=CategoryFactory(), title="Bell thread")
    client = Client()
    client.force_login(member)
    first = client.get("/notifications/bell/")
    assert first.status_code == 200 and first["ETag"]
    assert client.get("/notifications/bell/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    notify(recipient=member, kind=Kind.REPLY, dedupe_key="bell-test", actor=UserFactory(), thread=thread)
    changed = client.get("/notifications/bell/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and 'data-count="1"' in changed.content.decode()


def test_an_open_queue_learns_of_claims_and_new_rows_and_asks_for_free_when_nothing_changed(
        db, django_capture_on_commit_callbacks):
    from community.members.models import Tier
    from community.triage import live
    from community.triage import services as triage
    from tests.factories import make_manager

    boss, other = make_manager(username="boss"), make_manager(username="other_boss", display_name="Olga Other")
    newcomer = UserFactory(tier=Tier.NEWCOMER)
    waiting = make_thread(author=newcomer, category=CategoryFactory(), title="Please help me start")
    client = Client()
    client.force_login(boss)
    page = client.get("/queue/").content.decode()
    version = live.version()
    assert f"/queue/live/?v={version}" in page and "Please help me start" in page
    with CaptureQueriesContext(connection) as queries:
        idle = client.get(f"/queue/live/?v={version}")
    assert idle.status_code == 204 and len(queries) <= 2  # the member's own session and row; the version is in Redis
    with django_capture_on_commit_callbacks(execute=True):  # the version moves once the change commits
        triage.claim(thread=waiting, member=other)
    claimed = client.get(f"/queue/live/?v={version}")
    assert claimed.status_code == 200 and "Olga Other" in claimed.content.decode()
    assert f"v={live.version()}" in claimed.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        make_thread(author=UserFactory(tier=Tier.NEWCOMER), category=CategoryFactory(), title="A brand new question")
    fresh = client.get(f"/queue/live/?v={version}")
    assert "A brand new question" in fresh.content.decode()
    assert Client().get(f"/queue/live/?v={version}").status_code == 302  # anonymous: log in first
