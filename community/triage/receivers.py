"""A new thread by a newcomer goes to the experts in its tags; anything that can change the queue bumps its version."""

from django.dispatch import receiver

from community.jobs import enqueue_on_commit
from community.members import signals as member_signals
from community.triage import live, services, tasks
from forums import signals


@receiver(signals.thread_created, dispatch_uid="triage.thread_created")
def on_thread_created(sender, *, thread_id, **kwargs):
    enqueue_on_commit(tasks.route_newcomer_thread, thread_id)


# What can add a row to the queue or take one out (a first reply, a hide, a delete, a move): open queue pages
# reload their rows within 10 s (community.triage.live). Over-bumping costs one reload; missing one a stale row.
@receiver(signals.thread_created, dispatch_uid="triage.live.thread_created")
@receiver(signals.post_created, dispatch_uid="triage.live.post_created")
@receiver(signals.post_hidden, dispatch_uid="triage.live.post_hidden")
@receiver(signals.post_unhidden, dispatch_uid="triage.live.post_unhidden")
@receiver(signals.first_response_changed, dispatch_uid="triage.live.first_response_changed")
def on_queue_change(sender, **kwargs):
    live.bump()


# Sent in the deletion's transaction, with the member: what they held goes back to the queue there too.
@receiver(member_signals.member_deleted, dispatch_uid="triage.member_deleted")
def on_member_deleted(sender, *, member, **kwargs):
    services.member_release(member=member)
