"""A member who confirms their email address is welcomed, by a note signed by a real community manager."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver
from django.utils.translation import gettext_noop

from community import permissions
from community.models import SitePage
from community.notifications.messages import message
from community.notifications.models import Kind
from community.notifications.services import notify


@receiver(email_confirmed, dispatch_uid="members.welcome")
def welcome_on_confirmation(request, email_address, **kwargs):
    member = email_address.user
    page = SitePage.objects.select_related("updated_by").filter(slug="welcome").first()
    signer = page.updated_by if page and page.updated_by and page.updated_by.is_active else permissions.managers().order_by("pk").first()
    said = message(gettext_noop("Welcome to Roundtable, %(name)s! A note from %(signer)s, and your first steps."),
                   name=member.name, signer=signer.name if signer else "Roundtable")
    # Once per member, however often an address is confirmed (the dedupe key).
    notify(recipient=member, kind=Kind.WELCOME, dedupe_key="welcome", actor=signer, message=said)
