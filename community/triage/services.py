"""Queue actions. Each checks that the thread is waiting in the queue and changes one entry in one transaction."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.notifications.models import Kind
from community.notifications.services import notify, supersede_routing
from community.triage import live
from community.triage.models import QueueEntry
from forums.models import Thread

SNOOZE_CHOICES = ("1h", "4h", "tomorrow")


def _waiting(thread: Thread) -> Thread:
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if not thread.is_newcomer_thread or thread.is_deleted or thread.first_response_at is not None:
        raise ValidationError(_("This thread is no longer waiting in the queue: someone has replied or it was removed."), code="not_waiting")
    return thread


def _entry(thread: Thread) -> QueueEntry:
    entry, _created = QueueEntry.objects.select_for_update().get_or_create(thread=thread)
    return entry


def claim(*, thread: Thread, member) -> QueueEntry:
    with transaction.atomic():
        entry = _entry(_waiting(thread))
        if entry.claimed_by_id and entry.claimed_by_id != member.pk:
            raise ValidationError(
                _("%(name)s claimed this thread %(when)s ago; ask them or wait until they release it.")
                % {"name": entry.claimed_by.name, "when": _since(entry.claimed_at)},
                code="claimed_by_other",
            )
        entry.claimed_by, entry.claimed_at = member, timezone.now()
        entry.save(update_fields=["claimed_by", "claimed_at"])
    live.bump()
    return entry


def unclaim(*, thread: Thread, member, is_manager: bool) -> QueueEntry:
    with transaction.atomic():
        entry = _entry(_waiting(thread))
        if entry.claimed_by_id and entry.claimed_by_id != member.pk and not is_manager:
            raise ValidationError(_("Only %(name)s or a community manager can release this claim.") % {"name": entry.claimed_by.name})
        entry.claimed_by, entry.claimed_at = None, None
        entry.save(update_fields=["claimed_by", "claimed_at"])
    live.bump()
    return entry


def assign(*, thread: Thread, assignee, assigned_by) -> QueueEntry:
    """Give the thread to a member (an expert, usually) and tell them, once: the assignment takes the
    place of the routing notice they may have had for this thread (routing, in turn, skips an assignee;
    the thread's row lock, taken by both, keeps the two from crossing)."""
    if not assignee.is_active:
        raise ValidationError(_("%(name)s is suspended; choose someone else.") % {"name": assignee.username}, code="inactive")
    if assignee.pk == thread.author_id:
        raise ValidationError(_("The thread's author cannot answer their own question."), code="author")
    with transaction.atomic():
        waiting = _waiting(thread)
        entry = _entry(waiting)
        entry.assigned_to, entry.assigned_by, entry.assigned_at = assignee, assigned_by, timezone.now()
        entry.save(update_fields=["assigned_to", "assigned_by", "assigned_at"])
        notify(recipient=assignee, kind=Kind.ASSIGNED, dedupe_key=f"assigned:thread:{waiting.pk}:{assignee.pk}",
               actor=assigned_by, thread=waiting)
        supersede_routing(recipient=assignee, thread_id=waiting.pk)
    live.bump()
    return entry


def snooze(*, thread: Thread, member, duration: str) -> QueueEntry:
    now = timezone.now()
    if duration == "1h":
        until = now + timedelta(hours=1)
    elif duration == "4h":
        until = now + timedelta(hours=4)
    elif duration == "tomorrow":
        zone = zoneinfo.ZoneInfo(member.timezone or "UTC")
        tomorrow = timezone.localtime(now, zone).date() + timedelta(days=1)
        until = datetime.combine(tomorrow, time(9, 0), tzinfo=zone)
    else:
        raise ValidationError(_("Snooze for 1 hour, 4 hours or until tomorrow."), code="snooze")
    with transaction.atomic():
        entry = _entry(_waiting(thread))
        entry.snoozed_until = until
        entry.save(update_fields=["snoozed_until"])
    live.bump()
    return entry


def mark_no_reply_needed(*, thread: Thread, member, reason: str) -> QueueEntry:
    reason = " ".join(reason.split())[:200]
    if len(reason) < 3:
        raise ValidationError(_("Say why no reply is needed (at least 3 characters)."), code="reason")
    with transaction.atomic():
        entry = _entry(_waiting(thread))
        entry.no_reply_needed_at, entry.no_reply_needed_by, entry.no_reply_reason = timezone.now(), member, reason
        entry.save(update_fields=["no_reply_needed_at", "no_reply_needed_by", "no_reply_reason"])
    live.bump()
    return entry


def member_release(*, member) -> int:
    """A member who deleted their account holds no thread: their claims and the threads assigned to them go
    back to the queue, unclaimed and unassigned. Returns how many entries changed."""
    with transaction.atomic():
        released = QueueEntry.objects.filter(claimed_by=member).update(claimed_by=None, claimed_at=None)
        released += QueueEntry.objects.filter(assigned_to=member).update(assigned_to=None, assigned_by=None, assigned_at=None)
    if released:
        live.bump()
    return released


def _since(moment) -> str:
    from django.utils.timesince import timesince

    return timesince(moment) if moment else ""


def first_response_target() -> timedelta:
    return timedelta(hours=settings.TRIAGE_FIRST_RESPONSE_TARGET_HOURS)
