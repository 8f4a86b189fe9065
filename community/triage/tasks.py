"""Routing a newcomer's thread to the experts in its tags who can take it, at most one notification per expert per batch window."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from community import permissions
from community.expertise import selectors as expertise_selectors
from community.expertise import services as expertise_services
from community.expertise.selectors import WEEK, experts_for_tags
from community.jobs import job
from community.notifications import services
from community.notifications.models import Kind, Notification
from community.triage.models import QueueEntry
from community.triage.selectors import in_queue
from forums.models import Thread

# At most this many experts hear of one thread, the least loaded first. Three, not every expert of the
# tag: one who turns out slow or goes away still leaves two, while telling every expert about every
# question piles the load on the few who always answer and teaches the rest that someone else will.
# A tag with fewer available experts tells all of them; a thread's experts are counted once (a job run
# twice, or retried, fills only the places left).
EXPERTS_PER_THREAD = 3


@job(name="triage.route_newcomer_thread")
def route_newcomer_thread(thread_id: int) -> int:
    """Tell the experts in the thread's tags who can take it: not away, under their weekly cap, the least
    loaded first (fewest questions routed to them in the last 7 days), at most EXPERTS_PER_THREAD.

    Each expert is decided in a transaction holding the thread's row and the expert's availability row:
    an expert who set "away" or a cap a moment ago (their change holds the same lock) is judged on it,
    and two routings for one expert count against the cap one after the other. A RoutedQuestion row,
    unique per expert and thread, makes a second run tell nobody twice.

    An expert told within the batch window gets this thread gathered into that unread notification
    instead of a new one ("3 new questions"). An expert already asked to answer this thread
    (community.triage.services.assign) has heard of it: they are skipped. Returns how many were told."""
    thread = Thread.objects.select_related("author").filter(pk=thread_id, is_newcomer_thread=True, is_deleted=False).first()
    if thread is None:
        return 0
    experts = {}
    for members in experts_for_tags(thread.tags.values_list("pk", flat=True)).values():
        for member in members:
            if member.pk != thread.author_id:
                experts[member.pk] = member
    already = expertise_selectors.experts_routed_to(thread.pk)
    places = EXPERTS_PER_THREAD - len(already)
    candidates = [expert for pk, expert in experts.items() if pk not in already]
    if places <= 0 or not candidates:
        return 0
    # A first choice without locks (two queries); each pick is decided again under its lock below.
    now = timezone.now()
    candidate_ids = [expert.pk for expert in candidates]
    availability = expertise_selectors.availability_of(candidate_ids)
    load = expertise_selectors.routed_since(candidate_ids, now - WEEK)
    candidates = [expert for expert in candidates if _can_take(expert, availability.get(expert.pk), load.get(expert.pk, 0), now)]
    candidates.sort(key=lambda expert: (load.get(expert.pk, 0), expert.username.lower(), expert.pk))
    window_start = now - timedelta(minutes=settings.EXPERT_ROUTING_BATCH_MINUTES)
    told = 0
    for expert in candidates:
        if told >= places:
            break
        with transaction.atomic():
            # The thread's row lock orders this against an assignment of the same thread, and against
            # another run of this job (a redelivery running alongside): the places are counted under it.
            list(Thread.objects.select_for_update().filter(pk=thread.pk).values_list("pk", flat=True))
            if len(expertise_selectors.experts_routed_to(thread.pk)) >= EXPERTS_PER_THREAD:
                break
            if _assigned(thread, expert):
                continue
            # The expert's availability, locked: a change of theirs in flight commits first, and is read here.
            now = timezone.now()
            locked = expertise_services.availability_lock(expert)
            if not _can_take(expert, locked, expertise_selectors.routed_this_week(expert, now), now):
                continue
            if not expertise_services.routing_record(expert=expert, thread=thread, now=now):
                continue  # told by an earlier run of this job
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


def _can_take(expert, availability, routed_this_week: int, now) -> bool:
    """Not away today (their own date) and under their weekly cap; no availability row: no limits."""
    if availability is None:
        return True
    if availability.is_away_on(expertise_selectors.expert_today(expert, now)):
        return False
    return availability.weekly_cap is None or routed_this_week < availability.weekly_cap


def _assigned(thread: Thread, expert) -> bool:
    """Asked to answer this thread: its assignee now, or told of an assignment to it before."""
    return (QueueEntry.objects.filter(thread=thread, assigned_to=expert).exists()
            or Notification.objects.filter(recipient=expert, kind=Kind.ASSIGNED, thread=thread).exists())


@job(name="triage.notify_target_breaches")
def notify_target_breaches() -> int:
    """Beat, every 5 minutes: the escalation ladder. A newcomer's thread still waiting at half its category's
    target goes to the community managers and to the moderators of its category; at the target it is breached
    and they hear of it again. Each step is one notification per person per day that gathers its threads
    (a thread is counted once): no storms however many threads wait or how often this runs."""
    from django.contrib.auth import get_user_model

    from community.triage.selectors import with_deadlines
    from moderation.selectors import moderators_of

    now = timezone.now()
    waiting = list(with_deadlines(in_queue(now)).filter(half_at__lte=now)
                   .values_list("pk", "category_id", "breach_at").order_by("created_at"))
    if not waiting:
        return 0
    managers = set(permissions.managers().values_list("pk", flat=True))
    moderators = moderators_of({category_id for _pk, category_id, _at in waiting})
    people = {member.pk: member for member in get_user_model().objects.filter(
        pk__in=managers | set().union(*moderators.values()), is_active=True)}
    day = timezone.localdate(now)
    for thread_id, category_id, breach_at in waiting:
        kind, key = (Kind.QUEUE_OVERDUE, f"overdue:{day}") if breach_at <= now else (Kind.QUEUE_HALF, f"half:{day}")
        for member_id in managers | moderators.get(category_id, set()) | moderators.get(None, set()):
            if member_id in people:
                services.notify_gathered(recipient=people[member_id], kind=kind, dedupe_key=key, item=thread_id)
    return len(waiting)
