"""What the header needs to know about the member's roles, asked only when a template looks."""

from django.utils.functional import SimpleLazyObject

from community import permissions


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"can_work_queue": SimpleLazyObject(lambda: permissions.can_work_queue(user))}
