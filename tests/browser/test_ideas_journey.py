"""Ideas end to end: a member votes for an idea (htmx), a manager marks it planned with a note, the member
is notified (through the real Celery worker) and sees the status on the idea. On a phone and a desktop, and once in Russian."""

import pytest
from playwright.sync_api import expect

from community.members.models import Tier
from community.notifications.models import Kind, Notification
from forums.models import IdeaVote
from tests.browser.measure import MEASURE_OVERFLOW
from tests.conftest import wait_for
from tests.factories import CategoryFactory, UserFactory, make_manager, make_thread

TITLE = "Dark mode for the whole site"
NOTE = "For the spring release"

WORDS = {
    "en": {"vote": "Vote", "voted": "Voted", "status": "Planned",
           "notice": f"The idea “{TITLE}” is now Planned: {NOTE}", "from_team": "From the team:"},
    "ru": {"vote": "Голосовать", "voted": "Голос отдан", "status": "Запланирована",
           "notice": f"Идея «{TITLE}» теперь в статусе «Запланирована»: {NOTE}", "from_team": "От команды:"},
}


def _no_sideways_scroll(page):
    measured = page.evaluate(MEASURE_OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured


@pytest.mark.parametrize("width, language", [(375, "en"), (1280, "en"), (375, "ru")])
def test_member_votes_manager_plans_member_is_told_and_sees_the_status(new_page, celery_worker, width, language):
    words = WORDS[language]
    ideas = CategoryFactory(name="Ideas", slug="ideas", is_ideas=True)
    author = UserFactory(username="dreamer", tier=Tier.MEMBER)
    idea = make_thread(author=author, category=ideas, title=TITLE, body="Reading at night hurts; a dark theme would help.")
    voter = UserFactory(username="voter", tier=Tier.MEMBER, language=language)
    manager = make_manager(username="boss", tier=Tier.LEADER, language="en")

    # The member votes from the ideas list, in place (htmx): the button turns pressed and counts one.
    member_page = new_page(user=voter, width=width, locale="ru-RU" if language == "ru" else "en-US")
    member_page.goto("/c/ideas/")
    row = member_page.locator("li.idea-row").filter(has_text=TITLE)
    button = row.locator("button.idea-vote-button")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_contain_text(words["vote"])
    url_before = member_page.url
    button.click()
    expect(row.locator("button.idea-vote-button")).to_have_attribute("aria-pressed", "true")
    expect(row.locator(".idea-vote-count")).to_have_text("1")
    expect(row.locator("button.idea-vote-button")).to_contain_text(words["voted"])
    assert member_page.url == url_before  # no page load: the button was swapped in place
    assert IdeaVote.objects.filter(idea_id=idea.pk, member=voter).exists()
    if width == 375:
        _no_sideways_scroll(member_page)

    # The manager marks it planned with a note, on the idea's page.
    manager_page = new_page(user=manager)
    manager_page.goto(idea.get_absolute_url())
    manager_page.locator(".idea-tools summary").click()
    manager_page.get_by_label("Status", exact=True).select_option("planned")
    manager_page.get_by_label("Public note (optional)").fill(NOTE)
    manager_page.get_by_role("button", name="Save the status").click()
    expect(manager_page.locator(".idea-panel .idea-status")).to_have_text("Planned")
    expect(manager_page.locator(".idea-panel .idea-note")).to_contain_text(NOTE)

    # The worker writes the notices; the member reads theirs in their own language and opens the idea.
    wait_for(lambda: Notification.objects.filter(recipient=voter, kind=Kind.IDEA_STATUS).exists())
    member_page.goto("/notifications/")
    notice = member_page.locator("a.notification-text").filter(has_text=TITLE)
    expect(notice).to_have_text(words["notice"])
    notice.click()
    expect(member_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    panel = member_page.locator(".idea-panel")
    expect(panel.locator(".idea-status")).to_have_text(words["status"])
    expect(panel.locator(".idea-note")).to_contain_text(words["from_team"])
    expect(panel.locator(".idea-note")).to_contain_text(NOTE)
    expect(panel.locator("button.idea-vote-button")).to_have_attribute("aria-pressed", "true")
    expect(member_page.locator(".idea-tools")).to_have_count(0)  # members do not set statuses
    if width == 375:
        _no_sideways_scroll(member_page)
