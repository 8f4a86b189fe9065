"""The demo's events (community.demo_events) on a small community: past ones with check-ins, upcoming ones
online and offline, a full one with its waiting list, Russian ones in the Russian category."""

import random
import re

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from community.demo_events import PAST, UPCOMING, seed_events
from community.events.models import RSVP, Event
from community.members.models import Tier, User
from loyalty.models import BadgeAward, PointsEntry
from tests.factories import CategoryFactory, UserFactory, make_manager

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture
def small_demo(db):
    CategoryFactory(slug="events", name="Events & Meetups")
    CategoryFactory(slug="ru", name="Русскоязычный раздел")
    make_manager(username="manager", tier=Tier.LEADER)
    UserFactory(username="admin", tier=Tier.LEADER, is_superuser=True, is_staff=True)
    UserFactory(username="member", tier=Tier.MEMBER)
    UserFactory(username="expert", tier=Tier.REGULAR)
    for i in range(2):
        UserFactory(username=f"champion{i}", tier=Tier.CHAMPION)
    for i in range(40):
        UserFactory(username=f"person{i}", tier=Tier.REGULAR if i % 3 == 0 else Tier.MEMBER)
    UserFactory(username="fresh", tier=Tier.NEWCOMER)  # newcomers are not among the answers
    now = timezone.now()
    return now, seed_events(now=now, rng=random.Random(7))


def test_past_events_have_check_ins_and_no_shows(small_demo):
    now, result = small_demo
    past = list(Event.objects.filter(ends_at__lt=now).order_by("starts_at"))
    assert len(past) == len(PAST) == result["past"] >= 6
    assert past[0].starts_at < now - timezone.timedelta(days=90)
    for event in past:
        assert 0 < event.checked_in_count < event.going_count, event.title  # attendance below 100%
        assert event.rsvps.filter(checked_in_at__isnull=False).exclude(status=RSVP.Status.GOING).count() == 0
        assert event.rsvps.filter(created_at__gt=event.starts_at).count() == 0  # answered before it started
        assert event.thread.created_at < event.starts_at and event.thread.category_id == event.category_id
    going = sum(e.going_count for e in past)
    checked_in = sum(e.checked_in_count for e in past)
    assert checked_in == result["check_ins"] and 0.5 <= checked_in / going <= 0.9
    hosts = {e.host.username for e in past}
    assert "manager" in hosts and hosts & {"champion0", "champion1"}
    # Each check-in earned the event points once, dated when they came; attendees have the Event Goer badge.
    entries = PointsEntry.objects.filter(source_type="event")
    assert entries.count() == checked_in and not entries.filter(created_at__gt=now).exclude(
        source_id=str(past[-1].pk)).exists()
    attendees = set(RSVP.objects.filter(checked_in_at__isnull=False).values_list("member_id", flat=True))
    assert set(BadgeAward.objects.filter(badge__slug="event-goer").values_list("member_id", flat=True)) == attendees
    member = User.objects.get(username="member")
    assert BadgeAward.objects.filter(member=member, badge__slug="core-attendee").exists()


def test_upcoming_events_online_and_offline(small_demo):
    now, result = small_demo
    upcoming = Event.objects.filter(starts_at__gt=now)
    assert upcoming.count() == len(UPCOMING) == result["upcoming"]
    online = upcoming.filter(kind=Event.Kind.ONLINE)
    offline = upcoming.filter(kind=Event.Kind.OFFLINE)
    assert online.exists() and all(e.join_url.startswith("https://") and not e.venue for e in online)
    assert offline.exists() and all(e.venue and e.address and not e.join_url for e in offline)
    statuses = set(RSVP.objects.filter(event__in=upcoming).values_list("status", flat=True))
    assert {"going", "maybe", "no", "waiting"} <= statuses
    assert not RSVP.objects.filter(event__in=upcoming, checked_in_at__isnull=False).exists()
    # Early RSVP: while the window is open, only members with the perk are going.
    early = upcoming.get(priority_until__isnull=False)
    assert now < early.priority_until < early.starts_at and early.going_count > 0
    assert not early.rsvps.filter(status=RSVP.Status.GOING, member__tier__lt=Tier.REGULAR).exists()


def test_one_full_event_with_its_waiting_list_in_order(small_demo):
    now, result = small_demo
    full = [e for e in Event.objects.filter(starts_at__gt=now) if e.is_full]
    assert len(full) == 1 and result["full"] == 1
    event = full[0]
    waiting = list(event.rsvps.filter(status=RSVP.Status.WAITING).order_by("position"))
    assert event.going_count == event.capacity and len(waiting) == event.waiting_count == result["waiting"] >= 2
    assert [r.position for r in waiting] == list(range(1, len(waiting) + 1))
    assert [r.created_at for r in waiting] == sorted(r.created_at for r in waiting)
    assert max(r.created_at for r in event.rsvps.filter(status=RSVP.Status.GOING)) < waiting[0].created_at
    assert event.next_position == len(waiting) + 1


def test_russian_events_are_in_the_russian_category(small_demo):
    now, _result = small_demo
    russian = Event.objects.filter(category__slug="ru")
    assert russian.filter(ends_at__lt=now).count() >= 2 and russian.filter(starts_at__gt=now).exists()
    for event in russian:
        assert CYRILLIC.search(event.title) and CYRILLIC.search(event.description)
        assert CYRILLIC.search(event.thread.title) and "Когда:" in event.thread.posts.get(number=1).body
    for event in Event.objects.exclude(category__slug="ru"):
        assert not CYRILLIC.search(event.title) and "When:" in event.thread.posts.get(number=1).body


def test_past_events_discussion_tells_when_it_was(small_demo):
    now, _result = small_demo
    event = Event.objects.filter(ends_at__lt=now, category__slug="events").order_by("starts_at").first()
    body = event.thread.posts.get(number=1).body
    assert f"({event.time_zone})" in body and str(event.starts_at.astimezone(timezone.get_current_timezone()).year) in body


def test_event_counters_equal_counts_of_answers(small_demo):
    for event in Event.objects.all():
        counts = event.rsvps.aggregate(
            going=Count("pk", filter=Q(status="going")), maybe=Count("pk", filter=Q(status="maybe")),
            waiting=Count("pk", filter=Q(status="waiting")), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)))
        assert (event.going_count, event.maybe_count, event.waiting_count, event.checked_in_count) == (
            counts["going"], counts["maybe"], counts["waiting"], counts["checked_in"]), event.title
        assert event.capacity is None or event.going_count <= event.capacity
    assert not RSVP.objects.filter(member__username="fresh").exists()


def test_the_events_seed_is_deterministic(small_demo):
    now, _result = small_demo

    def snapshot():
        return list(Event.objects.order_by("starts_at", "title").values_list(
            "title", "host__username", "starts_at", "going_count", "maybe_count", "waiting_count", "checked_in_count"))

    first = snapshot()
    Event.objects.all().delete()
    PointsEntry.objects.filter(source_type="event").delete()
    BadgeAward.objects.all().delete()
    seed_events(now=now, rng=random.Random(7))
    assert snapshot() == first
