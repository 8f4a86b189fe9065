"""Notification pages: the list, the bell, email preferences and the no-login unsubscribe."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_POST

from community.notifications import selectors, services
from community.notifications.forms import PreferencesForm
from community.notifications.models import Kind, Notification
from forums.selectors import check_page_exists, page_number

User = get_user_model()


@login_required
def notification_list(request):
    number = page_number(request.GET.get("page"))
    rows, has_more = selectors.notifications_page(request.user, page=number)
    check_page_exists(number, rows)
    for row in rows:
        row.url = selectors.target_url(row)
    return render(request, "notifications/list.html", {"notifications": rows, "page_number": number, "has_more": has_more})


@login_required
def notification_open(request, notification_id):
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    services.mark_read(notification=notification, member=request.user)
    return redirect(selectors.target_url(notification))


@login_required
@require_POST
def notification_mark_read(request, notification_id):
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    services.mark_read(notification=notification, member=request.user)
    if request.headers.get("HX-Request") == "true":
        notification.refresh_from_db()
        return render(request, "notifications/_marked_read.html", {
            "n": notification, "unread_notifications": selectors.unread_count(request.user), "oob": True,
        })
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request):
    count = services.mark_all_read(member=request.user)
    messages.success(request, _("All caught up: %(count)d marked as read.") % {"count": count})
    return redirect("notifications:list")


def _bell_etag(request) -> str | None:
    # The unread count (one indexed count) and the reader's language: unchanged, the answer is a 304.
    if not request.user.is_authenticated:
        return None
    request.unread_count = selectors.unread_count(request.user)
    return f"bell-{request.unread_count}-{request.LANGUAGE_CODE}"


@login_required
@condition(etag_func=_bell_etag)
def bell(request):
    """The bell's count, asked every 60 s by htmx; when the count did not change the answer is a 304."""
    response = render(request, "notifications/_bell.html", {"unread_notifications": request.unread_count})
    patch_cache_control(response, no_cache=True, private=True)
    return response


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, initial=selectors.preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        services.preferences_save(member=request.user, choices=form.cleaned_data)
        messages.success(request, _("Your email preferences are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


def unsubscribe(request, token):
    """Works without logging in: the signed token says who and what."""
    try:
        member_id, kind = services.read_unsubscribe_token(token)
        member = User.objects.get(pk=member_id, is_active=True)
    except (signing.BadSignature, User.DoesNotExist):
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    # Whoever opens the link (signed in or not, any browser) reads the page as the email was written: in the member's language.
    with services.in_recipient_language(member):
        label = _("all notification emails") if kind == services.ALL_KINDS else Kind(kind).label
        if request.method == "POST":
            services.unsubscribe(member=member, kind=kind)
            return render(request, "notifications/unsubscribe.html", {"done": True, "label": label, "member": member})
        return render(request, "notifications/unsubscribe.html", {"label": label, "member": member})
