"""Domain signals become award jobs: posting only enqueues (after commit, ids only); the jobs settle from the source rows."""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from community.events import signals as event_signals
from community.jobs import enqueue_on_commit
from community.members import signals as member_signals
from forums import signals
from loyalty import award_log, tasks
from loyalty.models import Reason


def _log_after_commit(**event) -> None:
    transaction.on_commit(partial(award_log.append, **event))


# The busiest awards go through the award log (loyalty.award_log); what it writes is checked against
# the post as it is then, so these events are hints, not verdicts. What each earns: loyalty.earnings.
@receiver(signals.thread_created, dispatch_uid="loyalty.thread_created")
def on_thread_created(sender, *, post_id, author_id, category_id, **kwargs):
    _log_after_commit(member_id=author_id, reason=Reason.THREAD_STARTED, source_type="post", source_id=post_id,
                      category_id=category_id, post_id=post_id)


@receiver(signals.post_created, dispatch_uid="loyalty.post_created")
def on_post_created(sender, *, post_id, author_id, category_id, number, **kwargs):
    if number > 1:
        _log_after_commit(member_id=author_id, reason=Reason.REPLY_POSTED, source_type="post", source_id=post_id,
                          category_id=category_id, post_id=post_id)


@receiver(signals.first_response_given, dispatch_uid="loyalty.first_response_given")
def on_first_response(sender, *, post_id, thread_id, responder_id, is_newcomer_thread, category_id, **kwargs):
    if is_newcomer_thread:
        _log_after_commit(member_id=responder_id, reason=Reason.FIRST_REPLY_TO_NEWCOMER, source_type="thread",
                          source_id=thread_id, category_id=category_id, post_id=post_id)


@receiver(signals.reaction_added, dispatch_uid="loyalty.reaction_added")
def on_reaction_added(sender, *, post_id, member_id, **kwargs):
    enqueue_on_commit(tasks.like_received, post_id, member_id)


@receiver(signals.reaction_removed, dispatch_uid="loyalty.reaction_removed")
def on_reaction_removed(sender, *, post_id, member_id, **kwargs):
    enqueue_on_commit(tasks.like_removed, post_id, member_id)


@receiver(signals.post_hidden, dispatch_uid="loyalty.post_hidden")
def on_post_hidden(sender, *, post_id, **kwargs):
    enqueue_on_commit(tasks.post_hidden, post_id)


@receiver(signals.post_unhidden, dispatch_uid="loyalty.post_unhidden")
def on_post_unhidden(sender, *, post_id, **kwargs):
    enqueue_on_commit(tasks.post_unhidden, post_id)


@receiver(signals.first_response_changed, dispatch_uid="loyalty.first_response_changed")
def on_first_response_changed(sender, *, thread_id, **kwargs):
    # Who holds the bonus now is read back from the thread, not taken from the signal.
    enqueue_on_commit(tasks.first_response_changed, thread_id)


@receiver(signals.answer_accepted, dispatch_uid="loyalty.answer_accepted")
def on_answer_accepted(sender, *, post_id, previous_post_id=None, **kwargs):
    enqueue_on_commit(tasks.answer_accepted, post_id, previous_post_id)


@receiver(signals.answer_unaccepted, dispatch_uid="loyalty.answer_unaccepted")
def on_answer_unaccepted(sender, *, post_id, **kwargs):
    enqueue_on_commit(tasks.answer_unaccepted, post_id)


@receiver(member_signals.profile_updated, dispatch_uid="loyalty.profile_updated")
def on_profile_updated(sender, *, member_id, **kwargs):
    enqueue_on_commit(tasks.profile_updated, member_id)


@receiver(member_signals.guidelines_read, dispatch_uid="loyalty.guidelines_read")
def on_guidelines_read(sender, *, member_id, **kwargs):
    # A first step done: tier 1 may follow (loyalty.tiers, min_first_steps); the standing sweep looks within 30 s.
    tasks.refresh_standing(member_id)


# -- Ideas


@receiver(signals.idea_status_changed, dispatch_uid="loyalty.idea_status_changed")
def on_idea_status_changed(sender, *, thread_id, **kwargs):
    enqueue_on_commit(tasks.idea_status_changed, thread_id)


@receiver(signals.post_hidden, dispatch_uid="loyalty.idea_post_hidden")
@receiver(signals.post_unhidden, dispatch_uid="loyalty.idea_post_unhidden")
def on_idea_post_hidden_or_shown(sender, *, thread_id, **kwargs):
    enqueue_on_commit(tasks.idea_shown_or_hidden, thread_id)


# -- Events


@receiver(event_signals.event_attended, dispatch_uid="loyalty.event_attended")
def on_event_attended(sender, *, event_id, member_id, category_id, **kwargs):
    # Sent after the check-in committed: enqueue at once (outside a transaction, on_commit runs now).
    enqueue_on_commit(tasks.event_attended, event_id, member_id, category_id)


# Sent in the deletion's transaction, with the member (not an award: nothing is enqueued).
@receiver(member_signals.member_deleted, dispatch_uid="loyalty.member_deleted")
def on_member_deleted(sender, *, member, **kwargs):
    from loyalty import services

    services.kudos_words_remove(sender=member)
