"""Every state-changing view of the site, for every role: allowed or denied, in one table.

The URL conf is enumerated: a view this table does not know (neither here nor in READ_ONLY) fails
the test, so a new view cannot ship without its permissions being decided here.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from community.expertise.services import expert_appoint
from community.members.models import Tier
from community.notifications.models import Kind
from community.notifications.services import notify, unsubscribe_token
from loyalty.models import Redemption, Reward
from moderation import services as moderation
from moderation.models import Nomination, ReviewItem
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_manager, make_reply, make_thread

ROLES = ["anonymous", "newcomer", "member", "category_moderator", "moderator", "manager", "admin"]
SIGNED_IN = set(ROLES) - {"anonymous"}
STAFF = {"manager", "admin"}
SITE_MODERATORS = {"moderator", "manager", "admin"}
QUEUE_WORKERS = {"category_moderator", "moderator", "manager", "admin"}


@dataclass
class World:
    people: dict
    owner: object
    category: object
    thread: object
    reply: object
    newcomer_thread: object


def args_and_data(name: str, world: World, actor):
    """The URL arguments and POST data a view needs, freshly made for this case (actor: the signed-in member or None)."""
    thread, reply = world.thread, world.reply
    if name in ("notifications:mark_read", "notifications:open"):
        # Each member acts on a notification of their own; the anonymous visitor tries the owner's.
        target = actor if actor is not None else world.owner
        note = notify(recipient=target, kind=Kind.REPLY, dedupe_key=f"perm:{name}", actor=reply.author, thread=thread)
        return [note.pk], {}
    table = {
        "members:settings": ([], {"timezone": "UTC"}),
        "notifications:settings": ([], dict.fromkeys(Kind.values, "digest")),
        "notifications:mark_all_read": ([], {}),
        "notifications:unsubscribe": ([unsubscribe_token(member=world.owner, kind=Kind.LIKE)], {}),
        "expertise:list": ([], {"username": world.owner.username, "tags": "perm"}),
        "expertise:remove": ([expert_appoint(member=world.owner, tags=[TagFactory(name="perm")], appointed_by=world.people["manager"])[0].pk], {}),
        "triage:claim": ([world.newcomer_thread.pk], {}),
        "triage:unclaim": ([world.newcomer_thread.pk], {}),
        "triage:assign": ([world.newcomer_thread.pk], {"username": world.owner.username}),
        "triage:snooze": ([world.newcomer_thread.pk], {"duration": "1h"}),
        "triage:no_reply_needed": ([world.newcomer_thread.pk], {"reason": "duplicate"}),
        "loyalty:redeem": ([Reward.objects.create(name="Pin", cost=1).pk], {}),
        "loyalty:fulfil": ([Redemption.objects.create(member=world.owner, reward=Reward.objects.create(name="Cap", cost=1), cost=1,
                                                      created_at=thread.created_at).pk], {}),
        "loyalty:kudos": ([], {"receiver": world.owner.username, "message": "thanks", "next": "/"}),
        "loyalty:leader": ([world.owner.username], {"action": "make"}),
        "moderation:flag": ([reply.pk], {"reason": "spam"}),
        "moderation:act": ([_review_item(world).pk, "approve"], {}),
        "moderation:thread": ([thread.pk, "lock"], {}),
        "moderation:post_delete": ([reply.pk], {}),
        "moderation:post_edit": ([reply.pk], {"body": "edited by a moderator"}),
        "moderation:sanction": ([world.owner.username], {"kind": "silence", "days": "1", "reason": "cool down"}),
        "moderation:spammer": ([world.owner.username], {}),
        "moderation:decide": ([Nomination.objects.create(member=world.owner, created_at=thread.created_at).pk, "defer"], {}),
        "moderation:invitation": ([], {"answer": "accept"}),
        "moderation:new_member": ([_waiting_member().username, "approve"], {}),
        "moderation:revoke": ([moderation.grant_role(member=world.owner, granted_by=world.people["manager"]).pk], {}),
        "forums:tag_create": ([], {"name": "newtag"}),
        "forums:thread_create": ([], {"category": world.category.pk, "title": "A new thread", "body": "hello"}),
        "forums:reply": ([thread.pk], {"body": "a reply"}),
        "forums:watch": ([thread.pk], {"action": "watch"}),
        "forums:answer_accept": ([reply.pk], {}),
        "forums:answer_unaccept": ([thread.pk], {}),
        "forums:post_edit": ([reply.pk], {"body": "edited"}),
        "forums:post_delete": ([reply.pk], {}),
        "forums:post_like": ([reply.pk], {"action": "like"}),
        "forums:preview": ([], {"body": "**hi**"}),
    }
    return table[name]


def _waiting_member():
    return UserFactory(username="waiting", tier=Tier.NEWCOMER, awaiting_approval=True)


def _review_item(world) -> ReviewItem:
    moderation.flag_post(post=world.reply, flagger=UserFactory(tier=1), reason="spam")
    return ReviewItem.objects.get(post=world.reply)


# url name: (HTTP method, roles allowed)
STATE_CHANGING = {
    "members:settings": ("post", SIGNED_IN),
    "notifications:settings": ("post", SIGNED_IN),
    "notifications:mark_all_read": ("post", SIGNED_IN),
    "notifications:mark_read": ("post", SIGNED_IN),  # each on their own notification
    "notifications:open": ("get", SIGNED_IN),  # marks it read: own notification only
    "notifications:unsubscribe": ("post", set(ROLES)),  # the signed token is the permission
    "expertise:list": ("post", STAFF),
    "expertise:remove": ("post", STAFF),
    "triage:claim": ("post", QUEUE_WORKERS),
    "triage:unclaim": ("post", QUEUE_WORKERS),
    "triage:assign": ("post", QUEUE_WORKERS),
    "triage:snooze": ("post", QUEUE_WORKERS),
    "triage:no_reply_needed": ("post", QUEUE_WORKERS),
    "loyalty:redeem": ("post", SIGNED_IN),
    "loyalty:fulfil": ("post", STAFF),
    "loyalty:kudos": ("post", SIGNED_IN),
    "loyalty:leader": ("post", STAFF),
    "moderation:flag": ("post", SIGNED_IN - {"newcomer"}),
    "moderation:act": ("post", SITE_MODERATORS),
    "moderation:thread": ("post", SITE_MODERATORS),
    "moderation:post_delete": ("post", SITE_MODERATORS),
    "moderation:post_edit": ("post", SITE_MODERATORS),
    "moderation:sanction": ("post", SITE_MODERATORS),
    "moderation:spammer": ("post", STAFF),
    "moderation:decide": ("post", STAFF),
    "moderation:revoke": ("post", STAFF),
    "moderation:new_member": ("post", SITE_MODERATORS),
    "moderation:invitation": ("post", SIGNED_IN),  # each answers their own invitation (or sees there is none)
    "forums:tag_create": ("post", STAFF),
    "forums:thread_create": ("post", SIGNED_IN),
    "forums:reply": ("post", SIGNED_IN),
    "forums:watch": ("post", SIGNED_IN),
    "forums:answer_accept": ("post", STAFF),  # the thread's author (not a role here) or a manager
    "forums:answer_unaccept": ("post", STAFF),
    "forums:post_edit": ("post", STAFF),  # the post's author (not a role here) or a manager
    "forums:post_delete": ("post", STAFF),
    "forums:post_like": ("post", SIGNED_IN),
    "forums:preview": ("post", SIGNED_IN),
}

READ_ONLY = {
    "healthz", "members:profile", "members:autocomplete", "notifications:list", "notifications:bell", "expertise:tag",
    "triage:queue", "triage:actions", "loyalty:home", "loyalty:badges", "loyalty:leaderboard", "loyalty:rewards",
    "moderation:review", "moderation:log", "moderation:candidates", "forums:latest", "forums:top", "forums:unanswered", "forums:categories",
    "forums:category", "forums:tags", "forums:tag", "forums:search", "forums:thread_short", "forums:thread_unread",
    "forums:thread", "forums:post", "forums:post_history",
}


def _site_views():
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or pattern.urlconf_module.__name__.startswith("allauth"):
                    continue
                yield from walk(pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern):
                yield namespace + pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_view_of_the_site_is_in_the_table():
    views = _site_views()
    assert views - set(STATE_CHANGING) - READ_ONLY == set(), "decide these views' permissions in this table"
    assert set(STATE_CHANGING) | READ_ONLY <= views, "the table names views that no longer exist"


@pytest.fixture
def world(db):
    category = CategoryFactory(name="Help", slug="help")
    category_moderator = UserFactory(username="cat_mod", tier=Tier.REGULAR)
    site_moderator = UserFactory(username="site_mod", tier=Tier.CHAMPION)
    manager = make_manager(username="mgr", tier=Tier.LEADER)
    moderation.grant_role(member=category_moderator, category=CategoryFactory(name="Other", slug="other"), granted_by=manager)
    moderation.grant_role(member=site_moderator, granted_by=manager)
    people = {
        "anonymous": AnonymousUser(),
        "newcomer": UserFactory(username="newbie", tier=Tier.NEWCOMER),
        "member": UserFactory(username="plain", tier=Tier.MEMBER),
        "category_moderator": type(category_moderator).objects.get(pk=category_moderator.pk),
        "moderator": type(site_moderator).objects.get(pk=site_moderator.pk),
        "manager": manager,
        "admin": UserFactory(username="root", is_staff=True, is_superuser=True, tier=Tier.LEADER),
    }
    owner = UserFactory(username="owner", tier=Tier.MEMBER)
    thread = make_thread(author=owner, category=category, title="Owner's question")
    reply = make_reply(thread=thread, author=UserFactory(username="answerer"))
    newcomer_thread = make_thread(author=UserFactory(username="fresh", tier=Tier.NEWCOMER), category=category, title="Newcomer asks")
    return World(people, owner, category, thread, reply, newcomer_thread)


def _allowed(response) -> bool:
    if response.status_code in (401, 403, 404, 405) or response.status_code >= 500:
        return False
    return not (response.status_code == 302 and response.url.startswith("/accounts/login/"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(STATE_CHANGING))
def test_state_changing_view_allows_exactly_its_roles(world, name, role):
    method, allowed_roles = STATE_CHANGING[name]
    user = world.people[role]
    actor = None if role == "anonymous" else user
    args, data = args_and_data(name, world, actor)
    client = Client()
    if actor is not None:
        client.force_login(actor)
    url = reverse(name, args=args)
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code < 500
    assert _allowed(response) == (role in allowed_roles), f"{name} for {role}: {response.status_code}"
