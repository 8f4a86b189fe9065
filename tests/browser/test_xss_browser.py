"""Known XSS vectors posted as Markdown stay inert in a real browser, wherever the site shows them."""

import re

import pytest
from playwright.sync_api import expect

from forums.models import Post
from tests.browser.inert import assert_nothing_injected, poke_every_link_and_image
from tests.factories import make_reply, make_thread
from tests.xss_vectors import XSS_VECTORS

POSTS = len(XSS_VECTORS) + 1  # the opening post holds every vector, then one reply per vector
PAGES = -(-POSTS // 20)


@pytest.fixture
def xss_thread(member, other_member, category):
    thread = make_thread(author=other_member, category=category, title="Every trick in the book", body="\n\n".join(XSS_VECTORS))
    for vector in XSS_VECTORS:
        make_reply(thread=thread, author=member, body=vector)
    return thread


def test_thread_full_of_xss_vectors_is_inert_on_every_page_for_a_visitor(watched_page, xss_thread):
    page = watched_page()
    assert xss_thread.posts.count() == POSTS
    for number in range(1, PAGES + 1):
        page.goto(f"{xss_thread.get_absolute_url()}?page={number}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Every trick in the book")
        first_on_page = (number - 1) * 20 + 1
        expect(page.locator(f"#post-{first_on_page}")).to_be_visible()
        assert_nothing_injected(page)
        poke_every_link_and_image(page)
        assert_nothing_injected(page)
    # The last page holds the posts left over after the full pages of twenty.
    expect(page.locator("section.post")).to_have_count(POSTS - (PAGES - 1) * 20)


def test_xss_vectors_show_up_as_harmless_text(watched_page, xss_thread):
    page = watched_page()
    page.goto(xss_thread.get_absolute_url())
    # Post 2 is the reply with the first vector: raw HTML is escaped, so the reader sees the source text.
    expect(page.locator("#post-2 .post-body")).to_have_text("<script>window.__xss=1;alert(1)</script>")
    expect(page.locator("#post-1 .post-body")).to_contain_text("<img src=x onerror=alert(1)>")
    assert_nothing_injected(page)


def test_thread_full_of_xss_vectors_is_inert_for_a_signed_in_member_who_can_like_and_reply(watched_page, xss_thread, other_member):
    page = watched_page(user=other_member)
    for number in range(1, PAGES + 1):
        page.goto(f"{xss_thread.get_absolute_url()}?page={number}")
        expect(page.locator("#reply").get_by_role("button", name="Reply")).to_be_visible()
        assert_nothing_injected(page)
        poke_every_link_and_image(page)
        assert_nothing_injected(page)


def test_quoting_a_post_full_of_xss_vectors_puts_its_text_in_the_reply_box_and_nothing_runs(watched_page, xss_thread, member):
    first_post = xss_thread.posts.get(number=1)
    page = watched_page(user=member)
    page.goto(f"{xss_thread.get_absolute_url()}?page={PAGES}&quote={first_post.pk}#reply")
    reply_box = page.locator("#reply").get_by_role("textbox")
    expect(reply_box).to_have_value(re.compile(re.escape("> <script>window.__xss=1;alert(1)</script>")))
    assert_nothing_injected(page)


def test_previewing_xss_vectors_in_the_editor_renders_them_inert(watched_page, xss_thread, member):
    page = watched_page(user=member)
    page.goto(f"{xss_thread.get_absolute_url()}?page={PAGES}")
    reply_form = page.locator("#reply")
    reply_form.get_by_role("textbox").fill("Preview check\n\n" + "\n\n".join(XSS_VECTORS))
    reply_form.get_by_role("button", name="Preview").click()
    preview = reply_form.locator(".preview")
    expect(preview).to_contain_text("Preview check")
    expect(preview).to_contain_text("<script>window.__xss=1;alert(1)</script>")
    assert_nothing_injected(page, containers=".preview")
    poke_every_link_and_image(page, containers=".preview")
    assert_nothing_injected(page, containers=".post-body")
    # Previewing posts nothing.
    assert Post.objects.filter(thread=xss_thread).count() == len(XSS_VECTORS) + 1


def test_search_results_and_profile_show_xss_vectors_as_text(watched_page, xss_thread, member):
    page = watched_page()
    page.goto("/search/?q=alert")
    expect(page.locator("li.search-hit").first).to_be_visible()
    expect(page.locator(".snippet mark").first).to_be_visible()
    assert_nothing_injected(page, containers=".snippet")

    page.goto(f"/u/{member.username}/")
    expect(page.locator("li.search-hit").first).to_be_visible()
    assert_nothing_injected(page, containers=".snippet")
