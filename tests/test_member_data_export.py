"""A member downloads their own data as JSON: posts, points, badges, RSVPs, profile; nobody else's; in a fixed number of queries."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from community.events import services as event_services
from community.members import services as member_services
from community.members.export import member_data_export
from forums import services as forum_services
from loyalty import ledger
from loyalty.badges import ensure_badges
from loyalty.models import BadgeAward
from tests.factories import TagFactory, make_event, make_reply, make_thread

pytestmark = pytest.mark.django_db


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def give_data(member, category, *, words: str, points: int) -> None:
    """Posts (one deleted), a ledger entry, a badge and an event answer, all the member's own."""
    thread = make_thread(author=member, category=category, title=f"{words} asks")
    gone = make_reply(thread=thread, author=member, body=f"{words} deleted this")
    forum_services.post_delete(post=gone, member=member)
    ledger.award(member_id=member.pk, reason="celebration", source_type="test", source_id=words, amount=points)
    BadgeAward.objects.create(member=member, badge=next(iter(ensure_badges().values())), source_key=words, created_at=timezone.now())
    event = make_event(category=category, title=f"{words} meetup")
    event_services.rsvp_set(event=event, member=member, status="going")


def test_the_download_is_a_json_attachment_of_the_members_own_data(member, other_member, category):
    member_services.profile_update(member=member, display_name="Mo", language="", timezone="UTC", bio="I like pumpkins",
                                   interests=[TagFactory(name="gardening")], birthday_day=None, birthday_month=None)
    give_data(member, category, words="mine", points=7)
    give_data(other_member, category, words="theirs", points=9876)
    response = signed_in(member).get("/settings/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="roundtable-{member.username}.json"'
    data = json.loads(response.content)
    assert data["member"]["username"] == member.username and data["member"]["email"] == member.email
    assert data["profile"]["bio"] == "I like pumpkins" and data["profile"]["interests"] == ["gardening"]
    assert [(post["thread_title"], post["is_deleted"]) for post in data["posts"]] == [("mine asks", False), ("mine asks", True)]
    assert data["posts"][1]["body"] == "mine deleted this"
    assert data["points"]["balance"] == 7 and [entry["amount"] for entry in data["points"]["ledger"]] == [7]
    assert len(data["points"]["badges"]) == 1 and [rsvp["event"] for rsvp in data["rsvps"]] == ["mine meetup"]
    # Nothing of the other member's is in it.
    text = response.content.decode()
    for theirs in ("theirs", other_member.username, other_member.email, "9876"):
        assert theirs not in text, theirs


def test_the_export_needs_a_signed_in_member(client):
    response = client.get("/settings/export/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_export_reads_a_fixed_number_of_queries_however_much_there_is(member, category, django_assert_max_num_queries):
    give_data(member, category, words="one", points=1)
    with django_assert_max_num_queries(8) as few:
        member_data_export(member)
    for index in range(5):
        give_data(member, category, words=f"more{index}", points=1)
        make_reply(thread=make_thread(author=member, category=category, title=f"More {index}"), author=member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = member_data_export(member)
    assert len(data["posts"]) == 6 * 2 + 5 * 2 and len(data["rsvps"]) == 6


def test_the_settings_page_offers_the_download(member):
    page = signed_in(member).get("/settings/").content.decode()
    assert 'href="/settings/export/"' in page
