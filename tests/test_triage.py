"""The newcomer-priority reply queue: what is in it, in what order, the actions, the figures."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.expertise.services import expert_appoint
from community.notifications.models import Kind, Notification
from community.triage import selectors, services
from community.triage.models import QueueEntry
from community.triage.selectors import QueueFilters
from forums import services as forum_services
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
    assert response.context["figures"]["counts"] == {"waiting": 2_000, "overdue": 2_000 - 240, "snoozed": 0}


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


def test_deleting_the_only_reply_puts_the_thread_back_in_the_queue(manager, newcomer, expert, category):
    thread = make_thread(author=newcomer, category=category)
    reply = make_reply(thread=thread, author=expert)
    assert _queue(manager) == []
    forum_services.post_delete(post=reply, member=expert)
    assert [row.pk for row in _queue(manager)] == [thread.pk]
    assert list(selectors.waiting_newcomer_threads()) == [thread]
    thread.refresh_from_db()
    assert (thread.first_response_at, thread.first_responder) == (None, None)


def test_hiding_the_only_reply_puts_the_thread_back_and_unhiding_takes_it_out_again(manager, newcomer, expert, category):
    thread = make_thread(author=newcomer, category=category)
    reply = make_reply(thread=thread, author=expert)
    assert forum_services.post_hide(post=reply, reason="flagged") is True
    assert [row.pk for row in _queue(manager)] == [thread.pk]
    assert forum_services.post_unhide(post=reply) is True
    assert _queue(manager) == []
    thread.refresh_from_db()
    assert (thread.first_response_at, thread.first_responder) == (reply.created_at, expert)


def test_unhiding_a_post_that_was_never_hidden_changes_nothing(manager, newcomer, expert, category):
    waiting = make_thread(author=newcomer, category=category, title="Still waiting")
    answered = make_thread(author=newcomer, category=category, title="Answered")
    reply = make_reply(thread=answered, author=expert)
    before = list(Thread.objects.order_by("pk").values())
    assert forum_services.post_unhide(post=waiting.posts.get()) is False
    assert forum_services.post_unhide(post=reply) is False
    assert list(Thread.objects.order_by("pk").values()) == before
    assert [row.pk for row in _queue(manager)] == [waiting.pk]


def test_a_hidden_reply_by_someone_else_does_not_take_a_thread_out_of_the_queue(manager, newcomer, expert, member, category):
    thread = make_thread(author=newcomer, category=category)
    held = make_reply(thread=thread, author=expert)
    forum_services.post_hide(post=held, reason="held for a moderator's approval")
    make_reply(thread=thread, author=newcomer, body="Anyone?")
    assert [row.pk for row in _queue(manager)] == [thread.pk]
    visible = make_reply(thread=thread, author=member)
    assert _queue(manager) == []
    forum_services.post_unhide(post=held)  # the held reply came first: it is the first response now
    thread.refresh_from_db()
    assert (thread.first_response_at, thread.first_responder) == (held.created_at, expert)
    forum_services.post_delete(post=held, member=expert)
    thread.refresh_from_db()
    assert (thread.first_response_at, thread.first_responder) == (visible.created_at, member)


def test_moving_an_answered_thread_keeps_it_out_of_the_queue_and_a_waiting_one_in(manager, newcomer, expert, category):
    other_category = CategoryFactory()
    answered = make_thread(author=newcomer, category=category, title="Answered")
    reply = make_reply(thread=answered, author=expert)
    waiting = make_thread(author=newcomer, category=category, title="Waiting")
    forum_services.thread_move(thread=answered, category=other_category)
    forum_services.thread_move(thread=waiting, category=other_category)
    assert [row.pk for row in _queue(manager, category_id=other_category.pk)] == [waiting.pk]
    answered.refresh_from_db()
    assert (answered.first_response_at, answered.first_responder) == (reply.created_at, expert)


# -- an expert asked to answer hears about the thread once --------------------------------------------

@pytest.fixture
def routed_expert(manager, expert):
    tag = TagFactory(name="django")
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    return tag


def _notifications_of(expert):
    return list(Notification.objects.filter(recipient=expert).values_list("kind", "thread_id", "count"))


def test_an_expert_routed_a_thread_then_assigned_it_has_one_notification(client, manager, newcomer, expert, routed_expert, category):
    from community.triage.tasks import route_newcomer_thread

    thread = make_thread(author=newcomer, category=category, tags=[routed_expert])
    assert route_newcomer_thread(thread.pk) == 1
    client.force_login(manager)
    client.post(reverse("triage:assign", args=[thread.pk]), {"username": expert.username})
    assert _notifications_of(expert) == [(Kind.ASSIGNED, thread.pk, 1)]
    assert route_newcomer_thread(thread.pk) == 0  # a redelivered routing job changes nothing
    assert _notifications_of(expert) == [(Kind.ASSIGNED, thread.pk, 1)]


def test_an_expert_assigned_a_thread_before_routing_runs_has_one_notification(manager, newcomer, expert, routed_expert, category):
    from community.triage.tasks import route_newcomer_thread

    thread = make_thread(author=newcomer, category=category, tags=[routed_expert])
    services.assign(thread=thread, assignee=expert, assigned_by=manager)
    assert route_newcomer_thread(thread.pk) == 0
    assert _notifications_of(expert) == [(Kind.ASSIGNED, thread.pk, 1)]


def test_assigning_one_thread_of_a_routed_batch_leaves_the_rest_of_the_batch(manager, newcomer, expert, routed_expert, category):
    from community.triage.tasks import route_newcomer_thread

    first, second, third = (make_thread(author=UserFactory(tier=0), category=category, title=f"Question {i}", tags=[routed_expert])
                            for i in range(3))
    for thread in (first, second, third):
        route_newcomer_thread(thread.pk)
    services.assign(thread=first, assignee=expert, assigned_by=manager)
    batch = Notification.objects.get(recipient=expert, kind=Kind.EXPERT_ROUTING)
    assert (batch.count, batch.gathered, batch.thread_id) == (2, [second.pk, third.pk], second.pk)
    services.assign(thread=third, assignee=expert, assigned_by=manager)
    batch.refresh_from_db()
    assert (batch.count, batch.gathered, batch.thread_id) == (1, [second.pk], second.pk)  # "A newcomer asks: Question 1"
    assert Notification.objects.filter(recipient=expert, kind=Kind.ASSIGNED).count() == 2


def test_waiting_now_counts_what_the_list_shows_and_snoozed_threads_have_their_filter(client, manager, newcomer, category):
    from community.triage import services as triage_services

    shown = make_thread(author=newcomer, category=category, title="Still waiting for help")
    set_aside = make_thread(author=UserFactory(tier=0), category=category, title="Set aside until later")
    triage_services.snooze(thread=set_aside, member=manager, duration="4h")
    client.force_login(manager)
    page = client.get("/queue/").content.decode()
    assert re.search(r'id="waiting-now">1<', page) and re.search(r'id="snoozed-now">1<', page)
    assert shown.title in page and set_aside.title not in page
    snoozed_page = client.get("/queue/?snoozed=on").content.decode()
    assert set_aside.title in snoozed_page and shown.title not in snoozed_page


def test_queue_pages_keep_their_filters_and_a_page_past_the_end_is_not_there(client, manager, newcomer, category):
    from community.triage.selectors import PER_PAGE

    for index in range(PER_PAGE + 1):
        make_thread(author=UserFactory(tier=0), category=category, title=f"Question number {index}")
    client.force_login(manager)
    page = client.get("/queue/?claim=unclaimed&overdue=&page=1").content.decode()
    assert 'href="?claim=unclaimed&amp;overdue=&amp;page=2"' in page
    assert client.get("/queue/?page=999999").status_code == 404


def test_experts_away_today_are_not_suggested(manager, newcomer, expert, category):
    from datetime import timedelta

    from django.utils import timezone

    from community.expertise.models import ExpertAvailability

    tag = TagFactory(name="celery")
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    thread = make_thread(author=newcomer, category=category, title="Celery question", tags=[tag])
    ExpertAvailability.objects.create(member=expert, away_until=timezone.localdate() + timedelta(days=3))
    assert {row.pk: row for row in _queue(manager)}[thread.pk].suggested_experts == []
    ExpertAvailability.objects.filter(member=expert).update(away_until=None)
    assert {row.pk: row for row in _queue(manager)}[thread.pk].suggested_experts == [expert]


def test_queue_figures_are_kept_but_a_new_newcomer_thread_or_a_reply_shows_on_the_next_page(
    client, manager, newcomer, member, category, django_capture_on_commit_callbacks
):
    waiting = make_thread(author=newcomer, category=category, title="First to wait")
    client.force_login(manager)
    assert re.search(r'id="waiting-now">1<', client.get("/queue/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        make_thread(author=UserFactory(tier=0), category=category, title="Second to wait")
    assert re.search(r'id="waiting-now">2<', client.get("/queue/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(thread=waiting, author=member)
    assert re.search(r'id="waiting-now">1<', client.get("/queue/").content.decode())


def test_queue_figures_of_one_scope_are_not_shown_to_another(manager, newcomer, category):
    other = CategoryFactory()
    make_thread(author=newcomer, category=category)
    assert selectors.dashboard_figures(category_ids={other.pk})["counts"]["waiting"] == 0
    assert selectors.dashboard_figures(category_ids=None)["counts"]["waiting"] == 1
    assert selectors.dashboard_figures(category_ids={category.pk})["counts"]["waiting"] == 1
