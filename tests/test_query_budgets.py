"""Every list and detail page runs a fixed number of SQL queries, whatever its length, for every role.

Each page is rendered with 1 row and again with 50 rows made by 50 distinct people: the count must
not move, and it stays within the budget of 15 (DESIGN.md) for anonymous visitors, members,
moderators and managers.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.expertise.services import expert_appoint
from community.members.models import Tier
from community.notifications.models import Kind
from community.notifications.services import notify
from forums import services as forum_services
from loyalty import ledger
from loyalty.models import Kudos, Redemption, Reward
from moderation import services as moderation
from moderation.models import Nomination
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_event, make_manager, make_reply, make_thread

BUDGET = 15
ROLES = ["anonymous", "member", "moderator", "manager"]
SIGNED_IN = ROLES[1:]
MODERATORS = ["moderator", "manager"]


@dataclass
class World:
    people: dict
    category: object
    tag: object
    thread: object
    owner: object
    made: int = 0

    def person(self, **kwargs):
        self.made += 1
        return UserFactory(username=f"p{self.made}", **kwargs)


def _threads(world, n):
    for _ in range(n):
        author = world.person(tier=Tier.NEWCOMER if world.made % 3 == 0 else Tier.MEMBER)
        make_thread(author=author, category=world.category, tags=[world.tag], title=f"A python question {world.made}")


def _replies(world, n):
    viewer = world.people["member"]
    for index in range(n):
        author = world.person(tier=Tier.REGULAR)
        post = make_reply(thread=world.thread, author=author, body=f"A python answer {world.made}")
        forum_services.like_add(post=post, member=viewer)
        if index % 5 == 0:
            expert_appoint(member=author, tags=[world.tag], appointed_by=world.people["manager"])
        if index % 7 == 0:
            forum_services.post_hide(post=post, reason="flagged")


def _kudos(world, n):
    for _ in range(n):
        Kudos.objects.create(sender=world.person(), receiver=world.owner, message="thanks", created_at=timezone.now())


def _notifications(world, n):
    for viewer in (world.people[role] for role in SIGNED_IN):
        for index in range(n):
            actor = world.person()
            notify(recipient=viewer, kind=Kind.REPLY, dedupe_key=f"budget:{world.made}:{index}", actor=actor, thread=world.thread)


def _ledger(world, n):
    for viewer in (world.people[role] for role in SIGNED_IN):
        for index in range(n):
            ledger.award(member_id=viewer.pk, reason="celebration", source_type="budget", source_id=f"{world.made}:{index}", amount=1)
            world.made += 1


def _leaders(world, n):
    for _ in range(n):
        member = world.person()
        ledger.award(member_id=member.pk, reason="celebration", source_type="budget", source_id=member.pk, amount=3)


def _redemptions(world, n):
    reward = Reward.objects.create(name=f"Mug {world.made}", cost=1)
    for _ in range(n):
        Redemption.objects.create(member=world.person(), reward=reward, cost=1, created_at=timezone.now())


def _experts(world, n):
    for _ in range(n):
        expert_appoint(member=world.person(), tags=[world.tag], appointed_by=world.people["manager"])


def _flagged(world, n):
    for _ in range(n):
        post = make_reply(thread=world.thread, author=world.person(), body=f"Spam number {world.made}")
        moderation.flag_post(post=post, flagger=world.person(tier=Tier.MEMBER), reason="spam")


def _log(world, n):
    for _ in range(n):
        moderation.log(actor=world.person(), action="post_edited", target_type="post", target_id=world.thread.pk)


def _candidates(world, n):
    for _ in range(n):
        Nomination.objects.create(member=world.person(tier=Tier.CHAMPION), evidence={"tier": 3, "score_90d": 10}, created_at=timezone.now())


def _categories(world, n):
    for _ in range(n):
        make_thread(author=world.person(), category=CategoryFactory(), title=f"Elsewhere {world.made}")


def _ideas_category(world):
    if not hasattr(world, "ideas"):
        world.ideas = CategoryFactory(name="Ideas", slug="ideas", is_ideas=True)
    return world.ideas


def _ideas(world, n):
    """Ideas with votes (the viewer's among them), statuses and notes."""
    category, manager = _ideas_category(world), world.people["manager"]
    for index in range(n):
        idea = make_thread(author=world.person(), category=category, title=f"An idea {world.made}")
        forum_services.idea_vote(thread=idea, member=world.person())
        if index % 2 == 0:
            forum_services.idea_vote(thread=idea, member=world.people["member"])
        if index % 3 == 0:
            forum_services.idea_set_status(thread=idea, member=manager, status="planned", note=f"Note {index}")


def _idea_votes(world, n):
    """One idea, with a status and a note, gathering votes and replies."""
    if not hasattr(world, "idea"):
        world.idea = make_thread(author=world.owner, category=_ideas_category(world), title="The one idea")
        forum_services.idea_set_status(thread=world.idea, member=world.people["manager"], status="under_review", note="Looking")
    for _ in range(n):
        voter = world.person(tier=Tier.MEMBER)
        forum_services.idea_vote(thread=world.idea, member=voter)
        make_reply(thread=world.idea, author=voter, body=f"I want this too {world.made}")


def _events(world, n, *, past=False):
    """Events by distinct tier-3 hosts, the viewer answering some; `past` moves them into the past."""
    from community.events import services as event_services
    from community.events.models import Event

    for index in range(n):
        event = make_event(host=world.person(tier=Tier.CHAMPION), category=world.category, title=f"Meetup {world.made}",
                           starts_in=timedelta(days=1 + index % 20), capacity=5)
        event_services.rsvp_set(event=event, member=world.person(), status="going")
        if index % 2 == 0:
            event_services.rsvp_set(event=event, member=world.people["member"], status="maybe")
        if past:
            Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(days=2 + index % 20),
                                                     ends_at=timezone.now() - timedelta(days=2 + index % 20) + timedelta(hours=2))


def _past_events(world, n):
    _events(world, n, past=True)


def _the_event(world):
    if not hasattr(world, "event"):
        world.event = make_event(host=world.people["manager"], category=world.category, title="The meetup", capacity=30)
    return world.event


def _attendees(world, n):
    """One event gathering people: going until its 30 seats are taken, then waiting; some checked in."""
    from community.events import services as event_services
    from community.events.models import Event

    event = _the_event(world)
    for _ in range(n):
        event_services.rsvp_set(event=event, member=world.person(), status="going")
    start = timezone.now() - timedelta(minutes=5)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=3))
    for rsvp in event.rsvps.filter(status="going", checked_in_at__isnull=True)[:2]:
        event_services.check_in(event=event, member_id=rsvp.member_id, by=world.people["manager"])


def _birthdays(world, n):
    from community.members.models import Profile

    day = timezone.localdate()
    _events(world, 1)
    for _ in range(n):
        Profile.objects.create(user=world.person(), birthday_day=day.day, birthday_month=day.month, show_birthday=True)


def _buddy_newcomers(world, n):
    """The moderator and the manager (tiers 3 and 4) are buddies of n newcomers each, who have posted; the member
    (tier 1 since) still has their buddy. Rows made directly: the cap (at most 10) is the services' business."""
    from community.buddies.models import BuddyMatch, BuddyVolunteer

    now = timezone.now()
    for viewer in (world.people["moderator"], world.people["manager"]):
        BuddyVolunteer.objects.get_or_create(member=viewer, defaults={"opted_in_at": now})
        for _ in range(n):
            newcomer = world.person(tier=Tier.NEWCOMER)
            make_reply(thread=world.thread, author=newcomer, body=f"Hello from newcomer {world.made}")
            BuddyMatch.objects.create(newcomer=newcomer, buddy=viewer, matched_at=now, ends_at=now + timedelta(days=14))
    member = world.people["member"]
    if not BuddyMatch.objects.filter(newcomer=member).exists():
        BuddyMatch.objects.create(newcomer=member, buddy=world.owner, matched_at=now, ends_at=now + timedelta(days=14))


# page: (URL from the world, what makes its rows, roles that may open it)
PAGES = {
    "latest": (lambda w: "/", _threads, ROLES),
    "top": (lambda w: "/top/?period=all", _threads, ROLES),
    "unanswered": (lambda w: "/unanswered/", _threads, ROLES),
    "categories": (lambda w: "/categories/", _categories, ROLES),
    "category": (lambda w: f"/c/{w.category.slug}/", _threads, ROLES),
    "tag": (lambda w: f"/tags/{w.tag.name}/", _threads, ROLES),
    "search": (lambda w: "/search/?q=python", _threads, ROLES),
    "search with filters": (lambda w: f"/search/?q=python&category={w.category.slug}&tag={w.tag.name}&period=week&order=newest", _threads, ROLES),
    "search by filters only": (lambda w: f"/search/?tag={w.tag.name}&author=", _threads, ROLES),
    "thread": (lambda w: w.thread.get_absolute_url(), _replies, ROLES),
    "profile": (lambda w: f"/u/{w.owner.username}/", _kudos, ROLES),
    "own profile": (lambda w: "/u/{me}/", _kudos, SIGNED_IN),
    "experts": (lambda w: "/experts/", _experts, ROLES),
    "leaderboard": (lambda w: "/leaderboard/?period=week", _leaders, ROLES),
    "rewards": (lambda w: "/rewards/", _redemptions, ROLES),
    "notifications": (lambda w: "/notifications/", _notifications, SIGNED_IN),
    "loyalty": (lambda w: "/loyalty/", _ledger, SIGNED_IN),
    "queue": (lambda w: "/queue/", _threads, MODERATORS),
    "review": (lambda w: "/review/", _flagged, MODERATORS),
    "log": (lambda w: "/moderation/log/", _log, MODERATORS),
    "candidates": (lambda w: "/moderation/candidates/", _candidates, ["manager"]),
    "ideas": (lambda w: "/c/ideas/", _ideas, ROLES),
    "ideas by status": (lambda w: "/c/ideas/?idea_status=planned&order=newest", _ideas, ROLES),
    "idea": (lambda w: w.idea.get_absolute_url(), _idea_votes, ROLES),
    "events": (lambda w: "/events/", _events, ROLES),
    "past events": (lambda w: "/events/?when=past", _past_events, ROLES),
    "events calendar": (lambda w: f"/events/calendar/?month={timezone.localdate():%Y-%m}", _birthdays, ROLES),
    "event": (lambda w: f"/events/{_the_event(w).pk}/", _attendees, ROLES),
    "attendees": (lambda w: f"/events/{_the_event(w).pk}/attendees/", _attendees, ["manager"]),
    "buddies": (lambda w: "/buddies/", _buddy_newcomers, SIGNED_IN),
}


@pytest.fixture
def world(db, settings):
    settings.FORUMS_POSTS_PER_PAGE = 50  # the whole thread on one page: 50 posts really render
    manager = make_manager(username="boss", tier=Tier.LEADER)
    moderator = UserFactory(username="warden", tier=Tier.CHAMPION)
    moderation.grant_role(member=moderator, granted_by=manager)
    member = UserFactory(username="regular", tier=Tier.MEMBER)
    category, tag = CategoryFactory(name="Help", slug="help"), TagFactory(name="python")
    owner = UserFactory(username="owner", tier=Tier.REGULAR, date_joined=timezone.now() - timedelta(days=30))
    thread = make_thread(author=owner, category=category, tags=[tag], title="The python thread")
    people = {"anonymous": None, "member": member, "moderator": type(moderator).objects.get(pk=moderator.pk), "manager": manager}
    return World(people=people, category=category, tag=tag, thread=thread, owner=owner)


def _count(world, role, url) -> int:
    client = Client()
    viewer = world.people[role]
    if viewer is not None:
        client.force_login(viewer)
        url = url.replace("{me}", viewer.username)
    client.get(url)  # warm what a visit warms once a day (visit day, session)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, f"{url} as {role}: {response.status_code}"
    return len(queries)


CASES = [(page, role) for page, (_url, _rows, roles) in PAGES.items() for role in roles]


@pytest.mark.parametrize("page, role", CASES, ids=[f"{page}-{role}" for page, role in CASES])
def test_page_runs_the_same_queries_with_1_and_50_rows_within_budget(world, page, role):
    url_of, add_rows, _roles = PAGES[page]
    add_rows(world, 1)
    with_one = _count(world, role, url_of(world))
    add_rows(world, 49)
    with_fifty = _count(world, role, url_of(world))
    assert with_fifty == with_one, f"{page} as {role}: {with_one} queries with 1 row, {with_fifty} with 50"
    assert with_fifty <= BUDGET, f"{page} as {role}: {with_fifty} queries"


# The community health dashboard is an analytics page, not a list: computing it (fresh=1, what the beat
# job does every 5 minutes) runs a fixed set of aggregate queries (this period, the one before, the
# previous 90 days, the funnel's three splits, the events' participation). The number must not grow
# with the community; its own budget is what it needs today. Served from the snapshot, it is an ordinary page.
DASHBOARD_BUDGET = 55
DASHBOARD_PAGES = ["/dashboard/?period=30&fresh=1", "/dashboard/?period=30", "/dashboard/list/first-post/?period=30",
                   "/dashboard/list/newcomer-threads/?period=30"]


def _newcomers_with_threads(world, n):
    for _ in range(n):
        newcomer = world.person(tier=Tier.NEWCOMER)
        thread = make_thread(author=newcomer, category=world.category, title=f"Newcomer question {world.made}")
        make_reply(thread=thread, author=world.owner, body=f"An answer {world.made}")
        make_reply(thread=thread, author=newcomer, body=f"Thanks {world.made}")


@pytest.mark.parametrize("url", DASHBOARD_PAGES)
def test_dashboard_runs_the_same_queries_with_1_and_50_newcomers(world, url):
    _newcomers_with_threads(world, 1)
    with_one = _count(world, "manager", url)
    _newcomers_with_threads(world, 49)
    with_fifty = _count(world, "manager", url)
    assert with_fifty == with_one, f"{url}: {with_one} queries with 1 newcomer, {with_fifty} with 50"
    assert with_fifty <= DASHBOARD_BUDGET if url.endswith("fresh=1") else with_fifty <= BUDGET, f"{url}: {with_fifty}"
