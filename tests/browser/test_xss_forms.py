"""Hostile input typed into the real forms (issue 15, point 4): every field members, hosts and flaggers fill in.

The vectors go in through the pages, as a person would: typed into the fields and submitted with the buttons
(thread title and body, preview, reply, edit, idea, idea status note, flag notes, display name, bio, flair,
kudos, event title, description, place and address). Single-line fields take as many whole vectors as fit in
their length limit. Then every page that shows the text is opened by the people who see it, and nothing may
have run (no dialog, no window.__xss, no CSP violation) or be left in the document (no script-capable element,
handler, htmx attribute or script URL in member content, nor anywhere on the page).
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community.events.models import Event
from community.members.models import Tier
from forums.models import Post, Thread
from moderation.models import Flag
from tests.browser.inert import assert_nothing_injected, poke_every_link_and_image
from tests.factories import CategoryFactory, UserFactory, make_manager, make_reply, make_thread
from tests.xss_vectors import XSS_VECTORS

ALL_VECTORS = "\n\n".join(XSS_VECTORS)
LONG_AGO = timezone.now() - timedelta(days=90)  # past the first-day posting limits


def packed(limit: int, *, skip: int = 0) -> list[str]:
    """The vectors as lines of at most `limit` characters, each holding as many whole vectors as fit.

    `skip` rotates the list, so that fields of the same size do not all get the same vectors first."""
    vectors = [" ".join(vector.split()) for vector in XSS_VECTORS[skip:] + XSS_VECTORS[:skip]]
    lines, line = [], ""
    for vector in vectors:
        if len(vector) > limit:
            continue
        if line and len(line) + 1 + len(vector) > limit:
            lines.append(line)
            line = ""
        line = f"{line} {vector}" if line else vector
    return [*lines, line] if line else lines


def visit(page, url: str, containers: str | None) -> None:
    page.goto(url)
    assert_nothing_injected(page, containers=containers)


@pytest.fixture
def no_posting_gaps(settings):
    settings.FORUMS_POST_INTERVAL = settings.FORUMS_THREAD_INTERVAL = 0


def test_vectors_typed_into_thread_reply_edit_preview_idea_and_flag_forms_stay_inert(watched_page, no_posting_gaps):
    category = CategoryFactory(name="Help", slug="help")
    CategoryFactory(name="Ideas", slug="ideas", is_ideas=True)
    author = UserFactory(username="mallory", tier=Tier.MEMBER, date_joined=LONG_AGO)
    replier = UserFactory(username="trudy", tier=Tier.MEMBER, date_joined=LONG_AGO)
    flaggers = [UserFactory(username=name, tier=Tier.MEMBER, date_joined=LONG_AGO) for name in ("fran", "fred")]
    manager = make_manager(username="mia", tier=Tier.LEADER, date_joined=LONG_AGO)
    # An earlier thread whose title is a vector, so the "similar threads" hint shows one while the next title is typed.
    make_thread(author=replier, category=category, title="alert(1) <img src=x onerror=alert(1)> in a title",
                body="An earlier thread.")
    titles = packed(200)

    # The author starts a thread through the form: a title of vectors, every vector in the body, previewed first.
    page = watched_page(user=author)
    page.goto("/t/new/?category=help")
    form = page.locator("form.post-form")
    form.get_by_label("Title", exact=True).press_sequentially("alert img onerror in a title")
    expect(page.locator("#similar-threads")).to_contain_text("alert(1)")  # the hint came in, as text
    assert_nothing_injected(page, containers=".similar-thread-title")
    form.get_by_label("Title", exact=True).fill(titles[0])
    form.get_by_label("Message", exact=True).fill(ALL_VECTORS)
    form.get_by_role("button", name="Preview").click()
    expect(form.locator(".preview")).to_contain_text("<script>window.__xss=1;alert(1)</script>")
    assert_nothing_injected(page, containers=".preview")
    form.get_by_role("button", name="Post thread").click()
    thread = Thread.objects.get(author=author)
    expect(page.get_by_role("heading", level=1)).to_have_text(titles[0])
    assert_nothing_injected(page)

    # Someone replies with every vector, through the reply box, after previewing it there.
    make_reply(thread=thread, author=manager, body="A reply in between, so the edit below is not of the last post.")
    replier_page = watched_page(user=replier)
    replier_page.goto(thread.get_absolute_url())
    reply_form = replier_page.locator("#reply")
    reply_form.get_by_role("textbox").fill(ALL_VECTORS)
    reply_form.get_by_role("button", name="Preview").click()
    expect(reply_form.locator(".preview")).to_contain_text("<script>window.__xss=1;alert(1)</script>")
    assert_nothing_injected(replier_page, containers=".preview")
    reply_form.get_by_role("button", name="Reply").click()
    expect(replier_page.locator("section#post-3 .post-body")).to_contain_text("<svg onload=alert(1)>")
    reply = Post.objects.get(thread=thread, number=3)
    assert reply.body.replace("\r\n", "\n") == ALL_VECTORS  # a textarea sends CRLF
    assert_nothing_injected(replier_page)

    # Both edit through the edit page: the opening post's title and body, and the reply (reversed, so it changed).
    page.goto(f"/p/{thread.posts.get(number=1).pk}/edit/")
    page.get_by_label("Title", exact=True).fill(titles[1])
    page.get_by_label("Message", exact=True).fill(ALL_VECTORS + "\n\nEdited.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(titles[1])
    replier_page.goto(f"/p/{reply.pk}/edit/")
    replier_page.get_by_label("Message", exact=True).fill("\n\n".join(reversed(XSS_VECTORS)))
    replier_page.get_by_role("button", name="Save changes").click()
    expect(replier_page.locator("section#post-3 .post-body")).to_contain_text("<svg onload=alert(1)>")

    # An idea, through the same form, in the ideas category; the manager gives it a status with a note of vectors.
    page.goto("/t/new/?category=ideas")
    page.get_by_label("Title", exact=True).fill(titles[2])
    page.get_by_label("Message", exact=True).fill(ALL_VECTORS)
    page.get_by_role("button", name="Post thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(titles[2])
    idea = Thread.objects.get(author=author, category__slug="ideas")
    manager_page = watched_page(user=manager)
    manager_page.goto(idea.get_absolute_url())
    manager_page.locator(".idea-tools summary").click()
    manager_page.get_by_label("Status", exact=True).select_option("planned")
    status_note = packed(300, skip=20)[0]
    manager_page.get_by_label("Public note (optional)").fill(status_note)
    manager_page.get_by_role("button", name="Save the status").click()
    expect(manager_page.locator(".idea-panel .idea-note")).to_contain_text(status_note[:20])

    # Two members flag the reply with notes of vectors (a note is at most 500 characters).
    notes = packed(500, skip=40)[:2]
    for flagger, note in zip(flaggers, notes, strict=True):
        flagger_page = watched_page(user=flagger)
        flagger_page.goto(thread.get_absolute_url())
        post = flagger_page.locator("section#post-3")
        post.locator("footer.post-actions summary").get_by_text("⚑ Flag", exact=True).click()
        post.get_by_label("Why").select_option(label="Something else")
        post.get_by_label("Note").fill(note)
        post.get_by_role("button", name="Flag for moderators").click()
        expect(flagger_page.get_by_role("status")).to_have_text("Thank you. Moderators will look at this post.")
        assert_nothing_injected(flagger_page)
    assert Flag.objects.filter(post=reply).count() == 2

    # Every page that shows this text, to the people who see it.
    visitor = watched_page()
    for viewer in (visitor, replier_page):  # signed in, a member also sees the reply box and the post tools
        visit(viewer, thread.get_absolute_url(), ".post-body")
        visit(viewer, idea.get_absolute_url(), ".post-body, .idea-note")
    for address in ("/", "/c/help/", "/c/ideas/", "/top/", "/unanswered/", f"/u/{author.username}/"):
        visit(visitor, address, None)
    replier_page.goto(idea.get_absolute_url())
    poke_every_link_and_image(replier_page, containers=".idea-note, .post-body")
    visit(visitor, f"/p/{thread.posts.get(number=1).pk}/history/", None)
    visit(visitor, "/search/?q=alert", ".snippet")
    visit(manager_page, "/review/", ".post-body")
    expect(manager_page.locator("main")).to_contain_text(notes[0][:30])
    expect(manager_page.locator("main")).to_contain_text(notes[1][:30])
    visit(page, "/notifications/", None)


def test_vectors_typed_into_profile_kudos_and_event_forms_stay_inert(watched_page, no_posting_gaps):
    category = CategoryFactory(name="Help", slug="help")
    CategoryFactory(name="Events & Meetups", slug="events")
    # Champions (tier 3) may set a flair; they are the ones with the most fields to fill.
    champion = UserFactory(username="mallory", tier=Tier.CHAMPION, date_joined=LONG_AGO)
    thanker = UserFactory(username="trudy", tier=Tier.MEMBER, date_joined=LONG_AGO)
    host = make_manager(username="hanna", tier=Tier.LEADER, date_joined=LONG_AGO)
    thread = make_thread(author=champion, category=category, title="Where the name and flair show", body="Hello.")

    # Profile fields through the settings form.
    page = watched_page(user=champion)
    page.goto("/settings/")
    display_name, flair = packed(60)[0], packed(30, skip=3)[0]
    # 2,800 characters: the browser sends each newline as CRLF, and the limit is 3,000.
    bio = "\n\n".join(vector for vector in XSS_VECTORS if len(vector) < 90)[:2800].rsplit("\n\n", 1)[0]
    page.get_by_label("Display name", exact=True).fill(display_name)
    page.get_by_label("About me", exact=True).fill(bio)
    page.get_by_label("Flair next to your name", exact=True).fill(flair)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    champion.refresh_from_db()
    assert champion.display_name == display_name and champion.profile.bio.replace("\r\n", "\n") == bio

    # Kudos from another member, through the form on the profile: four thank-yous of vectors (280 characters each).
    kudos = packed(280, skip=60)[:4]
    thanker_page = watched_page(user=thanker)
    for message in kudos:
        thanker_page.goto(f"/u/{champion.username}/")
        thanker_page.locator("#kudos-message").fill(message)
        thanker_page.get_by_role("button", name="Send kudos").click()
        expect(thanker_page.locator(".kudos-list")).to_contain_text(message[:30])
    assert_nothing_injected(thanker_page, containers=".post-body, .kudos-list")
    poke_every_link_and_image(thanker_page)

    # An event, through the host's form: title, description, place and address full of vectors.
    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
    event_title = packed(150, skip=10)[0]
    host_page = watched_page(user=host)
    host_page.goto("/events/new/")
    form = host_page.locator("form.event-form")
    form.get_by_label("Title", exact=True).fill(event_title)
    form.get_by_label("What it is about", exact=True).fill(ALL_VECTORS)
    form.get_by_label("Category", exact=True).select_option(label="Events & Meetups")
    form.get_by_label("Time zone", exact=True).select_option("UTC")
    form.get_by_label("Starts", exact=True).fill(f"{starts:%Y-%m-%dT%H:%M}")
    form.get_by_label("Ends", exact=True).fill(f"{starts + timedelta(hours=2):%Y-%m-%dT%H:%M}")
    form.get_by_label("In person", exact=True).check()
    form.get_by_label("Place", exact=True).fill(packed(150, skip=30)[0])
    form.get_by_label("Address", exact=True).fill(packed(300, skip=50)[0])
    form.get_by_role("button", name="Create the event").click()
    expect(host_page.get_by_role("heading", level=1)).to_have_text(event_title)
    event = Event.objects.get(title=event_title)
    assert event.description.replace("\r\n", "\n") == ALL_VECTORS

    visitor = watched_page()
    for viewer in (visitor, thanker_page, host_page):
        visit(viewer, f"/u/{champion.username}/", ".post-body")  # the bio; name, flair and kudos are text around it
        visit(viewer, thread.get_absolute_url(), ".post-body")  # the name and flair beside the post
        visit(viewer, f"/events/{event.pk}/", ".event-description")
    poke_every_link_and_image(visitor, containers=".event-description")
    for address in ("/", "/c/help/", "/events/", f"/events/calendar/?month={starts:%Y-%m}", "/leaderboard/"):
        visit(visitor, address, None)
    visit(visitor, thread.get_absolute_url(), ".post-body")
    expect(visitor.locator("section#post-1 .user-flair")).to_have_text(flair)
    visit(host_page, f"/events/{event.pk}/attendees/", None)
    visit(page, "/notifications/", None)
    visit(page, "/loyalty/", None)
