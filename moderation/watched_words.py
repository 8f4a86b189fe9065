"""Watched words: block a post outright, or hold or flag it for the review queue once posted.
Also holds a newcomer's first posts when the setting asks for it."""

import re
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from forums import services as forum_services
from forums.models import Post
from moderation.models import ReviewItem, WatchedWord

_TTL = 30.0
_cache: dict[str, object] = {"at": 0.0, "words": []}


def _words() -> list[tuple[re.Pattern, str, str]]:
    now = time.monotonic()
    if now - _cache["at"] > _TTL:
        _cache["words"] = [(re.compile(rf"(?<!\w){re.escape(w.word)}(?!\w)", re.IGNORECASE), w.word, w.action)
                           for w in WatchedWord.objects.all()]
        _cache["at"] = now
    return _cache["words"]


def forget() -> None:
    _cache["at"] = 0.0


def matches(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for pattern, word, action in _words():
        if pattern.search(text):
            found.setdefault(action, []).append(word)
    return found


def refuse_blocked_words(author, text: str) -> None:
    """Registered with forums.content_checks: a blocked word refuses the post before it is saved."""
    blocked = matches(text).get(WatchedWord.Action.BLOCK)
    if blocked:
        raise ValidationError(
            _("Your post contains “%(word)s”, which is not allowed here. Change it and post again; your text is kept.")
            % {"word": blocked[0]}, code="blocked_word")


def review_new_post(post_id: int) -> str | None:
    """After a post is saved: hold it (hidden until approved) or flag it for review when the rules say so."""
    # Only what the rules read (this runs in the request of every post): not the rows' whole text and vectors.
    post = (Post.objects.select_related("thread", "author").filter(pk=post_id, is_deleted=False)
            .only("number", "body", "created_at", "thread__title", "thread__category_id", "author__tier").first())
    if post is None:
        return None
    found = matches(f"{post.thread.title}\n{post.body}" if post.number == 1 else post.body)
    hold_first = settings.MODERATION_HOLD_NEWCOMER_POSTS
    is_early_newcomer_post = post.author.is_newcomer and hold_first and \
        Post.objects.filter(author=post.author, is_deleted=False, created_at__lte=post.created_at).count() <= hold_first
    outcome = "hold" if (found.get(WatchedWord.Action.HOLD) or is_early_newcomer_post) else "flag" if found.get(WatchedWord.Action.FLAG) else None
    if outcome is None:
        return None
    with transaction.atomic():
        ReviewItem.objects.get_or_create(post=post, status=ReviewItem.Status.PENDING,
                                         defaults={"category_id": post.thread.category_id, "created_at": timezone.now()})
        if outcome == "hold":
            # Kept in English (a msgid), shown in the reader's language.
            forum_services.post_hide(post=post, reason=gettext_noop("held for a moderator's approval"))
    from moderation.services import log

    words = found.get(WatchedWord.Action.HOLD) or found.get(WatchedWord.Action.FLAG) or []
    log(actor=None, action=f"post_{outcome}_for_review", target_type="post", target_id=post.pk,
        reason=", ".join(words) or _("a new member's first posts"))
    return outcome
