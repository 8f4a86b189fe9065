"""Each role sees what it may do, and nothing more, as a person sees it: phone and desktop, English and Russian."""

import pytest
from playwright.sync_api import expect

from community.members.models import Tier
from forums import services as forum_services
from moderation.services import grant_role
from tests.browser.measure import MEASURE_OVERFLOW
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread

SIZES = [(375, 800), (1280, 900)]


def _no_sideways_scroll(page):
    measured = page.evaluate(MEASURE_OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured["culprits"]


@pytest.mark.parametrize("width, height", SIZES)
@pytest.mark.parametrize("locale, words", [
    ("en-US", {"queue": "Newcomer queue", "hidden": "Hidden from others while moderators review it", "reply": "Your reply",
               "moderate": "Moderate"}),
    ("ru-RU", {"queue": "Очередь новичков", "hidden": "Скрыто от других, пока его проверяют модераторы", "reply": "Ваш ответ",
               "moderate": "Модерировать"}),
])
def test_a_category_moderator_works_their_category_and_only_theirs(new_page, manager, width, height, locale, words):
    help_desk, other = CategoryFactory(name="Help desk", slug="help-desk"), CategoryFactory(name="Off topic", slug="off-topic")
    moderator = UserFactory(username="helma", tier=Tier.REGULAR)
    grant_role(member=moderator, category=help_desk, granted_by=manager)
    mine = make_thread(author=UserFactory(tier=Tier.NEWCOMER), category=help_desk, title="My printer will not print")
    theirs = make_thread(author=UserFactory(tier=Tier.NEWCOMER), category=other, title="Favourite films of the year")
    spam = make_reply(thread=mine, author=UserFactory(tier=Tier.MEMBER), body="Visit my shop for cheap printers")
    forum_services.post_hide(post=spam, reason="spam")
    forum_services.thread_set_flags(thread=mine, is_locked=True)

    page = new_page(user=moderator, width=width, height=height, locale=locale)
    page.goto("/queue/")
    expect(page.locator("h1")).to_contain_text(words["queue"])
    expect(page.get_by_text(mine.title)).to_be_visible()
    expect(page.get_by_text(theirs.title)).to_have_count(0)
    _no_sideways_scroll(page)
    expect(page.get_by_label("Category" if locale == "en-US" else "Категория").locator("option")).to_have_count(2)  # all, and theirs

    page.goto(mine.get_absolute_url())
    hidden_post = page.locator(f"section#post-{spam.number}")
    expect(hidden_post.get_by_text(words["hidden"])).to_be_visible()
    expect(hidden_post.locator(".post-body")).to_contain_text("cheap printers")
    expect(page.locator("summary", has_text=words["moderate"])).to_be_visible()
    # Moving is offered only to the categories they moderate.
    expect(page.locator("form.inline-form select[name=category] option")).to_have_text([help_desk.name])
    expect(page.get_by_role("heading", name=words["reply"])).to_be_visible()  # locked, but theirs to answer
    _no_sideways_scroll(page)

    # A visitor sees neither the hidden text nor the tools.
    visitor = new_page(width=width, height=height, locale=locale)
    visitor.goto(mine.get_absolute_url())
    expect(visitor.get_by_text("cheap printers")).to_have_count(0)
    expect(visitor.locator("summary", has_text=words["moderate"])).to_have_count(0)

    # Another category's thread: no moderation tools, and no reply box once it is locked.
    forum_services.thread_set_flags(thread=theirs, is_locked=True)
    page.goto(theirs.get_absolute_url())
    expect(page.locator("summary", has_text=words["moderate"])).to_have_count(0)
    expect(page.get_by_role("heading", name=words["reply"])).to_have_count(0)


@pytest.mark.parametrize("width, height", SIZES)
def test_a_silenced_member_reads_but_finds_no_edit_no_flag_no_reply(new_page, member, category, width, height):
    from datetime import timedelta

    from django.utils import timezone

    thread = make_thread(author=member, category=category, title="Notes from my garden")
    other = make_reply(thread=thread, author=UserFactory(tier=Tier.MEMBER), body="Lovely tomatoes")
    type(member).objects.filter(pk=member.pk).update(silenced_until=timezone.now() + timedelta(days=2))
    member.refresh_from_db()
    page = new_page(user=member, width=width, height=height)
    page.goto(thread.get_absolute_url())
    expect(page.locator("section#post-1 .post-body")).to_contain_text(thread.posts.get(number=1).body)
    expect(page.locator("section#post-1").get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.locator(f"section#post-{other.number}").get_by_text("⚑ Flag")).to_have_count(0)
    expect(page.get_by_text("You can read but not post until")).to_be_visible()
    _no_sideways_scroll(page)


def test_leader_making_is_the_managers_and_sanctions_the_moderators(new_page, manager, member):
    site_moderator = UserFactory(username="sam", tier=Tier.CHAMPION)
    grant_role(member=site_moderator, granted_by=manager)
    as_manager = new_page(user=manager)
    as_manager.goto(f"/u/{member.username}/")
    expect(as_manager.get_by_role("button", name="Make Leader (tier 4)")).to_be_visible()
    as_moderator = new_page(user=site_moderator, width=375, height=800)
    as_moderator.goto(f"/u/{member.username}/")
    expect(as_moderator.get_by_role("button", name="Make Leader (tier 4)")).to_have_count(0)
    expect(as_moderator.locator("details#moderation summary")).to_be_visible()
    _no_sideways_scroll(as_moderator)


def test_a_moderators_russian_nav_shows_every_link_whole_on_a_wide_screen(new_page, manager):
    """Nine links in Russian are longer than a row: they wrap, none is cut off behind "+ Новая тема"."""
    site_moderator = UserFactory(username="sam", tier=Tier.CHAMPION)
    grant_role(member=site_moderator, granted_by=manager)
    page = new_page(user=site_moderator, width=1280, height=900, locale="ru-RU")
    page.goto("/")
    expect(page.locator(".main-nav a", has_text="Очередь новичков")).to_be_visible()
    clipped = page.evaluate("""() => { const nav = document.querySelector('.main-nav');
        return [nav.scrollWidth > nav.clientWidth,
                [...nav.querySelectorAll('a')].filter(a => a.getBoundingClientRect().right > nav.getBoundingClientRect().right + 1)
                .map(a => a.textContent.trim())]; }""")
    assert clipped == [False, []]
