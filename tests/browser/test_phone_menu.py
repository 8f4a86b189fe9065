"""The phone works for staff too (issue 10, point 8): at 375 px every section a role may use is in a menu, by
touch and by keyboard, and no page scrolls sideways, the newcomer queue's figures included."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.measure import MEASURE_OVERFLOW
from tests.factories import make_reply, make_thread

PHONE = {"width": 375, "height": 800}
LISTS = ["Latest", "Top", "Unanswered", "Categories", "Tags", "Leaderboard", "Events", "Experts"]
STAFF = ["Review", "Newcomer queue"]
MEMBER_LINKS = ["Profile", "My points and tier", "Rewards", "Buddies", "Notifications", "Settings", "Language", "Email preferences",
                "Email and password"]
# Elements that scroll sideways inside the page: a strip of links or a table wider than the screen.
SIDEWAYS_SCROLLERS = """
() => [...document.querySelectorAll("body *")].filter((element) => {
  const style = getComputedStyle(element);
  return ["auto", "scroll"].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1
    && element.getBoundingClientRect().width > 0 && !element.closest(".post-body");
}).map((element) => element.tagName.toLowerCase() + "." + [...element.classList].join("."))
"""


@pytest.fixture
def thread(newcomer, member, category):
    thread = make_thread(author=newcomer, category=category, title="Is my sourdough starter dead?", body="It smells odd.")
    make_reply(thread=thread, author=member, body="Feed it and wait a day.")
    make_thread(author=newcomer, category=category, title="Which flour for a starter?", body="Rye or wheat?")
    return thread


def _menu(page):
    return page.locator("summary", has_text=re.compile(r"^\W*Menu$"))


def _lists(page):
    return page.get_by_role("navigation", name="Lists")


def _member_menu(page):
    return page.locator("summary[aria-label='Member menu']")


@pytest.mark.parametrize("role, sections", [
    (None, LISTS), ("newcomer", LISTS), ("member", LISTS), ("moderator_in_group", LISTS + STAFF), ("manager", [*LISTS, *STAFF, "Health"]),
])
def test_each_role_finds_its_sections_in_the_phone_menu(new_page, request, thread, role, sections):
    user = request.getfixturevalue(role) if role else None
    page = new_page(user=user, **PHONE)
    page.goto("/")

    # Folded away until asked for: no sideways strip of links.
    expect(_menu(page)).to_be_visible()
    expect(_lists(page)).to_be_hidden()
    _menu(page).click()
    links = _lists(page).get_by_role("link")
    expect(links).to_have_text([re.compile(rf"^{name}\b") for name in sections])
    for link in links.all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (link.inner_text(), box)

    if user is None:
        account = page.get_by_role("navigation", name="Account")
        expect(account.get_by_role("link", name="Log in")).to_be_visible()
        expect(account.get_by_role("link", name="Sign up")).to_be_visible()
    else:
        # One menu at a time: opening the member menu folds the other.
        _member_menu(page).click()
        expect(_lists(page)).to_be_hidden()
        menu = page.locator(".member-menu .menu")
        expect(menu.get_by_role("link")).to_have_text(MEMBER_LINKS)
        expect(menu.get_by_role("button", name="Log out")).to_be_visible()
        page.get_by_role("heading", level=1).click()  # a tap elsewhere closes it
        expect(menu).to_be_hidden()

    # The header search has a row of its own and takes a query.
    search = page.locator("header").get_by_role("searchbox", name="Search")
    assert search.bounding_box()["width"] >= 250
    search.fill("sourdough")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=sourdough"))
    expect(page.get_by_role("link", name=thread.title)).to_be_visible()


@pytest.mark.parametrize("role", ["moderator_in_group", "manager"])
def test_staff_reach_every_section_through_the_phone_menu(new_page, request, thread, role):
    user = request.getfixturevalue(role)
    page = new_page(user=user, **PHONE)
    for name, path, heading in [("Newcomer queue", "/queue/", "Newcomer queue"), ("Review", "/review/", "Review queue"),
                                ("Experts", "/experts/", "Experts"), ("Leaderboard", "/leaderboard/", "Leaderboard"),
                                *([("Health", "/dashboard/", "")] if role == "manager" else [])]:
        page.goto("/")
        _menu(page).click()
        _lists(page).get_by_role("link", name=re.compile(rf"^{name}\b")).click()
        expect(page).to_have_url(re.compile(rf"{re.escape(path)}$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        # The menu shows where the member is, and folds again on the new page.
        expect(_lists(page)).to_be_hidden()
        _menu(page).click()
        expect(_lists(page).get_by_role("link", name=re.compile(rf"^{name}\b"))).to_have_attribute("aria-current", "page")

    for name, path, heading in [("Profile", f"/u/{user.username}/", user.name), ("My points and tier", "/loyalty/", None),
                                ("Notifications", "/notifications/", "Notifications"), ("Settings", "/settings/", "Settings"),
                                ("Language", "/settings/#id_language", "Settings")]:
        page.goto("/")
        _member_menu(page).click()
        page.locator(".member-menu .menu").get_by_role("link", name=name, exact=True).click()
        expect(page).to_have_url(re.compile(rf"{re.escape(path)}$"))
        if heading:
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.get_by_label("Language")).to_be_in_viewport()

    _member_menu(page).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in")).to_be_visible()


def test_the_phone_menu_works_from_the_keyboard(new_page, manager, thread):
    page = new_page(user=manager, **PHONE)
    page.goto("/")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('summary.site-menu-toggle')"):
            break
    expect(_menu(page)).to_be_focused()
    page.keyboard.press("Enter")
    expect(_lists(page)).to_be_visible()
    page.keyboard.press("Tab")
    expect(_lists(page).get_by_role("link", name="Latest")).to_be_focused()
    # Escape folds the menu and gives the focus back to it.
    page.keyboard.press("Escape")
    expect(_lists(page)).to_be_hidden()
    expect(_menu(page)).to_be_focused()
    page.keyboard.press("Space")
    expect(_lists(page)).to_be_visible()
    queue = _lists(page).get_by_role("link", name="Newcomer queue")
    for _ in range(len(LISTS + STAFF)):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim() === 'Newcomer queue'"):
            break
    expect(queue).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/queue/$"))


@pytest.mark.parametrize("role", ["moderator_in_group", "manager"])
def test_no_staff_page_scrolls_sideways_on_a_phone(new_page, request, thread, role):
    user = request.getfixturevalue(role)
    page = new_page(user=user, **PHONE)
    paths = ["/", "/queue/", "/review/", "/moderation/log/", "/experts/", "/leaderboard/", "/notifications/", "/settings/",
             "/loyalty/", thread.get_absolute_url(), f"/u/{thread.author.username}/"]
    problems = {}
    for path in paths:
        assert page.goto(path).status == 200, path
        measured = page.evaluate(MEASURE_OVERFLOW)
        scrollers = page.evaluate(SIDEWAYS_SCROLLERS)
        if measured["scrollWidth"] > measured["innerWidth"] or scrollers:
            problems[path] = {"page": measured["culprits"], "strips": scrollers}
    assert problems == {}
    # The queue's figures: each period's table whole on the screen.
    page.goto("/queue/")
    tables = page.locator("table.figures-table")
    expect(tables.first).to_be_visible()
    for table in tables.all():
        box = table.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
