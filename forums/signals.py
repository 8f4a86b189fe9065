"""Domain signals the forum sends after commit; other apps listen and enqueue Celery tasks with ids."""

from django.dispatch import Signal

# Each is sent with keyword arguments of ids only, e.g.
# post_created(post_id=, thread_id=, author_id=, category_id=, number=): enough for listeners not to query the post back.
thread_created = Signal()
post_created = Signal()
post_edited = Signal()
# A post left sight (hidden by flags or a moderator, or deleted): post_hidden(thread_id=, post_id=, member_id=).
post_hidden = Signal()
# A hidden post is shown again (approved by a moderator), or a deleted one restored: post_unhidden(thread_id=, post_id=).
post_unhidden = Signal()
reaction_added = Signal()
reaction_removed = Signal()
answer_accepted = Signal()
answer_unaccepted = Signal()
first_response_given = Signal()
# The thread's first response from someone other than its author changed after a hide, un-hide,
# delete or move: first_response_changed(thread_id=, post_id= or None, responder_id= or None,
# previous_responder_id= or None, is_newcomer_thread=, category_id=). Listeners read the current
# state back rather than trusting the order in which these arrive.
first_response_changed = Signal()
# A member read a thread up to a post number: thread_read(thread_id=, member_id=, up_to_number=).
# Sent in the request (not after commit: reading is not a transaction).
thread_read = Signal()

# -- Ideas
# A manager or moderator changed an idea's status: idea_status_changed(thread_id=, author_id=, category_id=,
# previous_status=, status=, changed_by_id=). Sent after commit; listeners read the idea back for anything else.
idea_status_changed = Signal()
