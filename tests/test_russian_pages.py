"""Russian everywhere (issue 10, point 12): the main pages, opened in Russian by each role, show no English.

The community's own content here is Russian, so any Latin word left on a page is the site's own text
that missed translation: a msgid outside gettext, a string frozen at import, a label built in code.
Names people chose (usernames, tag names) and a few words that are the same in both languages are
allowed; everything else fails with the page and the words.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from community.expertise.services import expert_appoint
from community.members.models import Tier
from community.notifications.models import Kind
from community.notifications.services import notify
from forums import services as forum_services
from loyalty.models import Reward
from moderation import services as moderation
from moderation.models import Nomination
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_event, make_manager, make_reply, make_thread

# Words that are the same in Russian text: the product's name, formats, and the language picker's own names.
SAME_IN_BOTH = {"Roundtable", "Markdown", "UTC", "English", "CSV", "JSON", "Ctrl", "Enter", "Email", "mailto", "https", "http"}

# Text inside these is the member's own (or a list of place names), not the site's words.
SKIPPED_ELEMENTS = {"script", "style", "textarea", "code", "pre", "datalist", "optgroup"}
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
LATIN_WORD = re.compile(r"(?<![\w@#/.:-])[A-Za-z][A-Za-z'’]{2,}(?![\w/.@-])")


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        attributes = dict(attrs)
        for name in SHOWN_ATTRIBUTES & attributes.keys():
            self.parts.append(attributes[name] or "")
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def english_words(html: str, allowed: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    found = set(LATIN_WORD.findall(" ".join(parser.parts)))
    return {word for word in found if word not in allowed and word.lower() not in allowed}


@pytest.fixture
def russian_world(db):
    manager = make_manager(username="manager", language="ru", tier=Tier.CHAMPION)
    moderator = UserFactory(username="moderator", language="ru", tier=Tier.CHAMPION)
    moderation.grant_role(member=moderator, granted_by=manager)
    member = UserFactory(username="member", language="ru", tier=Tier.REGULAR, display_name="Мария")
    newcomer = UserFactory(username="novichok", language="ru", tier=Tier.NEWCOMER, display_name="Новичок")
    category = CategoryFactory(name="Помощь", slug="pomoshch", description="Вопросы и ответы.")
    tag = TagFactory(name="python")
    thread = make_thread(author=newcomer, category=category, tags=[tag], title="Как начать работу",
                         body="Здравствуйте! Подскажите, пожалуйста, с чего начать.")
    answer = make_reply(thread=thread, author=member, body="Начните с руководства для новичков.")
    forum_services.like_add(post=answer, member=newcomer)
    forum_services.answer_accept(thread=thread, post=answer, member=newcomer)
    waiting = make_thread(author=newcomer, category=category, title="Ещё один вопрос новичка", body="Никто не ответил.")
    flagged = make_reply(thread=waiting, author=UserFactory(username="spammer", language="ru"), body="Купите наши товары")
    moderation.flag_post(post=flagged, flagger=member, reason="spam")
    expert_appoint(member=member, tags=[tag], appointed_by=manager)
    from community.buddies import services as buddy_services

    buddy_services.volunteer_opt_in(member=member, interests=[tag], cap=3)
    buddy_services.match_newcomer(newcomer=newcomer)  # the newcomer's first steps and both /buddies/ pages name each other
    Reward.objects.create(name="Кружка сообщества", description="Кружка с логотипом.", cost=100)
    Reward.objects.create(name="Наклейки", description="Набор наклеек.", cost=5_000, min_tier=Tier.CHAMPION)
    Nomination.objects.create(member=member, evidence={"tier": 2, "score_90d": 120}, created_at=thread.created_at)
    for person in (manager, moderator, member, newcomer):
        notify(recipient=person, kind=Kind.REPLY, dedupe_key=f"ru:{person.pk}", actor=member, thread=thread)
    ideas = CategoryFactory(name="Идеи", slug="idei", description="Предложения участников.", is_ideas=True)
    idea = make_thread(author=member, category=ideas, title="Тёмная тема", body="Хочется тёмную тему для сайта.")
    forum_services.idea_vote(thread=idea, member=newcomer)
    forum_services.idea_set_status(thread=idea, member=manager, status="planned", note="Сделаем весной.")
    from community.events import services as event_services

    event = make_event(host=manager, category=category, title="Встреча участников", description="Поговорим о новом.",
                       venue="Библиотека", address="Москва, Тверская, 1", capacity=1)
    event_services.rsvp_set(event=event, member=member, status="going")
    event_services.rsvp_set(event=event, member=newcomer, status="going")  # the waiting list
    online = make_event(host=manager, category=category, title="Созвон", kind="online", join_url="https://meet.example.org/r",
                        description="Созвон участников.")
    event_services.rsvp_set(event=online, member=member, status="maybe")
    return {"manager": manager, "moderator": moderator, "member": member, "newcomer": newcomer,
            "category": category, "tag": tag, "thread": thread, "ideas": ideas, "idea": idea, "event": event, "online": online}


def _pages(world):
    thread, category, tag = world["thread"], world["category"], world["tag"]
    everyone = [
        "/", "/top/", "/unanswered/", "/categories/", f"/c/{category.slug}/", "/tags/", f"/tags/{tag.name}/",
        "/search/?q=начать", thread.get_absolute_url(), f"/u/{world['member'].username}/", "/experts/",
        f"/experts/{tag.name}/", "/buddies/", "/leaderboard/", "/rewards/", "/loyalty/badges/",
        f"/c/{world['ideas'].slug}/", world["idea"].get_absolute_url(),
        "/events/", "/events/?when=past", "/events/calendar/", f"/events/{world['event'].pk}/", f"/events/{world['online'].pk}/",
    ]
    signed_in = ["/t/new/", "/settings/", "/notifications/", "/notifications/settings/", "/loyalty/"]
    staff = ["/queue/", "/review/", "/moderation/log/"]
    return {
        "anonymous": [*everyone, reverse("account_login"), reverse("account_signup")],
        "newcomer": everyone + signed_in,
        "member": everyone + signed_in,
        "moderator": everyone + signed_in + staff,
        "manager": [*everyone, *signed_in, *staff, "/moderation/candidates/", "/dashboard/", "/dashboard/list/first-post/",
                    "/events/new/", f"/events/{world['event'].pk}/edit/", f"/events/{world['event'].pk}/attendees/"],
    }


@pytest.mark.parametrize("role", ["anonymous", "newcomer", "member", "moderator", "manager"])
def test_main_pages_in_russian_show_no_english(russian_world, role):
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    if role != "anonymous":
        client.force_login(russian_world[role])
    from community.members.models import User
    from forums.models import Tag
    allowed = SAME_IN_BOTH | set(User.objects.values_list("username", flat=True)) | set(Tag.objects.values_list("name", flat=True))
    found = {}
    for url in _pages(russian_world)[role]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        words = english_words(response.content.decode(), allowed)
        if words:
            found[url] = sorted(words)
    assert not found, "English on Russian pages:\n" + "\n".join(f"{url}: {' '.join(words)}" for url, words in found.items())


def test_the_check_finds_english_when_there_is_some():
    # The test above can fail: an untranslated label, a button value and a title attribute are all caught.
    html = '<p>Привет</p><button title="Close this">×</button><input type="submit" value="Send"><p>Ещё</p><code>print</code>'
    assert english_words(html, SAME_IN_BOTH) == {"Close", "this", "Send"}
    assert english_words("<p>Roundtable · @member · #python</p>", SAME_IN_BOTH) == set()


def test_russian_dates_and_counts_read_naturally(russian_world):
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(russian_world["newcomer"])
    profile = client.get(f"/u/{russian_world['member'].username}/").content.decode()
    # "joined November 2026" is «с нами с ноября 2026», not «Ноябрь 2026».
    assert re.search(r"с нами с (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря) \d{4}", profile)
    loyalty = client.get("/loyalty/").content.decode()
    # The newcomer still needs first steps for tier 1, with the plural form the number asks for.
    assert re.search(r"ещё (1 первый шаг|[234] первых шага|[5-9] первых шагов) из списка на главной", loyalty)
    assert ".." not in loyalty and "сообщ." not in loyalty


def test_the_demo_rewards_read_in_the_readers_language(db):
    Reward.objects.create(name="Meetup ticket", description="A seat at the next community meetup.", cost=300)
    Reward.objects.create(name="Кружка", cost=10)  # a reward a manager typed in one language stays as typed
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/rewards/").content.decode()
    assert "Билет на встречу" in russian and "Место на следующей встрече сообщества." in russian and "Кружка" in russian
    assert "Meetup ticket" not in russian
    assert "Meetup ticket" in Client(HTTP_ACCEPT_LANGUAGE="en").get("/rewards/").content.decode()
