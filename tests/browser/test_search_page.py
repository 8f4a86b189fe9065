"""The search page in a real browser (issue 10, point 6): words and filters, a count, pages that keep
both, plain-text snippets, on a phone and a desktop, in English and in Russian."""

import re

import pytest
from playwright.sync_api import expect

from forums import search
from tests.browser.measure import MEASURE_OVERFLOW
from tests.factories import CategoryFactory, TagFactory, make_reply, make_thread

LONG_WORD = "Supercalifragilisticexpialidocious" * 4


@pytest.fixture
def library(member, other_member, category, monkeypatch):
    """Five threads about a kettle in "Help" (tagged, by `member`), a long-worded one, and one elsewhere."""
    monkeypatch.setattr(search, "HITS_PER_PAGE", 2)
    tag = TagFactory(name="kitchen")
    for number in range(5):
        make_thread(author=member, category=category, tags=[tag], title=f"Kettle question {number}",
                    body=f"# Kettle {number}\n\nMy **kettle** whistles, see [the manual](https://example.com/manual-{number}):\n\n"
                         f"```bash\nkettle --boil {number}\n```")
    odd = make_thread(author=other_member, category=category, title=f"Kettle {LONG_WORD}", body=f"A kettle and {LONG_WORD}.")
    make_reply(thread=odd, author=other_member, body="Another kettle reply.")
    make_thread(author=other_member, category=CategoryFactory(name="Garden", slug="garden"), title="Kettle in the garden",
                body="A kettle outside.")
    return {"tag": tag, "category": category}


def _no_sideways_scroll(page):
    measured = page.evaluate(MEASURE_OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured


@pytest.mark.parametrize("width", [375, 1280])
def test_a_visitor_narrows_a_search_with_filters_and_pages_through_it(new_page, library, member, width):
    page = new_page(width=width, height=800)
    page.goto("/search/")
    expect(page.get_by_text("Type a few words to search every thread and post")).to_be_visible()
    _no_sideways_scroll(page)

    form = page.get_by_role("search", name="Search posts with filters")
    form.get_by_role("searchbox", name="Search for").fill("kettles")
    form.get_by_label("Category").select_option(label="Help")
    form.get_by_label("Tag", exact=True).fill("kitchen")
    form.get_by_label("Author").fill(member.username)
    form.get_by_label("Posted").select_option(label="In the past week")
    form.get_by_label("Sort by").select_option(label="Newest")
    form.get_by_role("button", name="Search").click()

    expect(page.locator(".search-count")).to_contain_text("5 results")
    hits = page.locator("li.search-hit")
    expect(hits).to_have_count(2)
    expect(hits.locator(".thread-title")).to_have_text(["Kettle question 4", "Kettle question 3"])
    snippet = hits.first.locator(".snippet")
    expect(snippet.locator("mark").first).to_have_text(re.compile("^kettle$", re.IGNORECASE))
    for syntax in ("```", "**", "#", "](", "example.com"):
        expect(snippet).not_to_contain_text(syntax)
    expect(page.get_by_text("Page 1 of 3")).to_be_visible()
    _no_sideways_scroll(page)

    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 3")).to_be_visible()
    expect(hits.locator(".thread-title")).to_have_text(["Kettle question 2", "Kettle question 1"])
    # The words and every filter are still set on the next page.
    expect(form.get_by_role("searchbox", name="Search for")).to_have_value("kettles")
    expect(form.get_by_label("Category")).to_have_value("help")
    expect(form.get_by_label("Tag", exact=True)).to_have_value("kitchen")
    expect(form.get_by_label("Author")).to_have_value(member.username)
    expect(form.get_by_label("Posted")).to_have_value("week")
    expect(form.get_by_label("Sort by")).to_have_value("newest")

    page.get_by_role("link", name="Next").click()
    expect(hits.locator(".thread-title")).to_have_text(["Kettle question 0"])
    expect(page.get_by_role("link", name="Next")).to_have_count(0)
    page.get_by_role("link", name="Previous").click()
    expect(page.get_by_text("Page 2 of 3")).to_be_visible()
    expect(form.get_by_label("Tag", exact=True)).to_have_value("kitchen")

    page.get_by_role("link", name="Clear filters").click()
    expect(page.locator(".search-count")).to_contain_text("8 results")
    expect(form.get_by_label("Category")).to_have_value("")
    _no_sideways_scroll(page)


@pytest.mark.parametrize("width", [375, 1280])
def test_a_filter_that_names_nothing_is_shown_beside_its_field_in_russian(new_page, library, width):
    page = new_page(width=width, height=800, locale="ru-RU")
    page.goto("/search/?q=kettle&author=nobody-here&tag=kitchen")
    form = page.get_by_role("search", name="Поиск сообщений с фильтрами")
    expect(form.get_by_label("Автор")).to_have_value("nobody-here")
    expect(form.get_by_label("Автор")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_text("Участника с именем «nobody-here» нет.")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("В фильтре указано то, чего нет")
    expect(page.locator("li.search-hit")).to_have_count(0)
    _no_sideways_scroll(page)

    form.get_by_label("Автор").fill("")
    form.get_by_role("button", name="Поиск").click()
    expect(page.locator(".search-count")).to_contain_text("5 результатов")
    expect(form.get_by_label("Тег", exact=True)).to_have_value("kitchen")
    _no_sideways_scroll(page)


@pytest.mark.parametrize("width", [375, 1280])
def test_filters_alone_list_the_newest_posts_in_russian_and_english(new_page, library, width):
    for locale, count, solved in (("en-US", "2 results", "Solved threads only"), ("ru-RU", "2 результата", "Только решённые темы")):
        page = new_page(width=width, height=800, locale=locale)
        page.goto("/search/?category=help&author=olga")
        expect(page.locator(".search-count")).to_contain_text(count)
        expect(page.locator("li.search-hit .thread-title")).to_have_text([f"Kettle {LONG_WORD}"] * 2)
        expect(page.get_by_label(solved)).not_to_be_checked()
        _no_sideways_scroll(page)
