"""New posts pass the watched words and the newcomer hold (after commit, in the request: it is one small query)."""

from allauth.account.signals import user_signed_up
from django.conf import settings
from django.dispatch import receiver

from community.members import signals as member_signals
from forums import signals
from moderation import watched_words


@receiver(signals.post_created, dispatch_uid="moderation.post_created")
def on_post_created(sender, *, post_id, **kwargs):
    watched_words.review_new_post(post_id)


@receiver(user_signed_up, dispatch_uid="moderation.user_signed_up")
def on_user_signed_up(sender, *, request, user, **kwargs):
    if settings.MODERATION_APPROVE_NEW_MEMBERS:
        type(user).objects.filter(pk=user.pk).update(awaiting_approval=True)


# Sent inside the account deletion's transaction, with the member.
@receiver(member_signals.member_deleted, dispatch_uid="moderation.member_deleted")
def on_member_deleted(sender, *, member, **kwargs):
    from moderation import promotion, services

    services.roles_end_for_deleted(member=member)
    promotion.nominations_close_for_deleted(member=member)
