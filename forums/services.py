"""Forum operations. Each is one transaction; counters move with the change; signals go after commit."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from forums import content_checks, page_cache, signals
from forums.markup import mention_candidates, plain_line, render_markdown
from forums.models import (
    Category,
    Mention,
    Post,
    PostRevision,
    Reaction,
    ReadHorizon,
    ReadState,
    Subscription,
    Tag,
    Thread,
)

logger = logging.getLogger(__name__)
User = get_user_model()

TITLE_MIN, TITLE_MAX = 3, 200
BODY_MIN, BODY_MAX = 1, 50_000
MAX_TAGS = 5


def validate_title(title: str) -> str:
    title = plain_line(title)
    if not title:
        raise ValidationError(_("Give your thread a title with words people can see."), code="title_empty")
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ValidationError(
            _("A title needs %(min)d to %(max)d characters; this one has %(count)d.")
            % {"min": TITLE_MIN, "max": TITLE_MAX, "count": len(title)},
            code="title_length",
        )
    return title


def validate_body(body: str) -> str:
    body = body.strip()
    if not BODY_MIN <= len(body) <= BODY_MAX:
        if not body:
            raise ValidationError(_("Write something before posting."), code="body_empty")
        raise ValidationError(
            _("A post can be at most %(max)d characters; this one has %(count)d.")
            % {"max": BODY_MAX, "count": len(body)},
            code="body_length",
        )
    return body


def validate_tags(tags: Iterable[Tag]) -> list[Tag]:
    tags = list(dict.fromkeys(tags))
    if len(tags) > MAX_TAGS:
        raise ValidationError(_("Choose at most %(max)d tags.") % {"max": MAX_TAGS}, code="too_many_tags")
    return tags


NEWCOMER_MAX_MENTIONS = 2
DUPLICATE_WINDOW = timedelta(hours=24)


def _lines(text: str) -> set[str]:
    return {" ".join(line.split()).casefold() for line in text.splitlines() if line.strip()}


def check_not_only_the_template(category: Category, body: str) -> None:
    """Refuse an opening post that is the category's template with nothing written in it (every line of it is a
    line of the template, in either language): it asks nothing, and the newcomer would wait for an answer in vain."""
    template_lines = _lines(category.body_template_en) | _lines(category.body_template_ru)
    if template_lines and _lines(body) <= template_lines:
        raise ValidationError(
            _("Your message is still only the category's template: write your question under its headings. Your text is kept."),
            code="only_the_template",
        )


def check_newcomer_post(author, body: str, *, editing: Post | None = None) -> None:
    """What protects everyone from a brand-new account: few mentions, and no posting the same text twice.

    Editing is held to the same limits as posting (`editing` is the post being edited: its own text
    is not a duplicate of itself).
    """
    if author.is_newcomer and len(mention_candidates(body)) > NEWCOMER_MAX_MENTIONS:
        raise ValidationError(
            _("New members can mention at most %(max)d people in a post. Remove some @names and post again; your text is kept.")
            % {"max": NEWCOMER_MAX_MENTIONS},
            code="too_many_mentions",
        )
    earlier = Post.objects.filter(author=author, body=body, is_deleted=False, created_at__gte=timezone.now() - DUPLICATE_WINDOW)
    if editing is not None:
        earlier = earlier.exclude(pk=editing.pk)
    if earlier.exists():
        raise ValidationError(_("You posted exactly this text already today. Change it, or link to your earlier post."), code="duplicate")


def check_links_allowed(author, body: str) -> None:
    """Members below the post_links perk's tier write without links and images (spam protection, as Discourse)."""
    if not author.has_perk("post_links") and render_markdown(body).link_count:
        raise ValidationError(
            _("New members can't post links or images yet. Remove them (or write the address without https://) "
              "and post again; your text is kept."),
            code="links_not_allowed",
        )


def _render(body: str):
    """Render through the one pipeline, linking only @names of members that exist (one query)."""
    candidates = mention_candidates(body)
    known: dict[str, int] = {}
    if candidates:
        known = dict(
            User.objects.annotate(lower_name=Lower("username"))
            .filter(lower_name__in=candidates, is_active=True)
            .values_list("lower_name", "pk")
        )
    rendered = render_markdown(body, known_usernames=set(known))
    mentioned_ids = [known[name] for name in rendered.mentioned_usernames if name in known]
    return rendered.html, mentioned_ids


def _record_mentions(post: Post, member_ids: list[int], now) -> None:
    Mention.objects.bulk_create(
        [Mention(post=post, member_id=pk, created_at=now) for pk in member_ids if pk != post.author_id],
        ignore_conflicts=True,
    )


def _watch(thread: Thread, member, now) -> None:
    Subscription.objects.bulk_create([Subscription(thread=thread, member=member, created_at=now)], ignore_conflicts=True)


def _mark_read(thread: Thread, member, number: int, now) -> None:
    ReadState.objects.bulk_create(
        [ReadState(member=member, thread=thread, last_read_number=number, updated_at=now)],
        update_conflicts=True,
        unique_fields=["member", "thread"],
        update_fields=["last_read_number", "updated_at"],
    )


def _send_after_commit(signal, **ids) -> None:
    transaction.on_commit(lambda: signal.send(sender=Post, **ids))


def _refresh_first_response(thread: Thread) -> None:
    """Recompute `first_response_at` / `first_responder` after anything that can change which reply came first.

    The first response is the earliest reply (by number) readers can see, not deleted and not hidden,
    by anyone but the thread's author; both are NULL when there is none, which is what puts a
    newcomer's thread back in the queue. `thread` must be the row read under its lock in the
    caller's transaction, so no reply, hide or delete can slip in between the read and the write.
    One query on the (thread, number) index; a write and a signal only when the values move.
    """
    first = (
        Post.objects.filter(thread_id=thread.pk, number__gt=1, is_deleted=False, is_hidden=False)
        .exclude(author_id=thread.author_id)
        .order_by("number")
        .values("pk", "created_at", "author_id")
        .first()
    )
    post_id, at, responder_id = (first["pk"], first["created_at"], first["author_id"]) if first else (None, None, None)
    previous_responder_id = thread.first_responder_id
    if (thread.first_response_at, previous_responder_id) == (at, responder_id):
        return
    Thread.objects.filter(pk=thread.pk).update(first_response_at=at, first_responder_id=responder_id)
    thread.first_response_at, thread.first_responder_id = at, responder_id
    _send_after_commit(signals.first_response_changed, thread_id=thread.pk, post_id=post_id, responder_id=responder_id,
                       previous_responder_id=previous_responder_id, is_newcomer_thread=thread.is_newcomer_thread,
                       category_id=thread.category_id)


def _refresh_category_latest(category_id: int, thread_id: int) -> None:
    """Point the category at its most recently active thread again after `thread_id` was deleted, moved
    out or lost its last reply. One statement, and no work unless that thread was the category's latest."""
    latest = Thread.objects.filter(category_id=OuterRef("pk"), is_deleted=False).order_by("-last_posted_at", "-pk")
    Category.objects.filter(pk=category_id, last_thread_id=thread_id).update(
        last_thread_id=Subquery(latest.values("pk")[:1]), last_posted_at=Subquery(latest.values("last_posted_at")[:1])
    )


def thread_create(*, author, category: Category, title: str, body: str, tags: Iterable[Tag] = ()) -> Thread:
    title, body, tags = validate_title(title), validate_body(body), validate_tags(tags)
    check_not_only_the_template(category, body)
    check_links_allowed(author, body)
    check_newcomer_post(author, body)
    content_checks.run(author, f"{title}\n{body}")
    html, mentioned_ids = _render(body)
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(
            category=category,
            author=author,
            title=title,
            slug=slugify(title, allow_unicode=True)[:80] or "-",
            created_at=now,
            last_posted_at=now,
            last_poster=author,
            is_newcomer_thread=author.is_newcomer,
        )
        thread.tags.set(tags)
        page_cache.thread_changed(thread.pk)
        Tag.objects.filter(pk__in=[tag.pk for tag in tags]).update(thread_count=F("thread_count") + 1)
        post = Post.objects.create(
            thread=thread, author=author, number=1, body=body, body_html=html, created_at=now
        )
        _record_mentions(post, mentioned_ids, now)
        _watch(thread, author, now)
        _mark_read(thread, author, 1, now)
        Category.objects.filter(pk=category.pk).update(
            thread_count=F("thread_count") + 1,
            post_count=F("post_count") + 1,
            last_thread=thread,
            last_posted_at=now,
        )
        _send_after_commit(signals.thread_created, thread_id=thread.pk, post_id=post.pk, author_id=author.pk, category_id=category.pk)
        _send_after_commit(signals.post_created, thread_id=thread.pk, post_id=post.pk, author_id=author.pk, category_id=category.pk,
                           number=1)
    logger.info("thread_created", extra={"thread_id": thread.pk, "author_id": author.pk})
    return thread


def reply_create(*, thread: Thread, author, body: str) -> Post:
    body = validate_body(body)
    check_links_allowed(author, body)
    check_newcomer_post(author, body)
    content_checks.run(author, body)
    html, mentioned_ids = _render(body)
    now = timezone.now()
    with transaction.atomic():
        page_cache.thread_changed(thread.pk)
        # The row lock hands out post numbers one at a time.
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        number = locked.last_post_number + 1
        post = Post.objects.create(
            thread=locked, author=author, number=number, body=body, body_html=html, created_at=now
        )
        changes = {
            "reply_count": F("reply_count") + 1,
            "last_post_number": number,
            "last_posted_at": now,
            "last_poster": author,
        }
        first_response = locked.first_response_at is None and author.pk != locked.author_id
        if first_response:
            changes.update(first_response_at=now, first_responder=author)
        Thread.objects.filter(pk=locked.pk).update(**changes)
        Category.objects.filter(pk=locked.category_id).update(
            post_count=F("post_count") + 1, last_thread=locked, last_posted_at=now
        )
        _record_mentions(post, mentioned_ids, now)
        _watch(locked, author, now)
        _mark_read(locked, author, number, now)
        _send_after_commit(signals.post_created, thread_id=locked.pk, post_id=post.pk, author_id=author.pk,
                           category_id=locked.category_id, number=number)
        if first_response:
            _send_after_commit(signals.first_response_given, thread_id=locked.pk, post_id=post.pk, responder_id=author.pk,
                               is_newcomer_thread=locked.is_newcomer_thread, category_id=locked.category_id)
    logger.info("post_created", extra={"thread_id": thread.pk, "post_id": post.pk, "author_id": author.pk})
    return post


def post_edit(*, post: Post, editor, body: str, title: str | None = None, tags: Iterable[Tag] | None = None) -> Post:
    """Change a post's text, keeping what it said before as a revision."""
    body = validate_body(body)
    # Every limit on posting holds on editing too, judged on the post's author (as when it was posted).
    check_links_allowed(post.author, body)
    if body != post.body:
        check_newcomer_post(post.author, body, editing=post)
    content_checks.run(post.author, body)
    thread = post.thread
    new_title = validate_title(title) if title is not None and post.is_first else thread.title
    new_tags = validate_tags(tags) if tags is not None and post.is_first else None
    html, mentioned_ids = _render(body)
    now = timezone.now()
    with transaction.atomic():
        page_cache.thread_changed(post.thread_id)
        if body == post.body and new_title == thread.title and new_tags is None:
            return post
        PostRevision.objects.create(
            post=post, editor=editor, previous_body=post.body,
            previous_title=thread.title if post.is_first else "", created_at=now,
        )
        post.body, post.body_html, post.edited_at = body, html, now
        post.edit_count = F("edit_count") + 1
        post.save(update_fields=["body", "body_html", "edited_at", "edit_count"])
        post.refresh_from_db(fields=["edit_count"])
        if post.is_first and new_title != thread.title:
            thread.title = new_title
            thread.slug = slugify(new_title, allow_unicode=True)[:80] or "-"
            thread.save(update_fields=["title", "slug"])
        if new_tags is not None:
            _set_thread_tags(thread, new_tags)
        _record_mentions(post, mentioned_ids, now)
        _send_after_commit(signals.post_edited, thread_id=thread.pk, post_id=post.pk, editor_id=editor.pk)
    return post


def _set_thread_tags(thread: Thread, tags: list[Tag]) -> None:
    before = set(thread.tags.values_list("pk", flat=True))
    after = {tag.pk for tag in tags}
    thread.tags.set(tags)
    Tag.objects.filter(pk__in=after - before).update(thread_count=F("thread_count") + 1)
    Tag.objects.filter(pk__in=before - after).update(thread_count=F("thread_count") - 1)


def post_delete(*, post: Post, member) -> Post:
    """Soft-delete a post; deleting the opening post deletes the thread."""
    now = timezone.now()
    with transaction.atomic():
        page_cache.thread_changed(post.thread_id)
        thread = Thread.objects.select_for_update().get(pk=post.thread_id)
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.is_deleted:
            return post
        Post.objects.filter(pk=post.pk).update(is_deleted=True, deleted_at=now, deleted_by=member)
        if post.is_first:
            Thread.objects.filter(pk=thread.pk).update(is_deleted=True, like_count=F("like_count") - post.like_count)
            Category.objects.filter(pk=thread.category_id).update(
                thread_count=F("thread_count") - 1, post_count=F("post_count") - (thread.reply_count + 1)
            )
            Tag.objects.filter(threads=thread).update(thread_count=F("thread_count") - 1)
        else:
            # A deleted thread may have no post left standing: it then shows its own start, as synchronize does.
            last = (
                Post.objects.filter(thread=thread, is_deleted=False).exclude(pk=post.pk)
                .order_by("-number").values("created_at", "author_id").first()
            ) or {"created_at": thread.created_at, "author_id": thread.author_id}
            Thread.objects.filter(pk=thread.pk).update(
                reply_count=F("reply_count") - 1,
                like_count=F("like_count") - post.like_count,
                last_posted_at=last["created_at"],
                last_poster_id=last["author_id"],
            )
            if not thread.is_deleted:  # a deleted thread's posts left the category's count with it
                Category.objects.filter(pk=thread.category_id).update(post_count=F("post_count") - 1)
            if thread.accepted_answer_id == post.pk:
                Thread.objects.filter(pk=thread.pk).update(accepted_answer=None)
        _refresh_category_latest(thread.category_id, thread.pk)
        _refresh_first_response(thread)
        _send_after_commit(signals.post_hidden, thread_id=thread.pk, post_id=post.pk, member_id=member.pk)
    post.refresh_from_db()
    return post


def post_restore(*, post: Post, member) -> Post:
    """Undo `post_delete`: the post stands again, restoring its opening post restores the thread, and
    every counter moves back as deleting moved it. Points follow as for an un-hidden post (`post_unhidden`:
    loyalty settles the post against what it earns now). An accepted answer is not marked again, as
    after an un-hide. `member` is who restored it (the moderation log says so; the post keeps no trace).
    """
    with transaction.atomic():
        page_cache.thread_changed(post.thread_id)
        thread = Thread.objects.select_for_update().get(pk=post.thread_id)
        post = Post.objects.select_for_update().get(pk=post.pk)
        if not post.is_deleted:
            return post
        Post.objects.filter(pk=post.pk).update(is_deleted=False, deleted_at=None, deleted_by=None)
        if post.is_first:
            Thread.objects.filter(pk=thread.pk).update(is_deleted=False, like_count=F("like_count") + post.like_count)
            Category.objects.filter(pk=thread.category_id).update(
                thread_count=F("thread_count") + 1, post_count=F("post_count") + (thread.reply_count + 1)
            )
            Tag.objects.filter(threads=thread).update(thread_count=F("thread_count") + 1)
        else:
            last = Post.objects.filter(thread=thread, is_deleted=False).order_by("-number").values("created_at", "author_id").first()
            Thread.objects.filter(pk=thread.pk).update(
                reply_count=F("reply_count") + 1,
                like_count=F("like_count") + post.like_count,
                last_posted_at=last["created_at"],
                last_poster_id=last["author_id"],
            )
            if not thread.is_deleted:
                Category.objects.filter(pk=thread.category_id).update(post_count=F("post_count") + 1)
        thread.refresh_from_db(fields=["is_deleted", "last_posted_at"])
        if not thread.is_deleted:
            # The thread is the category's latest again if it is more recent than what the category shows (as thread_move).
            Category.objects.filter(pk=thread.category_id).filter(
                Q(last_posted_at__isnull=True) | Q(last_posted_at__lt=thread.last_posted_at)
                | Q(last_posted_at=thread.last_posted_at, last_thread_id__lt=thread.pk)
            ).update(last_thread=thread, last_posted_at=thread.last_posted_at)
        _refresh_first_response(thread)
        _send_after_commit(signals.post_unhidden, thread_id=thread.pk, post_id=post.pk)
    post.refresh_from_db()
    return post


def like_add(*, post: Post, member) -> bool:
    """Like a post once; returns False when it was already liked (nothing changes). A post deleted or
    hidden meanwhile is refused. The thread's row lock comes first, as in post_delete and post_hide,
    so a like and a delete never wait on each other in opposite orders."""
    try:
        with transaction.atomic():
            page_cache.thread_changed(post.thread_id)
            _lock_thread(post.thread_id)
            if Post.objects.filter(pk=post.pk).filter(Q(is_deleted=True) | Q(is_hidden=True)).exists():
                raise ValidationError(_("This post was removed or hidden meanwhile, so it cannot be liked."), code="gone")
            Reaction.objects.create(post=post, member=member, kind=Reaction.Kind.LIKE, created_at=timezone.now())
            Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)
            Thread.objects.filter(pk=post.thread_id).update(like_count=F("like_count") + 1)
            _send_after_commit(signals.reaction_added, post_id=post.pk, member_id=member.pk, author_id=post.author_id)
    except IntegrityError:
        return False
    return True


def like_remove(*, post: Post, member) -> bool:
    """Take a like back; False when there was none. A deleted post's likes already left the thread's count."""
    with transaction.atomic():
        page_cache.thread_changed(post.thread_id)
        _lock_thread(post.thread_id)
        deleted, _detail = Reaction.objects.filter(post=post, member=member, kind=Reaction.Kind.LIKE).delete()
        if not deleted:
            return False
        Post.objects.filter(pk=post.pk).update(like_count=F("like_count") - 1)
        Thread.objects.filter(pk=post.thread_id, posts__pk=post.pk, posts__is_deleted=False).update(like_count=F("like_count") - 1)
        _send_after_commit(signals.reaction_removed, post_id=post.pk, member_id=member.pk, author_id=post.author_id)
    return True


def _lock_thread(thread_id: int) -> None:
    list(Thread.objects.select_for_update().filter(pk=thread_id).values_list("pk", flat=True))


def thread_watch(*, thread: Thread, member) -> None:
    _watch(thread, member, timezone.now())


def thread_unwatch(*, thread: Thread, member) -> None:
    Subscription.objects.filter(thread=thread, member=member).delete()


def thread_mark_read(*, thread: Thread, member, up_to_number: int) -> None:
    """Move the member's read mark forward (never back) to `up_to_number`: one upsert statement.

    One transaction with what listens (the notifications about what is now seen are marked read): one commit,
    not two, on every thread page a member opens. (No savepoint when called inside a transaction: an error fails
    the caller's transaction anyway, and a savepoint would be two more statements.)
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO forums_readstate (member_id, thread_id, last_read_number, updated_at)
            VALUES (%s, %s, %s, now())
            ON CONFLICT (member_id, thread_id) DO UPDATE
            SET last_read_number = EXCLUDED.last_read_number, updated_at = EXCLUDED.updated_at
            WHERE forums_readstate.last_read_number < EXCLUDED.last_read_number
            """,
            [member.pk, thread.pk, up_to_number],
        )
        signals.thread_read.send(sender=Thread, thread_id=thread.pk, member_id=member.pk, up_to_number=up_to_number)


def mark_all_read(*, member, category: Category | None = None) -> None:
    """Everything quiet until now counts as read, site-wide or in one category: one upsert."""
    ReadHorizon.objects.update_or_create(member=member, category=category, defaults={"read_before": timezone.now()})


def member_traces_remove(*, member) -> None:
    """What a member kept in the forum for themselves alone (the threads they watch, how far they read) goes
    when they delete their account. What others see stays: their likes, votes, and the @mentions in posts."""
    with transaction.atomic():
        Subscription.objects.filter(member=member).delete()
        ReadState.objects.filter(member=member).delete()
        ReadHorizon.objects.filter(member=member).delete()


def tag_create(*, name: str, description: str = "") -> Tag:
    name = slugify(name)
    if not name:
        raise ValidationError(_("A tag name needs letters or digits."), code="tag_name")
    try:
        with transaction.atomic():
            page_cache.site_changed()
            return Tag.objects.create(name=name[:30], description=description)
    except IntegrityError:
        raise ValidationError(_("The tag “%(name)s” already exists.") % {"name": name}, code="tag_exists") from None


def check_can_be_answer(thread: Thread, post: Post) -> None:
    """Only a reply readers can see is an answer: never the opening post, a deleted reply or a hidden one."""
    if post.thread_id != thread.pk or post.is_first:
        raise ValidationError(_("Only a reply in this thread can be the answer."), code="not_a_reply")
    if post.is_deleted:
        raise ValidationError(_("This reply was deleted, so it cannot be the answer."), code="answer_deleted")
    if post.is_hidden:
        raise ValidationError(
            _("This reply is hidden while moderators review it, so it cannot be the answer. Choose another reply, "
              "or wait until it is shown again."),
            code="answer_hidden",
        )


def answer_accept(*, thread: Thread, post: Post, member) -> Thread:
    """Mark `post` as the thread's answer (replacing any earlier one)."""
    check_can_be_answer(thread, post)
    with transaction.atomic():
        page_cache.thread_changed(thread.pk)
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        # Hiding and deleting take this lock too, so the post read now stays as it is until commit.
        post = Post.objects.get(pk=post.pk)
        check_can_be_answer(locked, post)
        previous_id = locked.accepted_answer_id
        if previous_id == post.pk:
            return locked
        Thread.objects.filter(pk=locked.pk).update(accepted_answer=post)
        _send_after_commit(
            signals.answer_accepted, thread_id=locked.pk, post_id=post.pk, author_id=post.author_id,
            accepted_by_id=member.pk, previous_post_id=previous_id,
        )
    locked.accepted_answer = post
    return locked


def answer_unaccept(*, thread: Thread, member) -> Thread:
    with transaction.atomic():
        page_cache.thread_changed(thread.pk)
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        previous_id = locked.accepted_answer_id
        if previous_id is None:
            return locked
        Thread.objects.filter(pk=locked.pk).update(accepted_answer=None)
        _send_after_commit(signals.answer_unaccepted, thread_id=locked.pk, post_id=previous_id, member_id=member.pk)
    locked.accepted_answer = None
    return locked


def post_hide(*, post: Post, reason: str) -> bool:
    """Hide a post pending review (its author is told why on the post); False if it was hidden already.

    A hidden post stops being the accepted answer, as a deleted one does: the thread is no longer
    solved, nothing counts a hidden answer, and un-hiding does not bring the mark back (the thread's
    author accepts it again if they still want it).
    """
    with transaction.atomic():
        page_cache.thread_changed(post.thread_id)
        thread = Thread.objects.select_for_update().get(pk=post.thread_id)
        hidden = Post.objects.filter(pk=post.pk, is_hidden=False).update(is_hidden=True, hidden_reason=reason[:200])
        if hidden:
            if thread.accepted_answer_id == post.pk:
                Thread.objects.filter(pk=thread.pk).update(accepted_answer=None)
            _refresh_first_response(thread)
            _send_after_commit(signals.post_hidden, thread_id=thread.pk, post_id=post.pk, member_id=None)
    return bool(hidden)


def post_unhide(*, post: Post) -> bool:
    """Show a hidden post again; False if it was not hidden (nothing changes)."""
    with transaction.atomic():
        page_cache.thread_changed(post.thread_id)
        thread = Thread.objects.select_for_update().get(pk=post.thread_id)
        shown = Post.objects.filter(pk=post.pk, is_hidden=True).update(is_hidden=False, hidden_reason="")
        if shown:
            _refresh_first_response(thread)
            _send_after_commit(signals.post_unhidden, thread_id=thread.pk, post_id=post.pk)
    return bool(shown)


def thread_set_flags(*, thread: Thread, is_locked: bool | None = None, is_pinned: bool | None = None) -> Thread:
    """Lock (no replies) or pin (first in its category) a thread."""
    changes = {key: value for key, value in (("is_locked", is_locked), ("is_pinned", is_pinned)) if value is not None}
    page_cache.thread_changed(thread.pk)
    Thread.objects.filter(pk=thread.pk).update(**changes)
    for key, value in changes.items():
        setattr(thread, key, value)
    return thread


def thread_move(*, thread: Thread, category: Category) -> Thread:
    """Move a thread to another category; both categories' counters follow."""
    with transaction.atomic():
        page_cache.thread_changed(thread.pk)
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        old_category_id = locked.category_id
        if old_category_id == category.pk:
            return locked
        Thread.objects.filter(pk=locked.pk).update(category=category)
        if not locked.is_deleted:
            posts = locked.reply_count + 1
            Category.objects.filter(pk=old_category_id).update(thread_count=F("thread_count") - 1, post_count=F("post_count") - posts)
            Category.objects.filter(pk=category.pk).update(thread_count=F("thread_count") + 1, post_count=F("post_count") + posts)
            _refresh_category_latest(old_category_id, locked.pk)
            # The thread becomes the new category's latest if it is more recent than what the category shows.
            Category.objects.filter(pk=category.pk).filter(
                Q(last_posted_at__isnull=True) | Q(last_posted_at__lt=locked.last_posted_at)
                | Q(last_posted_at=locked.last_posted_at, last_thread_id__lt=locked.pk)
            ).update(last_thread=locked, last_posted_at=locked.last_posted_at)
        locked.category = category
        # A move changes no post, so this normally finds nothing to do; it is here so that a thread
        # never reaches another category's moderators (and queue filter) with a stale first response.
        _refresh_first_response(locked)
    return locked


# -- Ideas ------------------------------------------------------------------------------------------
# A thread in an ideas category is an idea (forums.models, "Ideas"). Votes are a pair (vote / unvote),
# each idempotent; statuses are set by managers and moderators (views check forums.permissions first).

IDEA_NOTE_MAX = 300


def _is_idea(thread: Thread) -> bool:
    return Category.objects.filter(pk=thread.category_id, is_ideas=True).exists()


def _check_is_idea(thread: Thread) -> None:
    if not _is_idea(thread):
        raise ValidationError(_("This thread is not an idea, so it takes no votes or status."), code="not_an_idea")


def _locked_idea(thread: Thread):
    """The thread's Idea row, made if missing, under its row lock (votes and status changes wait on each other)."""
    from forums.models import Idea

    Idea.objects.bulk_create([Idea(thread_id=thread.pk)], ignore_conflicts=True)
    return Idea.objects.select_for_update().get(pk=thread.pk)


def idea_vote(*, thread: Thread, member) -> bool:
    """Vote for an idea once; False when the member had voted already (nothing changes)."""
    from forums.models import Idea, IdeaVote

    _check_is_idea(thread)
    with transaction.atomic():
        page_cache.thread_changed(thread.pk)
        idea = _locked_idea(thread)
        try:
            with transaction.atomic():
                IdeaVote.objects.create(idea=idea, member=member, created_at=timezone.now())
        except IntegrityError:
            return False
        Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") + 1)
    return True


def idea_unvote(*, thread: Thread, member) -> bool:
    """Take a vote back; False when there was none."""
    from forums.models import Idea, IdeaVote

    _check_is_idea(thread)
    with transaction.atomic():
        page_cache.thread_changed(thread.pk)
        idea = _locked_idea(thread)
        deleted, _detail = IdeaVote.objects.filter(idea=idea, member=member).delete()
        if not deleted:
            return False
        Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") - 1)
    return True


def validate_idea_status(status: str, note: str) -> tuple[str, str]:
    from forums.models import IdeaStatus

    if status not in IdeaStatus.values:
        raise ValidationError(_("Choose one of the statuses offered."), code="unknown_status")
    note = plain_line(note or "")
    if len(note) > IDEA_NOTE_MAX:
        raise ValidationError(
            _("A status note can be at most %(max)d characters; this one has %(count)d.") % {"max": IDEA_NOTE_MAX, "count": len(note)},
            code="note_length",
        )
    return status, note


def idea_set_status(*, thread: Thread, member, status: str, note: str = ""):
    """Set an idea's status and public note; voters and the author hear of a new status (after commit)."""
    from forums.models import Idea

    status, note = validate_idea_status(status, note)
    _check_is_idea(thread)
    now = timezone.now()
    with transaction.atomic():
        page_cache.thread_changed(thread.pk)
        idea = _locked_idea(thread)
        previous = idea.status
        if (previous, idea.status_note) == (status, note):
            return idea
        Idea.objects.filter(pk=idea.pk).update(
            status=status, status_note=note, status_changed_at=now, status_changed_by=member,
            staff_answered_at=idea.staff_answered_at or now,
        )
        if previous != status:
            transaction.on_commit(lambda: signals.idea_status_changed.send(
                sender=Idea, thread_id=thread.pk, author_id=thread.author_id, category_id=thread.category_id,
                previous_status=previous, status=status, changed_by_id=member.pk,
            ))
    idea.refresh_from_db()
    return idea


def idea_note_staff_answer(*, thread_id: int, answered_at) -> bool:
    """A manager or moderator replied in an idea (the caller judged the role): the first such moment is kept. One upsert."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO forums_idea (thread_id, status, status_note, vote_count, staff_answered_at)
            SELECT t.id, 'new', '', 0, %s FROM forums_thread t JOIN forums_category c ON c.id = t.category_id
            WHERE t.id = %s AND c.is_ideas
            ON CONFLICT (thread_id) DO UPDATE SET staff_answered_at = EXCLUDED.staff_answered_at
            WHERE forums_idea.staff_answered_at IS NULL OR forums_idea.staff_answered_at > EXCLUDED.staff_answered_at
            """,
            [answered_at, thread_id],
        )
        return cursor.rowcount > 0


def announcements_category() -> Category | None:
    """Where announcements go: the first read-only category."""
    return Category.objects.filter(is_read_only=True).order_by("position", "pk").first()


def idea_announce(*, thread: Thread, member) -> Thread:
    """Post a short announcement thread, in the read-only announcements category, for an idea that is done; once."""
    from forums.models import Idea, IdeaStatus

    _check_is_idea(thread)
    category = announcements_category()
    if category is None:
        raise ValidationError(_("There is no read-only announcements category to post in."), code="no_announcements")
    with transaction.atomic():
        page_cache.thread_changed(thread.pk)
        idea = _locked_idea(thread)
        if idea.status != IdeaStatus.DONE:
            raise ValidationError(_("Only an idea that is done can be announced."), code="not_done")
        if idea.announcement_id is not None:
            raise ValidationError(_("This idea was announced already."), code="announced")
        body = _("The idea “%(title)s” is done.") % {"title": thread.title}
        if idea.status_note:
            body += "\n\n" + idea.status_note
        body += "\n\n" + _("Read the idea and its discussion: [%(title)s](%(url)s)") % {
            "title": thread.title, "url": thread.get_absolute_url()}
        title = _("Done: %(title)s") % {"title": thread.title}
        announcement = thread_create(author=member, category=category, title=title[:TITLE_MAX], body=body)
        Idea.objects.filter(pk=idea.pk).update(announcement=announcement)
    return announcement
