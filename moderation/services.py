"""Moderation operations: flagging, hiding at once when trusted members agree, reviewing, and the audit log."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from community import permissions
from community.notifications.messages import Moment, Words, message, render
from community.notifications.models import Kind
from community.notifications.services import in_recipient_language, notify
from community.permissions import MODERATORS_GROUP
from forums import page_cache
from forums import services as forum_services
from forums.models import Post
from moderation.models import Flag, ModerationAction, ModeratorRole, ReviewItem, Sanction


def log(*, actor, action: str, target_type: str, target_id: int, reason: str = "", before=None, after=None) -> ModerationAction:
    return ModerationAction.objects.create(actor=actor, action=action, target_type=target_type, target_id=target_id,
                                           reason=reason[:500], before=before or {}, after=after or {}, created_at=timezone.now())


def _tell(member, key: str, post, said: dict) -> None:
    """Tell a member about a moderation outcome; `said` is put into words when they read it, in their language."""
    with in_recipient_language(member):
        text = render(said)  # what emails and old clients show; the page renders `said` afresh
    notify(recipient=member, kind=Kind.MODERATION, dedupe_key=f"moderation:{key}", thread=post.thread, post=post, text=text,
           message=said)


# Why a post is hidden, kept in English (the catalogue's msgids) and shown in the reader's language.
FLAGGED_AS = {
    Flag.Reason.SPAM: gettext_noop("flagged by members of the community as spam"),
    Flag.Reason.OFF_TOPIC: gettext_noop("flagged by members of the community as off-topic"),
    Flag.Reason.ABUSIVE: gettext_noop("flagged by members of the community as abusive"),
    Flag.Reason.OTHER: gettext_noop("flagged by members of the community for something else"),
}
HIDDEN_BY_A_MODERATOR = gettext_noop("hidden by a moderator")
REMOVED_AS_SPAM = gettext_noop("removed as spam")


def _pending_item(post) -> ReviewItem:
    item = ReviewItem.objects.filter(post=post, status=ReviewItem.Status.PENDING).first()
    if item is None:
        try:
            with transaction.atomic():
                item = ReviewItem.objects.create(post=post, category_id=post.thread.category_id, created_at=timezone.now())
        except IntegrityError:
            item = ReviewItem.objects.get(post=post, status=ReviewItem.Status.PENDING)
    return item


def flag_post(*, post, flagger, reason: str, note: str = "") -> Flag:
    """Flag a post once; put it in the review queue; hide it at once if trusted members agree."""
    if reason not in Flag.Reason.values:
        raise ValidationError(_("Choose why you flag this post."), code="reason")
    if reason == Flag.Reason.OTHER and not note.strip():
        raise ValidationError(_("Say what is wrong with this post."), code="note")
    with transaction.atomic():
        try:
            with transaction.atomic():
                flag = Flag.objects.create(post=post, flagger=flagger, reason=reason, note=note.strip()[:500], created_at=timezone.now())
        except IntegrityError:
            raise ValidationError(_("You have already flagged this post; moderators will look at it."), code="twice") from None
        # Flags that arrive together are counted one at a time: each waits for the post's pending review item, so
        # each counts every flag committed before it, and the last counts them all. (Without the wait, eight flags
        # at once could each see too few of the others to hide the post.)
        ReviewItem.objects.select_for_update().filter(pk=_pending_item(post).pk).first()
        open_flags = list(Flag.objects.filter(post=post, status=Flag.Status.OPEN).select_related("flagger"))
        # As Discourse: one flag from a trusted member on a newcomer's post, or enough flags, hide it at once.
        trusted_on_newcomer = post.author.is_newcomer and any(
            f.flagger.tier >= settings.MODERATION_TRUSTED_FLAGGER_TIER for f in open_flags)
        if (trusted_on_newcomer or len(open_flags) >= settings.MODERATION_FLAGS_TO_HIDE) and not post.is_hidden:
            why = FLAGGED_AS[reason]
            # Only the flag that really hides the post (flags arrive together; the copy we hold may be
            # stale) writes the log entry and tells the author.
            if forum_services.post_hide(post=post, reason=why):
                log(actor=None, action="post_hidden_by_flags", target_type="post", target_id=post.pk, reason=why,
                    before={"is_hidden": False}, after={"is_hidden": True, "flags": len(open_flags)})
                _tell(post.author, f"hidden-by-flags:{post.pk}:{len(open_flags)}", post, message(
                    gettext_noop("Your post in “%(title)s” is hidden while moderators review it: %(why)s."),
                    title=post.thread.title, why=Words(why)))
    return flag


def claim(*, item: ReviewItem, moderator) -> ReviewItem:
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().get(pk=item.pk)
        if item.status != ReviewItem.Status.PENDING:
            raise ValidationError(_("This item has been handled already."), code="handled")
        if item.claimed_by_id and item.claimed_by_id != moderator.pk:
            raise ValidationError(_("%(name)s is handling this item.") % {"name": item.claimed_by.name}, code="claimed")
        item.claimed_by, item.claimed_at = moderator, timezone.now()
        item.save(update_fields=["claimed_by", "claimed_at"])
    return item


RESOLUTIONS = {
    # action: (review status, what the flags become, is the post hidden afterwards)
    "approve": (ReviewItem.Status.APPROVED, Flag.Status.DISAGREED, False),
    "hide": (ReviewItem.Status.HIDDEN, Flag.Status.AGREED, True),
    "dismiss": (ReviewItem.Status.DISMISSED, Flag.Status.DISAGREED, False),
}


def resolve(*, item: ReviewItem, moderator, action: str, reason: str = "") -> ReviewItem:
    """Approve (show the post, flags were wrong), hide (keep it hidden, flags were right) or dismiss the flags."""
    if action not in RESOLUTIONS:
        raise ValidationError(_("Unknown action."), code="action")
    status, flag_status, hidden = RESOLUTIONS[action]
    now = timezone.now()
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().select_related("post", "post__thread").get(pk=item.pk)
        if item.status != ReviewItem.Status.PENDING:
            raise ValidationError(_("This item has been handled already."), code="handled")
        if item.claimed_by_id and item.claimed_by_id != moderator.pk:
            raise ValidationError(_("%(name)s is handling this item.") % {"name": item.claimed_by.name}, code="claimed")
        post = item.post
        before = {"is_hidden": post.is_hidden}
        if hidden:
            forum_services.post_hide(post=post, reason=reason or HIDDEN_BY_A_MODERATOR)
        else:
            forum_services.post_unhide(post=post)
        flaggers = list(Flag.objects.filter(post=post, status=Flag.Status.OPEN).select_related("flagger"))
        Flag.objects.filter(post=post, status=Flag.Status.OPEN).update(status=flag_status, resolved_at=now)
        outcome = (gettext_noop("Moderators agreed with your flag on a post in “%(title)s”. Thank you.")
                   if flag_status == Flag.Status.AGREED
                   else gettext_noop("Moderators looked at the post you flagged in “%(title)s” and left it up."))
        for flag in flaggers:
            _tell(flag.flagger, f"flag:{flag.pk}", post, message(outcome, title=post.thread.title))
        if hidden:
            _tell(post.author, f"review:{item.pk}", post, message(
                gettext_noop("A moderator hid your post in “%(title)s”: %(why)s."), title=post.thread.title,
                # The sentence ends with its own full stop: a typed reason's would make two.
                why=reason.strip().rstrip(".") or Words(HIDDEN_BY_A_MODERATOR)))
        item.status, item.resolved_by, item.resolved_at = status, moderator, now
        item.save(update_fields=["status", "resolved_by", "resolved_at"])
        log(actor=moderator, action=f"review_{action}", target_type="post", target_id=post.pk, reason=reason,
            before=before, after={"is_hidden": hidden})
    return item


def grant_role(*, member, category=None, granted_by) -> ModeratorRole:
    """Make a member a moderator (site-wide, or of one category); logged, and mirrored in the Moderators group."""
    if not member.is_active:
        raise ValidationError(_("%(name)s is suspended or gone.") % {"name": member.username}, code="inactive")
    with transaction.atomic():
        page_cache.site_changed()  # moderator flair on their posts
        role, created = ModeratorRole.objects.get_or_create(
            member=member, category=category, revoked_at=None, defaults={"granted_by": granted_by, "granted_at": timezone.now()})
        if created:
            member.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
            log(actor=granted_by, action="moderator_granted", target_type="member", target_id=member.pk,
                after={"category": category.pk if category else None})
    return role


def revoke_role(*, role: ModeratorRole, revoked_by, reason: str = "") -> None:
    with transaction.atomic():
        page_cache.site_changed()
        updated = ModeratorRole.objects.filter(pk=role.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if not updated:
            return
        if not ModeratorRole.objects.filter(member_id=role.member_id, revoked_at__isnull=True).exists():
            role.member.groups.remove(*Group.objects.filter(name=MODERATORS_GROUP))
        log(actor=revoked_by, action="moderator_revoked", target_type="member", target_id=role.member_id, reason=reason,
            before={"category": role.category_id})


def roles_end_for_deleted(*, member) -> int:
    """A moderator who deleted their account moderates no more: each open role is revoked as a manager would,
    on the record (no actor: the system), and the flair leaves their kept posts; review items they claimed and
    left pending go back to the queue (a claim by someone gone would block everyone). Returns how many roles ended."""
    roles = list(ModeratorRole.objects.filter(member=member, revoked_at__isnull=True).select_related("member"))
    with transaction.atomic():
        for role in roles:
            revoke_role(role=role, revoked_by=None, reason=_("account deleted"))
        ReviewItem.objects.filter(claimed_by=member, status=ReviewItem.Status.PENDING).update(claimed_by=None, claimed_at=None)
    return len(roles)


def sanction(*, member, moderator, kind: str, reason: str, until) -> Sanction:
    """Silence (read only) or suspend (no login) a member until a time; they are told why and until when."""
    permissions.check_can_sanction(moderator, member)
    reason = " ".join(reason.split())
    if kind not in Sanction.Kind.values:
        raise ValidationError(_("Choose silence or suspension."), code="kind")
    if len(reason) < 3:
        raise ValidationError(_("Give a reason the member will read."), code="reason")
    now = timezone.now()
    if until <= now:
        raise ValidationError(_("The end of a sanction must be in the future."), code="past")
    with transaction.atomic():
        record = Sanction.objects.create(member=member, kind=kind, reason=reason[:500], starts_at=now, ends_at=until, created_by=moderator)
        field = "silenced_until" if kind == Sanction.Kind.SILENCE else "suspended_until"
        type(member).objects.filter(pk=member.pk).update(**{field: until, "last_sanctioned_at": now})
        log(actor=moderator, action="member_suspended" if kind == Sanction.Kind.SUSPEND else "member_silenced", target_type="member",
            target_id=member.pk, reason=reason, after={"until": until.isoformat()})
        said = message(gettext_noop("You are silenced until %(until)s: %(reason)s") if kind == Sanction.Kind.SILENCE
                       else gettext_noop("You are suspended until %(until)s: %(reason)s"), until=Moment(until), reason=reason)
        with in_recipient_language(member):
            text = render(said)
        notify(recipient=member, kind=Kind.MODERATION, dedupe_key=f"sanction:{record.pk}", text=text, message=said)
    return record


def lift_expired_sanctions() -> int:
    """Beat, every 5 minutes: end sanctions whose time is up."""
    now = timezone.now()
    lifted = 0
    for record in Sanction.objects.filter(lifted_at__isnull=True, ends_at__lte=now).select_related("member"):
        with transaction.atomic():
            Sanction.objects.filter(pk=record.pk).update(lifted_at=now)
            field = "silenced_until" if record.kind == Sanction.Kind.SILENCE else "suspended_until"
            type(record.member).objects.filter(pk=record.member_id, **{f"{field}__lte": now}).update(**{field: None})
            log(actor=None, action=f"{record.kind}_lifted", target_type="member", target_id=record.member_id, reason=_("time is up"))
        lifted += 1
    return lifted


def delete_spammer(*, member, manager) -> int:
    """One action: hide every post (their points go back with them), disable the account, log it."""
    permissions.check_can_delete_spammer(manager, member)
    with transaction.atomic():
        posts = list(Post.objects.filter(author=member, is_hidden=False, is_deleted=False).select_related("thread"))
        for post in posts:
            forum_services.post_hide(post=post, reason=REMOVED_AS_SPAM)
        type(member).objects.filter(pk=member.pk).update(is_active=False)
        log(actor=manager, action="spammer_deleted", target_type="member", target_id=member.pk,
            reason=_("spammer"), after={"posts_hidden": len(posts), "is_active": False})
    return len(posts)


THREAD_ACTIONS = ("lock", "unlock", "pin", "unpin", "move")


def moderate_thread(*, thread, moderator, action: str, category=None, reason: str = ""):
    """Lock, unlock, pin, unpin or move a thread, on the record."""
    if action not in THREAD_ACTIONS:
        raise ValidationError(_("Unknown action."), code="action")
    before = {"is_locked": thread.is_locked, "is_pinned": thread.is_pinned, "category": thread.category_id}
    with transaction.atomic():
        if action == "move":
            if category is None:
                raise ValidationError(_("Choose the category to move the thread to."), code="category")
            thread = forum_services.thread_move(thread=thread, category=category)
        else:
            flag, value = {"lock": ("is_locked", True), "unlock": ("is_locked", False),
                           "pin": ("is_pinned", True), "unpin": ("is_pinned", False)}[action]
            thread = forum_services.thread_set_flags(thread=thread, **{flag: value})
        log(actor=moderator, action=f"thread_{action}", target_type="thread", target_id=thread.pk, reason=reason, before=before,
            after={"is_locked": thread.is_locked, "is_pinned": thread.is_pinned, "category": thread.category_id})
    return thread


def moderator_delete_post(*, post, moderator, reason: str = "") -> None:
    with transaction.atomic():
        forum_services.post_delete(post=post, member=moderator)
        log(actor=moderator, action="post_deleted", target_type="post", target_id=post.pk, reason=reason,
            before={"body": post.body[:2000]})


def moderator_restore_post(*, post, moderator, reason: str = "") -> None:
    """Bring back a deleted post (a thread, through its opening post), on the record; `forums.services.post_restore` moves the rest."""
    permissions.check_can_restore_post(moderator, post)
    with transaction.atomic():
        forum_services.post_restore(post=post, member=moderator)
        log(actor=moderator, action="post_restored", target_type="post", target_id=post.pk, reason=reason,
            after={"thread_restored": post.is_first})


def moderator_edit_post(*, post, moderator, body: str, reason: str = "") -> None:
    """Edit someone's post as a moderator: the revision is kept by forums, the before and after go in the log."""
    before = post.body
    with transaction.atomic():
        forum_services.post_edit(post=post, editor=moderator, body=body)
        log(actor=moderator, action="post_edited", target_type="post", target_id=post.pk, reason=reason,
            before={"body": before[:5000]}, after={"body": body[:5000]})


def decide_new_member(*, member, moderator, approve: bool, reason: str = "") -> None:
    """Let a held new account post, or turn it away (disabled, on the record)."""
    with transaction.atomic():
        changes = {"awaiting_approval": False} if approve else {"awaiting_approval": False, "is_active": False}
        updated = type(member).objects.filter(pk=member.pk, awaiting_approval=True).update(**changes)
        if not updated:
            raise ValidationError(_("This account is not waiting for approval."), code="not_waiting")
        log(actor=moderator, action="member_approved" if approve else "member_rejected", target_type="member",
            target_id=member.pk, reason=reason)
        if approve:
            said = message(gettext_noop("Your account is approved: welcome, you can post now."))
            with in_recipient_language(member):
                text = render(said)
            notify(recipient=member, kind=Kind.MODERATION, dedupe_key=f"approved:{member.pk}", text=text, message=said)
