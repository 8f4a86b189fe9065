"""Who may do what in the forum: `can_*` answers, `check_*` raises PermissionDenied with the reason."""

from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from forums.models import Category, Post, Thread


def is_staff_member(user) -> bool:
    """Community managers and admins act on anyone's posts (moderators join with the moderation work)."""
    return user.is_authenticated and user.is_active and user.is_community_manager


def can_see_thread(user, thread: Thread) -> bool:
    return not thread.is_deleted or is_staff_member(user)


def _may_post(user) -> bool:
    return user.is_authenticated and user.is_active and not (user.is_silenced or user.is_suspended or user.awaiting_approval)


def can_start_thread(user, category: Category) -> bool:
    if not _may_post(user):
        return False
    return not category.is_read_only or is_staff_member(user)


def can_reply(user, thread: Thread) -> bool:
    if not _may_post(user) or thread.is_deleted:
        return False
    return not thread.is_locked or is_staff_member(user)


def can_edit_post(user, post: Post) -> bool:
    if not (user.is_authenticated and user.is_active) or post.is_deleted:
        return False
    return post.author_id == user.pk or is_staff_member(user)


def can_delete_post(user, post: Post) -> bool:
    return can_edit_post(user, post)


def can_like_post(user, post: Post) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and not post.is_deleted
        and not post.is_hidden
        and post.author_id != user.pk
    )


def can_accept_answer(user, thread: Thread) -> bool:
    """The thread's author or a community manager marks the answer."""
    if not (user.is_authenticated and user.is_active) or thread.is_deleted:
        return False
    return thread.author_id == user.pk or is_staff_member(user)


def can_create_tag(user) -> bool:
    return is_staff_member(user)


def check_can_see_thread(user, thread: Thread) -> None:
    if not can_see_thread(user, thread):
        raise PermissionDenied(_("This thread was deleted."))


def check_not_silenced(user) -> None:
    if user.is_authenticated and user.awaiting_approval:
        raise PermissionDenied(_("Welcome! A moderator looks at new accounts before they post; you can read everything meanwhile."))
    if user.is_authenticated and user.is_silenced:
        raise PermissionDenied(
            _("You can read but not post until %(until)s. Your notifications say why.")
            % {"until": formats.date_format(timezone.localtime(user.silenced_until), "DATETIME_FORMAT")}
        )


def check_can_start_thread(user, category: Category) -> None:
    check_not_silenced(user)
    if not can_start_thread(user, category):
        if category.is_read_only:
            raise PermissionDenied(_("“%(category)s” is read-only: only community managers start threads there.") % {"category": category.name})
        raise PermissionDenied(_("Sign in to start a thread."))


def check_can_reply(user, thread: Thread) -> None:
    check_not_silenced(user)
    if not can_reply(user, thread):
        if thread.is_locked:
            raise PermissionDenied(_("This thread is locked: no new replies."))
        raise PermissionDenied(_("You cannot reply to this thread."))


def check_can_edit_post(user, post: Post) -> None:
    if not can_edit_post(user, post):
        raise PermissionDenied(_("You can only edit your own posts."))


def check_can_delete_post(user, post: Post) -> None:
    if not can_delete_post(user, post):
        raise PermissionDenied(_("You can only delete your own posts."))


def check_can_like_post(user, post: Post) -> None:
    if not can_like_post(user, post):
        if user.is_authenticated and post.author_id == user.pk:
            raise PermissionDenied(_("You cannot like your own post."))
        raise PermissionDenied(_("You cannot like this post."))


def check_can_create_tag(user) -> None:
    if not can_create_tag(user):
        raise PermissionDenied(_("Only community managers create tags."))


def check_can_accept_answer(user, thread: Thread) -> None:
    if not can_accept_answer(user, thread):
        raise PermissionDenied(_("Only the thread's author or a community manager marks the answer."))
