"""The one authority on roles and permissions: who is a manager, what a member moderates, and who may do what to what.

Every app asks here: `can_*` answers, `check_*` raises PermissionDenied with a reason the member reads.
Forums reaches it through the seam `forums.permissions` (registered in community's `apps.py`), so
forums still imports nothing above it. A member's roles are read once per request (`roles_of`) and
kept on the user object: every check after the first costs no query.

Roles (DESIGN.md): anonymous visitor, member (by tier), expert (per tag), moderator (site-wide or
per category), community manager (group "Community managers"), admin (superuser).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext as _

MANAGERS_GROUP = "Community managers"
# Mirrors "holds an active ModeratorRole" (kept by moderation's role services), so that for members
# who moderate nothing the request's one look at their groups answers without another query.
MODERATORS_GROUP = "Moderators"
SITE_WIDE = None


@dataclass(frozen=True)
class Roles:
    """What a member is, read once per request."""

    is_signed_in: bool = False
    is_admin: bool = False
    is_manager: bool = False
    # None: moderates everything (site-wide moderators, managers, admins); otherwise the category ids.
    moderated: frozenset | None = frozenset()
    # May write (threads, replies, edits): active, not silenced, suspended or waiting for approval.
    may_write: bool = False

    @property
    def is_site_moderator(self) -> bool:
        return self.moderated is None

    @property
    def is_moderator(self) -> bool:
        return self.moderated is None or bool(self.moderated)

    def moderates(self, category_id) -> bool:
        return self.moderated is None or category_id in self.moderated


_NOBODY = Roles()


def roles_of(user) -> Roles:
    """The member's roles, computed on first use and kept on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return _NOBODY
    cached = getattr(user, "_roles", None)
    if cached is not None:
        return cached
    groups = user.group_names
    is_admin = user.is_superuser
    is_manager = is_admin or MANAGERS_GROUP in groups
    if is_manager:
        moderated = SITE_WIDE
    elif MODERATORS_GROUP in groups:
        from moderation.selectors import moderator_scopes

        scopes = moderator_scopes(user.pk)
        moderated = SITE_WIDE if None in scopes else frozenset(scopes)
    else:
        moderated = frozenset()
    roles = Roles(
        is_signed_in=True, is_admin=is_admin, is_manager=is_manager, moderated=moderated,
        may_write=not (user.is_silenced or user.is_suspended or user.awaiting_approval),
    )
    user._roles = roles
    return roles


def forget_roles(user) -> None:
    """After a role changes within one request (or a test), read it again."""
    for attribute in ("_roles", "group_names"):
        user.__dict__.pop(attribute, None)


# -- roles ------------------------------------------------------------------------------------------

def is_manager(user) -> bool:
    return roles_of(user).is_manager


def is_admin(user) -> bool:
    return roles_of(user).is_admin


def moderated_category_ids(user) -> frozenset | None:
    """None for site-wide powers (managers, admins, site-wide moderators); else the categories moderated (maybe none)."""
    return roles_of(user).moderated


def can_moderate(user, category_id=None) -> bool:
    """Moderates this category (or, without one, anything at all)."""
    roles = roles_of(user)
    return roles.is_moderator if category_id is None else roles.moderates(category_id)


def is_exempt_from_posting_limits(user) -> bool:
    """Managers post announcements and answers in bursts; rate limits and first-day caps are not for them."""
    return roles_of(user).is_manager


def managers():
    """Every active community manager and admin, as a queryset (who hears about overdue newcomer threads)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return get_user_model().objects.filter(Q(groups__name=MANAGERS_GROUP) | Q(is_superuser=True), is_active=True).distinct()


def members_with_powers():
    """Ids of managers, admins and moderators, as a subquery (nobody nominates them to moderate)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return get_user_model().objects.filter(
        Q(groups__name__in=[MANAGERS_GROUP, MODERATORS_GROUP]) | Q(is_superuser=True)).values("pk")


# -- seeing -----------------------------------------------------------------------------------------

def can_see_thread(user, thread) -> bool:
    """A deleted thread stays open to those who may bring it back: its category's moderators and managers."""
    return not thread.is_deleted or roles_of(user).moderates(thread.category_id)


def can_see_post(user, post, *, thread=None) -> bool:
    """The one visibility rule for a post's text: deleted posts show to nobody; hidden ones to their
    author and to moderators of the post's category. Every way post text leaves the server asks this."""
    if post.is_deleted:
        return False
    if not post.is_hidden:
        return True
    roles = roles_of(user)
    if not roles.is_signed_in:
        return False
    category_id = (thread or post.thread).category_id
    return post.author_id == user.pk or roles.moderates(category_id)


def can_see_hidden_in(user, category_id) -> bool:
    """Whether every hidden post of a category shows (marked) to this member: moderators of it."""
    return roles_of(user).moderates(category_id) if roles_of(user).is_signed_in else False


# -- writing ----------------------------------------------------------------------------------------

def can_start_thread(user, category) -> bool:
    roles = roles_of(user)
    if not roles.may_write:
        return False
    return not category.is_read_only or roles.is_manager


def can_reply(user, thread) -> bool:
    roles = roles_of(user)
    if not roles.may_write or thread.is_deleted:
        return False
    # Moderators answer in locked threads (a closing word, a pointer to the new thread), as Discourse.
    return not thread.is_locked or roles.moderates(thread.category_id)


def can_edit_post(user, post, *, thread=None) -> bool:
    roles = roles_of(user)
    if not roles.may_write or post.is_deleted:
        return False
    return post.author_id == user.pk or roles.is_manager


def can_delete_post(user, post, *, thread=None) -> bool:
    roles = roles_of(user)
    if not roles.is_signed_in or post.is_deleted:
        return False
    return post.author_id == user.pk or roles.is_manager


def can_restore_post(user, post, *, thread=None) -> bool:
    """A deleted post (or thread, through its opening post) comes back by a moderator of its category or a manager."""
    roles = roles_of(user)
    if not roles.is_signed_in or not post.is_deleted:
        return False
    return roles.moderates((thread or post.thread).category_id)


def can_delete_own_account(user) -> bool:
    """Any signed-in member may delete their account, but an admin: the site must not lose its last key that way."""
    roles = roles_of(user)
    return roles.is_signed_in and not roles.is_admin


def can_like_post(user, post) -> bool:
    # A deleted thread stays open to moderators, to restore it: its posts earn and take nothing meanwhile.
    return (roles_of(user).is_signed_in and not post.is_deleted and not post.is_hidden and post.author_id != user.pk
            and not post.thread.is_deleted)


def can_accept_answer(user, thread) -> bool:
    """The thread's author marks the answer; after a week without one (FORUMS_ACCEPT_ON_BEHALF_DAYS), community
    managers and the category's moderators may mark it on the author's behalf."""
    from django.conf import settings

    roles = roles_of(user)
    if not roles.is_signed_in or thread.is_deleted:
        return False
    if thread.author_id == user.pk:
        return True
    a_week_on = timezone.now() - thread.created_at >= timedelta(days=settings.FORUMS_ACCEPT_ON_BEHALF_DAYS)
    return a_week_on and roles.moderates(thread.category_id)


def can_create_tag(user) -> bool:
    return roles_of(user).is_manager


def can_flag(user, post) -> bool:
    # A silenced member's flags (and notes) would be words others read: they wait too.
    return (roles_of(user).may_write and user.has_perk("flag_posts") and post.author_id != user.pk
            and can_see_post(user, post) and not post.thread.is_deleted)


def can_send_kudos(user, receiver=None) -> bool:
    """A public thank-you is something others read: members who may write, to someone else."""
    return roles_of(user).may_write and (receiver is None or receiver.pk != user.pk)


# -- moderating -------------------------------------------------------------------------------------

def can_review(user) -> bool:
    """The review queue and the audit log: any moderator (scoped to their categories) and managers."""
    return roles_of(user).is_moderator


def can_decide_new_members(user) -> bool:
    """New accounts are site-wide business: site-wide moderators and managers."""
    return roles_of(user).is_site_moderator and roles_of(user).is_signed_in


def can_sanction(user, member) -> bool:
    """Site-wide moderators and managers sanction members; nobody sanctions admins, managers or themselves."""
    roles = roles_of(user)
    if not roles.is_signed_in or member.pk == user.pk:
        return False
    if roles_of(member).is_manager or member.is_superuser:
        return False
    return roles.is_site_moderator


def can_delete_spammer(user, member) -> bool:
    return roles_of(user).is_manager and can_sanction(user, member)


def can_decide_candidates(user) -> bool:
    return roles_of(user).is_manager


def can_grant_or_revoke_moderators(user) -> bool:
    return roles_of(user).is_manager


def can_manage_experts(user) -> bool:
    return roles_of(user).is_manager


def can_set_expert_availability(user) -> bool:
    """An expert (in at least one tag) who may write says when they are away and how many questions a week
    they take. One query, asked only where the form is shown or sent."""
    if not roles_of(user).may_write:
        return False
    from community.expertise.selectors import is_expert

    return is_expert(user)


def can_make_leader(user, member=None) -> bool:
    """Tier 4 (Leader) is given and taken only by community managers, never to themselves."""
    return roles_of(user).is_manager and (member is None or member.pk != user.pk)


def can_fulfil_rewards(user) -> bool:
    return roles_of(user).is_manager


def can_use_admin(user) -> bool:
    return roles_of(user).is_signed_in and user.is_staff


# -- the newcomer queue -----------------------------------------------------------------------------

def can_work_queue(user) -> bool:
    """Managers work the whole queue; moderators the threads of their categories."""
    return roles_of(user).is_moderator


def queue_category_ids(user) -> frozenset | None:
    """The categories whose newcomer threads the member works (None: all)."""
    return roles_of(user).moderated


def can_work_queue_thread(user, thread) -> bool:
    return roles_of(user).moderates(thread.category_id) if roles_of(user).is_signed_in else False


def can_view_dashboard(user) -> bool:
    """The community health dashboard and the lists behind its figures are for community managers."""
    return roles_of(user).is_manager


def can_edit_site_pages(user) -> bool:
    """The guidelines and the welcome speak for the community: community managers write them."""
    return roles_of(user).is_manager


def can_look_up_members(user) -> bool:
    """The member autocomplete (assigning, appointing): queue workers and managers."""
    return can_work_queue(user) or can_manage_experts(user)


# -- ideas ------------------------------------------------------------------------------------------

def can_vote_idea(user, thread) -> bool:
    """Members who may write (not silenced, suspended or waiting) vote for ideas they can see; only ideas take votes."""
    return roles_of(user).may_write and not thread.is_deleted and thread.category.is_ideas


def can_set_idea_status(user, thread) -> bool:
    """Managers and the moderators of the idea's category answer ideas with a status."""
    roles = roles_of(user)
    return roles.is_signed_in and thread.category.is_ideas and not thread.is_deleted and roles.moderates(thread.category_id)


def can_announce_idea(user, thread) -> bool:
    """Announcing speaks for the whole community in the announcements category: managers only."""
    return roles_of(user).is_manager and thread.category.is_ideas and not thread.is_deleted


# -- events ------------------------------------------------------------------------------------------

def can_create_event(user) -> bool:
    """Managers create events, and members whose tier has the create_events perk (tier 3 and up) host their own."""
    roles = roles_of(user)
    return roles.is_manager or (roles.may_write and user.has_perk("create_events"))


def can_edit_event(user, event) -> bool:
    """The host edits and cancels their event; managers any event."""
    roles = roles_of(user)
    return roles.is_manager or (roles.may_write and event.host_id == user.pk)


def can_rsvp(user, event) -> bool:
    """Any signed-in member answers an event's RSVP (it is not words others read: silenced members may too)."""
    return roles_of(user).is_signed_in and not event.is_cancelled


def has_event_priority(user) -> bool:
    """Says they are going while an event's early-RSVP window is open (the "event priority seats" perk)."""
    return roles_of(user).is_signed_in and user.has_perk("event_priority_seats")


def can_check_in(user, event) -> bool:
    """At the door: the host and managers check people in and see attendance."""
    roles = roles_of(user)
    return roles.is_signed_in and (roles.is_manager or event.host_id == user.pk)


# -- buddies ---------------------------------------------------------------------------------------

def _has_verified_email(user) -> bool:
    """Read once per request (kept on the user object), like the roles."""
    cached = getattr(user, "_verified_email", None)
    if cached is None:
        from allauth.account.models import EmailAddress

        cached = EmailAddress.objects.filter(user_id=user.pk, verified=True).exists()
        user._verified_email = cached
    return cached


def can_volunteer_as_buddy(user) -> bool:
    """A verified member whose tier has the be_buddy perk (tier 2, Regular, and up) and who is not sanctioned
    (silenced, suspended or waiting for approval) offers to be a buddy to newcomers."""
    return roles_of(user).may_write and user.has_perk("be_buddy") and _has_verified_email(user)


def can_stop_being_buddy(user) -> bool:
    """Anyone signed in may stop being a buddy, even one who has since lost the right to start."""
    return roles_of(user).is_signed_in


def buddy_eligible_members(prefix: str = ""):
    """The same rule as can_volunteer_as_buddy, as a filter on members (or on rows pointing at them through
    `prefix`, e.g. "member__"): what matching asks of every candidate in one query."""
    from allauth.account.models import EmailAddress
    from django.db.models import Exists, OuterRef, Q

    from community.members.perks import perk_tier

    now = timezone.now()
    pk = f"{prefix}pk" if prefix else "pk"

    def field(name):
        return f"{prefix}{name}"

    return (Q(**{field("is_active"): True, field("awaiting_approval"): False})
            & (Q(**{f"{field('tier')}__gte": perk_tier("be_buddy")}) | Q(**{field("is_superuser"): True}))
            & (Q(**{f"{field('silenced_until')}__isnull": True}) | Q(**{f"{field('silenced_until')}__lte": now}))
            & (Q(**{f"{field('suspended_until')}__isnull": True}) | Q(**{f"{field('suspended_until')}__lte": now}))
            & Q(Exists(EmailAddress.objects.filter(user_id=OuterRef(pk), verified=True))))


# -- checks: the reason a refused member reads -------------------------------------------------------

def _deny(message: str):
    raise PermissionDenied(message)


def check_may_write(user) -> None:
    if getattr(user, "is_authenticated", False) and user.awaiting_approval:
        _deny(_("Welcome! A moderator looks at new accounts before they post; you can read everything meanwhile."))
    if getattr(user, "is_authenticated", False) and user.is_silenced:
        _deny(_("You can read but not post until %(until)s. Your notifications say why.")
              % {"until": formats.date_format(timezone.localtime(user.silenced_until), "DATETIME_FORMAT")})


def check_can_see_thread(user, thread) -> None:
    if not can_see_thread(user, thread):
        _deny(_("This thread was deleted."))


def check_can_start_thread(user, category) -> None:
    check_may_write(user)
    if not can_start_thread(user, category):
        if category.is_read_only:
            _deny(_("“%(category)s” is read-only: only community managers start threads there.") % {"category": category.name})
        _deny(_("Sign in to start a thread."))


def check_can_reply(user, thread) -> None:
    check_may_write(user)
    if not can_reply(user, thread):
        if thread.is_locked:
            _deny(_("This thread is locked: no new replies."))
        _deny(_("You cannot reply to this thread."))


def check_can_edit_post(user, post) -> None:
    check_may_write(user)
    if not can_edit_post(user, post):
        _deny(_("You can only edit your own posts."))


def check_can_delete_post(user, post) -> None:
    if not can_delete_post(user, post):
        _deny(_("You can only delete your own posts."))


def check_can_restore_post(user, post) -> None:
    if not post.is_deleted:
        _deny(_("This post is not deleted."))
    if not can_restore_post(user, post):
        _deny(_("Only moderators of this category restore deleted posts."))


def check_can_delete_own_account(user) -> None:
    if not can_delete_own_account(user):
        _deny(_("Admins cannot delete their account here; another admin removes it in the admin."))


def check_can_like_post(user, post) -> None:
    if not can_like_post(user, post):
        if getattr(user, "is_authenticated", False) and post.author_id == user.pk:
            _deny(_("You cannot like your own post."))
        _deny(_("You cannot like this post."))


def check_can_accept_answer(user, thread) -> None:
    if not can_accept_answer(user, thread):
        _deny(_("The thread's author marks the answer. After a week without one, community managers and the "
                "category's moderators may mark it on their behalf."))


def check_can_create_tag(user) -> None:
    if not can_create_tag(user):
        _deny(_("Only community managers create tags."))


def check_can_flag(user, post) -> None:
    if post.author_id == getattr(user, "pk", None):
        _deny(_("You cannot flag your own post."))
    check_may_write(user)
    if not can_flag(user, post):
        _deny(_("Flagging opens up once you are a Member (tier 1)."))


def check_can_send_kudos(user) -> None:
    check_may_write(user)
    if not can_send_kudos(user):
        _deny(_("Sign in to thank someone."))


def check_can_moderate(user, category_id=None) -> None:
    if not can_moderate(user, category_id):
        _deny(_("This is for moderators of this category."))


def check_can_review(user) -> None:
    if not can_review(user):
        _deny(_("The review queue and the moderation log are for moderators and community managers."))


def check_can_decide_new_members(user) -> None:
    if not can_decide_new_members(user):
        _deny(_("New accounts are decided by site-wide moderators and community managers."))


def check_can_sanction(user, member) -> None:
    if not can_sanction(user, member):
        _deny(_("Only site-wide moderators and community managers sanction members, and never admins, managers or themselves."))


def check_can_delete_spammer(user, member) -> None:
    if not can_delete_spammer(user, member):
        _deny(_("Only community managers delete spammers, and never admins or managers."))


def check_can_decide_candidates(user) -> None:
    if not can_decide_candidates(user):
        _deny(_("Moderator candidates are for community managers."))


def check_can_grant_or_revoke_moderators(user) -> None:
    if not can_grant_or_revoke_moderators(user):
        _deny(_("Only community managers grant and revoke moderator roles."))


def check_can_manage_experts(user) -> None:
    if not can_manage_experts(user):
        _deny(_("Only community managers appoint experts."))


def check_can_set_expert_availability(user) -> None:
    check_may_write(user)
    if not can_set_expert_availability(user):
        _deny(_("Only experts say when they are away and how many questions they take."))


def check_can_make_leader(user, member) -> None:
    if not can_make_leader(user, member):
        _deny(_("Only community managers make Leaders, and not themselves."))


def check_can_fulfil_rewards(user) -> None:
    if not can_fulfil_rewards(user):
        _deny(_("Only community managers fulfil rewards."))


def check_can_work_queue(user) -> None:
    if not can_work_queue(user):
        _deny(_("The newcomer queue is for community managers and moderators."))


def check_can_work_queue_thread(user, thread) -> None:
    check_can_work_queue(user)
    if not can_work_queue_thread(user, thread):
        _deny(_("This thread is in a category you do not moderate."))


def check_can_view_dashboard(user) -> None:
    if not can_view_dashboard(user):
        _deny(_("The community health dashboard is for community managers."))


def check_can_edit_site_pages(user) -> None:
    if not can_edit_site_pages(user):
        _deny(_("Community managers write the community's pages."))


def check_can_look_up_members(user) -> None:
    if not can_look_up_members(user):
        _deny(_("Looking up members is for the people who assign and appoint them."))


def check_can_vote_idea(user, thread) -> None:
    check_may_write(user)
    if not can_vote_idea(user, thread):
        if not thread.category.is_ideas:
            _deny(_("This thread is not an idea, so it takes no votes."))
        _deny(_("Sign in to vote for ideas."))


def check_can_set_idea_status(user, thread) -> None:
    if not can_set_idea_status(user, thread):
        if not thread.category.is_ideas:
            _deny(_("This thread is not an idea, so it has no status."))
        _deny(_("Only community managers and the category's moderators set an idea's status."))


def check_can_announce_idea(user, thread) -> None:
    if not can_announce_idea(user, thread):
        _deny(_("Only community managers announce ideas."))


# -- what templates read --------------------------------------------------------------------------

def check_can_create_event(user) -> None:
    check_may_write(user)
    if not can_create_event(user):
        _deny(_("Community managers create events, and members from tier 3 (Champion) host their own."))


def check_can_edit_event(user, event) -> None:
    if not can_edit_event(user, event):
        _deny(_("Only the host and community managers change this event."))


def check_can_rsvp(user, event) -> None:
    if not can_rsvp(user, event):
        _deny(_("This event was cancelled.") if event.is_cancelled else _("Sign in to answer."))


def check_can_check_in(user, event) -> None:
    if not can_check_in(user, event):
        _deny(_("Only the host and community managers check people in."))


def check_can_volunteer_as_buddy(user) -> None:
    check_may_write(user)
    if not can_volunteer_as_buddy(user):
        if not getattr(user, "is_authenticated", False):
            _deny(_("Sign in to be a buddy."))
        _deny(_("Buddies are members from tier 2 (Regular) with a confirmed email address: keep posting and helping, "
                "and it opens up."))


def check_can_stop_being_buddy(user) -> None:
    if not can_stop_being_buddy(user):
        _deny(_("Sign in to change your buddy settings."))


@dataclass(frozen=True)
class SiteAbilities:
    """The header's and every page's role flags, computed once per request (`{{ can.review }}`)."""

    review: bool
    work_queue: bool
    decide_candidates: bool
    use_admin: bool
    manage: bool
    view_dashboard: bool
    post_links: bool  # the editor's hint offers link syntax only to those whose links are accepted


def site_abilities(user) -> SiteAbilities:
    return SiteAbilities(review=can_review(user), work_queue=can_work_queue(user),
                         decide_candidates=can_decide_candidates(user), use_admin=can_use_admin(user),
                         manage=is_manager(user), view_dashboard=can_view_dashboard(user),
                         post_links=user.is_authenticated and user.has_perk("post_links"))


@dataclass(frozen=True)
class MemberAbilities:
    """What the viewer may do to the member whose profile they look at."""

    sanction: bool
    delete_spammer: bool
    revoke_moderator: bool
    make_leader: bool
    appoint_expert: bool
    send_kudos: bool


def member_abilities(user, member) -> MemberAbilities:
    return MemberAbilities(
        sanction=can_sanction(user, member), delete_spammer=can_delete_spammer(user, member),
        revoke_moderator=can_grant_or_revoke_moderators(user), make_leader=can_make_leader(user, member),
        appoint_expert=can_manage_experts(user), send_kudos=can_send_kudos(user, member),
    )


@dataclass(frozen=True)
class ThreadAbilities:
    reply: bool
    accept_answer: bool
    moderate: bool
    flag: bool
    send_kudos: bool
    vote_idea: bool = False
    set_idea_status: bool = False
    announce_idea: bool = False


def thread_abilities(user, thread) -> ThreadAbilities:
    return ThreadAbilities(
        reply=can_reply(user, thread), accept_answer=can_accept_answer(user, thread),
        moderate=roles_of(user).is_signed_in and can_moderate(user, thread.category_id),
        flag=roles_of(user).may_write and user.has_perk("flag_posts"), send_kudos=can_send_kudos(user),
        vote_idea=can_vote_idea(user, thread), set_idea_status=can_set_idea_status(user, thread),
        announce_idea=can_announce_idea(user, thread),
    )


def attach_post_abilities(user, thread, posts) -> None:
    """Per post of a page: may the viewer see its text, edit it, like it, flag it, thank its author."""
    for post in posts:
        post.thread = thread  # every rule below may look at the thread: it is the page's, not a query each
        post.can_see = can_see_post(user, post, thread=thread)
        post.can_edit = can_edit_post(user, post, thread=thread)
        post.can_delete = can_delete_post(user, post, thread=thread)
        post.can_like = can_like_post(user, post)
        post.can_restore = can_restore_post(user, post, thread=thread)
        post.can_flag = can_flag(user, post)
        post.can_thank = can_send_kudos(user) and post.author_id != user.pk and post.can_see and not thread.is_deleted
