"""Events end to end (issue 12, point 8): a manager creates an event with one seat through the form, two members
say they are going (the second lands on the waiting list), the first says not going and the second is promoted and
told (through the real Celery worker), the host checks them in at the door on a phone, and the member sees the
points and the Event Goer badge the loyalty job awarded. On a phone and a desktop, and once on a phone in Russian.

A check whose failure does not stop the journey (words on a page, a page scrolling sideways) is recorded and the
journey goes on; the test then fails at the end naming every one of them, so one bug does not hide the next.
"""

import re
from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from community.events.models import RSVP, Event
from community.members.models import Tier
from community.notifications.models import Kind, Notification
from loyalty.models import BadgeAward, PointsEntry, Reason
from tests.browser.measure import MEASURE_OVERFLOW
from tests.conftest import wait_for
from tests.factories import CategoryFactory, UserFactory, make_manager

TITLE = "Board games night"
CATEGORY = "Events & Meetups"
PLACE = "The Corner Café, back room"
FIRST, SECOND = "Anna Early", "Boris Later"

WORDS = {
    "en": {
        "locale": "en-US", "title": "Title", "category": "Category", "starts": "Starts", "ends": "Ends", "zone": "Time zone",
        "in_person": "In person", "place": "Place", "seats": "Seats", "create": "Create the event",
        "created": "Your event is up, with a discussion thread for questions.",
        "going": "Going", "not_going": "Not going", "join_waiting": "Join the waiting list",
        "you_go": "You are going.", "you_wait": "You are number 1 on the waiting list; you will be told when a seat frees up.",
        "you_dont": "You said you are not going.", "came": "You were checked in. Thanks for coming!",
        "ticket": "Your ticket: show this code to the host at the door.",
        "seats_taken": "1 of 1 taken",
        "full": "The event is full", "promoted": "A seat freed up: you are going to “{title}” ({when})",
        "check_in": f"Check in {SECOND}", "here_since": "Here since {at}", "door_count": "1 of 1 checked in.",
        "badge": "Event Goer", "reason": "Event attended",
    },
    "ru": {
        "locale": "ru-RU", "title": "Заголовок", "category": "Категория", "starts": "Начало", "ends": "Конец",
        "zone": "Часовой пояс", "in_person": "Вживую", "place": "Место", "seats": "Места", "create": "Создать событие",
        "created": "Событие опубликовано, с темой для вопросов.",
        "going": "Иду", "not_going": "Не иду", "join_waiting": "Встать в лист ожидания",
        "you_go": "Вы идёте.", "you_wait": "Вы 1-й в листе ожидания; мы сообщим, когда освободится место.",
        "you_dont": "Вы ответили, что не пойдёте.", "came": "Вас отметили. Спасибо, что пришли!",
        "ticket": "Ваш билет: покажите этот код ведущему на входе.",
        "seats_taken": "занято 1 из 1",
        "full": "Мест нет", "promoted": "Освободилось место: вы идёте на «{title}» ({when})",
        "check_in": f"Отметить: {SECOND}", "here_since": "Здесь с {at}", "door_count": "Отмечено 1 из 1.",
        "badge": "Завсегдатай событий", "reason": "Посещение события",
    },
}


def _promoted(language: str, starts) -> str:
    """The promotion notice as the member should read it: in their language, the start in their time zone (UTC)."""
    with translation.override(language), timezone.override("UTC"):
        when = formats.date_format(timezone.localtime(starts), "DATETIME_FORMAT")
    return WORDS[language]["promoted"].format(title=TITLE, when=when)


class Checks:
    """Checks that are recorded when they fail, so the journey goes on to show what comes after."""

    def __init__(self):
        self.problems: list[str] = []

    def expect(self, what: str, check) -> None:
        try:
            check()
        except AssertionError as failure:
            lines = [line.strip() for line in str(failure).strip().splitlines()]
            said = [line + (" (empty)" if line.endswith(":") else "") for line in lines[1:]
                    if line.startswith(("Actual value", "Expected"))]
            self.problems.append(f"{what}: " + "; ".join(lines[:1] + said))

    def no_sideways_scroll(self, page, where: str) -> None:
        measured = page.evaluate(MEASURE_OVERFLOW)
        if not measured["scrollWidth"] <= measured["innerWidth"]:
            self.problems.append(f"{where} ({page.url}) scrolls sideways at {measured['innerWidth']} px: {measured}")

    def done(self) -> None:
        assert not self.problems, "The journey went through, but:\n- " + "\n- ".join(self.problems)


def _panel(page):
    return page.locator("#rsvp-panel")


@pytest.mark.parametrize("width, language", [(375, "en"), (1280, "en"), (375, "ru")])
def test_event_seat_goes_to_the_waiting_list_then_check_in_earns_points_and_badge(new_page, celery_worker, width, language):
    words = WORDS[language]
    checks = Checks()
    CategoryFactory(name=CATEGORY, slug="events")
    manager = make_manager(username="host", display_name="Hanna Host", tier=Tier.LEADER, language=language)
    first = UserFactory(username="anna", display_name=FIRST, tier=Tier.MEMBER, language=language)
    second = UserFactory(username="boris", display_name=SECOND, tier=Tier.MEMBER, language=language)

    # 1. The manager creates the event through the form: one seat, in person, starting in an hour (check-in is open).
    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    ends = starts + timedelta(hours=3)
    host_page = new_page(user=manager, width=width, locale=words["locale"])
    host_page.goto("/events/new/")
    form = host_page.locator("form.event-form")
    form.get_by_label(words["title"], exact=True).fill(TITLE)
    form.get_by_label(words["category"], exact=True).select_option(label=CATEGORY)
    form.get_by_label(words["zone"], exact=True).select_option("UTC")
    form.get_by_label(words["starts"], exact=True).fill(f"{starts:%Y-%m-%dT%H:%M}")
    form.get_by_label(words["ends"], exact=True).fill(f"{ends:%Y-%m-%dT%H:%M}")
    form.get_by_label(words["in_person"], exact=True).check()
    form.get_by_label(words["place"], exact=True).fill(PLACE)
    form.get_by_label(words["seats"], exact=True).fill("1")
    if width == 375:
        checks.no_sideways_scroll(host_page, "the event form")
    form.get_by_role("button", name=words["create"], exact=True).click()
    host_page.wait_for_url(re.compile(r"/events/\d+/$"))
    expect(host_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    checks.expect("the host is told the event is up", lambda: expect(host_page.locator(".messages")).to_contain_text(words["created"]))
    event = Event.objects.get(title=TITLE)
    assert (event.capacity, event.kind, event.venue, event.time_zone, event.host) == (1, Event.Kind.OFFLINE, PLACE, "UTC", manager)
    assert (event.starts_at, event.ends_at) == (starts, ends)
    assert event.category.slug == "events" and event.thread is not None
    event_url = f"/events/{event.pk}/"

    # 2. The first member says going and gets the seat, in place (htmx swaps #rsvp-panel).
    first_page = new_page(user=first, width=width, locale=words["locale"])
    first_page.goto(event_url)
    _panel(first_page).get_by_role("button", name=words["going"], exact=True).click()
    expect(first_page.locator("#my-answer")).to_have_text(words["you_go"])
    expect(_panel(first_page).get_by_role("button", name=words["going"], exact=True)).to_have_attribute("aria-pressed", "true")
    assert first_page.url.endswith(event_url)
    assert RSVP.objects.get(event=event, member=first).status == RSVP.Status.GOING
    expect(first_page.locator("#rsvp-panel figure.ticket svg")).to_be_visible()
    if width == 375:
        checks.no_sideways_scroll(first_page, "the event page with a ticket")

    # The second finds the event full: the button offers the waiting list, and pressing it puts them there.
    second_page = new_page(user=second, width=width, locale=words["locale"])
    second_page.goto(event_url)
    checks.expect("the event page counts the seat taken",
                  lambda: expect(second_page.locator("dl.event-facts")).to_contain_text(words["seats_taken"]))
    _panel(second_page).get_by_role("button", name=words["join_waiting"], exact=True).click()
    expect(second_page.locator("#my-answer")).to_have_text(words["you_wait"])
    expect(second_page.locator("#rsvp-panel figure.ticket")).to_have_count(0)
    second_rsvp = RSVP.objects.get(event=event, member=second)
    assert (second_rsvp.status, second_rsvp.position) == (RSVP.Status.WAITING, 1)
    if width == 375:
        checks.no_sideways_scroll(second_page, "the event page on the waiting list")

    # 3. The first says not going: the seat goes to the second, who is told by the worker.
    _panel(first_page).get_by_role("button", name=words["not_going"], exact=True).click()
    expect(first_page.locator("#my-answer")).to_have_text(words["you_dont"])
    expect(first_page.locator("#rsvp-panel figure.ticket")).to_have_count(0)
    assert RSVP.objects.get(event=event, member=first).status == RSVP.Status.NO
    assert RSVP.objects.get(event=event, member=second).status == RSVP.Status.GOING
    notice = wait_for(lambda: Notification.objects.filter(recipient=second, kind=Kind.EVENT).first())
    assert notice.thread_id == event.thread_id
    assert not Notification.objects.filter(recipient=first, kind=Kind.EVENT).exists()

    second_page.goto("/notifications/")
    item = second_page.locator("li.notification")
    expect(item).to_have_count(1)
    checks.expect("the promotion notice reads on /notifications/",
                  lambda: expect(item.locator("a.notification-text")).to_have_text(_promoted(language, starts), timeout=2_000))
    # The htmx answer that put them in line queued a flash message too; it must not greet them now that they are going.
    checks.expect("no stale waiting-list message once promoted",
                  lambda: expect(second_page.locator(".messages").filter(has_text=words["full"])).to_have_count(0, timeout=500))
    second_page.goto(event_url)
    expect(second_page.locator("#my-answer")).to_have_text(words["you_go"])
    expect(_panel(second_page).get_by_role("button", name=words["going"], exact=True)).to_have_attribute("aria-pressed", "true")
    expect(second_page.locator("#rsvp-panel figure.ticket svg")).to_be_visible()
    checks.expect("the ticket has its caption",
                  lambda: expect(second_page.locator("#ticket-caption")).to_have_text(words["ticket"], timeout=2_000))
    expect(second_page.locator("#going-title + p.people")).to_have_text(SECOND)
    if width == 375:
        checks.no_sideways_scroll(second_page, "the event page of the promoted member")

    # 4. At the door, on the host's phone: one tap on the member's name checks them in (htmx swaps the row).
    door = new_page(user=manager, width=375, locale=words["locale"])
    door.goto(f"/events/{event.pk}/attendees/")
    row = door.locator(f"#attendee-{second.pk}")
    expect(door.locator("ul.attendee-list li.attendee")).to_have_count(1)
    checks.no_sideways_scroll(door, "the attendee list")
    door_url = door.url
    row.get_by_role("button", name=words["check_in"], exact=True).click()
    expect(row.locator(".pill")).to_be_visible()
    checked_in_at = RSVP.objects.get(event=event, member=second).checked_in_at
    assert checked_in_at is not None
    expect(row).to_contain_text(words["here_since"].format(at=f"{checked_in_at:%H:%M}"))  # everyone here reads UTC
    expect(row.get_by_role("button")).to_have_count(0)
    assert door.url == door_url
    checks.no_sideways_scroll(door, "the attendee list after a check-in")
    door.reload()
    expect(door.locator("#door-count")).to_contain_text(words["door_count"])

    # 5. The loyalty job awards the event's points and the Event Goer badge; the member sees both.
    entry = wait_for(lambda: PointsEntry.objects.filter(member=second, reason=Reason.EVENT_ATTENDED).first())
    assert entry.amount == 20
    wait_for(lambda: BadgeAward.objects.filter(member=second, badge__slug="event-goer").exists())
    assert not PointsEntry.objects.filter(member=first).exists()

    second_page.goto("/loyalty/")
    expect(second_page.locator("#balance")).to_have_text("20")
    expect(second_page.locator("li.badge-chip").filter(has_text=words["badge"])).to_have_text(f"🎟️ {words['badge']}")
    ledger_row = second_page.locator("table.ledger tbody tr").filter(has_text=words["reason"])
    expect(ledger_row.locator("td").first).to_have_text("+20")
    if width == 375:
        checks.no_sideways_scroll(second_page, "/loyalty/")
    second_page.goto(f"/u/{second.username}/")
    expect(second_page.locator("li.badge-chip").filter(has_text=words["badge"])).to_have_text(f"🎟️ {words['badge']}")
    second_page.goto(event_url)
    expect(second_page.locator("#my-answer")).to_have_text(words["came"])
    expect(second_page.locator("#rsvp-panel figure.ticket")).to_have_count(0)  # used: no ticket to show twice
    if width == 375:
        checks.no_sideways_scroll(second_page, "the event page after the check-in")
    checks.done()
