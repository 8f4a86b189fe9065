"""A new thread by a newcomer goes to the experts in its tags."""

from django.dispatch import receiver

from community.jobs import enqueue_on_commit
from community.triage import tasks
from forums import signals


@receiver(signals.thread_created, dispatch_uid="triage.thread_created")
def on_thread_created(sender, *, thread_id, **kwargs):
    enqueue_on_commit(tasks.route_newcomer_thread, thread_id)
