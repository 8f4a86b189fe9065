"""Domain signals about events, sent after commit with ids only."""

from django.dispatch import Signal

event_attended = Signal()  # event_id, member_id, category_id
