"""Forum pages. Views parse input, call a selector or service, and render; nothing more."""

import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from forums import answer_promise, fragments, idea_views, permissions, ratelimit, selectors, services, similar
from forums import search as search_selectors
from forums.forms import PostEditForm, ReplyForm, SearchForm, TagForm, ThreadForm
from forums.ideas import idea_panel
from forums.markup import quote_markdown, render_markdown
from forums.models import Category, Post, Tag, Thread
from forums.view_helpers import get_visible_thread, is_htmx


def _thread_list_page(request, *, order, title, category=None, tag=None, template="forums/thread_list.html", extra=None):
    period = request.GET.get("period", "all") if order == "top" else "all"
    if period not in selectors.TOP_PERIODS:
        period = "all"
    status = request.GET.get("status", "all")
    if status not in selectors.SOLVED_STATUSES:
        status = "all"
    page = fragments.thread_list_page(
        member=request.user, order=order, category=category, tag=tag, period=period, status=status,
        page=selectors.page_number(request.GET.get("page")),
    )
    selectors.check_page_exists(page.number, page.items)
    context = {
        "page": page, "threads": page.items, "order": order, "list_title": title,
        "category": category, "tag": tag, "period": period, "top_periods": list(selectors.TOP_PERIODS),
        "status": status, "any_unread": any(thread.is_unread for thread in page.items),
    }
    context.update(extra or {})
    return render(request, template, context)


def latest(request):
    return _thread_list_page(request, order="latest", title=_("Latest"))


def top(request):
    return _thread_list_page(request, order="top", title=_("Top"))


def unanswered(request):
    return _thread_list_page(request, order="unanswered", title=_("Unanswered"))


def category_list(request):
    return render(request, "forums/category_list.html", {"categories": selectors.categories_with_latest()})


def category(request, slug):
    category = get_object_or_404(Category, slug=slug)
    if category.is_ideas:
        return idea_views.idea_list(request, category)
    return _thread_list_page(
        request, order="latest", title=category.name, category=category,
        extra={"can_start_thread": permissions.can_start_thread(request.user, category)},
    )


LISTS_MARKED_READ = {"latest": "forums:latest", "top": "forums:top", "unanswered": "forums:unanswered"}


@login_required
@require_POST
def mark_all_read(request):
    """"Mark all read" on a site-wide list: back to the list it was pressed on."""
    services.mark_all_read(member=request.user)
    messages.success(request, _("Every thread is marked read. New posts from now on will show as new."))
    return redirect(LISTS_MARKED_READ.get(request.POST.get("list"), "forums:latest"))


@login_required
@require_POST
def category_mark_read(request, slug):
    category = get_object_or_404(Category, slug=slug)
    services.mark_all_read(member=request.user, category=category)
    messages.success(request, _("Every thread in %(category)s is marked read.") % {"category": category.name})
    return redirect(category)


def tag_list(request):
    return render(request, "forums/tag_list.html", {
        "tags": selectors.tags_with_counts(), "can_create_tag": permissions.can_create_tag(request.user),
    })


def tag(request, name):
    tag = get_object_or_404(Tag, name=name)
    return _thread_list_page(request, order="latest", title=f"#{tag.name}", tag=tag)


@login_required
def tag_create(request):
    permissions.check_can_create_tag(request.user)
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.tag_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error("name", error)
        else:
            messages.success(request, _("Tag “%(name)s” created.") % {"name": tag.name})
            return redirect("forums:tags")
    return render(request, "forums/tag_form.html", {"form": form})


def search(request):
    form = SearchForm(request.GET)
    number = selectors.page_number(request.GET.get("page"))
    results = filters = None
    if form.is_valid():
        filters = form.filters()
        results = search_selectors.search_posts(form.cleaned_data["q"], filters=filters, order=form.cleaned_data["order"], page=number)
        selectors.check_page_exists(number, results.hits)
    return render(request, "forums/search.html", {
        "form": form, "query": form.cleaned_data.get("q", ""), "results": results, "filters": filters,
        "hits": results.hits if results else [], "page": results.page if results else None,
        "tags": selectors.tags_with_counts().only("name")[:200],
    })


@login_required
def thread_create(request):
    permissions.check_may_write(request.user)
    initial = {}
    if slug := request.GET.get("category"):
        initial["category"] = Category.objects.filter(slug=slug).first()
    form = ThreadForm(request.POST or None, user=request.user, initial=initial)
    if not form.is_bound:
        # The category's template starts the message (when the form kept the category: one the member may post in).
        form.initial["body"] = similar.body_template_for(form.initial.get("category"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ratelimit.check_posting_rate(request.user, "thread")
            permissions.check_can_start_thread(request.user, data["category"])
            thread = services.thread_create(
                author=request.user, category=data["category"], title=data["title"], body=data["body"], tags=data["tags"],
            )
        except ValidationError as error:
            _release_unless_limited(request.user, "thread", error)
            form.add_error(None, error)
        else:
            return redirect(thread)
    # Each offered category's template, so choosing another category swaps its template in (static/js/site.js).
    templates = {str(category.pk): text for category in form.fields["category"].queryset
                 if (text := similar.body_template_for(category))}
    return render(request, "forums/thread_form.html", {"form": form, "tags": Tag.objects.only("name"), "category_templates": templates})


@require_GET
def similar_threads(request):
    """As a thread's title is typed (htmx): threads that may already answer it; an empty fragment for a short title."""
    return render(request, "forums/_similar_threads.html", {"threads": similar.similar_threads(request.GET.get("title", ""))})


def _release_unless_limited(member, kind: str, error: ValidationError) -> None:
    """A post refused for its content was not posted: its rate-limit slot goes back, so the fix can go out at once."""
    if getattr(error, "code", None) not in ("rate_limited", "first_day"):
        ratelimit.release_posting_rate(member, kind)




def thread_redirect(request, thread_id):
    """/t/<id>/ to the thread's full address, keeping the query (?page=, ?quote=)."""
    thread = get_object_or_404(Thread, pk=thread_id, is_deleted=False)
    query = request.GET.urlencode()
    return redirect(f"{thread.get_absolute_url()}?{query}" if query else thread.get_absolute_url())


def thread_detail(request, thread_id, slug):
    thread = get_visible_thread(request, thread_id)
    if slug != thread.slug:
        url = thread.get_absolute_url()
        if request.GET.get("page"):
            url += f"?page={selectors.page_number(request.GET['page'])}"
        return redirect(url, permanent=True)
    return _render_thread(request, thread, reply_form=None)


def _render_thread(request, thread, *, reply_form, status=200):
    user = request.user
    page = selectors.thread_page(thread=thread, member=user, page=selectors.page_number(request.GET.get("page")))
    if user.is_authenticated and page.posts:
        services.thread_mark_read(thread=thread, member=user, up_to_number=page.posts[-1].number)
    permissions.attach_post_abilities(user, thread, page.posts)
    if reply_form is None:
        reply_form = _kept_reply_form(request, thread) or ReplyForm(initial=_quote_initial(request, thread))
    answer = page.accepted_answer
    thread_can = permissions.thread_abilities(user, thread)
    fragments.attach_post_html(request, thread=thread, page=page, thread_abilities=thread_can)
    if answer is not None:
        prefetch_related_objects([answer], "author")  # its author's name heads the answer box (one query, if not loaded)
    return render(request, "forums/thread_detail.html", {
        "thread": thread, "page": page, "posts": page.posts, "reply_form": reply_form,
        "thread_can": thread_can,
        # The answer box shows the answer's text only to those who may see the post itself.
        "answer": answer if answer is not None and permissions.can_see_post(user, answer, thread=thread) else None,
        # Read only when a moderator's tools show it (templates call callables lazily): where they may move it.
        "move_categories": lambda: _categories_moderated_by(user),
        "idea": idea_panel(thread, user) if thread.category.is_ideas else None,
        "promise": answer_promise.for_thread(thread, user),
    }, status=status)


def _categories_moderated_by(user) -> list[Category]:
    scope = permissions.moderated_category_ids(user)
    categories = Category.objects.only("name")
    return list(categories if scope is None else categories.filter(pk__in=scope))


def _quote_initial(request, thread) -> dict:
    """?quote=<post id> starts the reply with that post quoted, if the member may see the post."""
    quote_id = request.GET.get("quote", "").strip()
    if not (quote_id.isascii() and quote_id.isdigit()):  # str.isdigit() also accepts "²", which int() refuses
        return {}
    quoted = Post.objects.filter(pk=quote_id, thread=thread).select_related("author").first()
    if quoted is None or not permissions.can_see_post(request.user, quoted, thread=thread):
        return {}
    return {"body": quote_markdown(username=quoted.author.username, post_url=quoted.get_absolute_url(), body=quoted.body)}


def thread_first_unread(request, thread_id):
    thread = get_object_or_404(Thread, pk=thread_id, is_deleted=False)
    number = selectors.first_unread_number(thread=thread, member=request.user)
    page = selectors.page_of_post_number(number)
    return redirect(f"{thread.get_absolute_url()}?page={page}#post-{number}")


@login_required
@require_POST
def reply_create(request, thread_id):
    thread = get_visible_thread(request, thread_id, to_write_in=True)
    permissions.check_can_reply(request.user, thread)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            ratelimit.check_posting_rate(request.user, "reply")
            post = services.reply_create(thread=thread, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            _release_unless_limited(request.user, "reply", error)
            form.add_error("body", error)
        else:
            return redirect(post)
    # Refused: back to the reply box (post/redirect/get, so reloading does not post again), the text
    # kept and the reason next to it; the page opens scrolled there with the box focused.
    request.session[_KEPT_REPLY.format(thread.pk)] = {"body": request.POST.get("body", "")[:services.BODY_MAX],
                                                       "errors": [str(message) for message in form.errors.get("body", [])]}
    return redirect(f"{thread.get_absolute_url()}?page={thread.page_count}#reply")


_KEPT_REPLY = "forums:kept-reply:{}"


def _kept_reply_form(request, thread) -> ReplyForm | None:
    """The refused reply of the last request, with its reasons and the box focused; None if there was none."""
    kept = request.session.pop(_KEPT_REPLY.format(thread.pk), None) if request.user.is_authenticated else None
    if not kept:
        return None
    form = ReplyForm(data={"body": kept["body"]})
    form.is_valid()
    for message in kept["errors"]:
        if message not in form.errors.get("body", []):
            form.add_error("body", message)
    form.fields["body"].widget.attrs["autofocus"] = True
    return form


def post_redirect(request, post_id):
    post = get_object_or_404(Post.objects.select_related("thread"), pk=post_id)
    if not permissions.can_see_thread(request.user, post.thread):
        raise Http404
    page = selectors.page_of_post_number(post.number)
    return redirect(f"{post.thread.get_absolute_url()}?page={page}#post-{post.number}")


@login_required
def post_edit(request, post_id):
    post = get_object_or_404(Post.objects.select_related("thread"), pk=post_id)
    permissions.check_can_edit_post(request.user, post)
    initial = {"body": post.body}
    if post.is_first:
        initial.update(title=post.thread.title, tags=", ".join(post.thread.tags.values_list("name", flat=True)))
    form = PostEditForm(request.POST or None, post=post, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_edit(post=post, editor=request.user, body=data["body"], title=data.get("title"), tags=data.get("tags"))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(post)
    return render(request, "forums/post_edit.html", {"form": form, "post": post, "tags": Tag.objects.only("name")})


def post_history(request, post_id):
    post = get_object_or_404(Post.objects.select_related("thread", "author"), pk=post_id)
    if not permissions.can_see_thread(request.user, post.thread) or not permissions.can_see_post(request.user, post):
        raise Http404
    revisions = selectors.post_revisions(post)
    versions = []
    # Each revision holds the text before an edit; the text after it is the next revision's (or the current).
    bodies = [revision.previous_body for revision in revisions] + [post.body]
    for index, revision in enumerate(revisions):
        versions.append({"revision": revision, "diff": _diff(bodies[index], bodies[index + 1])})
    return render(request, "forums/post_history.html", {"post": post, "versions": versions})


def _diff(before: str, after: str) -> list[tuple[str, str]]:
    lines = []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = "add" if line.startswith("+") else "remove" if line.startswith("-") else "context"
        lines.append((kind, line))
    return lines


@login_required
@require_POST
def post_delete(request, post_id):
    post = get_object_or_404(Post.objects.select_related("thread"), pk=post_id)
    permissions.check_can_delete_post(request.user, post)
    services.post_delete(post=post, member=request.user)
    if post.is_first:
        messages.success(request, _("The thread was deleted."))
        return redirect(post.thread.category)
    messages.success(request, _("The post was deleted."))
    return redirect(post.thread)


@login_required
@require_POST
def post_like(request, post_id):
    post = get_object_or_404(Post.objects.select_related("thread"), pk=post_id)
    if not permissions.can_see_thread(request.user, post.thread) or not permissions.can_see_post(request.user, post):
        raise Http404
    permissions.check_can_like_post(request.user, post)
    wants_like = request.POST.get("action", "like") != "unlike"
    note = ""
    try:
        changed = services.like_add(post=post, member=request.user) if wants_like else services.like_remove(post=post, member=request.user)
    except ValidationError as error:
        changed, note = False, " ".join(error.messages)
    if not changed and not note:
        note = _("You already like this post.") if wants_like else _("You had not liked this post.")
    post.refresh_from_db(fields=["like_count"])
    post.liked_by_me, post.can_like = wants_like, True
    if is_htmx(request):
        return render(request, "forums/_like_button.html", {"post": post, "note": note})
    if note:
        messages.info(request, note)
    return redirect(post)


@login_required
@require_POST
def thread_watch(request, thread_id):
    thread = get_visible_thread(request, thread_id)
    if request.POST.get("action") == "unwatch":
        services.thread_unwatch(thread=thread, member=request.user)
        watching = False
    else:
        services.thread_watch(thread=thread, member=request.user)
        watching = True
    if is_htmx(request):
        return render(request, "forums/_watch_button.html", {"thread": thread, "is_watching": watching})
    messages.success(request, _("You are watching this thread.") if watching else _("You stopped watching this thread."))
    return redirect(thread)


@login_required
@require_POST
def preview(request):
    body = request.POST.get("body", "")[:services.BODY_MAX]
    rendered = render_markdown(body)
    if not rendered.html:
        return HttpResponse(format_html("<p class='muted'>{}</p>", _("Nothing to preview yet.")))
    try:
        # Said before posting, not after: the limits a post will meet (links for new members).
        services.check_links_allowed(request.user, body)
    except ValidationError as error:
        return HttpResponse(format_html("<p class='error' role='alert'>{}</p>", " ".join(error.messages)))
    return HttpResponse(rendered.html)


@login_required
@require_POST
def answer_accept(request, post_id):
    post = get_object_or_404(Post.objects.select_related("thread"), pk=post_id)
    thread = post.thread
    if not permissions.can_see_thread(request.user, thread) or not permissions.can_see_post(request.user, post):
        raise Http404
    permissions.check_can_accept_answer(request.user, thread)
    try:
        services.answer_accept(thread=thread, post=post, member=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(thread)
    messages.success(request, _("Marked as the answer. Thank you for closing the loop!"))
    return redirect(thread)


@login_required
@require_POST
def answer_unaccept(request, thread_id):
    thread = get_visible_thread(request, thread_id)
    permissions.check_can_accept_answer(request.user, thread)
    services.answer_unaccept(thread=thread, member=request.user)
    messages.success(request, _("The thread is no longer marked as solved."))
    return redirect(thread)
