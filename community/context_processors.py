"""What every page's frame shows: the member's roles (`{{ can.review }}`…) and the site's fixed addresses (`{{ links.latest }}`…)."""

from functools import cache

from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from community import permissions

# The addresses every page's header links to, by the names the templates use.
FRAME_LINKS = {
    "latest": "forums:latest", "top": "forums:top", "unanswered": "forums:unanswered", "categories": "forums:categories",
    "tags": "forums:tags", "search": "forums:search", "thread_create": "forums:thread_create",
    "leaderboard": "loyalty:leaderboard", "loyalty": "loyalty:home", "rewards": "loyalty:rewards", "events": "events:list",
    "experts": "expertise:list", "buddies": "buddies:home", "notifications": "notifications:list",
    "bell": "notifications:bell", "notification_settings": "notifications:settings", "settings": "members:settings",
    "email": "account_email", "logout": "account_logout", "login": "account_login", "signup": "account_signup",
    "admin": "admin:index", "review": "moderation:review", "queue": "triage:queue", "dashboard": "health:dashboard",
}


def roles(request):
    user = getattr(request, "user", None)
    return {"can": SimpleLazyObject(lambda: permissions.site_abilities(user))}


@cache
def _frame_links(script_prefix: str) -> dict[str, str]:
    # The URLconf does not change while the process runs: reverse each address once (about 25 reversals a page
    # otherwise, a millisecond and more of every signed-in page).
    return {name: reverse(route) for name, route in FRAME_LINKS.items()}


def links(request):
    return {"links": _frame_links(get_script_prefix())}
