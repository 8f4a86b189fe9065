"""The community health dashboard end to end: a manager opens it, changes the period, drills from a funnel
step to the members behind it and downloads a CSV; on a phone and a wide screen, once in Russian. A member is refused."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community.members.models import Tier
from tests.browser.measure import MEASURE_OVERFLOW
from tests.factories import UserFactory, make_manager, make_reply, make_thread

WORDS = {
    "en-US": {"nav": "Health", "title": "Community health", "period": "Period", "seven": "Last 7 days", "show": "Show", "step": "First post",
              "csv": "Download CSV", "bound": "lower bound"},
    "ru-RU": {"nav": "Здоровье", "title": "Здоровье сообщества", "period": "Период", "seven": "Последние 7 дн.", "show": "Показать",
              "step": "Первое сообщение", "csv": "Скачать CSV", "bound": "нижняя граница"},
}


def _no_sideways_scroll(page, width):
    measured = page.evaluate(MEASURE_OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"] == width, f"{page.url} scrolls sideways: {measured}"


@pytest.mark.parametrize("width, locale", [(1280, "en-US"), (375, "en-US"), (375, "ru-RU")])
def test_manager_reads_the_dashboard_drills_down_and_downloads_a_csv(new_page, db, width, locale, category):
    words = WORDS[locale]
    manager = make_manager(username="mia", tier=Tier.LEADER, date_joined=timezone.now() - timedelta(days=400))
    helper = UserFactory(username="helper", tier=Tier.REGULAR, date_joined=timezone.now() - timedelta(days=300))
    newcomer = UserFactory(username="nadia", display_name="Nadia New", tier=Tier.NEWCOMER,
                           date_joined=timezone.now() - timedelta(days=2))
    make_reply(thread=make_thread(author=newcomer, category=category, title="My very first question"), author=helper)
    UserFactory(username="quiet", display_name="Quiet Quentin", tier=Tier.NEWCOMER, date_joined=timezone.now() - timedelta(days=1))

    page = new_page(user=manager, width=width, locale=locale)
    page.goto("/")
    if width < 700:
        page.locator("summary.site-menu-toggle").click()
    page.get_by_role("link", name=words["nav"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])
    expect(page.locator("#headline")).to_be_visible()
    expect(page.get_by_text(words["bound"], exact=False)).to_be_visible()
    _no_sideways_scroll(page, width)

    # The period changes: the address and the sentence under the filters say 7 days.
    page.get_by_label(words["period"]).select_option(label=words["seven"])
    page.get_by_role("button", name=words["show"]).click()
    page.wait_for_url("**/dashboard/?period=7*")
    _no_sideways_scroll(page, width)

    # From the funnel's "First post" step to the members behind it.
    row = page.locator("#funnel-table tr", has=page.get_by_role("rowheader", name=words["step"], exact=True))
    expect(row.locator("td").first).to_have_text("1")
    row.locator("td a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["step"])
    expect(page.get_by_role("link", name="Nadia New")).to_be_visible()
    expect(page.get_by_text("Quiet Quentin")).to_have_count(0)
    _no_sideways_scroll(page, width)

    # Back on the dashboard, the funnel downloads as CSV.
    page.go_back()
    with page.expect_download() as download:
        page.locator("#funnel-csv").click()
    assert download.value.suggested_filename == "funnel-7d.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[1].split(",")[1:] == ["2", "1", "1"]  # two signed up: one answered fast, one never posted


def test_a_member_is_refused_the_dashboard(new_page, db, member):
    page = new_page(user=member)
    response = page.goto("/dashboard/")
    assert response.status == 403
    page.goto("/")
    expect(page.locator("nav.main-nav a[href='/dashboard/']")).to_have_count(0)
