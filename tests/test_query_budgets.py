"""Every page of the site runs a fixed number of SQL queries, whatever its length, for every role that may open it.

The table below names every page a reader opens with GET (lists, details, forms, fragments, files and redirects), the
rows that make it long and the roles that may see it: anonymous, member, moderator (site-wide, through
moderation.services.grant_role) and manager. A list page is rendered with 1 row and again with 50 rows made by 50
distinct people (with flair, expertise, badges, likes, tags and unread state where the page shows them): the count must
not move, and it stays within the page's budget (15 for lists and threads, DESIGN.md; the dashboard computed, 55).
`test_every_page_of_the_site_has_a_budget` walks the URL conf, as the permissions table does, and fails on a view that
is neither budgeted here nor a POST-only action. The served-from-cache paths (the thread poll's 304, the bell's 304,
the queue's 204, the dashboard's snapshot) have their exact counts pinned at the end, with what remains and why.

Pages sharing the rows they need are measured in one world (one test per kind of row), which keeps the module fast.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from community.expertise.services import expert_appoint
from community.health.selectors import MEMBER_LISTS, THREAD_LISTS
from community.members.models import Tier
from community.notifications.models import Kind
from community.notifications.services import notify, unsubscribe_token
from community.triage.services import assign, claim
from forums import page_cache
from forums import services as forum_services
from loyalty import ledger
from loyalty.models import Kudos, Redemption, Reward
from moderation import services as moderation
from moderation.models import Nomination
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_event, make_manager, make_reply, make_thread
from tests.test_permissions_table import _site_views

BUDGET = 15
# The community health dashboard is an analytics page, not a list: computing it (fresh=1, what the beat job does every
# 5 minutes) runs a fixed set of aggregate queries (this period, the one before, the previous 90 days, the funnel's
# three splits, the events' participation). The number must not grow with the community; its own budget is what it
# needs today. Served from the snapshot, it is an ordinary page.
DASHBOARD_BUDGET = 55
ROLES = ["anonymous", "member", "moderator", "manager"]
SIGNED_IN = ROLES[1:]
MODERATORS = ["moderator", "manager"]
MANAGERS = ["manager"]


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
    """Threads by distinct authors (a third newcomers, so the queue and unanswered lists fill), each with two tags (one
    its own), some liked by the member, some by experts; the member has read some, and some of those got a reply since
    (unread with a first unread number), others after being read (read)."""
    member = world.people["member"]
    if not hasattr(world, "owner_is_expert"):  # every row of the queue has an expert to suggest, the first one too
        world.owner_is_expert = expert_appoint(member=world.owner, tags=[world.tag], appointed_by=world.people["manager"])
    for index in range(n):
        newcomer = index % 3 == 0
        author = world.person(tier=Tier.NEWCOMER if newcomer else Tier.CHAMPION, flair_text="" if newcomer else "Helper")
        thread = make_thread(author=author, category=world.category, tags=[world.tag, TagFactory(name=f"topic{world.made}")],
                             title=f"A python question {world.made}")
        if index % 5 == 1:
            expert_appoint(member=author, tags=[world.tag], appointed_by=world.people["manager"])
        if index % 6 == 0:  # newcomer threads waiting in the queue: claimed, and assigned to someone else
            claim(thread=thread, member=world.people["manager"])
            assign(thread=thread, assignee=world.person(tier=Tier.REGULAR), assigned_by=world.people["manager"])
        if index % 2 == 0:
            forum_services.like_add(post=thread.posts.get(number=1), member=member)
        else:  # answered: leaves the unanswered list and the queue
            forum_services.thread_mark_read(thread=thread, member=member, up_to_number=1)
            make_reply(thread=thread, author=world.person(tier=Tier.REGULAR), body=f"A python answer {world.made}")
            if index % 4 == 3:
                forum_services.thread_mark_read(thread=thread, member=member, up_to_number=2)


def _replies(world, n):
    """Replies by distinct people: some experts, some with custom flair, all new members, liked by the member; the
    first becomes the accepted answer, some are edited, some hidden, some deleted."""
    viewer, manager = world.people["member"], world.people["manager"]
    for index in range(n):
        author = world.person(tier=Tier.CHAMPION if index % 2 else Tier.REGULAR, flair_text="Helper" if index % 2 else "")
        post = make_reply(thread=world.thread, author=author, body=f"A python answer {world.made}")
        forum_services.like_add(post=post, member=viewer)
        if not world.thread.accepted_answer_id:
            world.thread = forum_services.answer_accept(thread=world.thread, post=post, member=world.owner)
        if index % 5 == 0:
            expert_appoint(member=author, tags=[world.tag], appointed_by=manager)
        if index % 6 == 2:
            forum_services.post_edit(post=post, editor=author, body=f"A better python answer {world.made}")
        if index % 7 == 0:
            forum_services.post_hide(post=post, reason="flagged")
        if index % 11 == 3:
            forum_services.post_delete(post=post, member=manager)


def _kudos(world, n):
    for _ in range(n):
        Kudos.objects.create(sender=world.person(), receiver=world.owner, message="thanks", created_at=timezone.now())


def _notifications(world, n):
    """Notifications of every kind for each signed-in viewer, each from a distinct actor, naming a thread, a post, an event
    or a stored message as their kind does."""
    from community.notifications.messages import message

    kinds, first_post = list(Kind), world.thread.posts.get(number=1)
    for viewer in (world.people[role] for role in SIGNED_IN):
        for index in range(n):
            kind, key = kinds[(world.made + index) % len(kinds)], f"budget:{world.made}:{index}"
            if kind == Kind.EVENT:
                key = f"event:{world.thread.pk}:{world.made}"
            notify(recipient=viewer, kind=kind, dedupe_key=key, actor=world.person(), thread=world.thread,
                   post=first_post if index % 2 else None, text="First Post",
                   message=message("Your post in %(title)s was hidden.", title=world.thread.title) if index % 3 == 0 else None)


def _ledger(world, n):
    for viewer in (world.people[role] for role in SIGNED_IN):
        for index in range(n):
            ledger.award(member_id=viewer.pk, reason="celebration", source_type="budget", source_id=f"{world.made}:{index}", amount=1)
            world.made += 1


def _own_data(world, n):
    """What a member's data export holds, for each signed-in viewer: posts, ledger entries, badges and event answers."""
    from community.events import services as event_services
    from loyalty.badges import ensure_badges
    from loyalty.models import BadgeAward

    badge = next(iter(ensure_badges().values()))
    for _index in range(n):
        event = make_event(host=world.people["manager"], category=world.category, title=f"Export meetup {world.made}")
        for viewer in (world.people[role] for role in SIGNED_IN):
            make_reply(thread=world.thread, author=viewer, body=f"My own words {world.made} {viewer.pk}")
            ledger.award(member_id=viewer.pk, reason="celebration", source_type="export", source_id=f"{world.made}", amount=1)
            BadgeAward.objects.create(member=viewer, badge=badge, source_key=f"export-{world.made}", created_at=timezone.now())
            event_services.rsvp_set(event=event, member=viewer, status="going")
        world.made += 1


def _leaders(world, n):
    """Distinct members earning points, in the world's category (its board) and so on every board."""
    for index in range(n):
        member = world.person(tier=Tier.REGULAR if index % 2 else Tier.MEMBER)
        ledger.award(member_id=member.pk, reason="celebration", source_type="budget", source_id=member.pk, amount=3 + index,
                     category_id=world.category.pk)


def _redemptions(world, n):
    """Rewards (some with stock, some for higher tiers), each redeemed by a distinct member, half fulfilled by the
    manager; each signed-in viewer redeemed one of them too (their own history)."""
    now = timezone.now()
    for index in range(n):
        reward = Reward.objects.create(name=f"Mug {world.made}", cost=1 + index, stock=10 if index % 2 else None,
                                       min_tier=index % 3)
        fulfilled = {"fulfilled_at": now, "fulfilled_by": world.people["manager"]} if index % 2 else {}
        Redemption.objects.create(member=world.person(), reward=reward, cost=reward.cost, created_at=now, **fulfilled)
        for viewer in (world.people[role] for role in SIGNED_IN):
            Redemption.objects.create(member=viewer, reward=reward, cost=reward.cost, created_at=now)


def _experts(world, n):
    for _ in range(n):
        member = world.person()
        expert_appoint(member=member, tags=[world.tag, TagFactory(name=f"topic{world.made}")], appointed_by=world.people["manager"])


def _flagged(world, n):
    """Posts by distinct people in distinct threads, each flagged by two others, half claimed by the moderator; and a
    new account awaiting approval per row (the review page lists them for site-wide moderators and managers)."""
    from moderation.models import ReviewItem

    for index in range(n):
        thread = make_thread(author=world.person(), category=world.category, title=f"Flag me {world.made}")
        post = make_reply(thread=thread, author=world.person(), body=f"Spam number {world.made}")
        for _ in range(2):
            moderation.flag_post(post=post, flagger=world.person(tier=Tier.MEMBER), reason="spam")
        if index % 2 == 0:
            moderation.claim(item=ReviewItem.objects.get(post=post, status="pending"), moderator=world.people["moderator"])
        world.person(tier=Tier.NEWCOMER, awaiting_approval=True)


def _log(world, n):
    """Actions by distinct moderators on a post, a thread or a member, in turn."""
    post = world.thread.posts.get(number=1)
    targets = [("post", post.pk), ("thread", world.thread.pk), ("member", world.owner.pk)]
    for index in range(n):
        target_type, target_id = targets[index % len(targets)]
        moderation.log(actor=world.person(), action="post_edited", target_type=target_type, target_id=target_id)


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
    """Events by distinct tier-3 hosts, in person and online, in the world's category and others; the viewer goes to
    some (the rest are full: they wait) and answers maybe to others; some are cancelled. `past` moves them into the past."""
    from community.events import services as event_services
    from community.events.models import Event

    member = world.people["member"]
    for index in range(n):
        kind, full = ("online" if index % 2 else "offline"), index % 4 == 1
        event = make_event(host=world.person(tier=Tier.CHAMPION), category=world.category if index % 3 else CategoryFactory(),
                           title=f"Meetup {world.made}", starts_in=timedelta(days=1 + index % 20), capacity=1 if full else 5,
                           kind=kind)
        event_services.rsvp_set(event=event, member=world.person(), status="going")
        if index % 4 in (0, 1):
            event_services.rsvp_set(event=event, member=member, status="going")  # a seat, or the waiting list when full
        elif index % 4 == 2:
            event_services.rsvp_set(event=event, member=member, status="maybe")
        if index % 7 == 3:
            event_services.event_cancel(event=event, reason="The venue is closed")
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


def _later_replies(world, n):
    """Replies on a thread's second page: its first page is filled once by one member, the rows come after."""
    if not hasattr(world, "long_thread"):
        world.long_thread = make_thread(author=world.owner, category=world.category, tags=[world.tag], title="The long python thread")
        filler = world.person(tier=Tier.MEMBER)
        for number in range(2, 51):
            answer = make_reply(thread=world.long_thread, author=filler, body=f"Filling the first page {number}")
        # The accepted answer is on the first page: a later page shows it too.
        world.long_thread = forum_services.answer_accept(thread=world.long_thread, post=answer, member=world.owner)
    viewer = world.people["member"]
    for index in range(n):
        author = world.person(tier=Tier.CHAMPION, flair_text="Helper")
        post = make_reply(thread=world.long_thread, author=author, body=f"A later python answer {world.made}")
        forum_services.like_add(post=post, member=viewer)
        if index % 5 == 0:
            expert_appoint(member=author, tags=[world.tag], appointed_by=world.people["manager"])


def _edits(world, n):
    """The thread's first post edited by n distinct people (the history names each editor)."""
    post = world.thread.posts.get(number=1)
    for _ in range(n):
        post = forum_services.post_edit(post=post, editor=world.person(), body=f"Edited python question {world.made}")


def _tags(world, n):
    for _ in range(n):
        world.made += 1
        make_thread(author=world.person(), category=world.category, tags=[TagFactory(name=f"topic{world.made}")],
                    title=f"Tagged {world.made}")


def _people(world, n):
    for _ in range(n):
        world.person()


def _badges(world, n):
    """Kudos to the owner from distinct people, and every badge the owner could earn (the profile lists them)."""
    from loyalty.badges import ensure_badges
    from loyalty.models import BadgeAward

    if not BadgeAward.objects.filter(member=world.owner).exists():
        BadgeAward.objects.bulk_create([BadgeAward(member=world.owner, badge=badge, created_at=timezone.now())
                                        for badge in ensure_badges().values()])
    _kudos(world, n)
    for _ in range(n):  # the owner's recent posts, in threads by others in distinct categories
        thread = make_thread(author=world.person(), category=CategoryFactory(), title=f"Elsewhere {world.made}")
        make_reply(thread=thread, author=world.owner, body=f"The owner answers {world.made}")


def _the_idea(world):
    if not hasattr(world, "idea"):
        world.idea = make_thread(author=world.owner, category=_ideas_category(world), title="The one idea")
        forum_services.idea_set_status(thread=world.idea, member=world.people["manager"], status="under_review", note="Looking")
    return world.idea


def _newcomer_thread(world):
    if not hasattr(world, "newcomer_thread"):
        world.newcomer_thread = make_thread(author=world.person(tier=Tier.NEWCOMER), category=world.category,
                                            title="A newcomer asks about python")
    return world.newcomer_thread


def _ticket_url(world):
    """The address the host's phone opens on scanning a member's ticket (someone going to the event)."""
    from community.events import services as event_services

    event = _the_event(world)
    going = event.rsvps.filter(status="going").select_related("member").first()
    if going is None:
        event_services.rsvp_set(event=event, member=world.owner, status="going")
        going = event.rsvps.get(member=world.owner)
    return f"/events/{event.pk}/check-in/{event_services.ticket_code(event, going.member)}/"


def _feed_url(world):
    from community.events.services import feed_of

    return f"/events/feed/{feed_of(world.people['member']).token}.ics"


def _my_notification(world, me):
    from community.notifications.models import Notification

    found = Notification.objects.filter(recipient=me).first()
    if found is None:
        notify(recipient=me, kind=Kind.REPLY, dedupe_key="open-me", actor=world.owner, thread=world.thread)
        found = Notification.objects.filter(recipient=me).first()
    return f"/notifications/{found.pk}/"


def _newcomers_with_threads(world, n):
    for _ in range(n):
        newcomer = world.person(tier=Tier.NEWCOMER)
        thread = make_thread(author=newcomer, category=world.category, title=f"Newcomer question {world.made}")
        make_reply(thread=thread, author=world.owner, body=f"An answer {world.made}")
        make_reply(thread=thread, author=newcomer, body=f"Thanks {world.made}")


@dataclass(frozen=True)
class Page:
    # The address, from the world and the viewer (None for an anonymous visitor).
    url: Callable
    # What makes the page long (called with the world and a number of rows); None for a page with no list.
    rows: Callable | None
    roles: list[str]
    budget: int = BUDGET
    status: int = 200
    # How much more the page may run with 50 rows than with 1 (none so far: say why if one ever needs it).
    growth: int = 0


_DASHBOARD_LISTS = {f"dashboard list {figure}": Page(lambda w, me, figure=figure: f"/dashboard/list/{figure}/?period=30",
                                                     _newcomers_with_threads, MANAGERS)
                    for figure in [*THREAD_LISTS, *MEMBER_LISTS]}

PAGES = {
    # Thread lists: latest, top, unanswered, a category, a tag, search, similar threads, the queue.
    "latest": Page(lambda w, me: "/", _threads, ROLES),
    "latest, unsolved only": Page(lambda w, me: "/?status=unsolved", _threads, ROLES),
    "top": Page(lambda w, me: "/top/?period=all", _threads, ROLES),
    "unanswered": Page(lambda w, me: "/unanswered/", _threads, ROLES),
    "category": Page(lambda w, me: f"/c/{w.category.slug}/", _threads, ROLES),
    "tag": Page(lambda w, me: f"/tags/{w.tag.name}/", _threads, ROLES),
    "search": Page(lambda w, me: "/search/?q=python", _threads, ROLES),
    "search with filters": Page(lambda w, me: f"/search/?q=python&category={w.category.slug}&tag={w.tag.name}&period=week&order=newest",
                                _threads, ROLES),
    "search by filters only": Page(lambda w, me: f"/search/?tag={w.tag.name}&author=", _threads, ROLES),
    "similar threads": Page(lambda w, me: "/t/similar/?title=python+question", _threads, ROLES),
    "queue": Page(lambda w, me: "/queue/", _threads, MODERATORS),
    "queue rows, changed": Page(lambda w, me: "/queue/live/?v=-1", _threads, MODERATORS),
    "categories": Page(lambda w, me: "/categories/", _categories, ROLES),
    "tags": Page(lambda w, me: "/tags/", _tags, ROLES),
    # A thread: its first page, a later page, the "new replies" notice, a post's history.
    "thread": Page(lambda w, me: w.thread.get_absolute_url(), _replies, ROLES),
    "thread news": Page(lambda w, me: f"/t/{w.thread.pk}/news/?after=1", _replies, ROLES),
    "thread, page 2": Page(lambda w, me: f"{w.long_thread.get_absolute_url()}?page=2", _later_replies, ROLES),
    "post history": Page(lambda w, me: f"/p/{w.thread.posts.get(number=1).pk}/history/", _edits, ROLES),
    # Members, experts, loyalty.
    "profile": Page(lambda w, me: f"/u/{w.owner.username}/", _badges, ROLES),
    "own profile": Page(lambda w, me: f"/u/{me.username}/", _kudos, SIGNED_IN),
    "member lookup": Page(lambda w, me: "/members/autocomplete/?q=p", _people, MODERATORS),
    "experts": Page(lambda w, me: "/experts/", _experts, ROLES),
    "experts of a tag": Page(lambda w, me: f"/experts/{w.tag.name}/", _experts, ROLES),
    "leaderboard": Page(lambda w, me: "/leaderboard/?period=week", _leaders, ROLES),
    "leaderboard, all time": Page(lambda w, me: "/leaderboard/?period=all", _leaders, ROLES),
    "leaderboard, a category": Page(lambda w, me: f"/leaderboard/?period=month&category={w.category.slug}", _leaders, ROLES),
    "rewards": Page(lambda w, me: "/rewards/", _redemptions, ROLES),
    "notifications": Page(lambda w, me: "/notifications/", _notifications, SIGNED_IN),
    "bell": Page(lambda w, me: "/notifications/bell/", _notifications, SIGNED_IN),
    "loyalty": Page(lambda w, me: "/loyalty/", _ledger, SIGNED_IN),
    # Moderation.
    "review": Page(lambda w, me: "/review/", _flagged, MODERATORS),
    # With threads and members among the targets, their titles and names are read too: one query each, once.
    "log": Page(lambda w, me: "/moderation/log/", _log, MODERATORS, growth=1),
    "candidates": Page(lambda w, me: "/moderation/candidates/", _candidates, MANAGERS),
    # Ideas.
    "ideas": Page(lambda w, me: "/c/ideas/", _ideas, ROLES),
    "ideas by status": Page(lambda w, me: "/c/ideas/?idea_status=planned&order=newest", _ideas, ROLES),
    "idea": Page(lambda w, me: _the_idea(w).get_absolute_url(), _idea_votes, ROLES),
    # Events.
    "events": Page(lambda w, me: "/events/", _events, ROLES),
    "my events feed": Page(lambda w, me: _feed_url(w), _events, ROLES),
    "past events": Page(lambda w, me: "/events/?when=past", _past_events, ROLES),
    "events calendar": Page(lambda w, me: f"/events/calendar/?month={timezone.localdate():%Y-%m}", _birthdays, ROLES),
    "event": Page(lambda w, me: f"/events/{_the_event(w).pk}/", _attendees, ROLES),
    "attendees": Page(lambda w, me: f"/events/{_the_event(w).pk}/attendees/", _attendees, MANAGERS),
    "ticket at the door": Page(lambda w, me: _ticket_url(w), _attendees, MANAGERS),
    "buddies": Page(lambda w, me: "/buddies/", _buddy_newcomers, SIGNED_IN),
    # The community health dashboard: computed, served from its snapshot, the lists behind its figures, a CSV file.
    "dashboard computed": Page(lambda w, me: "/dashboard/?period=30&fresh=1", _newcomers_with_threads, MANAGERS,
                               budget=DASHBOARD_BUDGET),
    "dashboard": Page(lambda w, me: "/dashboard/?period=30", _newcomers_with_threads, MANAGERS),
    **_DASHBOARD_LISTS,
    "dashboard csv": Page(lambda w, me: "/dashboard/csv/responders/?period=30", _newcomers_with_threads, MANAGERS),
    # No list: forms, single things, files and redirects, measured once.
    "guidelines": Page(lambda w, me: "/guidelines/", None, ROLES),
    "welcome": Page(lambda w, me: "/welcome/", None, ROLES),
    "site page form": Page(lambda w, me: "/pages/guidelines/edit/", None, MANAGERS),
    "healthz": Page(lambda w, me: "/healthz", None, ["anonymous"]),
    "settings": Page(lambda w, me: "/settings/", None, SIGNED_IN),
    "my data export": Page(lambda w, me: "/settings/export/", _own_data, SIGNED_IN),
    "delete my account form": Page(lambda w, me: "/settings/delete/", None, SIGNED_IN),
    "email preferences": Page(lambda w, me: "/notifications/settings/", None, SIGNED_IN),
    "unsubscribe": Page(lambda w, me: f"/notifications/unsubscribe/{unsubscribe_token(member=w.owner, kind='reply')}/", None, ROLES),
    "open a notification": Page(lambda w, me: _my_notification(w, me), None, SIGNED_IN, status=302),
    "badges": Page(lambda w, me: "/loyalty/badges/", None, ROLES),
    "invitation": Page(lambda w, me: "/moderation/invitation/", None, SIGNED_IN),
    "new thread form": Page(lambda w, me: "/t/new/", None, SIGNED_IN),
    "new tag form": Page(lambda w, me: "/tags/new/", None, MANAGERS),
    "post edit form": Page(lambda w, me: f"/p/{w.thread.posts.get(number=1).pk}/edit/", None, MANAGERS),
    "thread short address": Page(lambda w, me: f"/t/{w.thread.pk}/", None, ROLES, status=302),
    "thread first unread": Page(lambda w, me: f"/t/{w.thread.pk}/unread/", None, ROLES, status=302),
    "post address": Page(lambda w, me: f"/p/{w.thread.posts.get(number=1).pk}/", None, ROLES, status=302),
    "queue row actions": Page(lambda w, me: f"/queue/{_newcomer_thread(w).pk}/actions/", None, MODERATORS),
    "new event form": Page(lambda w, me: "/events/new/", None, MODERATORS),
    "event edit form": Page(lambda w, me: f"/events/{_the_event(w).pk}/edit/", None, MANAGERS),
    "event calendar file": Page(lambda w, me: f"/events/{_the_event(w).pk}/event.ics", None, ROLES),
}

# Views a reader never opens with GET: actions, answered only to a POST (their GET is a 405).
POST_ONLY = {
    "buddies:volunteer", "buddies:opt_out", "expertise:remove", "expertise:availability",
    "notifications:mark_all_read", "notifications:mark_read", "events:feed_reset", "events:cancel", "events:rsvp",
    "events:check_in", "triage:claim", "triage:unclaim", "triage:assign", "triage:snooze", "triage:no_reply_needed",
    "loyalty:redeem", "loyalty:fulfil", "loyalty:kudos", "loyalty:leader",
    "moderation:flag", "moderation:act", "moderation:new_member", "moderation:thread", "moderation:post_delete",
    "moderation:post_restore", "moderation:post_edit", "moderation:sanction", "moderation:spammer", "moderation:decide", "moderation:revoke",
    "forums:mark_all_read", "forums:category_mark_read", "forums:reply", "forums:watch", "forums:answer_accept",
    "forums:answer_unaccept", "forums:idea_vote", "forums:idea_status", "forums:idea_announce", "forums:post_delete",
    "forums:post_like", "forums:preview",
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


def _client(viewer) -> Client:
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    return client


def _count(world, page: Page, role: str) -> int:
    viewer = world.people[role]
    client, url = _client(viewer), page.url(world, viewer)
    client.get(url)  # warm what a visit warms once a day (visit day, session)
    # A visitor's second request would be a kept page (no query: tests/test_page_cache.py): measure building it.
    page_cache.expire_all()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == page.status, f"{url} as {role}: {response.status_code}"
    return len(queries)


def _families() -> dict[str, list[str]]:
    """Pages grouped by the rows that make them long, each group measured in one world."""
    found = {}
    for name, page in PAGES.items():
        found.setdefault(page.rows.__name__ if page.rows else "no list", []).append(name)
    return found


FAMILIES = _families()


def _measure(world, names, counts, index) -> None:
    for name in names:
        for role in PAGES[name].roles:
            counts.setdefault((name, role), [None, None])[index] = _count(world, PAGES[name], role)


def _table(counts) -> str:
    return "\n".join(f"{name:32} {role:10} {one!s:>4} {fifty!s:>4}" for (name, role), (one, fifty) in counts.items())


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_pages_run_the_same_queries_with_1_and_50_rows_within_budget(world, family):
    names, counts = FAMILIES[family], {}
    if family == "no list":
        _measure(world, names, counts, 0)
        problems = [f"{name} as {role}: {one} queries (budget {PAGES[name].budget})"
                    for (name, role), (one, _fifty) in counts.items() if one > PAGES[name].budget]
    else:
        add_rows = PAGES[names[0]].rows
        add_rows(world, 1)
        _measure(world, names, counts, 0)
        add_rows(world, 49)
        _measure(world, names, counts, 1)
        problems = [f"{name} as {role}: {one} queries with 1 row, {fifty} with 50 (budget {PAGES[name].budget})"
                    for (name, role), (one, fifty) in counts.items()
                    if fifty - one > PAGES[name].growth or fifty > PAGES[name].budget]
    print(f"\n{_table(counts)}")
    assert not problems, "\n".join(problems)


def test_every_page_of_the_site_has_a_budget(world):
    """A view added to the URL conf fails here until it is a page of the table (or a POST-only action)."""
    world.long_thread = world.thread  # made by its rows; any thread resolves to the same view
    budgeted = set()
    for page in PAGES.values():
        viewer = world.people[page.roles[0]]
        budgeted.add(resolve(urlsplit(page.url(world, viewer)).path).view_name)
    views = _site_views()
    assert views - budgeted - POST_ONLY == set(), "give these pages a budget in PAGES (or name them POST_ONLY)"
    assert budgeted | POST_ONLY <= views, "the table names views that no longer exist"
    assert not budgeted & POST_ONLY


# -- served from cache ----------------------------------------------------------------------------------------------
# What a cache hit still reads. A signed-in request reads its session (from Redis: sessions are cached_db, so no SQL
# once warm) and its user row (AuthenticationMiddleware, one primary-key lookup): that row is the floor of every
# signed-in request, and nothing else may be read where the answer comes from a cache.

USER_ROW = "members_user"


def _tables(queries) -> list[str]:
    """The tables each query reads ("a+b" for a subquery), in order: what a failure prints is what was read."""
    return ["+".join(re.findall(r'FROM "(\w+)"', query["sql"])) for query in queries.captured_queries]


def _again(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, _tables(queries)


@pytest.mark.parametrize("role", ROLES)
def test_thread_poll_unchanged_is_a_304_from_one_primary_key_lookup(world, role):
    client, url = _client(world.people[role]), f"/t/{world.thread.pk}/news/?after=1"
    etag = client.get(url)["ETag"]
    response, tables = _again(client, url, if_none_match=etag)
    assert response.status_code == 304
    # The ETag is the thread's reply count and last post time: one lookup by primary key, after the user's row.
    expected = ([] if role == "anonymous" else [USER_ROW]) + ["forums_thread"]
    assert tables == expected, f"the unchanged poll as {role} read {tables}"


@pytest.mark.parametrize("role", SIGNED_IN)
def test_bell_unchanged_is_a_304_from_one_count(world, role):
    client = _client(world.people[role])
    notify(recipient=world.people[role], kind=Kind.REPLY, dedupe_key="bell", actor=world.owner, thread=world.thread)
    etag = client.get("/notifications/bell/")["ETag"]
    response, tables = _again(client, "/notifications/bell/", if_none_match=etag)
    assert response.status_code == 304
    # The ETag is the unread count itself: one indexed count, after the user's row.
    assert tables == [USER_ROW, "notifications_notification"], f"the unchanged bell as {role} read {tables}"


# The roles a request asks about: a manager's group (auth_group), a moderator's categories (moderation_moderatorrole).
ROLE_ROWS = {"moderator": ["auth_group", "moderation_moderatorrole"], "manager": ["auth_group"]}


@pytest.mark.parametrize("role", MODERATORS)
def test_queue_unchanged_is_a_204_that_reads_only_the_member_and_their_roles(world, role):
    """No queue row is read: the version comes from Redis. Who may work the queue is still asked (it is no secret
    that the queue changed, but only people who work it are answered), which reads the member's roles."""
    from community.triage import live

    client = _client(world.people[role])
    client.get("/queue/live/?v=-1")
    response, tables = _again(client, f"/queue/live/?v={live.version()}")
    assert response.status_code == 204
    assert tables == [USER_ROW, *ROLE_ROWS[role]], f"the unchanged queue as {role} read {tables}"


def test_dashboard_served_from_its_snapshot_reads_no_figure(world):
    """No figure is computed: what remains is the manager's row and role, the filter's category names and what every
    signed-in staff page shows (the bell's unread count, the review count in the menu)."""
    client = _client(world.people["manager"])
    client.get("/dashboard/?period=30&fresh=1")  # what the beat job does: the snapshot is kept
    response, tables = _again(client, "/dashboard/?period=30")
    assert response.status_code == 200
    assert tables == [USER_ROW, "auth_group", "forums_category", "notifications_notification",
                      "members_user+moderation_reviewitem"], f"the dashboard from its snapshot read {tables}"


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_leaderboard_from_its_cache_reads_no_points_total(world, role):
    """The board's rows are cached under the ledger's version: a hit reads that version (the newest entry's id, one
    index-only lookup), the names of the members shown and the category menu, never the period's totals."""
    _leaders(world, 3)
    client = _client(world.people[role])
    client.get("/leaderboard/?period=week")
    response, tables = _again(client, "/leaderboard/?period=week")
    assert response.status_code == 200
    board = ["loyalty_pointsentry", "members_user"]
    # A member's page also shows the menu for their role and the bell's count; their own standing (they are not on
    # the board) is cached under the same version: no query either.
    chrome = [] if role == "anonymous" else ["auth_group", "notifications_notification"]
    expected = [*board, "forums_category"] if role == "anonymous" else [USER_ROW, *board, *chrome, "forums_category"]
    assert tables == expected, \
        f"the leaderboard from its cache as {role} read {tables}"
