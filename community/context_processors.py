"""What every page may show of the member's roles: `{{ can.review }}`, `{{ can.work_queue }}`…, computed once per request, when first read."""

from django.utils.functional import SimpleLazyObject

from community import permissions


def roles(request):
    user = getattr(request, "user", None)
    return {"can": SimpleLazyObject(lambda: permissions.site_abilities(user))}
