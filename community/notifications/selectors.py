"""Read queries for notifications."""

from django.urls import reverse

from community.notifications.models import Kind, Notification, Preference, default_delivery

PER_PAGE = 30


def unread_count(member) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def notifications_page(member, *, page: int) -> tuple[list[Notification], bool]:
    """One page of the member's notifications, newest activity first, and whether more follow."""
    start = (page - 1) * PER_PAGE
    rows = list(
        Notification.objects.filter(recipient=member)
        .select_related("actor", "thread", "post", "recipient")
        .only("recipient__username",
            # `message` too: the notices put into words when shown (moderation, events, buddies…) read it per row.
            "kind", "count", "created_at", "updated_at", "read_at", "dedupe_key", "recipient_id", "text", "message",
            "actor__username", "actor__display_name", "thread__title", "thread__slug", "post__number", "post__thread_id",
        )
        .order_by("-updated_at", "-id")[start:start + PER_PAGE + 1]
    )
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def preferences_of(member) -> dict[str, str]:
    chosen = dict(Preference.objects.filter(member=member).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, default_delivery(kind)) for kind in Kind.values}


def target_url(notification: Notification) -> str:
    if notification.kind == Kind.QUEUE_OVERDUE:
        return reverse("triage:queue") + "?overdue=on"
    if notification.kind == Kind.QUEUE_HALF:
        return reverse("triage:queue")
    if notification.kind == Kind.EXPERT_ROUTING and notification.count > 1:
        return reverse("forums:unanswered")
    if notification.kind == Kind.MODERATION and notification.dedupe_key.startswith("nomination:"):
        return reverse("moderation:invitation")
    if notification.kind in (Kind.BADGE, Kind.TIER_CHANGED, Kind.CELEBRATION):
        return reverse("loyalty:home")
    if notification.kind == Kind.EVENT and notification.dedupe_key.startswith("event:"):
        event_id = notification.dedupe_key.split(":")[1]
        if event_id.isdigit():
            return reverse("events:detail", args=[int(event_id)])
    if notification.kind == Kind.WELCOME:
        return reverse("welcome")
    if notification.kind == Kind.KUDOS:
        return reverse("members:profile", args=[notification.recipient.username])
    if notification.kind == Kind.BUDDY and not notification.post_id:
        return reverse("buddies:home")
    if notification.post_id:
        return reverse("forums:post", args=[notification.post_id])
    if notification.thread_id:
        return reverse("forums:thread_short", args=[notification.thread_id])
    return reverse("notifications:list")
