"""Domain signals about members, sent after commit with ids only."""

from django.dispatch import Signal

profile_updated = Signal()  # member_id
