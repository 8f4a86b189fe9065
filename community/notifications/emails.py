"""Notification emails: plain text and HTML, in the member's language and time zone, with a working unsubscribe link."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from community import permissions
from community.notifications.models import Notification
from community.notifications.selectors import target_url
from community.notifications.services import ALL_KINDS, in_recipient_language, unsubscribe_token


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(member, *, subject: str, template: str, context: dict, unsubscribe_kind: str) -> None:
    with in_recipient_language(member):
        unsubscribe_url = _absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(member=member, kind=unsubscribe_kind)]))
        context = {**context, "member": member, "site_url": settings.SITE_URL, "unsubscribe_url": unsubscribe_url,
                   "settings_url": _absolute(reverse("notifications:settings"))}
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
        message = EmailMultiAlternatives(
            subject=f"[Roundtable] {subject}", body=text, to=[member.email],
            headers={"List-Unsubscribe": f"<{unsubscribe_url}>"},
        )
        message.attach_alternative(html, "text/html")
        message.send()


def notification_subject(notification: Notification) -> str:
    return render_to_string("notifications/email/_subject.txt", {"n": notification}).strip()


def send_notification(notification: Notification) -> None:
    member = notification.recipient
    with in_recipient_language(member):
        subject = notification_subject(notification)
    _send(member, subject=subject, template="notification", unsubscribe_kind=notification.kind,
          context={"n": notification, "url": _absolute(target_url(notification)), "subject": subject,
                   "excerpt": _excerpt(member, notification)})


def _excerpt(member, notification: Notification) -> str:
    """The post's text, if the recipient may still see it (hidden or deleted since: no text leaves)."""
    post = notification.post
    if post is None or not permissions.can_see_post(member, post, thread=notification.thread):
        return ""
    return post.body[:600]


def send_digest(member, notifications: list[Notification]) -> None:
    with in_recipient_language(member):
        items = [{"n": n, "text": notification_subject(n), "url": _absolute(target_url(n))} for n in notifications]
        subject = translation.ngettext(
            "Your daily digest: %(count)d new notification", "Your daily digest: %(count)d new notifications", len(items)
        ) % {"count": len(items)}
    _send(member, subject=subject, template="digest", unsubscribe_kind=ALL_KINDS, context={"items": items, "subject": subject})
