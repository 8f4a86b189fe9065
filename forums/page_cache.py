"""Whole forum pages for visitors who are not signed in, kept in Redis and served before the session is read.

What is kept: the home page and the other lists (top, unanswered, categories, a category, a tag) and a
thread's pages, as rendered for a visitor without cookies (a language cookie aside) in one language.

Correctness rests on three rules:
- **Versions.** Each kept page remembers the versions it was built from: the site's (categories, tags, member
  names and flair), the lists' (any thread or post anywhere) and, for a thread page, its thread's. The services
  that change them bump them after commit (`thread_changed`, `site_changed`), so the next request after a
  reply sees it. A page whose versions moved is built again; nothing is deleted.
- **Nothing private.** Only a request without a session, messages or any other cookie is served from or
  stored in the cache, only a 200 HTML response that sets no cookie is stored (a page that used a CSRF token
  sets one, so it is never kept), and never one for a signed-in member. A kept page holds no member's data,
  no token and no message.
- **Bounded age.** What no service bumps (relative times, a "new here" flair that ends, a member's tier) is at
  most PAGE_TTL seconds old.

Each request costs one Redis round trip (the page and its versions in one MGET); with Redis down, pages are
built as usual, uncached, and nothing fails.
"""

import hashlib
import logging
import re
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import redis
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation

logger = logging.getLogger(__name__)
CACHE_DOWN = (redis.RedisError, OSError)

T = TypeVar("T")

PAGE_TTL = 60
SITE_VERSION = "page:v:site"
LISTS_VERSION = "page:v:lists"
# Query parameters the kept pages understand; any other makes the request uncached (no key per junk parameter).
KNOWN_PARAMETERS = {"page", "status", "period", "order"}
# Cookies that do not make a visitor's page their own.
NEUTRAL_COOKIES = {"django_language", "csrftoken"}
_LISTS = re.compile(r"^/(?:|top/|unanswered/|categories/|c/[-\w]+/|tags/[^/]+/)$")
_THREAD = re.compile(r"^/t/(\d+)/([^/]+)/$")
# Paths of the thread's shape that are actions, not the thread page.
_THREAD_ACTIONS = {"unread", "news", "reply", "watch", "unaccept", "vote", "idea-status", "announce"}
# Headers of the rendered page worth replaying from the cache (the outer middleware adds their own again).
_DROPPED_HEADERS = {"set-cookie", "date", "content-length", "expires", "cache-control", "etag", "last-modified"}


def thread_version_key(thread_id: int) -> str:
    return f"page:v:t:{thread_id}"


def _bump(*keys: str) -> None:
    try:
        cache.set_many(dict.fromkeys(keys, time.time_ns()), timeout=None)
    except CACHE_DOWN as error:  # a cache outage must not fail a post; kept pages then age out in PAGE_TTL
        logger.warning("page_cache_bump_failed", extra={"error": str(error)})


def thread_changed(thread_id: int) -> None:
    """The thread's pages and every list change (a post, a like, a move, a hide…): see `_bump_now_and_after_commit`."""
    _bump_now_and_after_commit(LISTS_VERSION, thread_version_key(thread_id))


def site_changed() -> None:
    """Something every page may show changed (a category, a tag, a member's name or flair)."""
    _bump_now_and_after_commit(SITE_VERSION)


def _bump_now_and_after_commit(*keys: str) -> None:
    # After commit, so that a page built from what was there before the commit (by another request, meanwhile)
    # is not kept past it. Now as well, so that what this transaction reads next (a page rendered after the
    # change, in the same request or test) is not an older kept one.
    _bump(*keys)
    transaction.on_commit(partial(_bump, *keys))


def expire_all() -> None:
    """Now: every kept page is built again on its next request (operations, and tests that measure building)."""
    _bump(SITE_VERSION)


def kept_or_built(key: str, build: Callable[[], T], timeout: int = PAGE_TTL) -> tuple[T, str | None]:
    """A value built from forum content (search results), kept under the site's and the lists' versions,
    with a stamp naming that value at those versions (a key for what is rendered from it), None uncached.

    The same rules as for whole pages: a value kept before a service bumped either version is built again,
    what no service bumps is at most `timeout` seconds old, and with Redis away the value is built uncached.
    The value must be the same for every member (nothing private in it). One Redis round trip when kept.
    """
    version_keys = [SITE_VERSION, LISTS_VERSION]
    try:
        found = cache.get_many([key, *version_keys])
    except CACHE_DOWN as error:
        logger.warning("page_cache_unavailable", extra={"error": str(error)})
        return build(), None
    versions = [found.get(name, 0) for name in version_keys]
    stamp = f"{key}@{versions[0]}.{versions[1]}"
    kept = found.get(key)
    if kept is not None and kept["versions"] == versions:
        return kept["value"], stamp
    value = build()
    try:
        cache.set(key, {"versions": versions, "value": value}, timeout=timeout)
    except CACHE_DOWN as error:
        logger.warning("page_cache_unavailable", extra={"error": str(error)})
        return value, None
    return value, stamp


def on_site_row_saved(sender, **kwargs) -> None:
    site_changed()


def _versions_for(path: str) -> list[str] | None:
    if _LISTS.match(path):
        return [SITE_VERSION, LISTS_VERSION]
    thread = _THREAD.match(path)
    if thread and thread.group(2) not in _THREAD_ACTIONS:
        return [SITE_VERSION, thread_version_key(int(thread.group(1)))]
    return None


def _cacheable(request) -> list[str] | None:
    """The version keys of a request that may be served from the cache, or None."""
    if request.method != "GET" or request.headers.get("HX-Request"):
        return None
    if set(request.COOKIES) - NEUTRAL_COOKIES or set(request.GET) - KNOWN_PARAMETERS:
        return None
    return _versions_for(request.path)


def _page_key(request) -> str:
    language = translation.get_language_from_request(request)
    query = "&".join(f"{name}={request.GET.get(name)}" for name in sorted(request.GET))
    return f"page:{language}:{hashlib.blake2b(f'{request.path}?{query}'.encode(), digest_size=16).hexdigest()}"


class AnonymousPageCacheMiddleware:
    """Serve and keep whole pages for visitors (see the module docstring). Sits above the session middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        version_keys = _cacheable(request)
        if version_keys is None:
            return self.get_response(request)
        page_key = _page_key(request)
        try:
            found = cache.get_many([page_key, *version_keys])
        except CACHE_DOWN as error:  # no cache: build the page as usual
            logger.warning("page_cache_unavailable", extra={"error": str(error)})
            return self.get_response(request)
        versions = [found.get(key, 0) for key in version_keys]
        kept = found.get(page_key)
        if kept is not None and kept["versions"] == versions:
            return _served(request, kept)
        response = self.get_response(request)
        if _storable(request, response):
            _keep(page_key, versions, response)
        return response


def _served(request, kept: dict) -> HttpResponse:
    if kept["etag"] in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(kept["body"])
        for name, value in kept["headers"]:
            response.headers[name] = value
    response.headers["ETag"] = kept["etag"]
    response.headers["Cache-Control"] = "no-cache"  # browsers keep it and ask again: a 304 while unchanged
    return response


def _storable(request, response) -> bool:
    user = getattr(request, "user", None)
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and response.headers.get("Content-Type", "").startswith("text/html")
            and (user is None or not user.is_authenticated))


def _keep(page_key: str, versions: list, response) -> None:
    body = response.content
    etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    headers = [(name, value) for name, value in response.headers.items() if name.lower() not in _DROPPED_HEADERS]
    try:
        cache.set(page_key, {"versions": versions, "body": body, "headers": headers, "etag": etag}, timeout=PAGE_TTL)
    except CACHE_DOWN as error:
        logger.warning("page_cache_unavailable", extra={"error": str(error)})
        return
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache"
