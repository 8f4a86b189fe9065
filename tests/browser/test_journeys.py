"""Whole journeys through the site in a real browser: sign up, post, reply, read, like, search, fix a mistake."""

import re

from django.core import mail
from playwright.sync_api import expect

from community.members.models import Tier, User
from forums.models import Post, Thread
from tests.factories import make_reply, make_thread

NEW_PASSWORD = "river-lantern-quietly-42"


def _label(text):
    # allauth's labels end with a colon ("Password:"); match the words, not the punctuation.
    return re.compile(rf"^{re.escape(text)}:?$")


def _sign_up_and_confirm_email(page, *, email, username):
    page.goto("/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.get_by_label(_label("Email")).fill(email)
    page.get_by_label(_label("Username")).fill(username)
    page.get_by_label(_label("Password")).fill(NEW_PASSWORD)
    page.get_by_label(_label("Password (again)")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [email]
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", message.body)
    assert match, message.body
    page.goto(match.group(1))
    page.get_by_role("button", name="Confirm").click()
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION: confirming logs the new member in.
    expect(page.get_by_role("status").filter(has_text=f"Successfully signed in as {username}")).to_be_visible()
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in")).to_have_count(0)


def _thread_row(page, title):
    return page.locator("li.thread-row").filter(has=page.get_by_role("link", name=title, exact=True))


def test_newcomer_signs_up_starts_a_thread_and_reads_the_reply_someone_else_left(new_page, other_member, category):
    newcomer_page = new_page()
    _sign_up_and_confirm_email(newcomer_page, email="nina@example.org", username="nina")
    nina = User.objects.get(username="nina")
    assert nina.tier == Tier.NEWCOMER
    assert nina.emailaddress_set.get().verified

    newcomer_page.get_by_role("link", name="New thread").click()
    newcomer_page.get_by_label("Category").select_option(label=category.name)
    newcomer_page.get_by_label("Title").fill("My sourdough will not rise")
    newcomer_page.get_by_label("Message").fill("I feed the starter **every day** but the bread stays flat.")
    newcomer_page.get_by_role("button", name="Post thread").click()
    expect(newcomer_page.get_by_role("heading", level=1)).to_have_text("My sourdough will not rise")
    expect(newcomer_page.locator("#post-1 .post-body strong")).to_have_text("every day")
    thread = Thread.objects.get(title="My sourdough will not rise")
    assert thread.author == nina
    assert thread.is_newcomer_thread

    olga_page = new_page(user=other_member)
    olga_page.goto("/")
    olga_page.get_by_role("link", name="My sourdough will not rise").click()
    reply_box = olga_page.locator("#reply")
    expect(reply_box.get_by_role("heading", name="Your reply")).to_be_visible()
    reply_box.get_by_role("textbox").fill("Keep the starter somewhere warmer, around 25 °C.")
    reply_box.get_by_role("button", name="Reply").click()
    expect(olga_page.locator("#post-2 .post-body")).to_contain_text("somewhere warmer")
    thread.refresh_from_db()
    assert thread.reply_count == 1

    newcomer_page.goto("/")
    row = _thread_row(newcomer_page, "My sourdough will not rise")
    expect(row).to_have_class(re.compile(r"\bunread\b"))
    expect(row.locator(".unread-dot")).to_be_visible()
    red, green, blue = map(int, re.findall(r"\d+", row.locator(".unread-dot").evaluate("dot => getComputedStyle(dot).backgroundColor"))[:3])
    assert blue > red and blue > green, (red, green, blue)
    title_link = row.get_by_role("link", name="My sourdough will not rise")
    expect(title_link).to_have_attribute("href", f"/t/{thread.pk}/unread/")
    assert title_link.evaluate("element => getComputedStyle(element).fontWeight") in ("700", "bold", "600", "800")

    title_link.click()
    expect(newcomer_page).to_have_url(re.compile(rf"/t/{thread.pk}/[^/]+/\?page=1#post-2$"))
    new_post = newcomer_page.locator("#post-2")
    expect(new_post).to_have_class(re.compile(r"\bpost-unread\b"))
    expect(new_post.get_by_text("new", exact=True)).to_be_visible()
    expect(new_post.get_by_role("link", name=other_member.name)).to_be_visible()
    expect(new_post.locator(".post-body")).to_contain_text("Keep the starter somewhere warmer")
    expect(new_post).to_be_in_viewport()

    newcomer_page.goto("/")
    row = _thread_row(newcomer_page, "My sourdough will not rise")
    expect(row).not_to_have_class(re.compile(r"\bunread\b"))
    expect(row.locator(".unread-dot")).to_have_count(0)
    expect(row.get_by_role("link", name="My sourdough will not rise")).to_have_attribute("href", thread.get_absolute_url())


def test_member_likes_and_unlikes_someone_elses_post_without_a_page_reload(new_page, member, other_member, category):
    thread = make_thread(author=other_member, category=category, title="Which editor do you use?")
    post = thread.posts.get(number=1)
    page = new_page(user=member)
    page.goto(thread.get_absolute_url())
    # A marker on the window survives only as long as the page is not reloaded.
    page.evaluate("window.__sameDocument = true")

    like = page.locator(f"#like-{post.pk}")
    button = like.get_by_role("button", name=re.compile("♥"))
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(like.locator(".like-count")).to_have_text("0")

    button.click()
    expect(like.locator(".like-count")).to_have_text("1")
    expect(like.get_by_role("button")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__sameDocument") is True
    post.refresh_from_db()
    assert post.like_count == 1

    page.reload()
    like = page.locator(f"#like-{post.pk}")
    expect(like.locator(".like-count")).to_have_text("1")
    expect(like.get_by_role("button")).to_have_attribute("aria-pressed", "true")

    like.get_by_role("button").click()
    expect(like.locator(".like-count")).to_have_text("0")
    expect(like.get_by_role("button")).to_have_attribute("aria-pressed", "false")
    post.refresh_from_db()
    assert post.like_count == 0

    page.reload()
    expect(page.locator(f"#like-{post.pk} .like-count")).to_have_text("0")
    expect(page.locator(f"#like-{post.pk}").get_by_role("button")).to_have_attribute("aria-pressed", "false")


def test_author_sees_their_own_like_count_but_no_like_button(new_page, member, category):
    thread = make_thread(author=member, category=category, title="Liking yourself is not a thing")
    post = thread.posts.get(number=1)
    page = new_page(user=member)
    page.goto(thread.get_absolute_url())
    like = page.locator(f"#like-{post.pk}")
    expect(like.locator(".like-count")).to_have_text("0")
    expect(like.get_by_role("button")).to_have_count(0)


def _search_from_header(page, words):
    box = page.get_by_role("search").first.get_by_role("searchbox")
    box.fill(words)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))


def test_header_search_finds_english_and_russian_posts_by_stemmed_words(new_page, member, other_member, category):
    english = make_thread(author=member, category=category, title="Deploy went fine", body="The database migrations finished.")
    russian = make_thread(author=other_member, category=category, title="Прогулки", body="Как часто вы гуляете?")
    make_reply(thread=russian, author=member, body="Мои собаки любят гулять.")
    make_thread(author=other_member, category=category, title="Unrelated", body="Cats sleep all day.")

    page = new_page()
    page.goto("/")
    _search_from_header(page, "migration")
    hits = page.locator("li.search-hit")
    expect(hits).to_have_count(1)
    expect(hits.get_by_role("link", name="Deploy went fine")).to_be_visible()
    expect(hits.locator(".snippet mark")).to_have_text(["migrations"])
    expect(hits.get_by_role("link", name="Deploy went fine")).to_have_attribute("href", f"/p/{english.posts.get(number=1).pk}/")

    _search_from_header(page, "собака")
    hits = page.locator("li.search-hit")
    expect(hits).to_have_count(1)
    expect(hits.get_by_role("link", name="Прогулки")).to_be_visible()
    expect(hits.locator(".snippet mark")).to_have_text(["собаки"])
    expect(page.get_by_role("search").first.get_by_role("searchbox")).to_have_value("собака")

    hits.get_by_role("link", name="Прогулки").click()
    expect(page).to_have_url(re.compile(rf"/t/{russian.pk}/[^/]+/\?page=1#post-2$"))
    expect(page.locator("#post-2 .post-body")).to_contain_text("Мои собаки любят гулять.")


def test_search_that_matches_nothing_says_so(new_page, member, category):
    make_thread(author=member, category=category, title="Deploy went fine", body="The database migrations finished.")
    page = new_page()
    page.goto("/")
    _search_from_header(page, "zeppelin")
    expect(page.locator("li.search-hit")).to_have_count(0)
    expect(page.get_by_text("Nothing matches “zeppelin”")).to_be_visible()


def test_new_thread_with_a_too_short_title_shows_the_error_and_keeps_the_typed_text(new_page, member, category):
    body = "A long explanation\nthat took me **ten minutes** to write."
    page = new_page(user=member)
    page.goto("/t/new/")
    page.get_by_label("Category").select_option(label=category.name)
    page.get_by_label("Title").fill("Hi")
    page.get_by_label("Message").fill(body)
    # The browser's own minlength check would stop the form; the server must say it too.
    page.get_by_label("Title").evaluate("input => input.removeAttribute('minlength')")
    page.get_by_role("button", name="Post thread").click()

    error = page.get_by_role("alert")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("at least 3 characters")
    expect(page.locator(".field.has-error").get_by_label("Title")).to_have_value("Hi")
    expect(page.get_by_label("Message")).to_have_value(body)
    expect(page.get_by_label("Category")).to_have_value(str(category.pk))
    assert Thread.objects.count() == 0
    assert Post.objects.count() == 0


def test_new_thread_title_input_asks_the_browser_to_require_three_characters(new_page, member, category):
    page = new_page(user=member)
    page.goto("/t/new/")
    page.get_by_label("Title").fill("Hi")
    page.get_by_label("Message").fill("Body text")
    page.get_by_role("button", name="Post thread").click()
    assert page.get_by_label("Title").evaluate("input => input.validity.tooShort") is True
    expect(page).to_have_url(re.compile(r"/t/new/$"))
    assert Thread.objects.count() == 0
