"""Creating and reading notifications. Idempotent by the (recipient, dedupe_key) constraint.

What a member reads is written for them, never in the language or time zone of whoever caused it
(a moderator, a manager, a Celery worker): a notice keeps its message (notifications.messages) and
is put into words when shown; what is written at once (an email) is rendered inside
`in_recipient_language(recipient)`.
"""

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation

from community.jobs import enqueue_on_commit
from community.notifications.models import Delivery, Kind, Notification, Preference, default_delivery
from forums.models import Post

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
GATHERED_KEEP = 50
ALL_KINDS = "all"


def recipient_zone(recipient) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(recipient.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@contextmanager
def in_recipient_language(recipient) -> Iterator[None]:
    """Translate and show times as the recipient chose (language and time zone), whoever is acting."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE), timezone.override(recipient_zone(recipient)):
        yield


def delivery_for(member, kind: str) -> str:
    chosen = Preference.objects.filter(member=member, kind=kind).values_list("delivery", flat=True).first()
    return chosen or default_delivery(kind)


def notify(*, recipient, kind: str, dedupe_key: str, actor=None, thread=None, post=None, text: str = "",
           message: dict | None = None, thread_id: int | None = None) -> Notification | None:
    """Record one event for one member (once, however often it is delivered) and email it if they want it now.

    `message` (notifications.messages.message) is put into words when shown, in the reader's language.
    `thread_id` stands for `thread` where the caller has only the id (another app's row)."""
    if not recipient.is_active or (actor is not None and actor.pk == recipient.pk):
        return None
    now = timezone.now()
    delivery = delivery_for(recipient, kind)
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=recipient, dedupe_key=dedupe_key,
            defaults={"kind": kind, "actor": actor, "thread_id": thread.pk if thread is not None else thread_id, "post": post,
                      "created_at": now, "updated_at": now, "delivery": delivery, "text": text[:300], "message": message or {}},
        )
        if created and delivery == Delivery.IMMEDIATELY:
            from community.notifications.tasks import send_notification_email

            enqueue_on_commit(send_notification_email, notification.pk)
    return notification if created else None


def notify_gathered(*, recipient, kind: str, dedupe_key: str, item: int, actor=None, thread=None, post=None,
                    email: bool = True) -> Notification | None:
    """One row that gathers many events ("3 people liked your post"); adding the same item twice changes nothing.

    A read row comes back as unread when something new is gathered into it.
    """
    if not recipient.is_active or (actor is not None and actor.pk == recipient.pk):
        return None
    now = timezone.now()
    with transaction.atomic():
        notification, created = Notification.objects.select_for_update().get_or_create(
            recipient=recipient, dedupe_key=dedupe_key,
            defaults={"kind": kind, "actor": actor, "thread": thread, "post": post, "created_at": now,
                      "updated_at": now, "delivery": delivery_for(recipient, kind), "gathered": [item]},
        )
        if not created:
            if item in notification.gathered:
                return notification
            notification.gathered = ([*notification.gathered, item])[-GATHERED_KEEP:]
            notification.count += 1
            notification.actor, notification.updated_at, notification.read_at = actor, now, None
            notification.save(update_fields=["gathered", "count", "actor", "updated_at", "read_at"])
        elif email and notification.delivery == Delivery.IMMEDIATELY:
            from community.notifications.tasks import send_notification_email

            enqueue_on_commit(send_notification_email, notification.pk)
    return notification


def mark_read(*, notification: Notification, member) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=member, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, member) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).update(read_at=timezone.now())


def mark_thread_read(*, member_id: int, thread_id: int, up_to_number: int) -> int:
    """The member read a thread up to a post: its notifications about what they have now seen are read.

    One UPDATE on the (recipient, thread) unread index; it runs on every thread page view. Notifications
    about a post further on (page 2, say) stay unread; those about the whole thread (an assignment, a
    newcomer's question) are read. Left unread: moderation notices, whose message is in the notification
    and not on the page, and a batch of several routed questions, which is about other threads too.
    """
    seen_post = Post.objects.filter(pk=OuterRef("post_id"), number__lte=up_to_number)
    return (
        Notification.objects.filter(recipient_id=member_id, thread_id=thread_id, read_at__isnull=True)
        .exclude(kind=Kind.MODERATION).exclude(kind=Kind.EXPERT_ROUTING, count__gt=1)
        .filter(Q(post__isnull=True) | Exists(seen_post))
        .update(read_at=timezone.now())
    )


def supersede_routing(*, recipient, thread_id: int) -> None:
    """An expert asked to answer a thread hears about it once: the assignment takes the place of the
    routing notice for that thread (alone, the notice goes; gathered with other threads, it drops out
    of the batch). Called in the assignment's transaction."""
    rows = Notification.objects.select_for_update().filter(
        recipient=recipient, kind=Kind.EXPERT_ROUTING, gathered__contains=[thread_id])
    for row in rows:
        rest = [item for item in row.gathered if item != thread_id]
        if not rest:
            row.delete()
            continue
        row.gathered, row.count = rest, max(1, row.count - 1)
        if row.thread_id == thread_id:
            row.thread_id = rest[0]
        row.save(update_fields=["gathered", "count", "thread"])


def member_forget(*, member) -> None:
    """A member who deleted their account: their notifications and email choices go. Kudos they sent keep
    their place in the receiver's list, without the words (the one kind whose text is the actor's own)."""
    with transaction.atomic():
        Notification.objects.filter(recipient=member).delete()
        Preference.objects.filter(member=member).delete()
        Notification.objects.filter(actor=member, kind=Kind.KUDOS).update(text="")


def preferences_save(*, member, choices: dict[str, str]) -> None:
    with transaction.atomic():
        for kind, delivery in choices.items():
            Preference.objects.update_or_create(member=member, kind=kind, defaults={"delivery": delivery})


def unsubscribe_token(*, member, kind: str) -> str:
    return signing.dumps({"m": member.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The (member id, kind) a token was made for; raises signing.BadSignature when tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or data.get("k") not in [*Kind.values, ALL_KINDS] or not isinstance(data.get("m"), int):
        raise signing.BadSignature("unexpected token content")
    return data["m"], data["k"]


def unsubscribe(*, member, kind: str) -> None:
    """Stop emails of one kind, or of every kind (ALL_KINDS, the digest's link)."""
    preferences_save(member=member, choices=dict.fromkeys(Kind.values if kind == ALL_KINDS else [kind], Delivery.NEVER))
