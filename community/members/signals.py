"""Domain signals about members, sent after commit with ids only (but `member_deleted`: see there)."""

from django.dispatch import Signal

profile_updated = Signal()  # member_id
guidelines_read = Signal()  # member_id: the first time they opened the guidelines (a first step)

# The one signal sent inside the transaction, not after commit, and with the member, not an id: each app removes
# its own part of a deleted member's data (RSVPs, watches, notifications, buddy matches, expertise…) through its
# own services, in the transaction that scrubs the account, so a deletion happens whole or not at all.
# Sent after the scrub: the member is inactive and named "deleted member" by then, so nothing new is sent to
# them and what others are told names nobody. Receivers must not enqueue work that needs the member's data.
member_deleted = Signal()  # member
