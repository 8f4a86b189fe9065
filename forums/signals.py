"""Domain signals the forum sends after commit; other apps listen and enqueue Celery tasks with ids."""

from django.dispatch import Signal

# Each is sent with keyword arguments of ids only, e.g.
# post_created(post_id=, thread_id=, author_id=, category_id=, number=): enough for listeners not to query the post back.
thread_created = Signal()
post_created = Signal()
post_edited = Signal()
post_hidden = Signal()
reaction_added = Signal()
reaction_removed = Signal()
answer_accepted = Signal()
answer_unaccepted = Signal()
first_response_given = Signal()
