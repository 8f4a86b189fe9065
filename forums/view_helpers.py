"""What the forum's views share: finding a thread the visitor may see, and telling htmx requests apart."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from forums import permissions, selectors
from forums.models import Thread


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def get_visible_thread(request, thread_id, *, to_write_in: bool = False) -> Thread:
    """The thread the visitor may see, as its page shows it, or only its row when an action writes to it."""
    try:
        thread = selectors.thread_to_write_in(thread_id) if to_write_in else selectors.thread_for_page(thread_id)
    except Thread.DoesNotExist:
        raise Http404(_("No thread with this number.")) from None
    if not permissions.can_see_thread(request.user, thread):
        raise Http404(_("This thread was deleted."))
    return thread
