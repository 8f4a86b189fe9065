"""Domain signals become award jobs: posting only enqueues (after commit, ids only)."""

from django.dispatch import receiver

from community.jobs import enqueue_on_commit
from community.members import signals as member_signals
from forums import signals
from loyalty import tasks


@receiver(signals.thread_created, dispatch_uid="loyalty.thread_created")
def on_thread_created(sender, *, post_id, author_id, category_id, **kwargs):
    enqueue_on_commit(tasks.thread_started, post_id, author_id, category_id)


@receiver(signals.post_created, dispatch_uid="loyalty.post_created")
def on_post_created(sender, *, post_id, author_id, category_id, number, **kwargs):
    if number > 1:
        enqueue_on_commit(tasks.reply_posted, post_id, author_id, category_id)


@receiver(signals.first_response_given, dispatch_uid="loyalty.first_response_given")
def on_first_response(sender, *, post_id, is_newcomer_thread, **kwargs):
    if is_newcomer_thread:
        enqueue_on_commit(tasks.first_response_given, post_id)


@receiver(signals.reaction_added, dispatch_uid="loyalty.reaction_added")
def on_reaction_added(sender, *, post_id, member_id, **kwargs):
    enqueue_on_commit(tasks.like_received, post_id, member_id)


@receiver(signals.reaction_removed, dispatch_uid="loyalty.reaction_removed")
def on_reaction_removed(sender, *, post_id, member_id, **kwargs):
    enqueue_on_commit(tasks.like_removed, post_id, member_id)


@receiver(signals.post_hidden, dispatch_uid="loyalty.post_hidden")
def on_post_hidden(sender, *, post_id, **kwargs):
    enqueue_on_commit(tasks.post_hidden, post_id)


@receiver(signals.answer_accepted, dispatch_uid="loyalty.answer_accepted")
def on_answer_accepted(sender, *, post_id, previous_post_id=None, **kwargs):
    enqueue_on_commit(tasks.answer_accepted, post_id, previous_post_id)


@receiver(signals.answer_unaccepted, dispatch_uid="loyalty.answer_unaccepted")
def on_answer_unaccepted(sender, *, post_id, **kwargs):
    enqueue_on_commit(tasks.answer_unaccepted, post_id)


@receiver(member_signals.profile_updated, dispatch_uid="loyalty.profile_updated")
def on_profile_updated(sender, *, member_id, **kwargs):
    enqueue_on_commit(tasks.profile_updated, member_id)
