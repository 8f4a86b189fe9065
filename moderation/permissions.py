"""Who moderates what: `can_*` answers and `check_*` raisers for flags, the review queue and the log."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from community.permissions import MODERATORS_GROUP
from moderation.models import ModeratorRole


def moderated_category_ids(user) -> set[int | None] | None:
    """None for site-wide powers (managers, admins, site-wide moderators); else the categories moderated (maybe none).

    Holding any active role puts a member in the "Moderators" group (kept by the role services), so
    for everyone else this answer costs no query beyond the request's one look at the member's groups.
    """
    if not (user.is_authenticated and user.is_active):
        return set()
    if user.is_community_manager:
        return None
    if MODERATORS_GROUP not in user.group_names:
        return set()
    scopes = set(ModeratorRole.objects.filter(member=user, revoked_at__isnull=True).values_list("category_id", flat=True))
    return None if None in scopes else scopes


def can_moderate(user, category_id: int | None = None) -> bool:
    scopes = moderated_category_ids(user)
    if scopes is None:
        return True
    return bool(scopes) if category_id is None else category_id in scopes


def can_flag(user, post) -> bool:
    return user.is_authenticated and user.has_perk("flag_posts") and post.author_id != user.pk and not post.is_deleted


def check_can_flag(user, post) -> None:
    if post.author_id == getattr(user, "pk", None):
        raise PermissionDenied(_("You cannot flag your own post."))
    if not can_flag(user, post):
        raise PermissionDenied(_("Flagging opens up once you are a Member (tier 1)."))


def check_can_moderate(user, category_id: int | None = None) -> None:
    if not can_moderate(user, category_id):
        raise PermissionDenied(_("This is for moderators of this category."))


def can_sanction(user, member) -> bool:
    """Site-wide moderators and managers sanction members; nobody sanctions admins, managers or themselves."""
    if not getattr(user, "is_authenticated", False) or member.pk == user.pk:
        return False
    if member.is_superuser or member.is_community_manager:
        return False
    return moderated_category_ids(user) is None


def check_can_sanction(user, member) -> None:
    if not can_sanction(user, member):
        raise PermissionDenied(_("Only site-wide moderators and community managers sanction members, and never admins or managers."))
