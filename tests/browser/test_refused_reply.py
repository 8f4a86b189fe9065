"""A refused reply comes back where the member is looking: the reply box, scrolled to and focused, the text kept."""

import pytest
from playwright.sync_api import expect

from forums.models import Post
from tests.factories import UserFactory, make_reply, make_thread

LINK_REPLY = "Have a look at [the docs](https://docs.example.org/start) for this."


@pytest.mark.parametrize("width, height", [(375, 800), (1280, 900)])
@pytest.mark.parametrize("locale, refusal", [("en-US", "post links or images yet"), ("ru-RU", "ссылки")])
def test_a_refused_reply_is_shown_at_the_reply_box_with_its_text(new_page, newcomer, category, width, height, locale, refusal):
    thread = make_thread(author=UserFactory(), category=category, title="A long conversation")
    for index in range(12):  # a page long enough that the box is far below the top
        make_reply(thread=thread, author=UserFactory(), body=f"Reply number {index}\n\n" + "A line of text. " * 40)
    page = new_page(user=newcomer, width=width, height=height, locale=locale)
    page.goto(thread.get_absolute_url())
    box = page.locator("#reply textarea")
    box.fill(LINK_REPLY)
    page.locator("#reply button[type=submit]").click()

    expect(page).to_have_url(f"{page.url.split('#')[0].split('?')[0]}?page=1#reply")
    expect(box).to_have_value(LINK_REPLY)
    expect(box).to_be_focused()
    error = page.locator("#reply .error")
    expect(error).to_contain_text(refusal)
    expect(error).to_be_in_viewport()
    posts_before = Post.objects.count()
    page.reload()  # reloading does not post again
    expect(page.locator("#reply .error")).to_have_count(0)
    assert Post.objects.count() == posts_before


def test_preview_warns_a_newcomer_about_links_before_posting(new_page, newcomer, category):
    thread = make_thread(author=UserFactory(), category=category)
    page = new_page(user=newcomer)
    page.goto(thread.get_absolute_url())
    page.locator("#reply textarea").fill(LINK_REPLY)
    page.locator("#reply").get_by_role("button", name="Preview").click()
    preview = page.locator("#reply .preview")
    expect(preview).to_contain_text("post links or images yet")
    expect(preview.locator("a")).to_have_count(0)
