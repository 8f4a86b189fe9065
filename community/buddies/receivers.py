"""A newcomer's interests saved, or any post written: a buddy job after commit, with ids only."""

from django.dispatch import receiver

from community.buddies import services, tasks
from community.jobs import enqueue_on_commit
from community.members import signals as member_signals
from forums import signals


@receiver(member_signals.profile_updated, dispatch_uid="buddies.profile_updated")
def on_profile_updated(sender, *, member_id, **kwargs):
    enqueue_on_commit(tasks.match_on_interests, member_id)


# A new thread sends thread_created and post_created (number 1): listening to post_created alone sees every
# post once.
@receiver(signals.post_created, dispatch_uid="buddies.post_created")
def on_post_created(sender, *, post_id, **kwargs):
    enqueue_on_commit(tasks.newcomer_posted, post_id)


# Sent in the deletion's transaction, with the member: their matches end there too.
@receiver(member_signals.member_deleted, dispatch_uid="buddies.member_deleted")
def on_member_deleted(sender, *, member, **kwargs):
    services.member_leave(member=member)
