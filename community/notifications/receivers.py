"""The forum's domain signals become notification jobs (ids only, after commit); reading a thread reads its notifications."""

from django.dispatch import receiver

from community.jobs import enqueue_on_commit
from community.members import signals as member_signals
from community.notifications import services, tasks
from forums import signals


@receiver(signals.post_created, dispatch_uid="notifications.post_created")
def on_post_created(sender, *, post_id, **kwargs):
    enqueue_on_commit(tasks.notify_post_created, post_id)


@receiver(signals.post_unhidden, dispatch_uid="notifications.post_unhidden")
def on_post_unhidden(sender, *, post_id, **kwargs):
    # A held post a moderator approved is news now; a post shown again after a hide was notified
    # before, and the per-post dedupe key keeps that from repeating.
    enqueue_on_commit(tasks.notify_post_created, post_id)


@receiver(signals.reaction_added, dispatch_uid="notifications.reaction_added")
def on_reaction_added(sender, *, post_id, member_id, **kwargs):
    enqueue_on_commit(tasks.notify_like, post_id, member_id)


@receiver(signals.answer_accepted, dispatch_uid="notifications.answer_accepted")
def on_answer_accepted(sender, *, post_id, accepted_by_id, **kwargs):
    enqueue_on_commit(tasks.notify_answer_accepted, post_id, accepted_by_id)


@receiver(signals.thread_read, dispatch_uid="notifications.thread_read")
def on_thread_read(sender, *, thread_id, member_id, up_to_number, **kwargs):
    # In the request, not a job: one indexed UPDATE, and the bell on the next page is already right.
    services.mark_thread_read(member_id=member_id, thread_id=thread_id, up_to_number=up_to_number)


# -- Ideas


@receiver(signals.idea_status_changed, dispatch_uid="notifications.idea_status_changed")
def on_idea_status_changed(sender, *, thread_id, changed_by_id, **kwargs):
    enqueue_on_commit(tasks.notify_idea_status, thread_id, changed_by_id)


@receiver(signals.post_created, dispatch_uid="notifications.idea_staff_answer")
def on_post_created_in_idea(sender, *, post_id, number, **kwargs):
    # Whether it is an idea, and whether the author answers for the staff, is judged by the job.
    if number > 1:
        enqueue_on_commit(tasks.note_idea_staff_answer, post_id)


# -- A member deleted their account (sent in that transaction, with the member).

@receiver(member_signals.member_deleted, dispatch_uid="notifications.member_deleted")
def on_member_deleted(sender, *, member, **kwargs):
    services.member_forget(member=member)
