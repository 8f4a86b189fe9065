"""A member who deleted their account gives up their seats to come (community.members.signals.member_deleted)."""

from django.dispatch import receiver

from community.events import services
from community.members import signals as member_signals


@receiver(member_signals.member_deleted, dispatch_uid="events.member_deleted")
def on_member_deleted(sender, *, member, **kwargs):
    services.member_leave(member=member)
