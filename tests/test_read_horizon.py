"""A new member is not buried (issue 10, point 7): what was quiet before sign-up or before "mark all read" is not new."""

from django.urls import reverse

from forums import selectors, services
from forums.models import ReadHorizon
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread


def unread_titles(client, url="/"):
    return {thread.title for thread in client.get(url).context["threads"] if thread.is_unread}


def test_threads_quiet_since_before_sign_up_are_not_new(client, other_member, category):
    make_thread(author=other_member, category=category, title="Old and quiet")
    busy = make_thread(author=other_member, category=category, title="Old but busy")
    newcomer = UserFactory(username="fresh")  # joins after both threads were written
    client.force_login(newcomer)
    assert unread_titles(client) == set()
    assert 'class="thread-row unread"' not in client.get("/").content.decode()

    make_reply(thread=busy, author=other_member)
    assert unread_titles(client) == {"Old but busy"}
    # The jump goes to the first post after sign-up, not to post 1 they were never meant to catch up on.
    response = client.get(reverse("forums:thread_unread", args=[busy.pk]))
    assert response.url.endswith("?page=1#post-2")


def test_thread_page_marks_new_only_posts_after_sign_up(client, other_member, category):
    thread = make_thread(author=other_member, category=category, title="Before and after")
    newcomer = UserFactory(username="fresh")
    make_reply(thread=thread, author=other_member)
    page = selectors.thread_page(thread=thread, member=newcomer, page=1)
    assert [post.is_unread for post in page.posts] == [False, True]


def test_mark_all_read_clears_every_list_until_something_new_is_posted(client, member, other_member, category):
    first = make_thread(author=other_member, category=category, title="First")
    make_thread(author=other_member, category=CategoryFactory(), title="Second")
    client.force_login(member)
    assert unread_titles(client) == {"First", "Second"}
    assert "Mark all read" in client.get("/").content.decode()

    response = client.post(reverse("forums:mark_all_read"), {"list": "unanswered"})
    assert response.status_code == 302 and response.url == reverse("forums:unanswered")
    assert ReadHorizon.objects.filter(member=member, category=None).count() == 1
    assert unread_titles(client) == set()
    assert "Mark all read" not in client.get("/").content.decode()  # nothing left to mark

    make_reply(thread=first, author=other_member)
    assert unread_titles(client) == {"First"}
    client.post(reverse("forums:mark_all_read"))
    assert ReadHorizon.objects.filter(member=member).count() == 1  # moved forward, not a second row
    assert unread_titles(client) == set()


def test_marking_a_category_read_leaves_the_others_alone(client, member, other_member, category):
    elsewhere = CategoryFactory(name="Elsewhere", slug="elsewhere")
    make_thread(author=other_member, category=category, title="In help")
    make_thread(author=other_member, category=elsewhere, title="Not in help")
    client.force_login(member)
    response = client.post(reverse("forums:category_mark_read", args=[category.slug]))
    assert response.url == category.get_absolute_url()
    assert unread_titles(client) == {"Not in help"}
    assert unread_titles(client, category.get_absolute_url()) == set()
    assert "Mark this category read" in client.get(elsewhere.get_absolute_url()).content.decode()


def test_an_older_category_mark_does_not_undo_a_newer_site_mark(client, member, other_member, category):
    thread = make_thread(author=other_member, category=category, title="Marked twice")
    services.mark_all_read(member=member, category=category)
    make_reply(thread=thread, author=other_member)
    services.mark_all_read(member=member)
    client.force_login(member)
    assert unread_titles(client) == set()
    page = selectors.thread_page(thread=thread, member=member, page=1)
    assert not any(post.is_unread for post in page.posts)


def test_marking_read_needs_a_signed_in_member_and_a_post(client, member):
    response = client.post(reverse("forums:mark_all_read"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not ReadHorizon.objects.exists()
    client.force_login(member)
    assert client.get(reverse("forums:mark_all_read")).status_code == 405
    assert not ReadHorizon.objects.exists()
