"""Flag reasons for the flag form, and the review queue's size for moderators (counted only when shown)."""

from functools import cache

from moderation import permissions, selectors
from moderation.models import Flag


def moderation(request):
    user = getattr(request, "user", None)

    @cache
    def review_count() -> int | None:
        if user is None or not user.is_authenticated:
            return None
        scopes = permissions.moderated_category_ids(user)
        if scopes is not None and not scopes:
            return None  # not a moderator
        return selectors.pending_count(category_ids=scopes)

    return {"flag_reasons": Flag.Reason.choices, "review_count": review_count}
