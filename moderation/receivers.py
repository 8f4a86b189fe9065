"""New posts pass the watched words and the newcomer hold (after commit, in the request: it is one small query)."""

from django.dispatch import receiver

from forums import signals
from moderation import watched_words


@receiver(signals.post_created, dispatch_uid="moderation.post_created")
def on_post_created(sender, *, post_id, **kwargs):
    watched_words.review_new_post(post_id)
