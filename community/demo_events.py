"""Demo events for seed_demo: past meetups with RSVPs and check-ins, upcoming ones online and offline,
one full with a waiting list, one with an early-RSVP window; in English and in the Russian category.

Events and answers go through community.events.services (each event opens its discussion thread
through the forum's services). The service refuses to create an event in the past, so a past event is
created ahead, answered, and then moved back in time with a queryset update; its opening post is
written again for the new date. Check-ins of the last event (it ended a few hours ago) go through
`services.check_in`; those of older events are written on the RSVP rows at the door's time and the
event's counters recounted as the service does. Event points are settled here (loyalty.awards
settle_event), dated at the check-in, because the ledger rebuild that ends seed_demo does not judge
event claims: on the site a job after commit does this.
"""

import random
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import translation

from community import permissions
from community.events import services
from community.events.models import RSVP, Event
from forums.markup import render_markdown
from forums.models import Category, Post, Thread

User = get_user_model()
Status = RSVP.Status


@dataclass
class Plan:
    title: str
    description: str
    kind: str
    category: str  # slug: "events" or "ru"
    days: float  # from now: negative in the past
    hour: int  # local start, in the event's time zone
    minutes: int  # how long
    time_zone: str
    host: str  # "manager", "admin", "champion" (first tier-3 member) or "champion2"
    going: int  # how many say going (a full event: how many ask to)
    maybe: int = 0
    no: int = 0
    capacity: int | None = None
    venue: str = ""
    address: str = ""
    join_url: str = ""
    priority_days: float | None = None  # early RSVP for tier 2 and up until this many days from now
    # Demo accounts among those going (username: came?); for upcoming events came is ignored.
    regulars: dict[str, bool] = field(default_factory=dict)


BERLIN = ("Roundtable Hub", "Torstraße 109, 10119 Berlin")
LONDON = ("The Old Library, room 2", "14 Chapel Market, London N1 9EZ")

PAST = [
    Plan("Django meetup: upgrading to 5.2", "Three short talks about upgrading real projects to Django 5.2: "
         "what broke, what got faster, and what we would do differently.\n\nPizza after the talks.",
         Event.Kind.OFFLINE, "events", -112, 18, 180, "Europe/Berlin", "manager", 26, 6, 4, capacity=40,
         venue=BERLIN[0], address=BERLIN[1], regulars={"expert": True, "member": False}),
    Plan("Online workshop: testing with pytest", "A hands-on evening: fixtures, parametrised tests and testing "
         "Celery tasks. Bring a project you want to test.", Event.Kind.ONLINE, "events", -96, 17, 120, "UTC", "champion",
         30, 8, 3, join_url="https://meet.jit.si/roundtable-pytest-workshop", regulars={"catmod": True}),
    Plan("Встреча в Москве: PostgreSQL на практике", "Разбираем индексы, EXPLAIN и медленные запросы на примерах "
         "участников. Приносите свои планы запросов.", Event.Kind.OFFLINE, "ru", -83, 19, 150, "Europe/Moscow", "manager",
         18, 4, 2, capacity=25, venue="Коворкинг «Точка»", address="Москва, ул. Большая Новодмитровская, 36"),
    Plan("Show and Tell night", "Five minutes each: show what you built this quarter and get feedback from the "
         "community.", Event.Kind.ONLINE, "events", -61, 18, 120, "Europe/London", "manager", 34, 9, 5,
         join_url="https://meet.jit.si/roundtable-show-and-tell", regulars={"member": True, "moderator": True}),
    Plan("Celery and Redis office hours", "Bring your queue problems: retries, idempotent tasks, brokers that go "
         "away. Two maintainers answer live.", Event.Kind.ONLINE, "events", -44, 16, 90, "UTC", "champion2", 22, 7, 2,
         join_url="https://meet.jit.si/roundtable-celery-office-hours", regulars={"expert": True}),
    Plan("Онлайн-разбор: Celery и очереди задач", "Разбираем вопросы участников про Celery: повторы, "
         "идемпотентность и мониторинг очередей.", Event.Kind.ONLINE, "ru", -30, 19, 90, "Europe/Moscow", "champion",
         16, 5, 2, join_url="https://meet.jit.si/roundtable-celery-ru"),
    Plan("Community picnic in the park", "Bring a blanket and something to share. We meet at the café by the "
         "north gate.", Event.Kind.OFFLINE, "events", -17, 13, 240, "Europe/London", "manager", 24, 10, 6, capacity=50,
         venue="Regent's Park, north gate café", address="Outer Circle, London NW1 4NR",
         regulars={"member": True, "expert": False}),
    # Ended a few hours ago: its check-ins go through the door's service (the window is still open).
    Plan("Accessibility review session", "We test the forum with a screen reader and a keyboard only, and write "
         "down what to fix.", Event.Kind.OFFLINE, "events", 0, 0, 120, "Europe/London", "admin", 14, 3, 2, capacity=20,
         venue=LONDON[0], address=LONDON[1], regulars={"member": True, "catmod": False}),
]

UPCOMING = [
    Plan("Newcomer welcome call", "New here? Meet the community team and a few regulars, ask anything, and find "
         "your way around the forum.", Event.Kind.ONLINE, "events", 1, 17, 60, "UTC", "manager", 12, 6, 1,
         join_url="https://meet.jit.si/roundtable-welcome", regulars={"member": True}),
    Plan("Live Q&A with the community team", "What is coming next for Roundtable, and your questions answered live.",
         Event.Kind.ONLINE, "events", 5, 18, 90, "Europe/Berlin", "admin", 40, 14, 6,
         join_url="https://meet.jit.si/roundtable-live-qa", regulars={"expert": True}),
    # Full: eight seats, thirteen ask to go; the last five wait in line in the order they asked.
    Plan("Hands-on workshop: PostgreSQL indexes", "A small-group workshop at laptops: B-tree, GIN and partial "
         "indexes on a real forum database. Eight seats, so we can help everyone.", Event.Kind.OFFLINE, "events", 9, 18,
         180, "Europe/Berlin", "champion", 13, 4, 2, capacity=8, venue=BERLIN[0], address=BERLIN[1],
         regulars={"expert": True, "member": True}),
    Plan("Django meetup: async views in practice", "Two talks on async views and streaming responses, and a panel "
         "on when not to use them.", Event.Kind.OFFLINE, "events", 12, 18, 180, "Europe/Berlin", "manager", 28, 12, 5,
         capacity=60, venue=BERLIN[0], address=BERLIN[1], regulars={"moderator": True}),
    # Early RSVP: until next week only tier 2 and up can say going; the others say maybe meanwhile.
    Plan("Roundtable Summit 2027", "A full day of talks, workshops and hallway conversations. Regulars and up "
         "can take a seat first; everyone else can from next week.", Event.Kind.OFFLINE, "events", 40, 10, 480,
         "Europe/London", "manager", 30, 10, 3, capacity=120, venue="Conway Hall", address="25 Red Lion Square, London WC1R 4RL",
         priority_days=7, regulars={"expert": True, "member": True}),
    Plan("Онлайн-встреча: Django и HTMX", "Показываем, как делать интерактивные страницы без тяжёлого фронтенда. "
         "Вопросы можно задавать заранее в этой теме.", Event.Kind.ONLINE, "ru", 6, 19, 90, "Europe/Moscow", "champion2",
         18, 7, 3, join_url="https://meet.jit.si/roundtable-htmx-ru"),
    Plan("Встреча в Санкт-Петербурге", "Первая офлайн-встреча сообщества в Петербурге: знакомимся, рассказываем о "
         "своих проектах и решаем, как встречаться дальше.", Event.Kind.OFFLINE, "ru", 20, 19, 150, "Europe/Moscow",
         "manager", 15, 8, 2, capacity=30, venue="Пространство «Ковчег»", address="Санкт-Петербург, Невский проспект, 20"),
]


def _local(now: datetime, days: float, hour: int, time_zone: str) -> datetime:
    """The day `days` from now, at `hour` o'clock in the event's time zone."""
    local = (now + timedelta(days=days)).astimezone(zoneinfo.ZoneInfo(time_zone))
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _fields(plan: Plan, category: Category, starts_at: datetime, priority_until: datetime | None = None) -> services.EventFields:
    return services.EventFields(
        title=plan.title, description=plan.description, kind=plan.kind, category=category, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=plan.minutes), time_zone=plan.time_zone, join_url=plan.join_url,
        venue=plan.venue, address=plan.address, capacity=plan.capacity, priority_until=priority_until)


def _language(plan: Plan):
    # The service writes the discussion's "When/Where" lines in the active language: Russian events in Russian.
    return translation.override("ru" if plan.category == "ru" else "en")


def _answer(event: Event, plan: Plan, people: list, rng: random.Random, *, by_username: dict, host) -> list:
    """Going, maybe and not going, through the service; returns who asked to go, in the order they asked."""
    pool = [m for m in people if m.pk != host.pk and m.username not in plan.regulars]
    rng.shuffle(pool)
    regulars = [by_username[name] for name in plan.regulars if name in by_username and by_username[name].pk != host.pk]
    wanted = max(0, plan.going - len(regulars))
    going = regulars + pool[:wanted]
    rng.shuffle(going)
    rest = pool[wanted:]
    maybe, no = rest[:plan.maybe], rest[plan.maybe:plan.maybe + plan.no]
    asked = []
    for member in going:
        # Until the early-RSVP window closes only tier 2 and up may say going; the others say maybe meanwhile.
        if event.priority_until and not permissions.has_event_priority(member):
            services.rsvp_set(event=event, member=member, status=Status.MAYBE)
        else:
            services.rsvp_set(event=event, member=member, status=Status.GOING)
            asked.append(member)
    for member in maybe:
        services.rsvp_set(event=event, member=member, status=Status.MAYBE)
    for member in no:
        services.rsvp_set(event=event, member=member, status=Status.NO)
    return asked


def _backdate(event: Event, created: datetime, until: datetime, rng: random.Random) -> None:
    """The event, its discussion and its answers written between `created` and `until`, answers in the order given."""
    Event.objects.filter(pk=event.pk).update(created_at=created, updated_at=created)
    Thread.objects.filter(pk=event.thread_id).update(created_at=created, last_posted_at=created)
    Post.objects.filter(thread_id=event.thread_id, number=1).update(created_at=created)
    rsvps = list(RSVP.objects.filter(event=event).order_by("pk"))
    span = max(60.0, (until - created).total_seconds())
    times = sorted(created + timedelta(seconds=rng.uniform(60, span)) for _ in rsvps)
    for rsvp, at in zip(rsvps, times, strict=True):
        RSVP.objects.filter(pk=rsvp.pk).update(created_at=at, updated_at=at)


def _settle_points(event: Event, attended: list[tuple[int, datetime]]) -> None:
    from loyalty.awards import settle_event
    from loyalty.models import PointsEntry

    for member_id, at in attended:
        settle_event(event_id=event.pk, member_id=member_id, category_id=event.category_id)
        # Earned when they came: the 90-day score counts it from then, as the ledger would have.
        PointsEntry.objects.filter(member_id=member_id, source_type="event", source_id=str(event.pk)).update(created_at=at)


def seed_events(*, now: datetime, rng: random.Random) -> dict[str, int]:
    """Eight past events with answers and check-ins (attendance between about half and nine in ten) and seven
    upcoming ones, in the events category and the Russian one. Returns how many past events, check-ins,
    upcoming events, answers, and how many wait for the full event's seats."""
    from loyalty import badges, tiers

    by_slug = {c.slug: c for c in Category.objects.filter(slug__in=["events", "ru"])}
    managers = sorted(permissions.managers(), key=lambda m: (m.username != "manager", m.pk))
    people = list(User.objects.filter(is_active=True, tier__gte=1, silenced_until__isnull=True, suspended_until__isnull=True)
                  .exclude(awaiting_approval=True).order_by("pk")[:400])
    result = {"past": 0, "check_ins": 0, "upcoming": 0, "rsvps": 0, "waiting": 0, "full": 0}
    if "events" not in by_slug or not managers or not people:
        return result
    manager_ids = {m.pk for m in managers}
    by_username = {m.username: m for m in people}
    by_username.update({m.username: m for m in managers})
    champions = [m for m in people if m.tier == 3 and m.pk not in manager_ids and m.username != "moderator"] or managers
    hosts = {"manager": managers[0], "admin": by_username.get("admin", managers[-1]), "champion": champions[0],
             "champion2": champions[1 % len(champions)]}
    attendees = set()

    for plan in PAST:
        host, category = hosts[plan.host], by_slug.get(plan.category, by_slug["events"])
        recent = plan.days == 0
        if recent:  # started five hours ago, ended some hours ago: the door's check-in window is still open
            starts_at = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=5)
        else:
            starts_at = _local(now, plan.days, plan.hour, plan.time_zone)
        ends_at = starts_at + timedelta(minutes=plan.minutes)
        with _language(plan):
            # Created ahead (the service takes no past start), answered, then moved to when it happened.
            event = services.event_create(host=host, fields=_fields(plan, category, now + timedelta(days=30)))
            asked = _answer(event, plan, people, rng, by_username=by_username, host=host)
            Event.objects.filter(pk=event.pk).update(starts_at=starts_at, ends_at=ends_at)
            event.refresh_from_db()
            body = services._thread_body(event)
            Post.objects.filter(thread_id=event.thread_id, number=1).update(body=body, body_html=render_markdown(body).html)
        _backdate(event, starts_at - timedelta(days=rng.uniform(10, 21)), starts_at - timedelta(hours=2), rng)

        # Who came: about half to nine in ten of those going, the demo accounts as planned, some no-shows always.
        forced = {by_username[n].pk: came for n, came in plan.regulars.items() if n in by_username}
        others = [m for m in asked if m.pk not in forced]
        rate = rng.uniform(0.55, 0.88)
        target = max(1, min(len(asked) - 1, round(len(asked) * rate)))
        came = [m for m in asked if forced.get(m.pk)]
        came += rng.sample(others, k=max(0, min(len(others), target - len(came))))
        attended = []
        if recent:
            for member in came:
                rsvp = services.check_in(event=event, member_id=member.pk, by=host)
                attended.append((member.pk, rsvp.checked_in_at))
        else:
            for member in came:
                at = starts_at + timedelta(minutes=rng.uniform(-20, 45))
                RSVP.objects.filter(event=event, member=member).update(checked_in_at=at, checked_in_by=host, updated_at=at)
                attended.append((member.pk, at))
            services._recount(event)
        _settle_points(event, attended)
        attendees.update(member_id for member_id, _at in attended)
        result["past"] += 1
        result["check_ins"] += len(attended)
        result["rsvps"] += event.rsvps.count()

    for plan in UPCOMING:
        host, category = hosts[plan.host], by_slug.get(plan.category, by_slug["events"])
        starts_at = _local(now, plan.days, plan.hour, plan.time_zone)
        priority_until = None
        if plan.priority_days is not None:
            priority_until = _local(now, plan.priority_days, 12, plan.time_zone)
        with _language(plan):
            event = services.event_create(host=host, fields=_fields(plan, category, starts_at, priority_until))
            _answer(event, plan, people, rng, by_username=by_username, host=host)
        created = now - timedelta(days=rng.uniform(2, 12) if plan.days > 3 else rng.uniform(0.5, 1.5))
        _backdate(event, created, now - timedelta(minutes=5), rng)
        event.refresh_from_db()
        if event.is_full:
            result["full"] += 1
            result["waiting"] += event.waiting_count
        result["upcoming"] += 1
        result["rsvps"] += event.rsvps.count()

    # What the check-in job does after points: the Event Goer and Core Attendee badges.
    for member in User.objects.filter(pk__in=attendees).order_by("pk"):
        badges.award_earned_badges(member, tiers.stats_for(member), only=["event-goer", "core-attendee"])
    return result
