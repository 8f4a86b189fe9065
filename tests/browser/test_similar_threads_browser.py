"""Help while writing, in a real browser on a phone (issue 13, point 2): a newcomer types a title and sees the
solved thread that already answers it, and the category's template in the message box."""

from playwright.sync_api import expect

from forums import services
from tests.browser.measure import MEASURE_OVERFLOW
from tests.factories import CategoryFactory, make_reply, make_thread


def test_a_newcomer_typing_a_title_on_a_phone_sees_a_similar_solved_thread(new_page, newcomer, member, other_member):
    help_desk = CategoryFactory(name="Help", slug="help-desk", body_template_en="What I tried:\n\nVersions:",
                                body_template_ru="Что я пробовал:\n\nВерсии:")
    answered = make_thread(author=member, category=help_desk, title="Kettle keeps whistling after descaling")
    services.answer_accept(thread=answered, post=make_reply(thread=answered, author=other_member), member=member)
    make_thread(author=member, category=help_desk, title="Garden hose question")

    page = new_page(user=newcomer, width=375, height=800)
    page.goto("/t/new/?category=help-desk")
    expect(page.get_by_label("Message")).to_have_value("What I tried:\n\nVersions:")
    title = page.get_by_label("Title")
    title.press_sequentially("My kettle whis", delay=20)
    suggestions = page.locator("#similar-threads")
    expect(suggestions.get_by_text("Your question may already have an answer")).to_be_visible()
    expect(suggestions.get_by_role("link", name="Kettle keeps whistling after descaling")).to_be_visible()
    expect(suggestions.get_by_text("Solved")).to_be_visible()
    expect(suggestions.get_by_role("link")).to_have_count(1)
    measured = page.evaluate(MEASURE_OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured

    title.fill("Kettle")  # under ten characters: the suggestions go
    expect(suggestions.get_by_role("link")).to_have_count(0)


def test_choosing_another_category_swaps_its_template_in_but_never_over_what_was_written(new_page, newcomer):
    # Left out at first: the template came only with the category in the address, not on choosing one in the form.
    CategoryFactory(name="Bugs", slug="bugs", position=1, body_template_en="Steps to reproduce:")
    CategoryFactory(name="Help", slug="help-desk", position=2, body_template_en="What I tried:\n\nVersions:")
    CategoryFactory(name="Chat", slug="chat", position=3)
    page = new_page(user=newcomer)
    page.goto("/t/new/?category=bugs")
    message, category = page.get_by_label("Message"), page.get_by_label("Category")
    expect(message).to_have_value("Steps to reproduce:")
    category.select_option(label="Help")
    expect(message).to_have_value("What I tried:\n\nVersions:")
    category.select_option(label="Chat")
    expect(message).to_have_value("")
    message.fill("My own words")
    category.select_option(label="Help")
    expect(message).to_have_value("My own words")
