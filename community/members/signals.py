"""Domain signals about members, sent after commit with ids only."""

from django.dispatch import Signal

profile_updated = Signal()  # member_id
guidelines_read = Signal()  # member_id: the first time they opened the guidelines (a first step)
