"""No input gives a 500: every URL of the site, fed hostile path arguments, query values and form values.

The sweep enumerates the URL conf (as tests/test_permissions_table.py does), so a new view is probed
the day it ships. Each path argument in turn is replaced by a hostile value while the others name
real rows; each query and form field a view reads is made hostile in turn while the others stay
valid, and once all at once. It runs as an anonymous visitor and as a community manager, so that a
permission check cannot hide a server error behind a 403. Each request runs in a savepoint that is
rolled back, so what one request changes (a deleted post, a disabled account) does not hide the next
request's path. Deferred constraints are checked at once so a row a commit would refuse fails here.
"""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from community.expertise.services import expert_appoint
from community.members.models import Tier
from community.notifications.models import Kind
from community.notifications.services import notify, unsubscribe_token
from loyalty.models import Redemption, Reward
from moderation import services as moderation
from moderation.models import ModeratorRole, Nomination, ReviewItem
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_event, make_manager, make_reply, make_thread

NUL = "a\x00b"
HUGE = "9" * 25  # past the 64-bit range
# Values of a form or query field; the non-UTF-8 one is sent raw (see _raw). A NUL byte is sent in
# every field at once only: a request carrying one is refused whole, whichever field holds it.
FIELD_VALUES = [HUGE, "-" + HUGE, "999999999", "abc", "\u00b2", "x" * 5000]
# Path arguments, percent-encoded as they arrive on the wire: a NUL byte, past 64 bits, not UTF-8, very long.
PATH_VALUES = ["a%00b", HUGE, "%ff%fe", "x" * 1000]

# Every page is probed with these query fields at once; each field a view reads, alone.
COMMON_QUERY = ["page", "q", "quote"]
LIST_QUERY = ["page", "period", "status"]
QUERY_FIELDS = {
    "forums:latest": LIST_QUERY, "forums:top": LIST_QUERY, "forums:unanswered": LIST_QUERY,
    "forums:category": [*LIST_QUERY, "order", "idea_status"], "forums:tag": LIST_QUERY, "forums:thread": ["page", "quote"],
    "forums:thread_short": ["page", "quote"], "forums:thread_create": ["category"],
    "forums:search": ["q", "page", "category", "tag", "author", "period", "order", "solved"],
    "members:autocomplete": ["username", "q"], "moderation:log": ["page", "action", "actor"],
    "notifications:list": ["page"], "loyalty:home": ["page"], "loyalty:leaderboard": ["period", "category"],
    "triage:queue": ["page", "category", "tag", "claim", "overdue"],
    "triage:queue_live": ["v", "page", "category", "tag", "claim", "overdue"],
    "health:dashboard": ["period", "category", "split", "fresh"], "health:list": ["period", "category", "split", "page"],
    "health:csv": ["period", "category", "split", "fresh"],
    "events:list": ["when", "category", "page"], "events:calendar": ["month"], "forums:thread_news": ["after"],
    "forums:similar_threads": ["title"],
}


def _form_fields(world) -> dict[str, dict[str, str]]:
    """Valid form data for each view that reads a form, so a hostile value in one field reaches the code that reads it."""
    return {
        "forums:thread_create": {"category": str(world.category.pk), "title": "A question worth asking", "body": "Body " * 5,
                                 "tags": world.tag.name},
        "forums:reply": {"body": "A reply worth reading."},
        "forums:post_edit": {"body": "An edited body of text.", "title": "A title worth keeping", "tags": world.tag.name},
        "forums:tag_create": {"name": "fresh-tag", "description": "A tag."},
        "forums:post_like": {"action": "like"}, "forums:watch": {"action": "watch"},
        "forums:idea_vote": {"action": "vote"}, "forums:idea_status": {"status": "planned", "note": "soon"},
        "forums:preview": {"body": "Some *text*."},
        "members:settings": {"display_name": "Someone", "language": "en", "timezone": "UTC", "bio": "Hello.",
                             "birthday_day": "3", "birthday_month": "4", "interests": world.tag.name, "dark_theme": "on",
                             "flair_text": "hi"},
        "notifications:settings": dict.fromkeys(Kind.values, "digest"),
        "expertise:list": {"username": world.owner.username, "tags": world.tag.name, "next": "/"},
        "expertise:remove": {"next": "/"},
        "triage:assign": {"username": world.owner.username}, "triage:snooze": {"duration": "1h"},
        "triage:no_reply_needed": {"reason": "a duplicate"},
        "loyalty:kudos": {"receiver": world.owner.username, "message": "thanks", "post_id": str(world.reply.pk), "next": "/"},
        "loyalty:leader": {"action": "make"},
        "moderation:flag": {"reason": "spam", "note": "looks like spam"},
        "moderation:act": {"reason": "because"},
        "moderation:thread": {"category": str(world.other_category.pk), "reason": "better there"},
        "moderation:post_delete": {"reason": "off topic"},
        "moderation:post_edit": {"body": "Edited by a moderator.", "reason": "tidy"},
        "moderation:sanction": {"kind": "silence", "days": "1", "reason": "cool down"},
        "moderation:decide": {"categories": str(world.category.pk), "note": "not yet"},
        "moderation:invitation": {"answer": "accept"},
        "moderation:revoke": {"reason": "stepped down"},
        "moderation:new_member": {"reason": "looks fine"},
        "buddies:volunteer": {"interests": world.tag.name, "cap": "2"},
    }


# Path arguments that name real rows, by argument name; some views want a particular word.
VALID_WORDS = {"moderation:act": {"action": "approve"}, "moderation:thread": {"action": "move"}}


@dataclass
class World:
    owner: object
    manager: object
    category: object
    other_category: object
    tag: object
    thread: object
    reply: object
    args: dict


@pytest.fixture
def world(db):
    manager = make_manager(username="mgr", tier=Tier.LEADER)
    owner = UserFactory(username="owner", tier=Tier.MEMBER)
    newcomer = UserFactory(username="fresh", tier=Tier.NEWCOMER)
    category = CategoryFactory(name="Help", slug="help")
    other_category = CategoryFactory(name="Other", slug="other")
    tag = TagFactory(name="python")
    thread = make_thread(author=newcomer, category=category, title="Newcomer asks a question", tags=[tag])
    reply = make_reply(thread=thread, author=owner, body="An answer someone may flag.")
    moderation.flag_post(post=reply, flagger=UserFactory(tier=Tier.MEMBER), reason="spam")
    role = moderation.grant_role(member=UserFactory(username="helper", tier=Tier.CHAMPION), granted_by=manager)
    nomination = Nomination.objects.create(member=UserFactory(username="hopeful", tier=Tier.REGULAR), created_at=timezone.now())
    reward = Reward.objects.create(name="Pin", cost=1)
    redemption = Redemption.objects.create(member=owner, reward=Reward.objects.create(name="Cap", cost=1), cost=1,
                                           created_at=timezone.now())
    note = notify(recipient=manager, kind=Kind.REPLY, dedupe_key="hostile", actor=owner, thread=thread)
    args = {
        "username": owner.username, "slug": category.slug, "name": tag.name, "thread_id": thread.pk, "post_id": reply.pk,
        "item_id": ReviewItem.objects.get(post=reply).pk, "nomination_id": nomination.pk,
        "role_id": role.pk if isinstance(role, ModeratorRole) else ModeratorRole.objects.latest("pk").pk,
        "expertise_id": expert_appoint(member=owner, tags=[tag], appointed_by=manager)[0].pk,
        "reward_id": reward.pk, "redemption_id": redemption.pk, "notification_id": note.pk,
        "token": unsubscribe_token(member=owner, kind=Kind.LIKE), "decision": "approve", "action": "lock",
    }
    world = World(owner, manager, category, other_category, tag, thread, reply, args)
    world.args["thread_slug"] = thread.slug
    world.args.update(figure="first-post", table="funnel")  # the dashboard's drill-down list and CSV file
    # An event the owner is going to, hosted by the manager: its id, the owner's ticket and calendar address.
    from community.events import services as event_services

    event = make_event(host=manager, category=category, capacity=2)
    event_services.rsvp_set(event=event, member=owner, status="going")
    world.args.update(pk=event.pk, code=event_services.ticket_code(event, owner))
    VALID_WORDS["events:feed"] = {"token": event_services.feed_of(owner).token}
    return world


def _site_routes():
    """(view name, route with <converter:argument> placeholders) for every view of the site but admin and allauth."""
    def walk(patterns, namespace="", prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or pattern.urlconf_module.__name__.startswith("allauth"):
                    continue
                yield from walk(pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""),
                                prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield namespace + pattern.name, prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path(name: str, route: str, world: World, hostile: tuple[str, str] | None = None) -> str:
    """The route with real rows in every argument, or with `hostile` = (argument, raw value) in one of them."""
    def fill(match):
        argument = match.group(2)
        if hostile and hostile[0] == argument:
            return hostile[1]
        if name.startswith("forums:thread") and argument == "slug":
            return world.args["thread_slug"]
        return str(VALID_WORDS.get(name, {}).get(argument, world.args[argument]))

    return "/" + PLACEHOLDER.sub(fill, route)


def _raw(fields) -> str:
    """Every field set to a byte sequence that is not UTF-8."""
    return "&".join(f"{field}=%ff%fe" for field in fields)


@dataclass
class Probe:
    method: str
    path: str
    data: object = None
    raw: bool = False  # data is an already-encoded body


def probes(name: str, route: str, world: World) -> list[Probe]:
    forms = _form_fields(world)
    every_form_field = sorted({field for fields in forms.values() for field in fields})
    form = forms.get(name, {})
    query_fields = QUERY_FIELDS.get(name, [])
    every_query_field = sorted(set(COMMON_QUERY + query_fields))
    path = _path(name, route, world)
    found = [Probe("GET", path), Probe("POST", path, form)]
    for argument in PLACEHOLDER.findall(route):
        for value in PATH_VALUES:
            hostile_path = _path(name, route, world, (argument[1], value))
            found += [Probe("GET", hostile_path), Probe("POST", hostile_path, form)]
    for value in [NUL, *FIELD_VALUES]:
        found.append(Probe("GET", path, dict.fromkeys(every_query_field, value)))
        found.append(Probe("POST", path, dict.fromkeys(every_form_field, value)))
    for value in FIELD_VALUES:
        found += [Probe("GET", path, {field: value}) for field in query_fields]
        found += [Probe("POST", path, {**form, field: value}) for field in form]
    found.append(Probe("GET", f"{path}?{_raw(every_query_field)}"))
    found.append(Probe("POST", path, _raw(every_form_field), raw=True))
    return found


def _send(client: Client, probe: Probe):
    if probe.method == "GET":
        return client.get(probe.path, probe.data)
    if probe.raw:
        return client.post(probe.path, probe.data, content_type="application/x-www-form-urlencoded")
    return client.post(probe.path, probe.data)


def _sweep(client: Client, world: World) -> tuple[int, list[str]]:
    failures, sent = [], 0
    raised = []

    def remember(sender, request=None, **kwargs):
        import sys

        raised.append(repr(sys.exc_info()[1])[:160])

    got_request_exception.connect(remember)
    request_logger = logging.getLogger("django.request")
    level, request_logger.level = request_logger.level, logging.CRITICAL
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, route in _site_routes():
            if name == "healthz":
                continue
            for probe in probes(name, route, world):
                cache.clear()  # no rate limit stands between a probe and the code it is meant to reach
                raised.clear()
                with transaction.atomic():
                    response = _send(client, probe)
                    transaction.set_rollback(True)
                sent += 1
                if response.status_code >= 500:
                    shown = probe.data if not isinstance(probe.data, dict) else {k: v[:30] for k, v in probe.data.items()}
                    failures.append(f"{response.status_code} {probe.method} {probe.path[:80]!r} {shown!r} {raised[:1]}")
    finally:
        got_request_exception.disconnect(remember)
        request_logger.level = level
    return sent, failures


@pytest.mark.parametrize("role", ["anonymous", "manager"])
def test_no_url_of_the_site_answers_a_server_error_to_hostile_input(world, role):
    client = Client(raise_request_exception=False)
    if role == "manager":
        client.force_login(world.manager)
    sent, failures = _sweep(client, world)
    assert sent > 2000
    assert failures == [], f"{len(failures)} of {sent} requests answered 5xx:\n" + "\n".join(failures)


# Focused regressions for the cases the probe found.

@pytest.fixture
def manager_client(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.manager)
    return client


@pytest.mark.parametrize("url", ["/?page=99999999999999999999", "/top/?page=99999999999999999999",
                                 "/c/help/?page=99999999999999999999", "/queue/?page=99999999999999999999",
                                 "/notifications/?page=99999999999999999999", "/moderation/log/?page=99999999999999999999",
                                 "/loyalty/?page=99999999999999999999"])
def test_a_page_number_past_the_64_bit_range_is_not_a_server_error(manager_client, url):
    assert manager_client.get(url).status_code < 500


def test_page_number_keeps_normal_numbers_and_bounds_huge_ones():
    from forums.selectors import MAX_PAGE, page_number

    assert [page_number(raw) for raw in (None, "", "abc", "0", "-3", "1", "7", " 12 ")] == [1, 1, 1, 1, 1, 1, 7, 12]
    assert page_number("9" * 25) == MAX_PAGE


@pytest.mark.parametrize("url", ["/u/%00/", "/tags/%00/", "/search/?q=a%00b", "/experts/%00/", "/?page=1%00"])
def test_a_nul_byte_in_the_address_is_a_bad_request(manager_client, url):
    assert manager_client.get(url).status_code == 400


@pytest.mark.parametrize(("url", "data"), [
    ("/moderation/sanction/%00/", {"kind": "silence", "days": "1", "reason": "x"}),
    ("/members/autocomplete/", {"q": "a\x00"}),
])
def test_a_nul_byte_in_a_form_or_address_is_a_bad_request(world, manager_client, url, data):
    assert manager_client.post(url, data).status_code == 400


def test_a_nul_byte_in_the_session_cookie_is_a_bad_request(db):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "\x00abcdefghijk"  # sent quoted as "\000abcdefghijk", which Django unquotes to NUL
    assert client.get("/").status_code == 400


def test_a_nul_byte_in_the_assign_form_is_a_bad_request(world, manager_client):
    response = manager_client.post(f"/queue/{world.thread.pk}/assign/", {"username": "own\x00er"})
    assert response.status_code == 400


def test_a_sanction_of_a_million_days_is_refused_with_a_message(world, manager_client):
    response = manager_client.post(f"/moderation/sanction/{world.owner.username}/",
                                   {"kind": "silence", "days": "999999999", "reason": "cool down"}, follow=True)
    assert response.status_code == 200
    assert "in days, between 1 and 3650." in response.content.decode()
    world.owner.refresh_from_db()
    assert world.owner.silenced_until is None


def test_a_sanction_of_a_few_days_still_works(world, manager_client):
    manager_client.post(f"/moderation/sanction/{world.owner.username}/", {"kind": "silence", "days": "3", "reason": "cool down"})
    world.owner.refresh_from_db()
    assert world.owner.silenced_until > timezone.now() + timedelta(days=2)


def test_moving_a_thread_to_category_abc_is_refused_with_a_message(world, manager_client):
    response = manager_client.post(f"/moderation/thread/{world.thread.pk}/move/", {"category": "abc"}, follow=True)
    assert response.status_code == 200
    assert "Choose the category to move the thread to." in response.content.decode()
    world.thread.refresh_from_db()
    assert world.thread.category_id == world.category.pk


@pytest.mark.parametrize("post_id", ["99999999999999999999", "-1", "0"])
def test_kudos_for_a_post_number_out_of_range_is_refused(world, manager_client, post_id):
    from loyalty.models import Kudos

    response = manager_client.post("/kudos/", {"receiver": world.owner.username, "message": "thanks", "post_id": post_id, "next": "/"})
    assert response.status_code == 302
    assert not Kudos.objects.exists()


def test_kudos_for_a_real_post_still_works(world, manager_client):
    from loyalty.models import Kudos

    manager_client.post("/kudos/", {"receiver": world.owner.username, "message": "thanks", "post_id": str(world.reply.pk), "next": "/"})
    assert Kudos.objects.get().post_id == world.reply.pk


@pytest.mark.parametrize("quote", ["%ff%fe", "99999999999999999999", "%C2%B2", "-1"])
def test_a_garbage_quote_starts_an_empty_reply(world, manager_client, quote):
    response = manager_client.get(f"/t/{world.thread.pk}/{world.thread.slug}/?quote={quote}")
    assert response.status_code == 200


def test_a_quote_of_a_real_post_still_fills_the_reply(world, manager_client):
    response = manager_client.get(f"/t/{world.thread.pk}/{world.thread.slug}/?quote={world.reply.pk}")
    assert "An answer someone may flag." in response.context["reply_form"].initial["body"]


def test_a_malformed_request_gets_the_sites_own_400_page(client):
    response = client.get("/search/?q=a%00b")
    assert response.status_code == 400
    assert "That request could not be read" in response.content.decode()


def test_a_bare_word_as_the_next_address_of_an_expert_form_goes_to_the_expert_list(manager_client, world):
    response = manager_client.post("/experts/", {"username": "nobody-here", "tags": "x", "next": "abc"})
    assert response.status_code in (200, 302)
