"""Flag reasons for the flag form, and the review queue's size for moderators (counted only when shown)."""

from functools import cache

from community import permissions
from moderation import selectors
from moderation.models import Flag


def moderation(request):
    user = getattr(request, "user", None)

    @cache
    def review_count() -> int | None:
        if not permissions.can_review(user):
            return None
        return selectors.pending_count(category_ids=permissions.moderated_category_ids(user))

    return {"flag_reasons": Flag.Reason.choices, "review_count": review_count}
