"""Hostile text that a Celery worker writes into notifications stays inert (issue 15, point 4, the worker's side).

test_xss_forms types the vectors into the forms and reads the pages the forms feed. Notifications are written
later, by the worker, from a member's display name, a thread title, a kudos message, a post's text, an idea's
status note, an event's cancel reason. Here hostile members do what makes those notifications (reply, watch,
quote, mention, like, kudos, accept, a newcomer's routed question and buddy, an idea's status, a cancelled
event), a real worker writes them and sends the emails, and the victim reads them in the browser: the list (every
page, in English and Russian), the bell, a row marked read through htmx. Nothing may have run or be left in the
document. The HTML emails are then opened in the browser too, and their markup may hold only the email's own tags.
"""

from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.conf import settings
from django.core import mail
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import expect

from community.buddies.models import BuddyMatch
from community.events.services import event_cancel, rsvp_set
from community.expertise.services import expert_appoint
from community.jobs import enqueue_on_commit
from community.members.models import Tier, User
from community.notifications import tasks as notification_tasks
from community.notifications.models import Delivery, Kind, Notification
from forums import services as forum_services
from forums.models import Idea, Thread
from loyalty.models import Kudos
from loyalty.services import send_kudos
from tests.browser.inert import assert_nothing_injected
from tests.browser.test_xss_forms import packed
from tests.conftest import wait_for
from tests.factories import (
    CategoryFactory,
    TagFactory,
    UserFactory,
    make_event,
    make_manager,
    make_newcomer,
    make_reply,
    make_thread,
    make_volunteer,
)

LONG_AGO = timezone.now() - timedelta(days=90)  # past the first-day posting limits
KUDOS_PER_SENDER = 5  # a sender's daily limit (loyalty.services.KUDOS_PER_DAY)

# What the notification emails are made of: their own markup, and nothing a member wrote.
EMAIL_TAGS = {"html", "body", "p", "strong", "blockquote", "a", "hr", "ul", "li"}
EMAIL_ATTRIBUTES = {"style", "href"}


class _EmailMarkup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in EMAIL_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name not in EMAIL_ATTRIBUTES:
                self.problems.append(f"attribute {name}={value!r} on <{tag}>")
            if name == "href" and not (value or "").startswith(settings.SITE_URL.rstrip("/") + "/"):
                self.problems.append(f"href={value!r}")

    handle_startendtag = handle_starttag

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            self.problems.append(f"declaration {decl!r}")

    def unknown_decl(self, data):
        self.problems.append(f"declaration {data!r}")

    def handle_comment(self, data):
        self.problems.append(f"comment {data!r}")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data!r}")


def email_markup_problems(html: str) -> list[str]:
    parser = _EmailMarkup()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.fixture
def no_posting_gaps(settings):
    settings.FORUMS_POST_INTERVAL = settings.FORUMS_THREAD_INTERVAL = 0


def _hostile(username: str, display_name: str, **fields) -> User:
    return UserFactory(username=username, display_name=display_name, date_joined=LONG_AGO, **fields)


def _words(text: str) -> str:
    return " ".join(text.split())


def _read_every_page_of_the_list(page) -> list[str]:
    """Every page of /notifications/, checked as it is; returns the rows' text as the browser shows it."""
    rows, url = [], "/notifications/"
    while url:
        page.goto(url)
        assert_nothing_injected(page, containers=".notification-text")
        rows += [_words(text) for text in page.locator(".notification-text").all_text_contents()]
        older = page.locator("nav.pagination a[rel=next]")
        url = urljoin(page.url, older.get_attribute("href")) if older.count() else None
    return rows


def test_notifications_the_worker_writes_from_hostile_names_titles_and_messages_stay_inert(
    watched_page, celery_worker, no_posting_gaps
):
    help_category = CategoryFactory(name="Help", slug="help")
    ideas = CategoryFactory(name="Ideas", slug="ideas", is_ideas=True)
    printers = TagFactory(name="printers")
    manager = make_manager(username="mia", display_name=packed(60, skip=90)[0], tier=Tier.LEADER, date_joined=LONG_AGO)
    # The one who reads: a Regular (so a buddy volunteer), an expert in printers, with the default email choices.
    victim = UserFactory(username="vera", display_name="Vera", tier=Tier.REGULAR, date_joined=LONG_AGO)
    make_volunteer(member=victim, tags=[printers], cap=3)
    expert_appoint(member=victim, tags=[printers], appointed_by=manager)

    names = packed(60)  # every vector that fits a display name, several to a name
    titles = packed(200)  # every vector, in titles
    bodies = packed(590)  # every vector, in post bodies (the email quotes a post's first 600 characters)
    kudos_messages = packed(280, skip=60)  # every vector, in kudos
    members = [_hostile(f"h{index}", name) for index, name in enumerate(names)]
    expected: dict[str, int] = {}

    # Replies to the victim's threads: a hostile name replying under a hostile title, a hostile body quoted by email.
    for index, title in enumerate(titles):
        thread = make_thread(author=victim, category=help_category, title=title, body=f"My question number {index}.")
        make_reply(thread=thread, author=members[index], body=bodies[index % len(bodies)])
    expected[Kind.REPLY] = len(titles)

    # Mentions of the victim, in threads the other hostile members start.
    mentioners = members[len(titles):]
    for index, author in enumerate(mentioners):
        make_thread(author=author, category=help_category, title=titles[(index + 7) % len(titles)],
                    body=f"@vera look: {bodies[(index + 3) % len(bodies)]}")
    expected[Kind.MENTION] = len(mentioners)

    # A thread the victim watches and answers: a reply in it, a quote of the victim, likes, the accepted answer.
    asker, replier, quoter = members[0], members[1], members[2]
    watched = make_thread(author=asker, category=help_category, title=titles[-1], body="Which printer should I buy?")
    forum_services.thread_watch(thread=watched, member=victim)
    answer = make_reply(thread=watched, author=victim, body="The one with the cheapest ink.")
    make_reply(thread=watched, author=replier, body=bodies[-1])
    make_reply(thread=watched, author=quoter, body=f"> [@vera](/p/{answer.pk}/) said so\n\n{bodies[0]}")
    for liker in members[3:6]:
        forum_services.like_add(post=answer, member=liker)
    forum_services.like_add(post=victim.posts.get(thread__title=titles[0], number=1), member=members[6])
    forum_services.answer_accept(thread=watched, post=answer, member=asker)
    expected.update({Kind.WATCHED_REPLY: 1, Kind.QUOTE: 1, Kind.LIKE: 2, Kind.ANSWER_ACCEPTED: 1})

    # Kudos: every vector, five thank-yous a day from each sender.
    for index, text in enumerate(kudos_messages):
        send_kudos(sender=members[index // KUDOS_PER_SENDER], receiver=victim, message=text)
    expected[Kind.KUDOS] = len(kudos_messages)

    # An idea the victim voted for gets a status with a note of vectors.
    idea = make_thread(author=members[7], category=ideas, title=titles[3], body="Make the printers print.")
    forum_services.idea_vote(thread=idea, member=victim)
    forum_services.idea_set_status(thread=idea, member=manager, status="planned", note=packed(300, skip=20)[0])
    expected[Kind.IDEA_STATUS] = 1

    # A newcomer with a hostile name asks about printers: routed to the victim as an expert, who also becomes
    # their buddy and hears of the post.
    newcomer = make_newcomer(username="nina", display_name=packed(60, skip=40)[0], interests=[printers])
    make_thread(author=newcomer, category=help_category, title=titles[5], body="My printer will not print at all.",
                tags=[printers])
    expected[Kind.EXPERT_ROUTING] = 1
    expected[Kind.BUDDY] = 2  # "… is new here and you are their buddy", "… posted in “title”"

    # An event the victim is going to, cancelled with a reason of vectors.
    event = make_event(host=manager, category=help_category, title=packed(150, skip=10)[0])
    rsvp_set(event=event, member=victim, status="going")
    event_cancel(event=event, reason=packed(300, skip=50)[0])
    expected[Kind.EVENT] = 1

    def arrived():
        counts = dict(Notification.objects.filter(recipient=victim).values_list("kind").annotate(n=Count("pk")))
        return {kind: counts.get(kind, 0) for kind in expected} == expected

    wait_for(arrived, timeout=60)
    assert BuddyMatch.objects.filter(buddy=victim, newcomer=newcomer).exists()
    immediate = Notification.objects.filter(recipient=victim, delivery=Delivery.IMMEDIATELY)
    assert immediate.count() == len(titles) + len(mentioners) + 1  # replies, mentions, the cancelled event
    wait_for(lambda: not immediate.filter(emailed_at__isnull=True).exists(), timeout=60)
    # The daily digest of the rest, sent by the worker too.
    enqueue_on_commit(notification_tasks.send_digest, victim.pk)
    wait_for(lambda: Notification.objects.filter(recipient=victim, delivery=Delivery.DIGEST, emailed_at__isnull=False).exists(),
             timeout=30)

    # The victim reads the notifications: every page of the list, in English and in Russian.
    total = Notification.objects.filter(recipient=victim).count()
    page = watched_page(user=victim)
    rows = _read_every_page_of_the_list(page)
    assert len(rows) == total
    # Every hostile title, name and kudos message was shown, as text (as stored: a title loses invisible characters).
    shown = "\n".join(rows)
    stored = [*Thread.objects.filter(author=victim).values_list("title", flat=True),
              *Kudos.objects.filter(receiver=victim).values_list("message", flat=True),
              *User.objects.filter(username__startswith="h").values_list("display_name", flat=True)]
    assert len(stored) == len(titles) + len(kudos_messages) + len(names)
    event.refresh_from_db()
    stored += [Idea.objects.get(thread=idea).status_note, event.cancel_reason, newcomer.display_name]
    for text in stored:
        assert _words(text) in shown, text
    page.goto("/notifications/")
    expect(page.locator("#bell .bell-count")).to_have_text(str(total))
    # The htmx "Mark read" swaps the row and the bell in place.
    first = page.locator("li.notification.unread").first
    first.get_by_role("button", name="Mark read").click()
    expect(page.locator("#bell .bell-count")).to_have_text(str(total - 1))
    assert_nothing_injected(page, containers=".notification-text")
    # The bell's own fragment, as htmx asks for it.
    page.goto("/notifications/bell/")
    assert_nothing_injected(page, containers=None)
    User.objects.filter(pk=victim.pk).update(language="ru")
    assert len(_read_every_page_of_the_list(page)) == total
    expect(page.get_by_role("heading", level=1)).to_have_text("Уведомления")

    # The emails: the HTML part holds only the email's own markup, and opened in the browser nothing runs.
    sent = [message for message in mail.outbox if message.to == [victim.email]]
    assert len(sent) == immediate.count() + 1, [message.subject for message in sent]
    for message in sent:
        html = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
        assert len(html) == 1, message.subject
        assert email_markup_problems(html[0]) == [], (message.subject, email_markup_problems(html[0]))
        page.set_content(html[0])
        assert_nothing_injected(page, containers=None)
    # The plain-text part is text: the post is quoted as written, not as HTML entities.
    assert any(bodies[0][:300] in message.body for message in sent)
