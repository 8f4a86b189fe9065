"""The bell's unread count, counted only when a page shows the bell (one indexed query)."""

from django.utils.functional import SimpleLazyObject

from community.notifications.selectors import unread_count


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
