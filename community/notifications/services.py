"""Creating and reading notifications. Idempotent by the (recipient, dedupe_key) constraint."""

from django.core import signing
from django.db import transaction
from django.utils import timezone

from community.jobs import enqueue_on_commit
from community.notifications.models import Delivery, Kind, Notification, Preference, default_delivery

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
GATHERED_KEEP = 50
ALL_KINDS = "all"


def delivery_for(member, kind: str) -> str:
    chosen = Preference.objects.filter(member=member, kind=kind).values_list("delivery", flat=True).first()
    return chosen or default_delivery(kind)


def notify(*, recipient, kind: str, dedupe_key: str, actor=None, thread=None, post=None, text: str = "") -> Notification | None:
    """Record one event for one member (once, however often it is delivered) and email it if they want it now."""
    if not recipient.is_active or (actor is not None and actor.pk == recipient.pk):
        return None
    now = timezone.now()
    delivery = delivery_for(recipient, kind)
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=recipient, dedupe_key=dedupe_key,
            defaults={"kind": kind, "actor": actor, "thread": thread, "post": post, "created_at": now,
                      "updated_at": now, "delivery": delivery, "text": text[:300]},
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
