"""Buddies in a real browser: a Regular offers to be a buddy from a phone, fixing a typo the page points out; the
newcomer matched to them finds their buddy from the first-steps card. Nothing scrolls sideways at 375 px or on a desktop."""

from playwright.sync_api import expect

from community.buddies import services
from community.members.models import Tier
from tests.browser.measure import MEASURE_OVERFLOW
from tests.factories import TagFactory, UserFactory, make_newcomer


def _fits(page) -> bool:
    measured = page.evaluate(MEASURE_OVERFLOW)
    return measured["scrollWidth"] <= measured["innerWidth"]


def test_a_regular_offers_to_be_a_buddy_from_a_phone_and_the_newcomer_finds_them(new_page):
    python = TagFactory(name="python")
    TagFactory(name="django")
    regular = UserFactory(username="bea", display_name="Bea Buddy", tier=Tier.REGULAR)
    page = new_page(user=regular, width=375, height=800)

    page.goto("/buddies/")
    page.get_by_label("Topics you can help with").fill("python, djagno")
    page.get_by_label("At most this many newcomers at once").fill("2")
    page.get_by_role("button", name="Be a buddy").click()
    expect(page.get_by_text("Unknown tags: djagno")).to_be_visible()
    expect(page.get_by_label("Topics you can help with")).to_have_value("python, djagno")  # what was typed is kept
    assert _fits(page)
    page.get_by_label("Topics you can help with").fill("python, django")
    page.get_by_role("button", name="Be a buddy").click()
    expect(page.get_by_text("You are a buddy now")).to_be_visible()
    expect(page.get_by_text("No newcomers yet.")).to_be_visible()

    newcomer = make_newcomer(username="nell", display_name="Nell New", interests=[python])
    services.match_newcomer(newcomer=newcomer)
    page.reload()
    expect(page.locator("#my-newcomers")).to_contain_text("Nell New")
    assert _fits(page)

    newcomer_page = new_page(user=newcomer, width=1280)
    newcomer_page.goto("/")
    newcomer_page.locator("#first-steps-buddy").get_by_role("link", name="@bea").click()
    expect(newcomer_page.locator("#my-buddy")).to_contain_text("Bea Buddy")
    assert _fits(newcomer_page)
