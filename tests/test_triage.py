"""The newcomer-priority reply queue: what is in it, in what order, the actions, the figures."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.expertise.services import expert_appoint
from community.notifications.models import Kind, Notification
from community.triage import selectors, services
from community.triage.models import QueueEntry
from community.triage.selectors import QueueFilters
from forums.models import Thread
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


def _age(thread, **delta):
    Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(**delta))
    thread.refresh_from_db()
    return thread


def _queue(member, **filters):
    rows, _more = selectors.newcomer_queue(member=member, filters=QueueFilters(**filters))
    return rows


def test_queue_holds_unanswered_newcomer_threads_oldest_first(manager, newcomer, member, category):
    newest = make_thread(author=newcomer, category=category, title="Newest")
    oldest = _age(make_thread(author=newcomer, category=category, title="Oldest"), hours=5)
    make_thread(author=member, category=category, title="By a member")
    assert [row.title for row in _queue(manager)] == ["Oldest", "Newest"]
    assert oldest.is_newcomer_thread and newest.is_newcomer_thread


def test_a_reply_by_someone_else_removes_the_thread_from_the_queue(manager, newcomer, expert, category):
    thread = make_thread(author=newcomer, category=category)
    make_reply(thread=thread, author=newcomer, body="Any ideas?")
    assert [row.pk for row in _queue(manager)] == [thread.pk]
    reply = make_reply(thread=thread, author=expert)
    assert _queue(manager) == []
    thread.refresh_from_db()
    assert thread.first_response_at == reply.created_at and thread.first_responder == expert


def test_thread_stays_a_newcomer_thread_after_its_author_grows_up(manager, newcomer, category):
    thread = make_thread(author=newcomer, category=category)
    newcomer.tier = 2
    newcomer.save()
    assert [row.pk for row in _queue(manager)] == [thread.pk]


def test_rows_show_wait_state_against_the_target_and_suggest_experts(manager, newcomer, expert, category):
    tag = TagFactory(name="django")
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    fresh = make_thread(author=newcomer, category=category, title="Fresh", tags=[tag])
    late = _age(make_thread(author=newcomer, category=category, title="Late"), hours=3)
    overdue = _age(make_thread(author=newcomer, category=category, title="Overdue"), hours=5)
    rows = {row.pk: row for row in _queue(manager)}
    assert (rows[fresh.pk].wait_state, rows[late.pk].wait_state, rows[overdue.pk].wait_state) == ("ok", "warning", "overdue")
    assert rows[fresh.pk].suggested_experts == [expert] and rows[late.pk].suggested_experts == []


def test_filters_by_category_tag_claim_and_overdue(manager, newcomer, category):
    other_category = CategoryFactory()
    tag = TagFactory(name="css")
    a = _age(make_thread(author=newcomer, category=category, title="Thread A", tags=[tag]), hours=6)
    b = make_thread(author=newcomer, category=other_category, title="Thread B")
    services.claim(thread=b, member=manager)
    assert [r.pk for r in _queue(manager, category_id=category.pk)] == [a.pk]
    assert [r.pk for r in _queue(manager, tag="css")] == [a.pk]
    assert [r.pk for r in _queue(manager, claim="mine")] == [b.pk]
    assert [r.pk for r in _queue(manager, claim="unclaimed")] == [a.pk]
    assert [r.pk for r in _queue(manager, overdue_only=True)] == [a.pk]


def test_claiming_a_thread_someone_else_claimed_is_refused_and_nothing_changes(client, manager, newcomer, category):
    other = UserFactory(username="otto")
    thread = make_thread(author=newcomer, category=category)
    services.claim(thread=thread, member=other)
    client.force_login(manager)
    response = client.post(reverse("triage:claim", args=[thread.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "otto claimed this thread" in response.content.decode()
    assert QueueEntry.objects.get(thread=thread).claimed_by == other


def test_claim_and_unclaim_by_htmx_return_the_row(client, manager, newcomer, category):
    thread = make_thread(author=newcomer, category=category)
    client.force_login(manager)
    html = client.post(reverse("triage:claim", args=[thread.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert f'id="queue-row-{thread.pk}"' in html and "Claimed by mia" in html
    html = client.post(reverse("triage:unclaim", args=[thread.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert ">Claim<" in html
    assert QueueEntry.objects.get(thread=thread).claimed_by is None


def test_assigning_notifies_the_assignee(client, manager, newcomer, expert, category):
    thread = make_thread(author=newcomer, category=category)
    client.force_login(manager)
    html = client.post(reverse("triage:assign", args=[thread.pk]), {"username": "eva"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Assigned to eva" in html
    notification = Notification.objects.get(recipient=expert)
    assert (notification.kind, notification.thread_id, notification.actor_id) == (Kind.ASSIGNED, thread.pk, manager.pk)


@pytest.mark.parametrize("username, message", [("ghost", "No member is called “ghost”."), ("sleepy", "sleepy is suspended")])
def test_assigning_to_an_unknown_or_suspended_member_is_refused(client, manager, newcomer, category, username, message):
    UserFactory(username="sleepy", is_active=False)
    thread = make_thread(author=newcomer, category=category)
    client.force_login(manager)
    html = client.post(reverse("triage:assign", args=[thread.pk]), {"username": username}, HTTP_HX_REQUEST="true").content.decode()
    assert message in html
    assert not QueueEntry.objects.filter(thread=thread, assigned_to__isnull=False).exists()
    assert not Notification.objects.exists()


def test_snooze_hides_the_thread_until_the_time_comes(manager, newcomer, category):
    thread = make_thread(author=newcomer, category=category)
    entry = services.snooze(thread=thread, member=manager, duration="1h")
    assert timedelta(minutes=59) < entry.snoozed_until - timezone.now() <= timedelta(hours=1)
    assert _queue(manager) == []
    QueueEntry.objects.filter(pk=entry.pk).update(snoozed_until=timezone.now() - timedelta(seconds=1))
    assert [row.pk for row in _queue(manager)] == [thread.pk]


def test_snooze_until_tomorrow_is_nine_in_the_morning_of_the_managers_zone(manager, newcomer, category):
    manager.timezone = "Asia/Tokyo"
    entry = services.snooze(thread=make_thread(author=newcomer, category=category), member=manager, duration="tomorrow")
    local = timezone.localtime(entry.snoozed_until, timezone=__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    assert (local.hour, local.minute) == (9, 0) and entry.snoozed_until > timezone.now()


def test_no_reply_needed_requires_a_reason_and_removes_the_thread(client, manager, newcomer, category):
    thread = make_thread(author=newcomer, category=category)
    client.force_login(manager)
    html = client.post(reverse("triage:no_reply_needed", args=[thread.pk]), {"reason": " "}, HTTP_HX_REQUEST="true").content.decode()
    assert "Say why no reply is needed" in html and _queue(manager) != []
    client.post(reverse("triage:no_reply_needed", args=[thread.pk]), {"reason": "Duplicate of #12"}, HTTP_HX_REQUEST="true")
    assert _queue(manager) == []
    assert QueueEntry.objects.get(thread=thread).no_reply_reason == "Duplicate of #12"


def test_actions_on_an_answered_thread_say_it_left_the_queue(client, manager, newcomer, expert, category):
    thread = make_thread(author=newcomer, category=category)
    make_reply(thread=thread, author=expert)
    client.force_login(manager)
    html = client.post(reverse("triage:claim", args=[thread.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "no longer waiting in the queue" in html


def test_queue_is_for_managers_and_moderators_only(client, member, manager, moderator_in_group, newcomer, category):
    thread = make_thread(author=newcomer, category=category)
    client.force_login(member)
    assert client.get("/queue/").status_code == 403
    assert client.post(reverse("triage:claim", args=[thread.pk])).status_code == 403
    assert not QueueEntry.objects.exists()
    client.force_login(moderator_in_group)
    assert client.get("/queue/").status_code == 200
    client.force_login(manager)
    assert client.get("/queue/").status_code == 200
    assert client.post(reverse("triage:claim", args=[424242])).status_code == 404


def test_queue_page_runs_a_constant_number_of_queries_with_many_waiting_threads(
    client, manager, newcomer, category, django_assert_max_num_queries
):
    tags = [TagFactory(name=f"t{i}") for i in range(4)]
    expert_appoint(member=UserFactory(), tags=tags, appointed_by=manager)
    now = timezone.now()
    authors = [UserFactory(tier=0) for _ in range(5)]
    threads = Thread.objects.bulk_create([
        Thread(category=category, author=authors[i % 5], title=f"Waiting {i}", slug=f"waiting-{i}", created_at=now - timedelta(minutes=i),
               last_posted_at=now, last_poster=authors[i % 5], is_newcomer_thread=True)
        for i in range(2_000)
    ])
    Thread.tags.through.objects.bulk_create([Thread.tags.through(thread_id=t.pk, tag_id=tags[i % 4].pk) for i, t in enumerate(threads)])
    services.claim(thread=threads[-1], member=manager)
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        response = client.get("/queue/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 30 and rows[0].pk == threads[-1].pk and response.context["has_more"]
    assert response.context["figures"]["counts"] == {"waiting": 2_000, "overdue": 2_000 - 240}


def test_first_response_figures(manager, newcomer, member, expert, category):
    def answered(author, after):
        thread = make_thread(author=author, category=category)
        _age(thread, hours=10)
        Thread.objects.filter(pk=thread.pk).update(first_response_at=thread.created_at + after, first_responder=expert)
        return thread

    answered(newcomer, timedelta(hours=1))
    answered(newcomer, timedelta(hours=3))
    answered(newcomer, timedelta(hours=8))  # over the 4 h target
    answered(member, timedelta(minutes=10))
    _age(make_thread(author=newcomer, category=category), hours=6)  # waiting, overdue: counts as a miss
    make_thread(author=newcomer, category=category)  # waiting, not yet due
    figures = selectors.response_figures()
    newcomers, everyone = figures[7, "newcomers"], figures[7, "everyone"]
    assert (newcomers.threads, newcomers.answered, newcomers.within_target, newcomers.due) == (5, 3, 2, 4)
    assert newcomers.median_seconds == 3 * 3600
    assert newcomers.p90_seconds == pytest.approx(7 * 3600)  # interpolated between 3 h and 8 h
    assert newcomers.within_target_percent == 50.0
    assert (everyone.threads, everyone.answered, everyone.within_target, everyone.due) == (6, 4, 3, 5)
    assert figures[30, "everyone"].threads == 6


def test_row_actions_load_on_demand_for_queue_workers_only(client, manager, member, newcomer, category):
    thread = make_thread(author=newcomer, category=category)
    client.force_login(member)
    assert client.get(reverse("triage:actions", args=[thread.pk])).status_code == 403
    client.force_login(manager)
    html = client.get(reverse("triage:actions", args=[thread.pk])).content.decode()
    assert reverse("triage:snooze", args=[thread.pk]) in html and reverse("triage:no_reply_needed", args=[thread.pk]) in html


def test_managers_hear_once_a_day_about_threads_past_the_target(manager, newcomer, category):
    from community.triage.tasks import notify_target_breaches

    late = _age(make_thread(author=newcomer, category=category, title="Late one"), hours=5)
    make_thread(author=newcomer, category=category, title="Fresh one")
    assert notify_target_breaches() == 1
    notify_target_breaches()
    notification = Notification.objects.get(recipient=manager)
    assert (notification.kind, notification.count, notification.gathered) == (Kind.QUEUE_OVERDUE, 1, [late.pk])
    _age(make_thread(author=newcomer, category=category, title="Later one"), hours=6)
    notify_target_breaches()
    assert Notification.objects.get(recipient=manager).count == 2
