"""Pieces of members' pages that are the same for every member, kept rendered in Redis.

A signed-in page cannot be kept whole (it is the member's own: unread marks, likes, what they may do), but
most of its HTML is everyone's. This module keeps that part rendered and lets the view overlay the member's
own state in a fixed number of queries:

- **Thread-list rows.** One entry per list page (order, category, tag, filters, page number, language, time
  zone) holding each row rendered twice, as read and as unread, beside the four fields that decide which one
  a member sees (`selectors.attach_unread`). A hit costs no query for the rows; the overlay costs two.
- **Posts.** One entry per post and per way of seeing it: the member's side of a post (unread, liked, own,
  what they may do with it, which the view has already decided through `community.permissions`) is part of
  the key, not of the template's context, and the template is given nothing else of theirs (no request, no
  user). Members who see a post the same way share its HTML; the CSRF token goes in as a placeholder and the
  member's own is put in place when the page is assembled. All of a page's posts come in one Redis round trip.

Keys carry the versions of `forums.page_cache` (the site's, the lists' and the thread's), which the services bump after
commit, so a reply or a rename shows on the next request; relative times are at most FRAGMENT_TTL seconds
old, as on visitors' pages. Nothing kept here is built from a member: rows are built for no one (as a
visitor sees them, unread marks aside), so no member's data can reach another. With Redis away, the rows
are built on every request, as before.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from forums import page_cache, selectors

FRAGMENT_TTL = page_cache.PAGE_TTL
# The reasons each post's flag form offers, as (value, label): supplied by the moderation app when it loads
# (moderation/apps.py), as it supplies flair; forums does not know moderation.
_flag_reasons: list = []


def offer_flag_reasons(reasons) -> None:
    _flag_reasons[:] = reasons


# Where a kept post's forms take the member's CSRF token (never a real token: see attach_post_html).
CSRF_PLACEHOLDER = "csrf-token-of-the-member-reading"


@dataclass
class ListedThread:
    """A thread-list row as kept: its HTML both ways and what decides which way a member sees it."""

    pk: int
    title: str
    category_id: int
    last_post_number: int
    last_posted_at: datetime
    html_read: str
    html_unread: str
    is_unread: bool = False
    first_unread_number: int = 1

    @property
    def html(self) -> SafeString:
        return mark_safe(self.html_unread if self.is_unread else self.html_read)  # noqa: S308  (rendered by our template)


def _key(kind: str, *parts) -> str:
    context = (translation.get_language(), timezone.get_current_timezone_name(), *parts)
    return f"frag:{kind}:{hashlib.blake2b(repr(context).encode(), digest_size=16).hexdigest()}"


def thread_list_page(*, member, order: str, category=None, tag=None, period: str = "all", status: str = "all",
                     page: int = 1) -> selectors.PageOf:
    """`selectors.thread_list` for a member, its rows rendered once for everyone and marked unread for them."""
    key = _key("list", order, category and category.pk, tag and tag.pk, period, status, page)
    kept, _stamp = page_cache.kept_or_built(key, lambda: _build_list_page(
        order=order, category=category, tag=tag, period=period, status=status, page=page), timeout=FRAGMENT_TTL)
    rows = [ListedThread(**row) for row in kept["rows"]]
    selectors.attach_unread(rows, member)
    return selectors.PageOf(items=rows, number=page, total=kept["total"], per_page=kept["per_page"],
                            has_more=kept["has_more"])


def _build_list_page(*, order, category, tag, period, status, page) -> dict:
    built = selectors.thread_list(member=AnonymousUser(), order=order, category=category, tag=tag,
                                  period=period, status=status, page=page)
    row = get_template("forums/_thread_row.html")
    in_category = category is not None
    rows = [
        {
            "pk": thread.pk, "title": thread.title, "category_id": thread.category_id, "last_post_number": thread.last_post_number,
            "last_posted_at": thread.last_posted_at,
            "html_read": row.render({"thread": thread, "unread": False, "in_category": in_category}),
            "html_unread": row.render({"thread": thread, "unread": True, "in_category": in_category}),
        }
        for thread in built.items
    ]
    return {"rows": rows, "total": built.total, "per_page": built.per_page, "has_more": built.has_more}



def _way_of_seeing(post, *, member, thread_can: dict) -> tuple:
    """Everything of the member's that the post's template reads, decided before it is rendered."""
    return (
        post.is_unread, post.can_see, post.can_edit, post.can_delete, post.can_restore, post.can_like, post.liked_by_me,
        post.can_flag, post.can_thank, post.author_id == member.pk, *sorted(thread_can.items()),
    )


def attach_post_html(request, *, thread, page, thread_abilities) -> None:
    """Set `post.html` on each post of the page (see the module docstring); posts already carry their abilities.

    Posts rendered here get their authors loaded; so does the accepted answer from another page, in the same
    query, when any post is rendered.
    """
    member = request.user
    # Only what a post's template reads of the thread's abilities: all of it is in the key.
    thread_can = {"reply": bool(thread_abilities.reply), "accept_answer": bool(thread_abilities.accept_answer)}
    page_path = f"{thread.get_absolute_url()}?page={page.number}"
    keys = {
        post.pk: _key("post", post.pk, page.number, page.page_count, _way_of_seeing(post, member=member, thread_can=thread_can))
        for post in page.posts
    }
    version_keys = [page_cache.SITE_VERSION, page_cache.thread_version_key(thread.pk)]
    found = cache.get_many([*keys.values(), *version_keys])
    versions = [found.get(name, 0) for name in version_keys]
    missing = [post for post in page.posts if _current(found.get(keys[post.pk]), versions) is None]
    if missing:
        answer = page.accepted_answer
        off_page = [answer] if answer is not None and answer not in page.posts else []
        selectors.attach_post_people(thread, missing + off_page)
    template = get_template("forums/_post.html")
    built = {
        keys[post.pk]: {"versions": versions, "html": template.render({
            "post": post, "thread": thread, "page": page, "thread_can": thread_can, "is_own": post.author_id == member.pk,
            "page_path": page_path, "flag_reasons": _flag_reasons, "csrf_token": CSRF_PLACEHOLDER,
        })}
        for post in missing
    }
    if built:
        cache.set_many(built, timeout=FRAGMENT_TTL)
    token = None
    for post in page.posts:
        html = (built.get(keys[post.pk]) or found[keys[post.pk]])["html"]
        if CSRF_PLACEHOLDER in html:
            # Asked for only where a form needs it: asking sets the CSRF cookie, and a visitor's page must not
            # set one, or it could not be kept whole (forums.page_cache).
            token = token or get_token(request)
            html = html.replace(CSRF_PLACEHOLDER, token)
        post.html = mark_safe(html)  # noqa: S308  (rendered by our template; the token is [A-Za-z0-9])


def _current(kept: dict | None, versions: list) -> dict | None:
    return kept if kept is not None and kept["versions"] == versions else None
