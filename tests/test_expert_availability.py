"""Experts who can say no: away until a day, at most N routed questions a week; routing skips them and
prefers the least loaded; the experts page and the dashboard count what reached each expert."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import permissions
from community.expertise import selectors, services
from community.expertise.models import ExpertAvailability, RoutedQuestion
from community.expertise.services import availability_set, expert_appoint
from community.members.models import Tier, User
from community.notifications.models import Kind, Notification
from community.triage import tasks
from community.triage.tasks import route_newcomer_thread
from forums.models import Thread
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_manager, make_reply, make_thread

URL = "/experts/me/availability/"


@pytest.fixture
def tag(db):
    return TagFactory(name="django")


@pytest.fixture
def experts(manager, tag):
    """Four experts in #django, a to d."""
    people = [UserFactory(username=f"{letter}_expert", tier=Tier.REGULAR) for letter in "abcd"]
    for person in people:
        expert_appoint(member=person, tags=[tag], appointed_by=manager)
    return people


def _question(category, tag, title="How do I start?"):
    return make_thread(author=UserFactory(tier=Tier.NEWCOMER), category=category, title=title, tags=[tag])


def _routed(thread) -> set[str]:
    return set(RoutedQuestion.objects.filter(thread=thread).values_list("expert__username", flat=True))


def _told(member) -> list[int]:
    """The threads routing told this member about, across their notifications."""
    return sorted(item for row in Notification.objects.filter(recipient=member, kind=Kind.EXPERT_ROUTING) for item in row.gathered)


def _load(expert, n, days_ago=1):
    """n questions routed to `expert` `days_ago` days ago."""
    category = CategoryFactory()
    for i in range(n):
        thread = make_thread(author=UserFactory(tier=Tier.NEWCOMER), category=category, title=f"Old {expert.username} {i}")
        RoutedQuestion.objects.create(expert=expert, thread=thread, routed_at=timezone.now() - timedelta(days=days_ago))


# -- the expert says it ----------------------------------------------------------------------------

def test_an_expert_sets_themselves_away_and_a_weekly_cap_and_the_pages_show_it(client, expert, manager, tag):
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    client.force_login(expert)
    assert 'action="/experts/me/availability/"' in client.get("/experts/").content.decode()
    day = timezone.localdate() + timedelta(days=5)
    response = client.post(URL, {"away_until": day.isoformat(), "weekly_cap": "4"}, follow=True)
    row = ExpertAvailability.objects.get(member=expert)
    assert (row.away_until, row.weekly_cap) == (day, 4)
    html = response.content.decode()
    assert "You are away until" in html and "Questions that reached you before stay in your notifications" in html
    assert "At most 4 a week." in html
    assert "away until" in client.get("/experts/django/").content.decode()
    client.logout()
    assert "away until" in client.get("/experts/").content.decode()  # everyone sees it, next to the name


def test_clearing_the_form_makes_the_expert_available_without_a_limit(client, expert, manager, tag):
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    availability_set(member=expert, away_until=timezone.localdate() + timedelta(days=2), weekly_cap=3)
    client.force_login(expert)
    response = client.post(URL, {"away_until": "", "weekly_cap": ""}, follow=True)
    row = ExpertAvailability.objects.get(member=expert)
    assert (row.away_until, row.weekly_cap) == (None, None)
    assert "You are available" in response.content.decode()
    assert "away until" not in client.get("/experts/").content.decode()


@pytest.mark.parametrize("away_days, cap, message", [
    (-1, "", "Choose today or a later day"),
    (400, "", "You can be away for a year at most"),
    (None, "0", "Ensure this value is greater than or equal to 1"),
    (None, "600", "A weekly limit is between 1 and 500"),
    (None, "many", "Enter a whole number"),
])
def test_a_past_day_a_far_day_or_a_cap_out_of_range_is_refused_with_a_reason(client, expert, manager, tag, away_days, cap, message):
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    client.force_login(expert)
    day = "" if away_days is None else (timezone.localdate() + timedelta(days=away_days)).isoformat()
    response = client.post(URL, {"away_until": day, "weekly_cap": cap})
    assert response.status_code == 200 and message in response.content.decode()
    assert not ExpertAvailability.objects.exists()


def test_a_member_who_is_no_expert_sees_no_form_and_is_refused(client, member, tag):
    client.force_login(member)
    assert URL not in client.get("/experts/").content.decode()
    response = client.post(URL, {"away_until": "", "weekly_cap": "3"})
    assert response.status_code == 403 and "Only experts say when they are away" in response.content.decode()
    assert not ExpertAvailability.objects.exists()
    assert client.get(URL).status_code == 405  # a POST form: a GET changes nothing


def test_a_silenced_expert_is_refused_with_the_reason(client, expert, manager, tag):
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    User.objects.filter(pk=expert.pk).update(silenced_until=timezone.now() + timedelta(days=1))
    client.force_login(expert)
    response = client.post(URL, {"away_until": "", "weekly_cap": "3"})
    assert response.status_code == 403 and "You can read but not post" in response.content.decode()
    assert not ExpertAvailability.objects.exists()


def test_only_experts_who_may_write_may_set_their_availability(expert, member, manager, tag):
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    assert permissions.can_set_expert_availability(expert)
    assert not permissions.can_set_expert_availability(member)
    with pytest.raises(PermissionDenied, match="Only experts"):
        permissions.check_can_set_expert_availability(member)


def test_away_is_counted_in_the_experts_own_days(expert):
    row = ExpertAvailability(member=expert, away_until=selectors.expert_today(expert))
    assert row.is_away_on(row.away_until)  # away through the day they chose
    assert not row.is_away_on(row.away_until + timedelta(days=1))  # back the day after
    # Kiritimati is 14 hours ahead of UTC: at 11:00 UTC it is already tomorrow there.
    expert.timezone = "Pacific/Kiritimati"
    eleven = timezone.now().replace(hour=11, minute=0)
    assert selectors.expert_today(expert, eleven) == eleven.date() + timedelta(days=1)


def test_the_service_checks_before_it_writes(expert):
    with pytest.raises(ValidationError):
        availability_set(member=expert, away_until=timezone.localdate() - timedelta(days=3), weekly_cap=None)
    with pytest.raises(ValidationError):
        availability_set(member=expert, away_until=None, weekly_cap=0)
    assert not ExpertAvailability.objects.exists()


# -- routing ---------------------------------------------------------------------------------------

def test_an_away_expert_is_skipped_and_told_again_after_their_day(experts, category, tag):
    a = experts[0]
    availability_set(member=a, away_until=timezone.localdate() + timedelta(days=1), weekly_cap=None)
    thread = _question(category, tag)
    assert route_newcomer_thread(thread.pk) == 3
    assert _routed(thread) == {"b_expert", "c_expert", "d_expert"} and _told(a) == []
    # Back: away until yesterday (in their own days) is not away.
    ExpertAvailability.objects.filter(member=a).update(away_until=timezone.localdate() - timedelta(days=2))
    later = _question(category, tag, title="Later")
    route_newcomer_thread(later.pk)
    assert "a_expert" in _routed(later)


def test_every_expert_of_the_tag_away_means_nobody_is_told_and_the_thread_waits_in_the_queue(experts, category, tag):
    for person in experts:
        availability_set(member=person, away_until=timezone.localdate() + timedelta(days=3), weekly_cap=None)
    thread = _question(category, tag)
    assert route_newcomer_thread(thread.pk) == 0
    assert not RoutedQuestion.objects.exists() and not Notification.objects.filter(kind=Kind.EXPERT_ROUTING).exists()
    from community.triage.selectors import in_queue

    assert in_queue(timezone.now()).filter(pk=thread.pk).exists()  # managers still see it


def test_a_weekly_cap_is_respected_over_a_rolling_week(manager, expert, category, tag):
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    availability_set(member=expert, away_until=None, weekly_cap=2)
    threads = [_question(category, tag, title=f"Question {i}") for i in range(3)]
    assert [route_newcomer_thread(thread.pk) for thread in threads] == [1, 1, 0]
    assert _told(expert) == [threads[0].pk, threads[1].pk]
    # Eight days on, the first two are out of the week: there is room again.
    RoutedQuestion.objects.update(routed_at=timezone.now() - timedelta(days=8))
    fourth = _question(category, tag, title="Question 4")
    assert route_newcomer_thread(fourth.pk) == 1


def test_the_least_loaded_experts_are_told_at_most_three(experts, category, tag):
    a, b, _c, d = experts
    _load(a, 3)
    _load(b, 1)
    _load(d, 5, days_ago=10)  # long ago: not this week's load
    thread = _question(category, tag)
    assert route_newcomer_thread(thread.pk) == 3
    assert _routed(thread) == {"b_expert", "c_expert", "d_expert"}  # a, with 3 this week, is the most loaded


def test_a_tag_with_fewer_available_experts_tells_all_of_them(manager, expert, category, tag):
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    thread = _question(category, tag)
    assert route_newcomer_thread(thread.pk) == 1 and _routed(thread) == {expert.username}


def test_a_job_run_twice_routes_once(experts, category, tag):
    thread = _question(category, tag)
    assert route_newcomer_thread(thread.pk) == 3
    assert route_newcomer_thread(thread.pk) == 0
    assert RoutedQuestion.objects.filter(thread=thread).count() == 3
    for person in experts:
        assert Notification.objects.filter(recipient=person, kind=Kind.EXPERT_ROUTING).count() == (person.username in _routed(thread))


def test_an_expert_who_set_away_after_the_thread_was_created_is_not_told(experts, category, tag):
    a = experts[0]
    thread = _question(category, tag)  # the routing job is queued now, and runs a moment later
    availability_set(member=a, away_until=timezone.localdate(), weekly_cap=None)
    route_newcomer_thread(thread.pk)
    assert "a_expert" not in _routed(thread) and _told(a) == []


def test_the_check_under_the_lock_wins_over_a_stale_first_choice(experts, category, tag, monkeypatch):
    """The race: the job chose its experts before `a` said "away"; deciding again under `a`'s lock, it skips
    them and the next expert takes the place."""
    a, d = experts[0], experts[3]
    _load(d, 1)  # d would be the fourth choice
    thread = _question(category, tag)
    stale = selectors.availability_of([])  # what the job read before a's change committed: nothing
    monkeypatch.setattr(selectors, "availability_of", lambda ids: stale)
    availability_set(member=a, away_until=timezone.localdate() + timedelta(days=2), weekly_cap=None)
    assert route_newcomer_thread(thread.pk) == 3
    assert _routed(thread) == {"b_expert", "c_expert", "d_expert"} and _told(a) == []


def test_a_cap_reached_under_the_lock_is_respected(manager, expert, category, tag, monkeypatch):
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    availability_set(member=expert, away_until=None, weekly_cap=1)
    first, second = _question(category, tag, title="First"), _question(category, tag, title="Second")
    route_newcomer_thread(first.pk)
    monkeypatch.setattr(selectors, "routed_since", lambda ids, since: {})  # a stale count of this week's load
    assert route_newcomer_thread(second.pk) == 0 and _told(expert) == [first.pk]


def test_assigning_after_routing_leaves_the_routed_question_counted(manager, expert, category, tag):
    from community.triage import services as triage_services

    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    thread = _question(category, tag)
    route_newcomer_thread(thread.pk)
    triage_services.assign(thread=thread, assignee=expert, assigned_by=manager)
    assert RoutedQuestion.objects.filter(expert=expert, thread=thread).count() == 1
    assert route_newcomer_thread(thread.pk) == 0


def test_routing_reads_a_fixed_number_of_queries_before_it_tells_anyone(manager, experts, category, tag):
    for person in experts:
        availability_set(member=person, away_until=timezone.localdate() + timedelta(days=1), weekly_cap=None)
    thread = _question(category, tag)
    with CaptureQueriesContext(connection) as few:
        route_newcomer_thread(thread.pk)
    for n in range(6):
        person = UserFactory(username=f"more{n}")
        expert_appoint(member=person, tags=[tag], appointed_by=manager)
        availability_set(member=person, away_until=timezone.localdate() + timedelta(days=1), weekly_cap=None)
    another = _question(category, tag, title="Another")
    with CaptureQueriesContext(connection) as many:
        route_newcomer_thread(another.pk)
    assert len(many) == len(few)  # nobody available: no per-expert query


# -- two at once, on connections of their own ------------------------------------------------------

def test_an_expert_going_away_while_routing_runs_is_not_told(transactional_db):
    """The setter holds the expert's lock with "away" written but not committed; the routing job, on its
    own connection, waits for it and then reads "away": nothing is told, nothing fails."""
    manager = make_manager(username="boss")
    tag = TagFactory(name="django")
    expert = UserFactory(username="eva", tier=Tier.REGULAR)
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    thread = _question(CategoryFactory(), tag)
    locked, results = threading.Event(), []

    def go_away():
        try:
            with transaction.atomic():
                row = services.availability_lock(expert)
                row.away_until = timezone.localdate() + timedelta(days=1)
                row.save(update_fields=["away_until"])
                locked.set()
                time.sleep(0.5)  # the routing job starts meanwhile, and waits for this lock
        finally:
            connection.close()

    def route():
        try:
            locked.wait(5)
            results.append(route_newcomer_thread(thread.pk))
        finally:
            connection.close()

    runs = [threading.Thread(target=go_away), threading.Thread(target=route)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=30)
    assert results == [0]
    assert not RoutedQuestion.objects.exists() and not Notification.objects.filter(recipient=expert).exists()


def test_two_routings_at_once_keep_a_cap_of_one(transactional_db):
    manager = make_manager(username="boss")
    tag = TagFactory(name="django")
    expert = UserFactory(username="eva", tier=Tier.REGULAR)
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    availability_set(member=expert, away_until=None, weekly_cap=1)
    category = CategoryFactory()
    threads = [_question(category, tag, title=f"Question {i}") for i in range(2)]
    barrier, told = threading.Barrier(2), []

    def route(thread_id):
        try:
            barrier.wait()
            told.append(route_newcomer_thread(thread_id))
        finally:
            connection.close()

    runs = [threading.Thread(target=route, args=[thread.pk]) for thread in threads]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=30)
    assert sorted(told) == [0, 1]
    assert RoutedQuestion.objects.filter(expert=expert).count() == 1


# -- the figures -----------------------------------------------------------------------------------

def _answered_and_routed(manager, tag, category, *, n_experts):
    """n experts in the tag; the first was routed a question and answered it after 2 hours."""
    people = []
    for n in range(n_experts):
        person = UserFactory(username=f"fig{n}", tier=Tier.REGULAR)
        expert_appoint(member=person, tags=[tag], appointed_by=manager)
        people.append(person)
    thread = _question(category, tag, title="Figures question")
    RoutedQuestion.objects.create(expert=people[0], thread=thread, routed_at=timezone.now())
    reply = make_reply(thread=thread, author=people[0])
    Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(hours=3))
    type(reply).objects.filter(pk=reply.pk).update(created_at=timezone.now() - timedelta(hours=1))
    return people


def test_the_experts_page_shows_each_experts_routed_questions_answers_and_median(client, manager, category, tag):
    people = _answered_and_routed(manager, tag, category, n_experts=2)
    response = client.get("/experts/")
    figures = {row["member"].username: row for row in response.context["figures"]}
    first = figures["fig0"]
    assert (first["routed"], first["questions"], first["answered"]) == (1, 1, 1)
    assert first["median_hours"] == pytest.approx(2)
    assert (figures["fig1"]["routed"], figures["fig1"]["answered"], figures["fig1"]["median_hours"]) == (0, 0, None)
    assert 'id="expert-figures"' in response.content.decode() and people[0].name in response.content.decode()


def test_the_experts_page_is_constant_in_queries_for_an_expert_reading_it(client, manager, category, tag):
    people = _answered_and_routed(manager, tag, category, n_experts=2)
    client.force_login(people[0])
    client.get("/experts/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/experts/").status_code == 200
    for n in range(10):
        person = UserFactory(username=f"more{n}")
        expert_appoint(member=person, tags=[tag, TagFactory(name=f"t{n}")], appointed_by=manager)
        availability_set(member=person, away_until=timezone.localdate() + timedelta(days=1), weekly_cap=2)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/experts/").status_code == 200
    assert len(many) == len(few) <= 15


def test_routed_counts_follow_the_period_and_the_categories(manager, tag):
    help_, other = CategoryFactory(name="Help", slug="help"), CategoryFactory(name="Other", slug="other")
    expert = UserFactory(username="eva", tier=Tier.REGULAR)
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)
    now = timezone.now()
    for category, days_ago in ((help_, 1), (other, 2), (help_, 40)):
        thread = _question(category, tag, title=f"In {category.slug} {days_ago}")
        RoutedQuestion.objects.create(expert=expert, thread=thread, routed_at=now - timedelta(days=days_ago))
    assert selectors.routed_counts(now - timedelta(days=30), now) == {expert.pk: 2}
    assert selectors.routed_counts(now - timedelta(days=30), now, category_ids=[help_.pk]) == {expert.pk: 1}
    assert selectors.routed_this_week(expert) == 2
    assert tasks.EXPERTS_PER_THREAD == 3
