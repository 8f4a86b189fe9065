"""Experts: appointed by managers, shown with flair, listed per tag, told about newcomers' questions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.expertise.models import Expertise
from community.expertise.services import expert_appoint
from community.notifications.models import Kind, Notification
from community.triage.tasks import route_newcomer_thread
from forums import services as forum_services
from tests.factories import TagFactory, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def django_tag(db):
    return TagFactory(name="django")


def test_manager_appoints_an_expert_from_the_experts_page(client, manager, expert, django_tag):
    client.force_login(manager)
    response = client.post("/experts/", {"username": "eva", "tags": "django"})
    assert response.status_code == 302
    row = Expertise.objects.get()
    assert (row.member, row.tag, row.source, row.appointed_by) == (expert, django_tag, "appointed", manager)
    assert "eva" in client.get("/experts/").content.decode()


def test_appointing_from_a_profile_returns_to_the_profile(client, manager, expert, django_tag):
    client.force_login(manager)
    response = client.post("/experts/", {"username": "eva", "tags": "django", "next": "/u/eva/"})
    assert response.url == "/u/eva/"
    response = client.post("/experts/", {"username": "eva", "tags": "django", "next": "https://evil.example/"})
    assert response.url == "/experts/"


@pytest.mark.parametrize("username, message", [("nobody", "No member is called"), ("gone", "is suspended")])
def test_appointing_an_unknown_or_suspended_member_is_refused(client, manager, django_tag, username, message):
    UserFactory(username="gone", is_active=False)
    client.force_login(manager)
    response = client.post("/experts/", {"username": username, "tags": "django"})
    assert message in response.content.decode() and not Expertise.objects.exists()


def test_only_managers_appoint_and_remove_experts(client, member, expert, manager, django_tag):
    client.force_login(member)
    assert client.post("/experts/", {"username": "eva", "tags": "django"}).status_code == 403
    row = expert_appoint(member=expert, tags=[django_tag], appointed_by=manager)[0]
    assert client.post(reverse("expertise:remove", args=[row.pk])).status_code == 403
    client.force_login(manager)
    client.post(reverse("expertise:remove", args=[row.pk]))
    assert not Expertise.objects.exists()


def test_experts_wear_flair_with_their_tag_on_their_posts(client, manager, expert, newcomer, category, django_tag):
    expert_appoint(member=expert, tags=[django_tag, TagFactory(name="zzz")], appointed_by=manager)
    thread = make_thread(author=newcomer, category=category, tags=[django_tag])
    make_reply(thread=thread, author=expert)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert html.count("★ #django") == 1 and "★ #zzz" not in html  # the thread's tag, on the expert's post only


def test_tag_page_lists_experts_with_their_accepted_answers(client, manager, expert, newcomer, category, django_tag):
    expert_appoint(member=expert, tags=[django_tag], appointed_by=manager)
    thread = make_thread(author=newcomer, category=category, title="Migrations fail", tags=[django_tag])
    forum_services.answer_accept(thread=thread, post=make_reply(thread=thread, author=expert), member=newcomer)
    response = client.get("/experts/django/")
    assert [row.member for row in response.context["experts"]] == [expert]
    assert response.context["experts"][0].accepted_count == 1
    assert "Migrations fail" in response.content.decode()
    assert client.get("/experts/nosuchtag/").status_code == 404


def test_newcomer_thread_routes_to_the_tags_experts_once(manager, expert, newcomer, member, category, django_tag):
    expert_appoint(member=expert, tags=[django_tag], appointed_by=manager)
    thread = make_thread(author=newcomer, category=category, tags=[django_tag])
    assert route_newcomer_thread(thread.pk) == 1
    route_newcomer_thread(thread.pk)
    notification = Notification.objects.get(recipient=expert)
    assert (notification.kind, notification.thread_id, notification.count) == (Kind.EXPERT_ROUTING, thread.pk, 1)
    assert route_newcomer_thread(make_thread(author=member, category=category, tags=[django_tag]).pk) == 0  # not a newcomer


def test_more_newcomer_threads_within_ten_minutes_are_batched(manager, expert, category, django_tag):
    expert_appoint(member=expert, tags=[django_tag], appointed_by=manager)
    threads = [make_thread(author=UserFactory(tier=0), category=category, title=f"Question {i}", tags=[django_tag]) for i in range(3)]
    for thread in threads:
        route_newcomer_thread(thread.pk)
        route_newcomer_thread(thread.pk)
    notification = Notification.objects.get(recipient=expert)
    assert notification.count == 3 and notification.gathered == [t.pk for t in threads]
    # After the batch window, or once read, the next question is a notification of its own.
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    route_newcomer_thread(make_thread(author=UserFactory(tier=0), category=category, title="Later", tags=[django_tag]).pk)
    assert Notification.objects.filter(recipient=expert).count() == 2


def test_experts_page_is_constant_in_queries(client, manager, django_assert_max_num_queries):
    tags = [TagFactory(name=f"tag{i}") for i in range(10)]
    for i in range(20):
        expert_appoint(member=UserFactory(), tags=tags[i % 10: i % 10 + 2], appointed_by=manager)
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        assert client.get("/experts/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/experts/tag1/").status_code == 200
