"""A new member is not buried (issue 10, point 7), seen in the browser: nothing old is bold, and "mark all read" clears the rest."""

import pytest
from playwright.sync_api import expect

from tests.browser.measure import MEASURE_OVERFLOW
from tests.factories import UserFactory, make_reply, make_thread


@pytest.mark.parametrize(("width", "locale", "button", "done"), [
    (375, "ru-RU", "Отметить всё прочитанным", "Все темы отмечены прочитанными"),
    (1280, "en-US", "Mark all read", "Every thread is marked read"),
])
def test_a_new_member_sees_only_what_happened_since_joining(new_page, other_member, category, width, locale, button, done):
    old = make_thread(author=other_member, category=category, title="Discussed long ago")
    make_thread(author=other_member, category=category, title="Quiet since then")
    newcomer = UserFactory(username="fresh", language=locale[:2])
    make_reply(thread=old, author=other_member, body="A reply after the newcomer joined.")
    make_thread(author=other_member, category=category, title="Brand new question")

    page = new_page(user=newcomer, width=width, locale=locale)
    page.goto("/")
    unread = page.locator(".thread-row.unread .thread-title")
    expect(unread).to_have_count(2)
    expect(page.locator(".thread-row.unread", has_text="Quiet since then")).to_have_count(0)

    page.get_by_role("button", name=button).click()
    expect(page.get_by_text(done)).to_be_visible()
    expect(page.locator(".thread-row.unread")).to_have_count(0)
    expect(page.get_by_role("button", name=button)).to_have_count(0)
    measured = page.evaluate(MEASURE_OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"]
