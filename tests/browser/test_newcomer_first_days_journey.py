"""A newcomer's first days, end to end in a real browser (issue 13, point 10): sign up → welcome and checklist →
type a title and see a similar solved thread → post anyway → see the expected wait → an expert answers → the
checklist advances → the newcomer posts again later → the first responder's points rise.

Everything is read from the pages a person sees; the Celery jobs run in a real worker, and the ledger is
cross-checked in the database at the end. The key steps are also taken once on a 375 px phone, and the
checklist once in Russian."""

import re
from functools import partial

from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from community.members.models import Tier, User
from community.notifications.models import Kind, Notification
from forums import services as forum_services
from forums.models import Post, Thread
from loyalty.models import LoyaltyAccount, PointsEntry, Reason
from tests.browser.measure import MEASURE_OVERFLOW
from tests.conftest import wait_for
from tests.factories import CategoryFactory, UserFactory, make_manager, make_reply, make_thread

PASSWORD = "river-lantern-quietly-42"
SOLVED_TITLE = "Printer driver install fails on Linux"
QUESTION = "Printer driver install fails after the update"
STAYED = 10  # loyalty/defaults.py, written out so the test does not read the code it checks


def _label(text):
    # allauth's labels end with a colon ("Password:"); match the words, not the punctuation.
    return re.compile(rf"^{re.escape(text)}:?$")


def _sign_up_and_confirm_email(page, *, email, username):
    page.goto("/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign up").click()
    page.get_by_label(_label("Email")).fill(email)
    page.get_by_label(_label("Username")).fill(username)
    page.get_by_label(_label("Password")).fill(PASSWORD)
    page.get_by_label(_label("Password (again)")).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    sent = [message for message in mail.outbox if message.to == [email]]
    assert len(sent) == 1, [(message.to, message.subject) for message in mail.outbox]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", sent[0].body)
    assert link, sent[0].body
    page.goto(link.group(1))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").filter(has_text=f"Successfully signed in as {username}")).to_be_visible()


def _checklist(page):
    return page.locator("#first-steps")


def _step(page, label):
    return _checklist(page).locator("li").filter(has_text=label)


def _no_sideways_scroll(page):
    measured = page.evaluate(MEASURE_OVERFLOW)
    assert measured["scrollWidth"] <= 375 and measured["scrollWidth"] <= measured["innerWidth"], measured["culprits"]


def _balance_on_page(page):
    page.goto("/loyalty/")
    return int(page.locator("#balance").inner_text())


def _points_page_shows_balance(page, balance):
    return _balance_on_page(page) == balance


def test_a_newcomer_is_welcomed_asks_is_answered_comes_back_and_their_first_responder_earns_the_stay_credit(
    new_page, live_server, celery_worker
):
    # Arrange (committed: the worker reads it): the welcome a manager wrote, an expert, a solved thread.
    boss = make_manager(username="mia", display_name="Mia Manager", tier=Tier.LEADER)
    manager_client = Client()
    manager_client.force_login(boss)
    edited = manager_client.post("/pages/welcome/edit/", {"title_en": "Welcome!", "body_en": "Glad you are **here**.",
                                                         "title_ru": "Добро пожаловать!", "body_ru": "Рады вам."})
    assert edited.status_code == 302, edited.status_code
    help_desk = CategoryFactory(name="Printers", slug="printers")
    expert = UserFactory(username="eva", display_name="Eva Expert", tier=Tier.REGULAR)
    asker = UserFactory(username="sam", tier=Tier.MEMBER)
    solved = make_thread(author=asker, category=help_desk, title=SOLVED_TITLE, body="The installer stops half way.")
    forum_services.answer_accept(thread=solved, post=make_reply(thread=solved, author=expert, body="Install the cups package."),
                                 member=asker)

    # 2. A visitor signs up through the form, confirms the address from the mail and is signed in.
    page = new_page()
    _sign_up_and_confirm_email(page, email="nina@example.org", username="nina")
    nina = User.objects.get(username="nina")
    assert nina.tier == Tier.NEWCOMER

    # The welcome: the bell has a note from the manager who wrote the welcome page, and it opens that page.
    page.goto("/")
    bell = page.locator("#bell")
    expect(bell).to_have_attribute("aria-label", "Notifications: 1 unread")
    bell.click()
    welcome = page.get_by_role("link", name="Welcome to Roundtable, nina! A note from Mia Manager, and your first steps.")
    expect(welcome).to_be_visible()
    welcome.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome!")
    expect(page.locator(".site-page .post-body")).to_have_text("Glad you are here.")
    expect(page.locator(".site-page .post-body strong")).to_have_text("here")
    expect(page.locator(".signature")).to_have_text("— Mia Manager, community manager")

    # The welcome leads to the first steps on the home page: none done yet.
    page.get_by_role("link", name="See your first steps").click()
    expect(_checklist(page).get_by_role("heading", name=re.compile("Your first steps"))).to_contain_text("0 of 5 done")
    expect(_checklist(page).locator("li.done")).to_have_count(0)
    expect(_step(page, "Introduce yourself or ask a first question").get_by_role("link")).to_be_visible()

    # 3. New thread: typing the title shows the solved thread that already answers it.
    page.get_by_role("link", name="New thread").click()
    page.get_by_label("Category").select_option(label=help_desk.name)
    page.get_by_label("Title").press_sequentially(QUESTION, delay=30)
    suggestions = page.locator("#similar-threads")
    expect(suggestions.get_by_text("Your question may already have an answer")).to_be_visible()
    suggested = suggestions.locator("li").filter(has=page.get_by_role("link", name=SOLVED_TITLE))
    expect(suggested).to_have_count(1)
    expect(suggested.locator(".pill-solved")).to_have_text("✓ Solved")
    expect(suggested).to_contain_text("Printers")

    # 4. Posting anyway: the page says what happens next, the wait (not known yet), the notice, the address.
    page.get_by_label("Message").fill("I followed the cups answer, but since the update the installer says no driver found.")
    page.get_by_role("button", name="Post thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    question = Thread.objects.get(title=QUESTION)
    assert question.author == nina and question.is_newcomer_thread
    promise = page.locator("#answer-promise")
    expect(promise.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(promise).to_contain_text("We don't know yet how long a first reply takes here: this category has had fewer than "
                                    "10 questions from newcomers in the last 30 days.")
    expect(promise).to_contain_text("You will be notified as soon as someone answers")
    address = promise.get_by_role("link", name=f"{live_server.url}{question.get_absolute_url()}", exact=True)
    expect(address).to_have_attribute("href", question.get_absolute_url())

    # On a 375 px phone: the promise and the checklist (first question done) fit without scrolling sideways.
    phone = new_page(user=nina, width=375, height=800)
    phone.goto(question.get_absolute_url())
    expect(phone.locator("#answer-promise")).to_be_visible()
    _no_sideways_scroll(phone)
    phone.goto("/")
    expect(_checklist(phone)).to_be_visible()
    expect(_checklist(phone).get_by_role("heading")).to_contain_text("1 of 5 done")
    _no_sideways_scroll(phone)

    # 5. The expert, in a browser of their own, finds the thread and answers through the reply form.
    expert_page = new_page(user=expert)
    expert_page.goto("/")
    expert_page.get_by_role("link", name=QUESTION, exact=True).click()
    reply_box = expert_page.locator("#reply")
    reply_box.get_by_role("textbox").fill("Since the update the driver lives in printer-driver-gutenprint: install that one.")
    reply_box.get_by_role("button", name="Reply").click()
    expect(expert_page.locator("#post-2 .post-body")).to_contain_text("printer-driver-gutenprint")
    question.refresh_from_db()
    assert question.first_responder == expert

    # 6. As promised, the newcomer is notified; they read the answer (no promise any more) and like it.
    wait_for(lambda: Notification.objects.filter(recipient=nina, kind=Kind.REPLY, thread=question).exists(), timeout=20)
    page.goto("/notifications/")
    told = page.get_by_role("link", name=f"Eva Expert replied to your thread “{QUESTION}”")
    expect(told).to_be_visible()
    told.click()
    expect(page.locator("#post-2 .post-body")).to_contain_text("printer-driver-gutenprint")
    expect(page.locator("#answer-promise")).to_have_count(0)
    answer = Post.objects.get(thread=question, number=2)
    like = page.locator(f"#like-{answer.pk}")
    like.get_by_role("button").click()
    expect(like.locator(".like-count")).to_have_text("1")
    page.goto("/")
    expect(_checklist(page).get_by_role("heading")).to_contain_text("2 of 5 done")
    expect(_step(page, "Introduce yourself or ask a first question")).to_have_class(re.compile(r"\bdone\b"))
    expect(_step(page, "Like a post that helped you")).to_have_class(re.compile(r"\bdone\b"))
    expect(_step(page, "Read the community guidelines").get_by_role("link")).to_be_visible()

    # The same checklist in Russian (the member left their language to the browser).
    russian = new_page(user=nina, locale="ru-RU")
    russian.goto("/")
    expect(_checklist(russian).get_by_role("heading")).to_have_text(re.compile(r"Ваши первые шаги\s+сделано 2 из 5"))
    expect(_step(russian, "Поставьте лайк сообщению, которое вам помогло")).to_have_class(re.compile(r"\bdone\b"))
    expect(_step(russian, "Представьтесь или задайте первый вопрос")).to_have_class(re.compile(r"\bdone\b"))
    expect(_checklist(russian)).not_to_contain_text("Like a post")

    # The expert's points settle from the worker (the answer, first to a newcomer, the like) before the return.
    wait_for(lambda: PointsEntry.objects.filter(member=expert, reason=Reason.FIRST_REPLY_TO_NEWCOMER).exists(), timeout=20)
    wait_for(lambda: PointsEntry.objects.filter(member=expert, reason=Reason.LIKE_RECEIVED).exists(), timeout=20)
    before = _balance_on_page(expert_page)
    assert before == LoyaltyAccount.objects.get(member=expert).balance
    expect(expert_page.get_by_text("Helped a newcomer stay")).to_have_count(0)

    # 7. Later, the newcomer comes back and posts again: a reply in someone else's thread (a newcomer's second
    # thread would wait out the two-minute gap between threads; a reply in another thread counts as coming back too).
    page.goto("/")
    page.get_by_role("link", name=SOLVED_TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SOLVED_TITLE)
    reply_box = page.locator("#reply")
    reply_box.get_by_role("textbox").fill("For anyone landing here after the update: printer-driver-gutenprint fixed it for me.")
    reply_box.get_by_role("button", name="Reply").click()
    expect(page.locator("#post-3 .post-body")).to_contain_text("fixed it for me")
    assert Post.objects.filter(thread=solved, author=nina).count() == 1

    # 8. The first responder's points rise by the stay credit, on their points page, with a note.
    wait_for(partial(_points_page_shows_balance, expert_page, before + STAYED), timeout=30, interval=0.5)
    stay_row = expert_page.locator("table.ledger tbody tr").filter(has_text="Helped a newcomer stay")
    expect(stay_row).to_have_count(1)
    expect(stay_row.locator("td").first).to_have_text(f"+{STAYED}")
    expert_page.goto("/notifications/")
    expect(expert_page.get_by_role("link", name=f"nina came back and posted again — your answer in “{QUESTION}” helped")
           ).to_be_visible()

    # The ledger agrees: one stay credit, for this newcomer, to the expert and nobody else.
    stays = PointsEntry.objects.filter(reason=Reason.NEWCOMER_STAYED)
    assert list(stays.values_list("member_id", "amount", "source_id")) == [(expert.pk, STAYED, str(nina.pk))]
    assert LoyaltyAccount.objects.get(member=expert).balance == before + STAYED
