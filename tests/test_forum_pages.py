"""Forum pages as a member sees them: content, constant query counts, and bad input handled."""

import pytest
from django.urls import reverse

from forums import page_cache, services
from forums.models import Post, Reaction, Thread
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_forum(category, member):
    """35 threads with tags, some replies and likes: more than a page of everything."""
    tags = [TagFactory(name=f"topic{i}") for i in range(3)]
    others = [UserFactory() for _ in range(4)]
    threads = []
    for i in range(35):
        thread = make_thread(author=others[i % 4], category=category, title=f"Thread number {i}", tags=tags[: i % 4])
        threads.append(thread)
    big = threads[0]
    for i in range(24):
        reply = make_reply(thread=big, author=others[i % 4], body=f"Reply {i} for @{member.username}")
        if i % 2:
            services.like_add(post=reply, member=member)
    return {"threads": threads, "big": big, "tags": tags}


@pytest.mark.parametrize("url_name", ["forums:latest", "forums:top", "forums:unanswered", "forums:categories", "forums:tags"])
def test_list_pages_run_a_constant_number_of_queries(client, member, busy_forum, url_name, django_assert_max_num_queries):
    client.force_login(member)
    with django_assert_max_num_queries(15):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_category_and_tag_pages_run_a_constant_number_of_queries(client, member, category, busy_forum, django_assert_max_num_queries):
    client.force_login(member)
    with django_assert_max_num_queries(15):
        assert client.get(category.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(busy_forum["tags"][1].get_absolute_url()).status_code == 200


def test_latest_list_query_count_does_not_grow_with_the_page(client, member, category, django_assert_num_queries):
    client.force_login(member)
    make_thread(author=UserFactory(), category=category, tags=[TagFactory(name="a")])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/")  # the day's first visit and celebrations lookup are cached after this
    page_cache.expire_all()  # the rows are built, not taken from forums.fragments
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for i in range(30):
        make_thread(author=UserFactory(), category=CategoryFactory(), title=f"Another {i}", tags=[TagFactory(name=f"b{i}")])
    page_cache.expire_all()
    with CaptureQueriesContext(connection) as thirty:
        client.get("/")
    with CaptureQueriesContext(connection) as kept:
        client.get("/")
    assert len(thirty) == len(one)
    assert len(kept) < len(thirty)  # the kept rows cost no query; the member's unread marks still do


def test_thread_page_runs_a_constant_number_of_queries(client, member, busy_forum, django_assert_max_num_queries):
    client.force_login(member)
    big = busy_forum["big"]
    with django_assert_max_num_queries(15):
        response = client.get(big.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["posts"]) == 20
    with django_assert_max_num_queries(15):
        response = client.get(big.get_absolute_url() + "?page=2")
    assert [p.number for p in response.context["posts"]] == [21, 22, 23, 24, 25]


def test_anonymous_thread_page_is_cheap(client, busy_forum, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get(busy_forum["big"].get_absolute_url()).status_code == 200


def test_latest_shows_threads_newest_activity_first_with_thirty_per_page(client, busy_forum):
    response = client.get("/")
    threads = response.context["threads"]
    assert len(threads) == 30
    assert threads[0].pk == busy_forum["big"].pk
    assert response.context["page"].page_count == 2
    assert len(client.get("/?page=2").context["threads"]) == 5


def test_unread_threads_are_bold_until_read(client, member, other_member, category):
    thread = make_thread(author=other_member, category=category, title="Fresh news")
    client.force_login(member)
    row = client.get("/").context["threads"][0]
    assert row.is_unread and row.first_unread_number == 1
    assert 'class="thread-row unread"' in client.get("/").content.decode()
    client.get(thread.get_absolute_url())
    assert client.get("/").context["threads"][0].is_unread is False
    make_reply(thread=thread, author=other_member)
    assert client.get("/").context["threads"][0].is_unread is True
    response = client.get(reverse("forums:thread_unread", args=[thread.pk]))
    assert response.url == f"{thread.get_absolute_url()}?page=1#post-2"


def test_jump_to_first_unread_goes_to_the_right_page(client, member, busy_forum):
    big = busy_forum["big"]
    client.force_login(member)
    services.thread_mark_read(thread=big, member=member, up_to_number=21)
    response = client.get(reverse("forums:thread_unread", args=[big.pk]))
    assert response.url.endswith("?page=2#post-22")


def test_thread_with_wrong_slug_redirects_to_its_address(client, member, category):
    thread = make_thread(author=member, category=category, title="Right title")
    response = client.get(f"/t/{thread.pk}/wrong/")
    assert response.status_code == 301 and response.url == thread.get_absolute_url()


def test_unknown_thread_is_a_404_in_the_site_look(client):
    response = client.get("/t/999999/anything/")
    assert response.status_code == 404
    assert "couldn" in response.content.decode() and "Roundtable" in response.content.decode()


def test_deleted_thread_is_gone_for_members(client, member, other_member, category):
    thread = make_thread(author=member, category=category)
    services.post_delete(post=thread.posts.get(), member=member)
    client.force_login(other_member)
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert thread not in client.get("/").context["threads"]


# Starting threads and replying --------------------------------------------------------------


def test_member_starts_a_thread(client, member, category):
    TagFactory(name="python")
    client.force_login(member)
    response = client.post("/t/new/", {"category": category.pk, "title": "My first question", "body": "How?", "tags": "python"})
    thread = Thread.objects.get()
    assert response.status_code == 302 and response.url == thread.get_absolute_url()
    assert list(thread.tags.values_list("name", flat=True)) == ["python"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"title": "ab", "body": "kept body text"}, "at least 3 characters"),
        ({"title": "x" * 201, "body": "kept body text"}, "at most 200 characters"),
        ({"title": "A fine title", "body": ""}, "Write something before posting."),
        ({"title": "A fine title", "body": "kept body text", "tags": "python, nosuchtag"}, "Unknown tags: nosuchtag"),
        ({"title": "A fine title", "body": "kept body text", "tags": "a b c d e f"}, "Unknown tags"),
    ],
)
def test_bad_thread_input_gets_a_clear_message_and_keeps_the_text(client, member, category, data, message):
    TagFactory(name="python")
    client.force_login(member)
    response = client.post("/t/new/", {"category": category.pk, **data})
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    if data["body"]:
        assert data["body"] in body
    assert not Thread.objects.exists()


def test_more_than_five_tags_is_refused(client, member, category):
    for name in "abcdef":
        TagFactory(name=name)
    client.force_login(member)
    response = client.post("/t/new/", {"category": category.pk, "title": "Tagged", "body": "text", "tags": "a b c d e f"})
    assert "Choose at most 5 tags." in response.content.decode()
    assert not Thread.objects.exists()


def test_over_long_body_is_refused_and_kept(client, member, category):
    client.force_login(member)
    body = "y" * 50_001
    response = client.post("/t/new/", {"category": category.pk, "title": "Long one", "body": body})
    assert "at most 50000 characters" in response.content.decode()
    assert body in response.content.decode()


def test_members_cannot_post_in_a_read_only_category(client, member, read_only_category):
    client.force_login(member)
    response = client.post("/t/new/", {"category": read_only_category.pk, "title": "Sneaky news", "body": "kept text"})
    body = response.content.decode()
    assert "read-only" in body and "kept text" in body
    assert not Thread.objects.exists()


def test_managers_post_in_a_read_only_category(client, manager, read_only_category):
    client.force_login(manager)
    client.post("/t/new/", {"category": read_only_category.pk, "title": "Real news", "body": "Hello all"})
    assert Thread.objects.get().category == read_only_category


def test_anonymous_visitors_are_sent_to_log_in(client, category):
    response = client.get("/t/new/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert client.post("/t/1/reply/", {"body": "x"}).status_code == 302


def test_member_replies_and_lands_on_the_post(client, member, other_member, category):
    thread = make_thread(author=other_member, category=category)
    client.force_login(member)
    response = client.post(reverse("forums:reply", args=[thread.pk]), {"body": "My answer"})
    assert response.status_code == 302
    post = Post.objects.get(number=2)
    assert client.get(response.url, follow=True).status_code == 200
    assert response.url == reverse("forums:post", args=[post.pk])


def test_empty_reply_keeps_the_form_and_says_why(client, member, other_member, category):
    thread = make_thread(author=other_member, category=category)
    client.force_login(member)
    response = client.post(reverse("forums:reply", args=[thread.pk]), {"body": "   "}, follow=True)
    assert response.redirect_chain == [(f"{thread.get_absolute_url()}?page=1#reply", 302)]
    assert "Write something before posting." in response.content.decode()
    assert Post.objects.count() == 1


def test_reply_to_unknown_thread_is_404(client, member):
    client.force_login(member)
    assert client.post("/t/424242/reply/", {"body": "hello"}).status_code == 404


def test_replying_too_fast_is_refused_with_when_to_retry_and_keeps_text(client, member, other_member, category):
    thread = make_thread(author=other_member, category=category)
    client.force_login(member)
    client.post(reverse("forums:reply", args=[thread.pk]), {"body": "first"})
    response = client.post(reverse("forums:reply", args=[thread.pk]), {"body": "second quickly"}, follow=True)
    body = response.content.decode()
    assert "posting too fast" in body and "second quickly" in body
    assert Post.objects.count() == 2
    # The kept text was for that one page: reloading shows an empty box and posts nothing.
    again = client.get(response.redirect_chain[-1][0]).content.decode()
    assert "second quickly" not in again and Post.objects.count() == 2


def test_preview_tells_a_newcomer_before_posting_that_links_wait(client, newcomer, member):
    client.force_login(newcomer)
    html = client.post(reverse("forums:preview"), {"body": "see [docs](https://example.org)"}).content.decode()
    assert "post links or images yet" in html and "<a " not in html
    client.force_login(member)
    assert "<a " in client.post(reverse("forums:preview"), {"body": "see [docs](https://example.org)"}).content.decode()


def test_newcomers_wait_longer_between_threads(client, newcomer, category):
    client.force_login(newcomer)
    client.post("/t/new/", {"category": category.pk, "title": "First thread", "body": "hello"})
    response = client.post("/t/new/", {"category": category.pk, "title": "Second thread", "body": "again"})
    assert "Please wait 120 seconds" in response.content.decode() or "Please wait 119 seconds" in response.content.decode()
    assert Thread.objects.count() == 1


def test_quote_prefills_the_reply_box(client, member, other_member, category):
    thread = make_thread(author=other_member, category=category, body="Original words")
    post = thread.posts.get()
    client.force_login(member)
    response = client.get(thread.get_absolute_url() + f"?quote={post.pk}")
    assert response.context["reply_form"].initial["body"].startswith(f"> **@{other_member.username}** [wrote](/p/{post.pk}/):")


# Editing, history, deleting ------------------------------------------------------------------


def test_author_edits_and_history_shows_the_change(client, member, category):
    thread = make_thread(author=member, category=category, body="before text")
    post = thread.posts.get()
    client.force_login(member)
    response = client.post(reverse("forums:post_edit", args=[post.pk]), {"title": thread.title, "body": "after text", "tags": ""})
    assert response.status_code == 302
    history = client.get(reverse("forums:post_history", args=[post.pk])).content.decode()
    assert "-before text" in history and "+after text" in history


def test_editing_someone_elses_post_is_forbidden(client, member, other_member, category):
    post = make_thread(author=other_member, category=category, body="theirs").posts.get()
    client.force_login(member)
    assert client.get(reverse("forums:post_edit", args=[post.pk])).status_code == 403
    response = client.post(reverse("forums:post_edit", args=[post.pk]), {"title": "Hijack", "body": "mine"})
    assert response.status_code == 403
    assert "only edit your own posts" in response.content.decode()
    post.refresh_from_db()
    assert post.body == "theirs"


def test_managers_edit_anyones_post(client, manager, other_member, category):
    post = make_thread(author=other_member, category=category).posts.get()
    client.force_login(manager)
    client.post(reverse("forums:reply", args=[post.thread_id]), {"body": "x"})
    response = client.post(reverse("forums:post_edit", args=[post.pk]), {"title": "Fixed title", "body": "fixed"})
    assert response.status_code == 302


def test_bad_edit_keeps_the_text(client, member, category):
    post = make_thread(author=member, category=category).posts.get()
    client.force_login(member)
    response = client.post(reverse("forums:post_edit", args=[post.pk]), {"title": "no", "body": "new words here"})
    assert response.status_code == 200 and "new words here" in response.content.decode()


def test_deleting_someone_elses_post_is_forbidden(client, member, other_member, category):
    post = make_thread(author=other_member, category=category).posts.get()
    client.force_login(member)
    assert client.post(reverse("forums:post_delete", args=[post.pk])).status_code == 403
    post.refresh_from_db()
    assert not post.is_deleted


def test_author_deletes_a_reply_and_sees_a_placeholder(client, member, other_member, category):
    thread = make_thread(author=other_member, category=category)
    reply = make_reply(thread=thread, author=member, body="regrettable")
    client.force_login(member)
    client.post(reverse("forums:post_delete", args=[reply.pk]))
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "This post was deleted." in page and "regrettable" not in page


# Likes and watching ---------------------------------------------------------------------------


def test_like_by_htmx_returns_the_updated_button(client, member, other_member, category):
    post = make_thread(author=other_member, category=category).posts.get()
    client.force_login(member)
    response = client.post(reverse("forums:post_like", args=[post.pk]), {"action": "like"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-pressed="true"' in html and '<span class="like-count">1</span>' in html


def test_liking_twice_says_so_and_counts_once(client, member, other_member, category):
    post = make_thread(author=other_member, category=category).posts.get()
    client.force_login(member)
    client.post(reverse("forums:post_like", args=[post.pk]), {"action": "like"}, HTTP_HX_REQUEST="true")
    response = client.post(reverse("forums:post_like", args=[post.pk]), {"action": "like"}, HTTP_HX_REQUEST="true")
    assert "You already like this post." in response.content.decode()
    assert Reaction.objects.count() == 1
    post.refresh_from_db()
    assert post.like_count == 1


def test_liking_your_own_post_is_forbidden(client, member, category):
    post = make_thread(author=member, category=category).posts.get()
    client.force_login(member)
    response = client.post(reverse("forums:post_like", args=[post.pk]), {"action": "like"})
    assert response.status_code == 403 and not Reaction.objects.exists()


def test_liking_needs_post(client, member, other_member, category):
    post = make_thread(author=other_member, category=category).posts.get()
    client.force_login(member)
    assert client.get(reverse("forums:post_like", args=[post.pk])).status_code == 405


def test_watch_toggle_by_htmx(client, member, other_member, category):
    thread = make_thread(author=other_member, category=category)
    client.force_login(member)
    html = client.post(reverse("forums:watch", args=[thread.pk]), {"action": "watch"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Watching" in html and thread.subscriptions.filter(member=member).exists()
    client.post(reverse("forums:watch", args=[thread.pk]), {"action": "unwatch"}, HTTP_HX_REQUEST="true")
    assert not thread.subscriptions.filter(member=member).exists()


def test_csrf_is_enforced_on_state_changes(member, other_member, category):
    from django.test import Client

    post = make_thread(author=other_member, category=category).posts.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(reverse("forums:post_like", args=[post.pk]), {"action": "like"}).status_code == 403
    assert not Reaction.objects.exists()


# Tags, categories, search, preview ---------------------------------------------------------------


def test_only_managers_create_tags(client, member, manager):
    client.force_login(member)
    assert client.post("/tags/new/", {"name": "newtag"}).status_code == 403
    client.force_login(manager)
    assert client.post("/tags/new/", {"name": "New Tag"}).status_code == 302
    response = client.post("/tags/new/", {"name": "new-tag"})
    assert "already exists" in response.content.decode()


def test_tag_page_lists_its_threads(client, member, category):
    tag = TagFactory(name="django")
    make_thread(author=member, category=category, title="Tagged thread", tags=[tag])
    make_thread(author=member, category=category, title="Untagged thread")
    titles = [t.title for t in client.get("/tags/django/").context["threads"]]
    assert titles == ["Tagged thread"]


def test_category_list_shows_counts_and_latest(client, member, category):
    thread = make_thread(author=member, category=category, title="Newest here")
    html = client.get("/categories/").content.decode()
    assert "Newest here" in html and thread.get_absolute_url() in html


def test_empty_lists_say_what_to_do(client, member, category):
    client.force_login(member)
    assert "Start the first thread" in client.get(category.get_absolute_url()).content.decode()
    assert "Every thread has a reply" in client.get("/unanswered/").content.decode()


def test_unanswered_lists_threads_without_replies(client, member, other_member, category):
    lonely = make_thread(author=member, category=category, title="Nobody answered")
    answered = make_thread(author=member, category=category, title="Answered")
    make_reply(thread=answered, author=other_member)
    assert [row.pk for row in client.get("/unanswered/").context["threads"]] == [lonely.pk]


def test_top_orders_by_likes(client, member, other_member, category):
    quiet = make_thread(author=member, category=category, title="Quiet")
    liked = make_thread(author=member, category=category, title="Liked")
    services.like_add(post=liked.posts.get(), member=other_member)
    assert [row.pk for row in client.get("/top/?period=week").context["threads"]] == [liked.pk, quiet.pk]


def test_search_finds_english_and_russian_words_ranked_with_highlights(client, member, category):
    make_thread(author=member, category=category, title="Deploying", body="The database migrations finished quickly.")
    make_thread(author=member, category=category, title="Собаки", body="Мои собаки любят гулять в парке.")
    make_thread(author=member, category=category, title="Unrelated", body="Nothing to see.")
    english = client.get("/search/?q=migration").context["hits"]
    assert [hit.post.thread.title for hit in english] == ["Deploying"]
    assert "<mark>migrations</mark>" in english[0].snippet
    russian = client.get("/search/?q=собака").context["hits"]
    assert [hit.post.thread.title for hit in russian] == ["Собаки"]
    assert "<mark>собаки</mark>" in russian[0].snippet


def test_search_matches_thread_titles_and_ranks_title_hits_higher(client, member, category):
    make_thread(author=member, category=category, title="Celery retries explained", body="Long story.")
    make_thread(author=member, category=category, title="Other", body="I also use celery sometimes.")
    hits = client.get("/search/?q=celery").context["hits"]
    assert [hit.post.thread.title for hit in hits] == ["Celery retries explained", "Other"]


def test_search_escapes_what_members_wrote(client, member, category):
    make_thread(author=member, category=category, title="Escaping", body="<script>alert(1)</script> banana")
    response = client.get("/search/?q=banana")
    snippet = response.context["hits"][0].snippet
    assert "<script" not in snippet and "<mark>banana</mark>" in snippet
    assert "<script>alert(1)" not in response.content.decode()


def test_search_without_results_says_so(client):
    assert "Nothing matches" in client.get("/search/?q=zzzz").content.decode()


def test_preview_renders_through_the_pipeline(client, member):
    client.force_login(member)
    html = client.post("/preview/", {"body": "**hi** <script>x</script>"}).content.decode()
    assert "<strong>hi</strong>" in html and "<script>" not in html


def test_unanswered_lists_newcomer_threads_first(client, member, newcomer, category):
    make_thread(author=member, category=category, title="Member question")
    make_thread(author=newcomer, category=category, title="Newcomer question")
    make_thread(author=member, category=category, title="Newest member question")
    titles = [t.title for t in client.get("/unanswered/").context["threads"]]
    assert titles == ["Newcomer question", "Newest member question", "Member question"]


def test_the_short_thread_address_keeps_its_query(client, member, category):
    thread = make_thread(author=member, category=category)
    response = client.get(f"/t/{thread.pk}/?page=1&quote=7")
    assert response.status_code == 302 and response.url == f"{thread.get_absolute_url()}?page=1&quote=7"


def test_the_composer_offers_only_categories_the_member_may_post_in(client, member, manager, category, read_only_category):
    client.force_login(member)
    page = client.get(f"/t/new/?category={read_only_category.slug}").content.decode()
    assert f'<option value="{category.pk}">' in page and f'value="{read_only_category.pk}"' not in page
    other = CategoryFactory(name="Other", slug="other")
    page = client.get(f"/t/new/?category={other.slug}").content.decode()
    assert f'<option value="{other.pk}" selected>' in page  # the one they came from
    client.force_login(manager)
    page = client.get(f"/t/new/?category={read_only_category.slug}").content.decode()
    assert f'<option value="{read_only_category.pk}" selected>' in page


def test_new_thread_in_a_read_only_category_is_offered_only_to_those_who_may(client, member, manager, read_only_category):
    # Found walking the demo: members in Announcements were sent to the composer "for Announcements".
    client.force_login(member)
    page = client.get(read_only_category.get_absolute_url()).content.decode()
    assert f"?category={read_only_category.slug}" not in page and "Start the first thread" not in page
    client.force_login(manager)
    page = client.get(read_only_category.get_absolute_url()).content.decode()
    assert f'href="/t/new/?category={read_only_category.slug}"' in page


@pytest.mark.parametrize("url", ["/?page=999999", "/top/?page=999", "/unanswered/?page=999", "/c/help/?page=999"])
def test_a_list_page_past_the_end_is_not_a_false_empty_list(client, member, category, url):
    make_thread(author=member, category=category)
    response = client.get(url)
    assert response.status_code == 404 and "No threads here yet" not in response.content.decode()


def test_notifications_and_the_log_pages_past_the_end_are_not_there(client, manager):
    client.force_login(manager)
    assert client.get("/notifications/?page=999").status_code == 404
    assert client.get("/moderation/log/?page=999").status_code == 404
    assert client.get("/notifications/").status_code == 200  # the first page of nothing is an empty list


def test_the_top_lists_period_links_keep_the_solved_filter(client, member, category):
    # Found walking the demo: /top/?period=week&status=solved linked to ?period=day, dropping "solved".
    make_thread(author=member, category=category)
    page = client.get("/top/?period=week&status=solved").content.decode()
    assert 'href="?period=day&amp;status=solved&amp;page=1"' in page


def test_the_editor_offers_link_syntax_only_to_those_whose_links_are_accepted(client, member, newcomer):
    # Found walking the demo: the hint taught newcomers [link](https://…), which their post was then refused for.
    client.force_login(newcomer)
    page = client.get("/t/new/").content.decode()
    assert "[link](" not in page and "Links open up at tier 1" in page
    client.force_login(member)
    assert "[link](https://…)" in client.get("/t/new/").content.decode()
