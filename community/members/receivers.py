from django.dispatch import receiver

from community.jobs import enqueue_on_commit
from community.members import tasks
from forums import signals


@receiver(signals.post_created, dispatch_uid="members.post_created")
def on_post_created(sender, *, author_id, **kwargs):
    enqueue_on_commit(tasks.refresh_standing, author_id)
