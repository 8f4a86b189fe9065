"""Every state-changing view and every private read of the site, for every role, judged by effect.

A state-changing case is allowed when the rows it targets changed, denied when they did not: the
status code is not the verdict (a view that answers 200 with "you may not" and changes nothing is
a denial; one that answers 403 after writing is a failure of the table). A private read is allowed
when the private content is in the page.

The URL conf is enumerated: a view this table does not know fails the test, so a new view cannot
ship without its permissions being decided here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from community.buddies.models import BuddyMatch, BuddyVolunteer
from community.buddies.services import volunteer_opt_in
from community.expertise.models import ExpertAvailability, Expertise
from community.expertise.services import expert_appoint
from community.members.models import Tier, User
from community.notifications.models import Kind, Notification, Preference
from community.notifications.services import notify, unsubscribe_token
from community.triage.models import QueueEntry
from forums import services as forum_services
from forums.models import Category, Post, Reaction, ReadHorizon, Subscription, Tag, Thread
from loyalty import ledger
from loyalty.models import Kudos, PointsEntry, Redemption, Reward
from moderation import services as moderation
from moderation.models import Flag, ModerationAction, Nomination, ReviewItem, Sanction
from tests.factories import PASSWORD, CategoryFactory, TagFactory, UserFactory, make_event, make_manager, make_reply, make_thread

ROLES = ["anonymous", "newcomer", "member", "silenced", "category_moderator", "moderator", "manager", "admin"]
SIGNED_IN = set(ROLES) - {"anonymous"}
WRITERS = SIGNED_IN - {"silenced"}
STAFF = {"manager", "admin"}
SITE_MODERATORS = {"moderator", "manager", "admin"}
NOBODY: set[str] = set()


@dataclass
class World:
    people: dict
    owner: User
    category: object
    thread: Thread
    reply: Post
    newcomer_thread: Thread
    helper_moderator: User


@dataclass
class Case:
    """One view's test: its URL arguments and data, and a probe of the rows it would change."""

    args: list
    data: dict = field(default_factory=dict)
    probe: Callable[[], object] = lambda: None


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _review_item(world) -> ReviewItem:
    moderation.flag_post(post=world.reply, flagger=UserFactory(tier=Tier.MEMBER), reason="spam")
    return ReviewItem.objects.get(post=world.reply)


def _own_post(world, actor) -> Post:
    """A reply by the actor (or by the owner, for the anonymous visitor) in the world's thread."""
    return make_reply(thread=world.thread, author=actor if actor is not None else world.owner, body="my own words")


def case_for(name: str, world: World, actor) -> Case:
    """Freshly made rows for one (view, role) case; `actor` is the signed-in member or None."""
    thread, reply, owner, manager = world.thread, world.reply, world.owner, world.people["manager"]
    me = actor if actor is not None else owner
    if name in ("notifications:mark_read", "notifications:open"):
        # Each member acts on a notification of their own; the anonymous visitor tries the owner's.
        note = notify(recipient=me, kind=Kind.REPLY, dedupe_key=f"perm:{name}", actor=UserFactory(), thread=thread)
        return Case([note.pk], probe=lambda: _fresh(note).read_at is not None)
    if name in ("notifications:mark_read@others", "notifications:open@others"):
        note = notify(recipient=owner, kind=Kind.REPLY, dedupe_key="perm:others", actor=UserFactory(), thread=thread)
        return Case([note.pk], probe=lambda: _fresh(note).read_at is not None)
    if name == "notifications:mark_all_read":
        notify(recipient=me, kind=Kind.REPLY, dedupe_key="perm:all", actor=UserFactory(), thread=thread)
        return Case([], probe=lambda: Notification.objects.filter(recipient=me, read_at__isnull=True).count())
    if name == "members:settings":
        return Case([], {"timezone": "Asia/Tokyo"}, probe=lambda: User.objects.filter(timezone="Asia/Tokyo").count())
    if name == "notifications:settings":
        return Case([], dict.fromkeys(Kind.values, "digest"), probe=lambda: Preference.objects.count())
    if name == "notifications:unsubscribe":
        return Case([unsubscribe_token(member=owner, kind=Kind.LIKE)],
                    probe=lambda: Preference.objects.filter(member=owner, kind=Kind.LIKE).exists())
    if name == "expertise:list":
        TagFactory(name="perm")
        return Case([], {"username": owner.username, "tags": "perm"}, probe=lambda: Expertise.objects.count())
    if name == "expertise:remove":
        expertise = expert_appoint(member=owner, tags=[TagFactory(name="perm")], appointed_by=manager)[0]
        return Case([expertise.pk], probe=lambda: Expertise.objects.count())
    if name.startswith("expertise:availability"):
        if name.endswith("@expert"):
            # The actor (the owner, for the anonymous visitor) is an expert: the variant where it is theirs to say.
            expert_appoint(member=me, tags=[TagFactory(name="perm")], appointed_by=manager)
        return Case([], {"away_until": "", "weekly_cap": "5"},
                    probe=lambda: list(ExpertAvailability.objects.values_list("member_id", "weekly_cap")))
    if name.startswith("triage:"):
        thread_id = world.newcomer_thread.pk
        entry = lambda: QueueEntry.objects.filter(thread_id=thread_id).values_list(  # noqa: E731
            "claimed_by", "assigned_to", "snoozed_until", "no_reply_needed_at").first()
        if name == "triage:unclaim":
            # Claimed by another queue worker: only they or a manager may release it.
            from community.triage.services import claim

            claim(thread=world.newcomer_thread, member=world.helper_moderator)
        data = {"triage:assign": {"username": owner.username}, "triage:snooze": {"duration": "1h"},
                "triage:no_reply_needed": {"reason": "duplicate"}}.get(name, {})
        return Case([thread_id], data, probe=entry)
    if name == "loyalty:redeem":
        reward = Reward.objects.create(name="Pin", cost=1)
        if actor is not None:
            ledger.award(member_id=actor.pk, reason="celebration", source_type="test", source_id=actor.pk, amount=5)
        return Case([reward.pk], probe=lambda: Redemption.objects.count())
    if name == "loyalty:redeem@others":
        # The owner has the points; the request names them every way a form could: nobody spends them but the owner.
        reward = Reward.objects.create(name="Pin", cost=1)
        ledger.award(member_id=owner.pk, reason="celebration", source_type="test", source_id=owner.pk, amount=5)
        return Case([reward.pk], {"member": owner.pk, "member_id": owner.pk, "username": owner.username},
                    probe=lambda: (Redemption.objects.filter(member=owner).count(),
                                   PointsEntry.objects.filter(member=owner).count(), _fresh(owner.loyalty_account).balance))
    if name == "loyalty:fulfil":
        redemption = Redemption.objects.create(member=owner, reward=Reward.objects.create(name="Cap", cost=1), cost=1,
                                               created_at=timezone.now())
        return Case([redemption.pk], probe=lambda: _fresh(redemption).fulfilled_at is not None)
    if name == "loyalty:kudos":
        return Case([], {"receiver": owner.username, "message": "thanks", "next": "/"}, probe=lambda: Kudos.objects.count())
    if name == "loyalty:leader":
        return Case([owner.username], {"action": "make"}, probe=lambda: _fresh(owner).tier)
    if name == "moderation:flag":
        return Case([reply.pk], {"reason": "spam"}, probe=lambda: Flag.objects.count())
    if name == "moderation:act":
        item = _review_item(world)
        return Case([item.pk, "approve"], probe=lambda: _fresh(item).status)
    if name == "moderation:thread":
        return Case([thread.pk, "lock"], probe=lambda: _fresh(thread).is_locked)
    if name in ("moderation:post_delete", "forums:post_delete"):
        return Case([reply.pk], probe=lambda: _fresh(reply).is_deleted)
    if name == "members:account_delete":
        # Each deletes their own account (the password again); the visitor has none.
        target = actor if actor is not None else owner
        return Case([], {"password": PASSWORD, "posts": "keep"}, probe=lambda: _fresh(target).is_active)
    if name == "moderation:post_restore":
        deleted = make_reply(thread=thread, author=owner, body="deleted, then restored")
        forum_services.post_delete(post=deleted, member=owner)
        return Case([deleted.pk], probe=lambda: _fresh(deleted).is_deleted)
    if name == "moderation:post_restore@other_category":
        # In the category the category moderator moderates ("Other"): theirs to restore too.
        other_thread = make_thread(author=owner, category=Category.objects.get(slug="other"), title="Elsewhere")
        deleted = make_reply(thread=other_thread, author=owner, body="deleted in Other")
        forum_services.post_delete(post=deleted, member=owner)
        return Case([deleted.pk], probe=lambda: _fresh(deleted).is_deleted)
    if name == "moderation:post_edit":
        return Case([reply.pk], {"body": "edited by a moderator"}, probe=lambda: _fresh(reply).body)
    if name == "moderation:sanction":
        return Case([owner.username], {"kind": "silence", "days": "1", "reason": "cool down"}, probe=lambda: Sanction.objects.count())
    if name == "moderation:spammer":
        return Case([owner.username], probe=lambda: _fresh(owner).is_active)
    if name == "moderation:decide":
        nomination = Nomination.objects.create(member=owner, created_at=timezone.now())
        return Case([nomination.pk, "defer"], probe=lambda: _fresh(nomination).status)
    if name == "moderation:invitation":
        # Each answers their own invitation.
        offer = Nomination.objects.create(member=me, status=Nomination.Status.OFFERED, created_at=timezone.now())
        return Case([], {"answer": "accept"}, probe=lambda: _fresh(offer).status)
    if name == "moderation:new_member":
        waiting = UserFactory(username="waiting", tier=Tier.NEWCOMER, awaiting_approval=True)
        return Case([waiting.username, "approve"], probe=lambda: _fresh(waiting).awaiting_approval)
    if name == "moderation:revoke":
        role = moderation.grant_role(member=owner, granted_by=manager)
        return Case([role.pk], probe=lambda: _fresh(role).revoked_at is not None)
    if name == "forums:tag_create":
        return Case([], {"name": "newtag"}, probe=lambda: Tag.objects.filter(name="newtag").exists())
    if name == "forums:thread_create":
        return Case([], {"category": world.category.pk, "title": "A new thread", "body": "hello"}, probe=lambda: Thread.objects.count())
    if name == "forums:reply":
        return Case([thread.pk], {"body": "a reply"}, probe=lambda: Post.objects.count())
    if name == "forums:reply@locked":
        forum_services.thread_set_flags(thread=thread, is_locked=True)
        return Case([thread.pk], {"body": "a closing word"}, probe=lambda: Post.objects.count())
    if name == "forums:watch":
        return Case([thread.pk], {"action": "watch"}, probe=lambda: Subscription.objects.filter(member=me, thread=thread).exists())
    if name == "forums:mark_all_read":
        return Case([], {"list": "latest"}, probe=lambda: ReadHorizon.objects.filter(member=me).count())
    if name == "forums:category_mark_read":
        return Case([world.category.slug], probe=lambda: ReadHorizon.objects.filter(member=me).count())
    if name.startswith(("forums:answer_accept", "forums:answer_unaccept")) and name.endswith("@a_week_on"):
        Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(days=8))
    if name.startswith("forums:answer_accept"):
        return Case([reply.pk], probe=lambda: _fresh(thread).accepted_answer_id)
    if name.startswith("forums:answer_unaccept"):
        forum_services.answer_accept(thread=thread, post=reply, member=owner)
        return Case([thread.pk], probe=lambda: _fresh(thread).accepted_answer_id)
    if name == "forums:post_edit":
        return Case([reply.pk], {"body": "edited"}, probe=lambda: _fresh(reply).body)
    if name == "forums:post_edit@own":
        post = _own_post(world, actor)
        return Case([post.pk], {"body": "second thoughts"}, probe=lambda: _fresh(post).body)
    if name == "forums:post_like":
        return Case([reply.pk], {"action": "like"}, probe=lambda: Reaction.objects.filter(post=reply).count())
    if name.startswith("forums:idea_"):
        return _idea_case(name, world)
    if name.startswith("events:"):
        return _event_case(name, world, actor)
    if name == "buddies:volunteer":
        TagFactory(name="perm")
        return Case([], {"interests": "perm", "cap": "2"}, probe=lambda: BuddyVolunteer.objects.filter(is_active=True).count())
    if name == "buddies:opt_out":
        # Each stops being a buddy themselves (the row is made by the service, whatever the tier); the anonymous
        # visitor tries for the owner.
        volunteer_opt_in(member=me, interests=[TagFactory(name="perm")], cap=2)
        return Case([], probe=lambda: BuddyVolunteer.objects.filter(is_active=True).count())
    if name == "page_edit":
        from community.models import SitePage

        return Case(["guidelines"], {"title_en": "Our rules", "body_en": "Be kind."},
                    probe=lambda: SitePage.objects.get(slug="guidelines").title_en)
    raise KeyError(name)


def _event_case(name: str, world: World, actor) -> Case:
    """Events: one hosted by the manager in the world's category, with the owner going."""
    from community.events import services as event_services
    from community.events.models import RSVP, Event

    manager = world.people["manager"]
    if name == "events:create":
        day = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%d")
        data = {"title": "Permission meetup", "kind": "offline", "category": world.category.pk, "starts_at": f"{day}T18:00",
                "ends_at": f"{day}T20:00", "time_zone": "UTC", "venue": "Library"}
        return Case([], data, probe=lambda: Event.objects.count())
    if name == "events:feed_reset":
        feed = event_services.feed_of(actor) if actor is not None else None
        return Case([], probe=lambda: _fresh(feed).token if feed else None)
    if name == "events:feed_reset@others":
        feed = event_services.feed_of(world.owner)
        return Case([], {"member": world.owner.pk, "username": world.owner.username}, probe=lambda: _fresh(feed).token)
    event = make_event(host=manager, category=world.category, title="Table meetup")
    event_services.rsvp_set(event=event, member=world.owner, status="going")
    if name == "events:edit":
        data = {"title": "Renamed meetup", "kind": "offline", "category": world.category.pk,
                "starts_at": event.starts_at.strftime("%Y-%m-%dT%H:%M"), "ends_at": event.ends_at.strftime("%Y-%m-%dT%H:%M"),
                "time_zone": "UTC", "venue": "Library"}
        return Case([event.pk], data, probe=lambda: _fresh(event).title)
    if name == "events:cancel":
        return Case([event.pk], {"reason": "rain"}, probe=lambda: _fresh(event).cancelled_at is not None)
    if name == "events:rsvp@others":
        # The owner is going; naming them changes the actor's own answer at most, never theirs.
        return Case([event.pk], {"status": "not_going", "member": world.owner.pk, "username": world.owner.username},
                    probe=lambda: RSVP.objects.get(event=event, member=world.owner).status)
    if name in ("events:rsvp", "events:rsvp@cancelled"):
        if name.endswith("@cancelled"):
            event_services.event_cancel(event=event, reason="")
        return Case([event.pk], {"status": "maybe"}, probe=lambda: RSVP.objects.filter(status="maybe").count())
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=10),
                                             ends_at=timezone.now() + timedelta(hours=2))
    checked_in = lambda: RSVP.objects.filter(checked_in_at__isnull=False).count()  # noqa: E731
    if name == "events:check_in":
        return Case([event.pk], {"member": world.owner.pk}, probe=checked_in)
    if name == "events:check_in@not_going":
        maybe = UserFactory(username="perhaps")
        event_services.rsvp_set(event=event, member=maybe, status="maybe")
        return Case([event.pk], {"member": maybe.pk}, probe=checked_in)
    if name == "events:check_in_code":
        return Case([event.pk, event_services.ticket_code(event, world.owner)], probe=checked_in)
    raise KeyError(name)


def _idea_case(name: str, world: World) -> Case:
    """Ideas: an idea by the owner in an ideas category nobody in the table moderates by category."""
    from forums.models import Idea, IdeaVote

    ideas = CategoryFactory(name="Ideas", slug="ideas", is_ideas=True)
    idea = make_thread(author=world.owner, category=ideas, title="An idea worth voting for")
    if name == "forums:idea_vote":
        return Case([idea.pk], {"action": "vote"}, probe=lambda: IdeaVote.objects.count())
    if name == "forums:idea_vote@others":
        # The owner voted; the request tries to take their vote back by naming them.
        forum_services.idea_vote(thread=idea, member=world.owner)
        return Case([idea.pk], {"action": "unvote", "member": world.owner.pk, "username": world.owner.username},
                    probe=lambda: IdeaVote.objects.filter(member=world.owner).count())
    if name == "forums:idea_vote@not_an_idea":
        return Case([world.thread.pk], {"action": "vote"}, probe=lambda: IdeaVote.objects.count())
    if name == "forums:idea_status":
        return Case([idea.pk], {"status": "planned", "note": "soon"},
                    probe=lambda: Idea.objects.filter(pk=idea.pk).values_list("status", flat=True).first())
    if name == "forums:idea_announce":
        announcements = CategoryFactory(name="News", slug="news", is_read_only=True)
        forum_services.idea_set_status(thread=idea, member=world.people["manager"], status="done")
        return Case([idea.pk], probe=lambda: Thread.objects.filter(category=announcements).count())
    raise KeyError(name)


# case name (url name, or url name@variant): (HTTP method, roles whose request changes the rows)
STATE_CHANGING = {
    "members:settings": ("post", SIGNED_IN),
    "members:account_delete": ("post", SIGNED_IN - {"admin"}),  # admins are removed by another admin
    "notifications:settings": ("post", SIGNED_IN),
    "notifications:mark_all_read": ("post", SIGNED_IN),
    "notifications:mark_read": ("post", SIGNED_IN),  # each on their own notification
    "notifications:mark_read@others": ("post", NOBODY),  # nobody marks someone else's
    "notifications:open": ("get", SIGNED_IN),  # opening marks it read: own notification only
    "notifications:open@others": ("get", NOBODY),  # someone else's, by its id
    "notifications:unsubscribe": ("post", set(ROLES)),  # the signed token is the permission
    "expertise:list": ("post", STAFF),
    "expertise:remove": ("post", STAFF),
    # Experts say when they are away and how many questions a week they take: no role here is an expert
    # (nobody may); made one, each who may write does (a silenced expert is refused with the reason).
    "expertise:availability": ("post", NOBODY),
    "expertise:availability@expert": ("post", WRITERS),
    # The newcomer thread is in "Help"; the category moderator moderates "Other".
    "triage:claim": ("post", SITE_MODERATORS),
    "triage:unclaim": ("post", STAFF),  # claimed by another moderator: only they or a manager release it
    "triage:assign": ("post", SITE_MODERATORS),
    "triage:snooze": ("post", SITE_MODERATORS),
    "triage:no_reply_needed": ("post", SITE_MODERATORS),
    "loyalty:redeem": ("post", SIGNED_IN),
    "loyalty:redeem@others": ("post", NOBODY),  # with someone else's points, naming them
    "loyalty:fulfil": ("post", STAFF),
    "loyalty:kudos": ("post", WRITERS),
    "loyalty:leader": ("post", STAFF),
    "moderation:flag": ("post", WRITERS - {"newcomer"}),
    "moderation:act": ("post", SITE_MODERATORS),
    "moderation:thread": ("post", SITE_MODERATORS),
    "moderation:post_delete": ("post", SITE_MODERATORS),
    "moderation:post_edit": ("post", SITE_MODERATORS),
    # A deleted post comes back by a moderator of its category ("Help" here; the category moderator moderates "Other").
    "moderation:post_restore": ("post", SITE_MODERATORS),
    "moderation:post_restore@other_category": ("post", SITE_MODERATORS | {"category_moderator"}),
    "moderation:sanction": ("post", SITE_MODERATORS),
    "moderation:spammer": ("post", STAFF),
    "moderation:decide": ("post", STAFF),
    "moderation:revoke": ("post", STAFF),
    "moderation:new_member": ("post", SITE_MODERATORS),
    "moderation:invitation": ("post", SIGNED_IN),  # each answers their own invitation
    "forums:tag_create": ("post", STAFF),
    "forums:thread_create": ("post", WRITERS),
    "forums:reply": ("post", WRITERS),
    "forums:reply@locked": ("post", SITE_MODERATORS),  # moderators of the category answer in locked threads
    "forums:watch": ("post", SIGNED_IN),
    "forums:mark_all_read": ("post", SIGNED_IN),  # each marks their own reading
    "forums:category_mark_read": ("post", SIGNED_IN),
    # The thread's author (not a role here) marks the answer; after a week without one, managers and the
    # category's moderators may, on the author's behalf (the category moderator here moderates "Other").
    "forums:answer_accept": ("post", NOBODY),
    "forums:answer_accept@a_week_on": ("post", SITE_MODERATORS),
    "forums:answer_unaccept": ("post", NOBODY),
    "forums:answer_unaccept@a_week_on": ("post", SITE_MODERATORS),
    "forums:post_edit": ("post", STAFF),  # someone else's post: managers only
    "forums:post_edit@own": ("post", WRITERS),  # a silenced member cannot edit their old posts
    "forums:post_delete": ("post", STAFF),
    "forums:post_like": ("post", SIGNED_IN),
    # Ideas: members who may write vote; managers and moderators of the idea's category set its status
    # (the category moderator here moderates "Other"); only managers announce.
    "forums:idea_vote": ("post", WRITERS),
    "forums:idea_vote@not_an_idea": ("post", NOBODY),
    "forums:idea_vote@others": ("post", NOBODY),  # taking back someone else's vote, naming them
    "forums:idea_status": ("post", SITE_MODERATORS),
    "forums:idea_announce": ("post", STAFF),
    # Events: managers create them, and members of tier 3 (the site moderator here is a Champion, the
    # category moderator a Regular); the host (the manager here) and managers change, cancel and check in;
    # anyone signed in answers an event (silenced members too: an RSVP is not words others read).
    "events:create": ("post", SITE_MODERATORS),
    "events:edit": ("post", STAFF),
    "events:cancel": ("post", STAFF),
    "events:rsvp": ("post", SIGNED_IN),
    "events:rsvp@cancelled": ("post", NOBODY),
    "events:rsvp@others": ("post", NOBODY),  # someone else's answer, naming them
    "events:check_in": ("post", STAFF),
    "events:check_in@not_going": ("post", NOBODY),
    "events:check_in_code": ("post", STAFF),
    "events:feed_reset": ("post", SIGNED_IN),  # each resets their own calendar address
    "events:feed_reset@others": ("post", NOBODY),  # someone else's, naming them
    "page_edit": ("post", STAFF),  # the guidelines and the welcome speak for the community
    # Buddies: members of tier 2 and up who may write (the category moderator is a Regular, the site moderator a
    # Champion); anyone signed in stops being one (a silenced buddy too: their newcomers are rematched).
    "buddies:volunteer": ("post", {"category_moderator", "moderator", "manager", "admin"}),
    "buddies:opt_out": ("post", SIGNED_IN),
}


@dataclass
class PrivateRead:
    url: Callable[[World], str]
    # What only the allowed roles may find in the page.
    secret: Callable[[World, object], str]
    allowed: set


def _queue_secret(world, actor):
    return world.newcomer_thread.title


def _review_secret(world, actor):
    _review_item(world)
    return world.reply.body


def _log_secret(world, actor):
    moderation.log(actor=world.people["manager"], action="post_edited", target_type="post", target_id=world.reply.pk,
                   reason="log-secret-reason")
    return "log-secret-reason"


def _candidate_secret(world, actor):
    Nomination.objects.create(member=world.owner, created_at=timezone.now(), evidence={"tier": 3, "score_90d": 4321})
    return world.owner.display_name


def _own_notification_secret(world, actor):
    # Everyone has a notification of their own; only its recipient may read it.
    notify(recipient=world.owner, kind=Kind.MODERATION, dedupe_key="secret", text="owner-secret-notification")
    if actor is not None:
        notify(recipient=actor, kind=Kind.MODERATION, dedupe_key="mine", text="my-own-notification")
    return "my-own-notification"


def _others_notification_secret(world, actor):
    notify(recipient=world.owner, kind=Kind.MODERATION, dedupe_key="secret", text="owner-secret-notification")
    return "owner-secret-notification"


def _ledger_secret(world, actor):
    ledger.award(member_id=world.owner.pk, reason="celebration", source_type="test", source_id="o", amount=7654)
    if actor is not None:
        ledger.award(member_id=actor.pk, reason="celebration", source_type="test", source_id="a", amount=4567)
    return "4567"


def _others_ledger_secret(world, actor):
    ledger.award(member_id=world.owner.pk, reason="celebration", source_type="test", source_id="o", amount=7654)
    return "7654"


def _redemption_secret(world, actor):
    Redemption.objects.create(member=world.owner, reward=Reward.objects.create(name="Mug", cost=1), cost=1, created_at=timezone.now())
    return world.owner.display_name


def _others_redemption_secret(world, actor):
    """A fulfilled redemption of the owner's, of a reward no longer offered: only the owner's list names it."""
    reward = Reward.objects.create(name="Retired secret mug", cost=1, is_active=False)
    Redemption.objects.create(member=world.owner, reward=reward, cost=1, created_at=timezone.now(), fulfilled_at=timezone.now())
    return "Retired secret mug"


def _own_redemption_secret(world, actor):
    reward = Reward.objects.create(name="Retired own mug", cost=1, is_active=False)
    Redemption.objects.create(member=actor or world.owner, reward=reward, cost=1, created_at=timezone.now())
    return "Retired own mug"


def _own_feed_token_secret(world, actor):
    from community.events import services as event_services

    return event_services.feed_of(actor or world.owner).token


def _others_feed_token_secret(world, actor):
    from community.events import services as event_services

    return event_services.feed_of(world.owner).token


def _others_feed_events_secret(world, actor):
    """The owner is going to an event; their calendar feed lists it, and the feed's address is the only key."""
    from community.events import services as event_services

    event = make_event(host=world.people["manager"], category=world.category, title="Owner-only calendar entry")
    event_services.rsvp_set(event=event, member=world.owner, status="going")
    event_services.feed_of(world.owner)
    return "Owner-only calendar entry"


def _settings_secret(world, actor):
    User.objects.filter(pk=(actor or world.owner).pk).update(display_name="my-own-name")
    return 'value="my-own-name"'


def _others_buddy_secret(world, actor):
    """The owner is the buddy of a newcomer: only the owner's page names them."""
    newcomer = UserFactory(username="secret_newcomer", display_name="Secret Newcomer", tier=Tier.NEWCOMER)
    now = timezone.now()
    BuddyMatch.objects.create(newcomer=newcomer, buddy=world.owner, matched_at=now, ends_at=now + timedelta(days=14))
    BuddyVolunteer.objects.create(member=world.owner, opted_in_at=now)
    return "Secret Newcomer"


def _others_settings_secret(world, actor):
    User.objects.filter(pk=world.owner.pk).update(display_name="owner-name")
    return 'value="owner-name"'


PRIVATE_READS = {
    "notifications:list": PrivateRead(lambda w: reverse("notifications:list"), _own_notification_secret, SIGNED_IN),
    "notifications:list@others": PrivateRead(lambda w: reverse("notifications:list"), _others_notification_secret, NOBODY),
    "notifications:bell@others": PrivateRead(lambda w: reverse("notifications:bell"), _others_notification_secret, NOBODY),
    "loyalty:home": PrivateRead(lambda w: reverse("loyalty:home"), _ledger_secret, SIGNED_IN),
    "loyalty:home@others": PrivateRead(lambda w: reverse("loyalty:home"), _others_ledger_secret, NOBODY),
    # A member's own rows asked for by naming someone else in the address: the views read request.user only.
    "notifications:list@others_by_id": PrivateRead(
        lambda w: reverse("notifications:list") + f"?member={w.owner.pk}&recipient={w.owner.pk}&user={w.owner.username}",
        _others_notification_secret, NOBODY),
    "loyalty:home@others_by_id": PrivateRead(
        lambda w: reverse("loyalty:home") + f"?member={w.owner.pk}&username={w.owner.username}", _others_ledger_secret, NOBODY),
    "loyalty:rewards@others": PrivateRead(lambda w: reverse("loyalty:rewards") + f"?member={w.owner.pk}",
                                          _others_redemption_secret, NOBODY),
    # The calendar feed: its address is shown to its member only, and a guessed or old address shows nothing.
    "loyalty:rewards@own": PrivateRead(lambda w: reverse("loyalty:rewards"), _own_redemption_secret, SIGNED_IN),
    "events:list@own_feed": PrivateRead(lambda w: reverse("events:list"), _own_feed_token_secret, SIGNED_IN),
    "events:feed": PrivateRead(lambda w: reverse("events:feed", args=[w.owner.calendar_feed.token]),
                               _others_feed_events_secret, set(ROLES)),  # the secret address is the permission
    "events:list@others_feed": PrivateRead(lambda w: reverse("events:list"), _others_feed_token_secret, NOBODY),
    "events:feed@forged": PrivateRead(lambda w: reverse("events:feed", args=["x" * 32]), _others_feed_events_secret, NOBODY),
    "loyalty:rewards@pending": PrivateRead(lambda w: reverse("loyalty:rewards"), _redemption_secret, STAFF),
    "members:settings": PrivateRead(lambda w: reverse("members:settings"), _settings_secret, SIGNED_IN),
    "buddies:home@others": PrivateRead(lambda w: reverse("buddies:home"), _others_buddy_secret, NOBODY),
    # One's own data as a file: one's own points in it, never another member's.
    "members:data_export": PrivateRead(lambda w: reverse("members:data_export"), _ledger_secret, SIGNED_IN),
    "members:data_export@others": PrivateRead(lambda w: reverse("members:data_export"), _others_ledger_secret, NOBODY),
    "members:settings@others": PrivateRead(lambda w: reverse("members:settings"), _others_settings_secret, NOBODY),
    "triage:queue": PrivateRead(lambda w: reverse("triage:queue"), _queue_secret, SITE_MODERATORS),
    "triage:queue_live": PrivateRead(lambda w: reverse("triage:queue_live") + "?v=-1", _queue_secret, SITE_MODERATORS),
    "moderation:review": PrivateRead(lambda w: reverse("moderation:review"), _review_secret, SITE_MODERATORS),
    "moderation:log": PrivateRead(lambda w: reverse("moderation:log"), _log_secret, SITE_MODERATORS | {"category_moderator"}),
    "moderation:candidates": PrivateRead(lambda w: reverse("moderation:candidates"), _candidate_secret, STAFF),
    # The community health dashboard and the lists and files behind its figures: managers only.
    "health:dashboard": PrivateRead(lambda w: reverse("health:dashboard"), lambda w, a: 'id="funnel-table"', STAFF),
    "health:list": PrivateRead(lambda w: reverse("health:list", args=["newcomer-threads"]), _queue_secret, STAFF),
    "health:csv": PrivateRead(lambda w: reverse("health:csv", args=["responders"]), lambda w, a: "Replies to newcomers", STAFF),
    # The door's list (who is going, with check-in buttons) is for the host (the manager here) and managers.
    "events:attendees": PrivateRead(lambda w: reverse("events:attendees", args=[_door_event(w).pk]),
                                    lambda w, a: "Check in Olive Owner", STAFF),
}

def _door_event(world):
    from community.events import services as event_services

    event = getattr(world, "_door_event", None)
    if event is None:
        event = make_event(host=world.people["manager"], category=world.category, title="Door meetup")
        event_services.rsvp_set(event=event, member=world.owner, status="going")
        world._door_event = event
    return event


# Views that change nothing and show nothing private (preview renders the text it is sent).
READ_ONLY = {
    "healthz", "members:profile", "members:autocomplete", "notifications:list", "notifications:bell", "expertise:tag",
    "triage:queue", "triage:actions", "loyalty:home", "loyalty:badges", "loyalty:leaderboard", "loyalty:rewards",
    "moderation:review", "moderation:log", "moderation:candidates", "forums:latest", "forums:top", "forums:unanswered", "forums:categories",
    "forums:category", "forums:tags", "forums:tag", "forums:search", "forums:thread_short", "forums:thread_unread",
    "forums:thread", "forums:post", "forums:post_history", "forums:preview",
    "health:dashboard", "health:list", "health:csv",
    "events:list", "events:calendar", "events:detail", "events:attendees", "events:ics", "events:feed",
    "guidelines", "welcome",  # reading the guidelines records one's own first step, nothing else
    "forums:similar_threads",  # threads like a title being typed: what anyone may read
    "forums:thread_news",  # "N new replies" on an open thread page
    "triage:queue_live",
    "buddies:home",  # one's own buddy or newcomers, and the form to offer
    "members:data_export",  # one's own data, downloaded
}

# Routed only with BENCH_FLOOR=true, never in production: `make bench`'s floor, a constant page (tests/test_bench_load.py).
BENCH_ONLY = {"bench_floor"}


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
    changing = {name.split("@")[0] for name in STATE_CHANGING}
    assert views - changing - READ_ONLY - BENCH_ONLY == set(), "decide these views' permissions in this table"
    assert changing | READ_ONLY <= views, "the table names views that no longer exist"
    assert {name.split("@")[0] for name in PRIVATE_READS} <= READ_ONLY | changing


@pytest.fixture
def world(db):
    category = CategoryFactory(name="Help", slug="help")
    manager = make_manager(username="mgr", display_name="Mia Manager", tier=Tier.LEADER)
    category_moderator = UserFactory(username="cat_mod", tier=Tier.REGULAR)
    site_moderator = UserFactory(username="site_mod", tier=Tier.CHAMPION)
    helper_moderator = UserFactory(username="helper_mod", tier=Tier.CHAMPION)
    moderation.grant_role(member=category_moderator, category=CategoryFactory(name="Other", slug="other"), granted_by=manager)
    moderation.grant_role(member=site_moderator, granted_by=manager)
    moderation.grant_role(member=helper_moderator, granted_by=manager)
    silenced = UserFactory(username="hush", tier=Tier.MEMBER, silenced_until=timezone.now() + timedelta(days=2))
    people = {
        "anonymous": AnonymousUser(),
        "newcomer": UserFactory(username="newbie", tier=Tier.NEWCOMER),
        "member": UserFactory(username="plain", tier=Tier.MEMBER),
        "silenced": silenced,
        "category_moderator": _fresh(category_moderator),
        "moderator": _fresh(site_moderator),
        "manager": manager,
        "admin": UserFactory(username="root", is_staff=True, is_superuser=True, tier=Tier.LEADER),
    }
    owner = UserFactory(username="owner", display_name="Olive Owner", tier=Tier.MEMBER)
    thread = make_thread(author=owner, category=category, title="Owner's question")
    reply = make_reply(thread=thread, author=UserFactory(username="answerer"), body="An answer worth flagging, says someone.")
    newcomer_thread = make_thread(author=UserFactory(username="fresh", tier=Tier.NEWCOMER), category=category,
                                  title="Newcomer asks about queue secrets")
    return World(people, owner, category, thread, reply, newcomer_thread, helper_moderator)


def _client_for(actor) -> Client:
    client = Client()
    if actor is not None:
        client.force_login(actor)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(STATE_CHANGING))
def test_state_changing_view_changes_rows_for_exactly_its_roles(world, name, role):
    method, allowed_roles = STATE_CHANGING[name]
    actor = None if role == "anonymous" else world.people[role]
    case = case_for(name, world, actor)
    before = case.probe()
    url = reverse(name.split("@")[0], args=case.args)
    client = _client_for(actor)
    response = client.post(url, case.data) if method == "post" else client.get(url)
    assert response.status_code < 500, f"{name} for {role}: {response.status_code}"
    changed = case.probe() != before
    assert changed == (role in allowed_roles), f"{name} for {role}: {'changed' if changed else 'unchanged'} ({response.status_code})"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PRIVATE_READS))
def test_private_read_shows_its_content_to_exactly_its_roles(world, name, role):
    read = PRIVATE_READS[name]
    actor = None if role == "anonymous" else world.people[role]
    secret = read.secret(world, actor)
    response = _client_for(actor).get(read.url(world))
    assert response.status_code < 500
    shown = response.status_code == 200 and secret in response.content.decode()
    assert shown == (role in read.allowed), f"{name} for {role}: {'shown' if shown else 'not shown'} ({response.status_code})"


def test_the_table_judges_by_effect_not_by_status(world):
    """A refusal answered with 200 (the queue's claim by someone else) is a denial: nothing changed."""
    from community.triage.services import claim

    claim(thread=world.newcomer_thread, member=world.helper_moderator)
    client = _client_for(world.people["moderator"])
    response = client.post(reverse("triage:unclaim", args=[world.newcomer_thread.pk]))
    assert response.status_code in (200, 302)
    assert QueueEntry.objects.get(thread=world.newcomer_thread).claimed_by == world.helper_moderator


def test_moderation_actions_by_an_outsider_leave_the_log_untouched(world):
    client = _client_for(world.people["category_moderator"])
    client.post(reverse("moderation:thread", args=[world.thread.pk, "lock"]))
    client.post(reverse("moderation:post_delete", args=[world.reply.pk]))
    assert not ModerationAction.objects.filter(actor=world.people["category_moderator"]).exists()
