"""A thread page learns of new replies without a reload: it asks every 10 s, and most asks cost one indexed query.

The answer carries an ETag made of the thread's reply count and last post time; the browser sends it back
(If-None-Match) and, when nothing changed, the answer is a 304 built from that one primary-key lookup, with
no template and no counting. Only when something changed are the new visible replies counted and the notice
rendered. (A signed-in member's session and user are read first, as on every request.)
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

from forums.models import Post, Thread
from forums.selectors import page_of_post_number

POLL_SECONDS = 10


def _after(request) -> int:
    try:
        return max(0, int(request.GET.get("after", "0")))
    except ValueError:
        return 0


def _etag(request, thread_id: int) -> str | None:
    found = Thread.objects.filter(pk=thread_id, is_deleted=False).values_list("reply_count", "last_posted_at").first()
    if found is None:
        return None
    replies, last = found
    return f"{thread_id}-{replies}-{last.timestamp() if last else 0}-{_after(request)}"


@condition(etag_func=_etag)
def thread_news(request, thread_id: int):
    """"N new replies" since post number `after`, as a fragment for the thread page (empty when none)."""
    thread = Thread.objects.filter(pk=thread_id, is_deleted=False).only("pk", "slug").first()
    if thread is None:
        return HttpResponse("")
    after = _after(request)
    new = Post.objects.filter(thread_id=thread_id, number__gt=after, is_deleted=False, is_hidden=False).count()
    first_new = after + 1
    url = f"{thread.get_absolute_url()}?page={page_of_post_number(first_new)}#post-{first_new}"
    response = render(request, "forums/_thread_news.html", {"new": new, "url": url})
    patch_cache_control(response, no_cache=True, private=True)  # revalidate every time: the ETag makes it cheap
    return response
