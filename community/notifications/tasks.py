"""Notification jobs. Each takes ids and can run twice without a second row or a second email."""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

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
    if post is None:
        return 0
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
