"""Russian on a 375 px phone (issue 10, points 8 and 12, found walking the demo): long Russian words
stay whole, nothing is squeezed and nothing scrolls sideways."""

from community.expertise.services import expert_appoint
from community.members.models import Tier
from community.notifications.models import Kind
from community.notifications.services import notify
from loyalty import ledger
from tests.browser.measure import MEASURE_OVERFLOW
from tests.factories import TagFactory, UserFactory, make_manager, make_thread

# Words wider than the element that holds them: a word the browser had to break (or let stick out).
BROKEN_WORDS = """
(selector) => {
  const canvas = document.createElement("canvas").getContext("2d");
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    const style = getComputedStyle(element);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const word of element.innerText.split(/\\s+/).filter(Boolean)) {
      if (canvas.measureText(word).width > room + 0.5) broken.push(word);
    }
  }
  return broken;
}
"""


def _russian_phone(new_page, user):
    user.language = "ru"
    user.save(update_fields=["language"])
    return new_page(user=user, width=375, height=800, locale="ru-RU")


def _no_sideways_scroll(page):
    measured = page.evaluate(MEASURE_OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured["culprits"]


def test_leaderboard_headers_keep_their_words_whole(new_page, member):
    for index in range(12):
        ledger.award(member_id=UserFactory(username=f"leader{index}").pk, reason="celebration", source_type="test",
                     source_id=str(index), amount=100 - index)
    page = _russian_phone(new_page, member)
    page.goto("/leaderboard/")
    assert page.evaluate(BROKEN_WORDS, ".leaderboard th") == []
    assert page.evaluate(BROKEN_WORDS, ".leaderboard td:first-child") == []  # "10" stays one line
    _no_sideways_scroll(page)


def test_a_regulars_loyalty_page_fits(new_page):
    regular = UserFactory(username="reggie", tier=Tier.REGULAR)  # «Завсегдатай», the longest tier name
    page = _russian_phone(new_page, regular)
    page.goto("/loyalty/")
    assert page.locator("#tier").inner_text() == "Завсегдатай"
    assert page.evaluate(BROKEN_WORDS, ".figure:has(#tier)") == []
    _no_sideways_scroll(page)


def test_a_notification_is_not_squeezed_by_its_button(new_page, member, other_member, category):
    thread = make_thread(author=member, category=category, title="Как подключить базу данных newcomers")
    notify(recipient=member, kind=Kind.REPLY, dedupe_key="squeeze", actor=other_member, thread=thread)
    page = _russian_phone(new_page, member)
    page.goto("/notifications/")
    text = page.locator(".notification-text").first.bounding_box()
    assert text["width"] >= 250  # the text keeps most of the row; "Отметить прочитанным" goes under it
    assert page.evaluate(BROKEN_WORDS, ".notification-text") == []
    _no_sideways_scroll(page)


def test_expert_chips_stay_on_one_line(new_page, member):
    manager = make_manager(username="mia")
    expert = UserFactory(username="eva", tier=Tier.REGULAR)
    expert_appoint(member=expert, tags=[TagFactory(name=name) for name in ("django", "postgresql", "deployment", "python")],
                   appointed_by=manager)
    page = _russian_phone(new_page, member)
    page.goto(f"/u/{expert.username}/")
    chips = page.locator("a.flair")
    assert chips.count() == 4
    for index in range(4):
        assert chips.nth(index).evaluate("element => element.getClientRects().length") == 1
    _no_sideways_scroll(page)
