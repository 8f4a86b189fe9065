"""A member who deleted their account is an expert no more (community.members.signals.member_deleted)."""

from django.dispatch import receiver

from community.expertise import services
from community.members import signals as member_signals


@receiver(member_signals.member_deleted, dispatch_uid="expertise.member_deleted")
def on_member_deleted(sender, *, member, **kwargs):
    services.expert_withdraw(member=member)
