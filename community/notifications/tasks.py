"""Notification jobs. Each takes ids and can run twice without a second row or a second email."""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from community import permissions
from community.jobs import job
from community.notifications import emails, services
from community.notifications.models import Delivery, Kind, Notification
from forums.models import Mention, Post, Subscription

User = get_user_model()
QUOTED_POST = re.compile(r"^>.*\]\(/p/(\d+)/\)", re.MULTILINE)


@job(name="notifications.notify_post_created")
def notify_post_created(post_id: int) -> int:
    """Mentions, quotes, replies to your thread and replies in threads you watch: one row per member per post."""
    post = Post.objects.select_related("thread", "author").filter(pk=post_id, is_deleted=False).first()
    if post is None or post.is_hidden:
        return 0  # a held or hidden post: its people hear of it if a moderator shows it (post_unhidden)
    thread, key = post.thread, f"post:{post.pk}"
    # Most specific reason first (a quote names its author with @, so it comes before mentions);
    # each member hears about this post once.
    recipients: dict[int, str] = {}
    quoted_ids = [int(pk) for pk in QUOTED_POST.findall(post.body)]
    for member_id in Post.objects.filter(pk__in=quoted_ids, thread=thread).values_list("author_id", flat=True):
        recipients.setdefault(member_id, Kind.QUOTE)
    for member_id in Mention.objects.filter(post=post).values_list("member_id", flat=True):
        recipients.setdefault(member_id, Kind.MENTION)
    if post.number > 1:
        recipients.setdefault(thread.author_id, Kind.REPLY)
        for member_id in Subscription.objects.filter(thread=thread).values_list("member_id", flat=True):
            recipients.setdefault(member_id, Kind.WATCHED_REPLY)
    recipients.pop(post.author_id, None)
    created = 0
    for member in User.objects.filter(pk__in=recipients, is_active=True):
        if not permissions.can_see_post(member, post, thread=thread):
            continue
        if services.notify(recipient=member, kind=recipients[member.pk], dedupe_key=key, actor=post.author, thread=thread, post=post):
            created += 1
    return created


@job(name="notifications.notify_like")
def notify_like(post_id: int, member_id: int) -> None:
    post = Post.objects.select_related("thread", "author").filter(pk=post_id, is_deleted=False).first()
    liker = User.objects.filter(pk=member_id).first()
    if post is None or liker is None:
        return
    services.notify_gathered(recipient=post.author, kind=Kind.LIKE, dedupe_key=f"like:post:{post.pk}", item=liker.pk,
                             actor=liker, thread=post.thread, post=post)


@job(name="notifications.notify_answer_accepted")
def notify_answer_accepted(post_id: int, accepted_by_id: int) -> None:
    post = Post.objects.select_related("thread", "author").filter(pk=post_id).first()
    accepter = User.objects.filter(pk=accepted_by_id).first()
    if post is None:
        return
    services.notify(recipient=post.author, kind=Kind.ANSWER_ACCEPTED, dedupe_key=f"accepted:post:{post.pk}",
                    actor=accepter, thread=post.thread, post=post)


@job(name="notifications.send_notification_email")
def send_notification_email(notification_id: int) -> bool:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",)).select_related("recipient", "actor", "thread", "post")
            .filter(pk=notification_id, emailed_at__isnull=True).first()
        )
        if notification is None or notification.delivery != Delivery.IMMEDIATELY or not notification.recipient.is_active:
            return False
        emails.send_notification(notification)
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


@job(name="notifications.send_daily_digests")
def send_daily_digests() -> int:
    """Beat, daily: one digest job per member with digest notifications not yet emailed."""
    from community.jobs import enqueue_on_commit

    member_ids = list(
        Notification.objects.filter(delivery=Delivery.DIGEST, emailed_at__isnull=True, read_at__isnull=True)
        .values_list("recipient_id", flat=True).distinct()
    )
    for member_id in member_ids:
        enqueue_on_commit(send_digest, member_id)
    return len(member_ids)


@job(name="notifications.send_digest")
def send_digest(member_id: int) -> int:
    since = timezone.now() - timedelta(days=7)
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("recipient", "actor", "thread", "post")
            .filter(recipient_id=member_id, delivery=Delivery.DIGEST, emailed_at__isnull=True, read_at__isnull=True,
                    created_at__gte=since)
            .order_by("-updated_at")[:50]
        )
        if not pending or not pending[0].recipient.is_active:
            return 0
        emails.send_digest(pending[0].recipient, pending)
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(pending)


# -- Ideas


@job(name="notifications.notify_idea_status")
def notify_idea_status(thread_id: int, changed_by_id: int | None) -> int:
    """The idea's voters and author hear its new status (as it stands when the job runs), once per change."""
    from django.utils import translation
    from django.utils.translation import gettext_noop

    from community.notifications.messages import Words, message
    from forums.ideas import voters_of
    from forums.models import Idea, IdeaStatus

    idea = Idea.objects.select_related("thread").filter(pk=thread_id, thread__is_deleted=False).first()
    if idea is None or idea.status_changed_at is None:
        return 0
    thread, changer = idea.thread, User.objects.filter(pk=changed_by_id).first()
    with translation.override("en"):  # the English label is the msgid, put into the reader's language when shown
        status = Words(str(IdeaStatus(idea.status).label))
    if idea.status_note:
        said = message(gettext_noop("The idea “%(title)s” is now %(status)s: %(note)s"), title=thread.title, status=status,
                       note=idea.status_note)
    else:
        said = message(gettext_noop("The idea “%(title)s” is now %(status)s."), title=thread.title, status=status)
    key = f"idea:{thread.pk}:{idea.status}:{idea.status_changed_at:%Y%m%d%H%M%S%f}"
    created = 0
    for member in User.objects.filter(pk__in={thread.author_id, *voters_of(thread.pk)}, is_active=True):
        if services.notify(recipient=member, kind=Kind.IDEA_STATUS, dedupe_key=key, actor=changer, thread=thread, message=said):
            created += 1
    return created


@job(name="notifications.note_idea_staff_answer")
def note_idea_staff_answer(post_id: int) -> bool:
    """A reply in an idea by a manager or moderator of its category is the idea's staff answer, if it is the first."""
    from community import permissions
    from forums.services import idea_note_staff_answer

    post = Post.objects.select_related("thread__category", "author").filter(pk=post_id, number__gt=1, is_deleted=False).first()
    if post is None or not post.thread.category.is_ideas or not permissions.can_set_idea_status(post.author, post.thread):
        return False
    return idea_note_staff_answer(thread_id=post.thread_id, answered_at=post.created_at)


# -- Closing the loop


@job(name="notifications.remind_to_accept")
def remind_to_accept() -> int:
    """Hourly: a newcomer whose question got replies but no accepted answer for 3 days is reminded, once per
    thread (the notification's dedupe key), unless they said no in their settings. Threads older than 30 days
    are left alone: a reminder that late is noise."""
    from django.conf import settings as django_settings
    from django.utils.translation import gettext_noop

    from community.members.models import Profile
    from community.notifications.messages import message
    from forums.selectors import threads_waiting_for_an_accepted_answer

    now = timezone.now()
    threads = list(threads_waiting_for_an_accepted_answer(
        replied_before=now - timedelta(days=django_settings.FORUMS_ACCEPT_REMINDER_DAYS), since=now - timedelta(days=30)))
    declined = set(Profile.objects.filter(user_id__in={t.author_id for t in threads}, remind_to_accept=False)
                   .values_list("user_id", flat=True))
    said = gettext_noop("Did a reply to “%(title)s” answer your question? Mark it as the answer: it helps the next person "
                        "with the same question, and thanks the one who answered.")
    sent = 0
    for thread in threads:
        if thread.author_id in declined:
            continue
        if services.notify(recipient=thread.author, kind=Kind.ACCEPT_REMINDER, dedupe_key=f"accept-reminder:{thread.pk}",
                           thread=thread, message=message(said, title=thread.title)):
            sent += 1
    return sent
