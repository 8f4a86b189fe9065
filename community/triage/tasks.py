"""Routing a newcomer's thread to the experts in its tags, at most one notification per expert per batch window."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from community import permissions
from community.expertise.selectors import experts_for_tags
from community.jobs import job
from community.notifications import services
from community.notifications.models import Kind, Notification
from community.triage.models import QueueEntry
from community.triage.selectors import in_queue, target
from forums.models import Thread


@job(name="triage.route_newcomer_thread")
def route_newcomer_thread(thread_id: int) -> int:
    """Tell each expert in the thread's tags. An expert told within the batch window gets this thread
    gathered into that unread notification instead of a new one ("3 new questions"). An expert already
    asked to answer this thread (community.triage.services.assign) has heard of it: they are skipped."""
    thread = Thread.objects.select_related("author").filter(pk=thread_id, is_newcomer_thread=True, is_deleted=False).first()
    if thread is None:
        return 0
    experts = {}
    for members in experts_for_tags(thread.tags.values_list("pk", flat=True)).values():
        for member in members:
            if member.pk != thread.author_id:
                experts[member.pk] = member
    window_start = timezone.now() - timedelta(minutes=settings.EXPERT_ROUTING_BATCH_MINUTES)
    told = 0
    for expert in experts.values():
        with transaction.atomic():
            # The thread's row lock orders this against an assignment of the same thread.
            list(Thread.objects.select_for_update().filter(pk=thread.pk).values_list("pk", flat=True))
            if _assigned(thread, expert):
                continue
            recent = (
                Notification.objects.select_for_update()
                .filter(recipient=expert, kind=Kind.EXPERT_ROUTING, read_at__isnull=True, created_at__gte=window_start)
                .order_by("-created_at").first()
            )
            if recent is not None and recent.dedupe_key != f"routing:thread:{thread.pk}":
                services.notify_gathered(recipient=expert, kind=Kind.EXPERT_ROUTING, dedupe_key=recent.dedupe_key,
                                         item=thread.pk, actor=thread.author, email=False)
            else:
                services.notify_gathered(recipient=expert, kind=Kind.EXPERT_ROUTING, dedupe_key=f"routing:thread:{thread.pk}",
                                         item=thread.pk, actor=thread.author, thread=thread)
        told += 1
    return told


def _assigned(thread: Thread, expert) -> bool:
    """Asked to answer this thread: its assignee now, or told of an assignment to it before."""
    return (QueueEntry.objects.filter(thread=thread, assigned_to=expert).exists()
            or Notification.objects.filter(recipient=expert, kind=Kind.ASSIGNED, thread=thread).exists())


@job(name="triage.notify_target_breaches")
def notify_target_breaches() -> int:
    """Beat, every 5 minutes: tell community managers about newcomer threads past the first-response
    target, gathered into one notification per manager per day (a thread is counted once)."""
    now = timezone.now()
    overdue = list(in_queue(now).filter(created_at__lte=now - target()).values_list("pk", flat=True).order_by("created_at"))
    if not overdue:
        return 0
    managers = permissions.managers()
    day = timezone.localdate(now)
    for manager in managers:
        for thread_id in overdue:
            services.notify_gathered(recipient=manager, kind=Kind.QUEUE_OVERDUE, dedupe_key=f"overdue:{day}", item=thread_id)
    return len(overdue)
