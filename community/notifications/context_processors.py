"""The bell's unread count, counted only when a page shows the bell (one indexed query)."""

from functools import cache

from community.notifications.selectors import unread_count


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Templates call a callable when they read the variable: the count runs at most once, and only if shown.
    return {"unread_notifications": cache(lambda: unread_count(user))}
