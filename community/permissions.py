"""Who may do what on the people side: community managers run it; moderators help with the queue."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

# Until the moderation work brings ModeratorRole, moderators are the members of this group.
MODERATORS_GROUP = "Moderators"


def is_manager(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_community_manager


def is_moderator(user) -> bool:
    return user.is_authenticated and user.is_active and MODERATORS_GROUP in user.group_names


def can_manage_experts(user) -> bool:
    return is_manager(user)


def can_work_queue(user) -> bool:
    return is_manager(user) or is_moderator(user)


def check_can_manage_experts(user) -> None:
    if not can_manage_experts(user):
        raise PermissionDenied(_("Only community managers appoint experts."))


def check_can_work_queue(user) -> None:
    if not can_work_queue(user):
        raise PermissionDenied(_("The newcomer queue is for community managers and moderators."))
