"""The seam through which forums asks who may do what: `permissions.can_reply(user, thread)`,
`permissions.check_can_edit_post(user, post)`, `permissions.can_see_post(user, post)`…

The answers come from the site's one permissions authority (`community.permissions`), registered
at start-up by the app above (as `content_checks` and `flairs` are), so forums imports nothing
above it and no rule is written twice.
"""

from types import ModuleType

from django.core.exceptions import ImproperlyConfigured

_authority: ModuleType | None = None


def register(authority: ModuleType) -> ModuleType:
    global _authority
    _authority = authority
    return authority


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    if _authority is None:
        raise ImproperlyConfigured("No permissions authority is registered with forums (community's AppConfig does it).")
    return getattr(_authority, name)
