"""Sign-up errors sit under their own fields, in English and Russian, on a phone and a desktop."""

import pytest
from playwright.sync_api import expect

from tests.browser.measure import MEASURE_OVERFLOW


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("locale, taken", [
    ("en-US", "A user with that username already exists."),
    ("ru-RU", "Пользователь с таким именем уже существует."),
])
def test_each_sign_up_error_is_under_the_field_it_is_about(new_page, width, locale, taken):
    from tests.factories import UserFactory

    member = UserFactory(username="taken_name")
    page = new_page(width=width, locale=locale)
    page.goto("/accounts/signup/")
    page.locator("input[name=email]").fill("fresh@example.org")
    page.locator("input[name=username]").fill(member.username)  # taken
    page.locator("input[name=password1]").fill("short")
    page.locator("input[name=password2]").fill("short")
    page.locator("form button[type=submit]").last.click()

    username_field = page.locator(".account-field").filter(has=page.locator("input[name=username]"))
    expect(username_field.locator(".field-errors")).to_contain_text(taken)
    email_field = page.locator(".account-field").filter(has=page.locator("input[name=email]"))
    expect(email_field.locator(".field-errors")).to_have_count(0)
    password_field = page.locator(".account-field").filter(has=page.locator("input[name=password1]"))
    expect(password_field.locator(".field-errors")).to_be_visible()
    # Under, not above: the error box starts below its own input.
    below = page.evaluate("""() => {
        const input = document.querySelector('input[name=username]');
        const errors = document.getElementById(input.id + '_error');
        return errors.getBoundingClientRect().top >= input.getBoundingClientRect().bottom; }""")
    assert below
    assert page.locator("input[name=username]").get_attribute("aria-invalid") == "true"
    expect(page.locator("input[name=email]")).to_have_value("fresh@example.org")  # what was typed is kept
    measured = page.evaluate(MEASURE_OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured["culprits"]
