"""Sanctions and promotion end to end: a manager suspends a member, a moderator silences one,
and a manager promotes a trusted flagger, who accepts and starts reviewing."""

import re
from datetime import UTC, timedelta

from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from community import permissions
from community.members.models import Tier, User
from community.notifications.models import Kind, Notification
from forums.models import Post
from moderation.models import Flag, ModerationAction, ModeratorRole, Nomination, Sanction
from moderation.promotion import find_candidates
from moderation.services import grant_role
from tests.factories import UserFactory, make_thread

SUSPEND = "Suspend (cannot log in)"
SILENCE = "Silence (can read, cannot post)"
INVITATION = "The community team invites you to become a moderator. Open your invitation to accept."
WELCOME = "Welcome to the moderators. The review queue is yours to help with."


def _shown_as(moment):
    """A date and time as the site shows it to an English reader in UTC (the members' default)."""
    with translation.override("en"):
        return formats.date_format(timezone.localtime(moment, UTC), "DATETIME_FORMAT")


def _account_nav(page):
    return page.get_by_role("navigation", name="Account")


def _review_link(page):
    return page.get_by_role("navigation", name="Lists").get_by_role("link", name=re.compile(r"^Review"))


def _expect_bell(page, unread):
    bell = page.locator("a#bell")
    expect(bell).to_have_attribute("aria-label", f"Notifications: {unread} unread")
    if unread:
        expect(bell.locator(".bell-count")).to_have_text(str(unread))
    else:
        expect(bell.locator(".bell-count")).to_have_count(0)


def _sanction_in_the_browser(page, member, *, kind_label, days, reason):
    """Open the member's profile, unfold "Moderation", fill the sanction form and apply it."""
    page.goto(f"/u/{member.username}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(member.name)
    summary = page.locator("summary").filter(has_text=re.compile(r"^\s*Moderation\s*$"))
    tools = page.locator("details").filter(has=summary)
    expect(tools).to_have_count(1)
    # Folded until asked for.
    expect(tools.get_by_label("Sanction")).to_be_hidden()
    summary.click()
    kind = tools.get_by_label("Sanction")
    expect(kind).to_be_visible()
    expect(kind.locator("option")).to_have_text([SILENCE, SUSPEND])
    kind.select_option(label=kind_label)
    tools.get_by_label("For how many days").fill(str(days))
    tools.get_by_label("Reason (the member reads this)").fill(reason)
    tools.get_by_role("button", name="Apply", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/u/{member.username}/$"))
    message = page.get_by_role("status").filter(has_text="is sanctioned until")
    record = Sanction.objects.get(member=member)
    with translation.override("en"):
        day = formats.date_format(timezone.localtime(record.ends_at, UTC), "DATE_FORMAT")
    expect(message).to_have_text(f"{member.name} is sanctioned until {day}.")
    return record


def test_a_suspended_member_is_signed_out_on_their_next_page_and_told_why_and_until_when(
    new_page, member, manager, category
):
    # Mo is signed in and browsing.
    member_page = new_page(user=member)
    member_page.goto("/")
    expect(_account_nav(member_page).locator("summary[aria-label='Member menu']")).to_be_visible()
    expect(_account_nav(member_page).get_by_role("link", name="Log in")).to_have_count(0)

    # The manager suspends Mo for three days from the profile.
    manager_page = new_page(user=manager)
    before = timezone.now()
    record = _sanction_in_the_browser(manager_page, member, kind_label=SUSPEND, days=3, reason="Spamming links")
    after = timezone.now()
    assert (record.kind, record.reason, record.created_by) == (Sanction.Kind.SUSPEND, "Spamming links", manager)
    assert before + timedelta(days=3) <= record.ends_at <= after + timedelta(days=3)
    member.refresh_from_db()
    assert member.is_suspended and member.suspended_until == record.ends_at
    assert not member.is_silenced
    assert ModerationAction.objects.filter(action="member_suspended", actor=manager, target_id=member.pk,
                                           reason="Spamming links").count() == 1

    # Mo's next page is the suspension notice: why and until when.
    response = member_page.goto("/")
    assert response.status == 403
    expect(member_page).to_have_title("Account suspended · Roundtable")
    expect(member_page.get_by_role("heading", level=1)).to_have_text("Your account is suspended")
    notice = member_page.locator(".error-page")
    expect(notice.get_by_text(re.compile(r"^You can log in again after "))).to_have_text(
        f"You can log in again after {_shown_as(record.ends_at)}.")
    expect(notice.locator("p").filter(has_text="Why:")).to_have_text("Why: Spamming links")
    # The notice is already shown to a signed-out visitor.
    expect(_account_nav(member_page).get_by_role("link", name="Log in")).to_be_visible()

    # From then on Mo is signed out: the latest threads load, with "Log in" in the header…
    response = member_page.goto("/")
    assert response.status == 200
    expect(member_page.get_by_role("heading", name="Your account is suspended")).to_have_count(0)
    expect(_account_nav(member_page).get_by_role("link", name="Log in")).to_be_visible()
    expect(member_page.locator("summary[aria-label='Member menu']")).to_have_count(0)
    expect(member_page.locator("a#bell")).to_have_count(0)
    # …and pages for members send Mo to the login page.
    member_page.goto("/notifications/")
    expect(member_page).to_have_url(re.compile(r"/accounts/login/\?next=/notifications/$"))


def test_a_silenced_member_reads_threads_but_cannot_reply_or_start_one(
    new_page, member, other_member, moderator, manager, category
):
    grant_role(member=moderator, granted_by=manager)
    thread = make_thread(author=member, category=category, title="Which lights for a winter commute?",
                         body="My commute is dark from November. What lights do you use?")

    # Olga opens the thread and starts a reply: the form is there.
    olga_page = new_page(user=other_member)
    olga_page.goto(thread.get_absolute_url())
    reply_box = olga_page.locator("#reply")
    expect(reply_box.get_by_role("button", name="Reply")).to_be_visible()
    reply_box.get_by_role("textbox").fill("Get a bright front light and a blinking rear one, both USB.")

    # Meanwhile a site-wide moderator silences Olga for a week.
    mod_page = new_page(user=moderator)
    record = _sanction_in_the_browser(mod_page, other_member, kind_label=SILENCE, days=7,
                                      reason="Heated replies, please cool off")
    assert (record.kind, record.created_by) == (Sanction.Kind.SILENCE, moderator)
    other_member.refresh_from_db()
    assert other_member.is_silenced and not other_member.is_suspended
    until = _shown_as(other_member.silenced_until)
    read_only = f"You can read but not post until {until}. Your notifications say why."
    # The profile says so.
    expect(mod_page.locator("p.notice").filter(has_text="Silenced until")).to_have_text(f"Silenced until {until}.")

    # The reply Olga had started is refused, with the reason.
    reply_box.get_by_role("button", name="Reply").click()
    expect(olga_page.get_by_role("heading", level=1)).to_have_text("You can't do that here")
    expect(olga_page.locator(".error-page")).to_contain_text(read_only)
    assert not Post.objects.filter(thread=thread, author=other_member).exists()

    # Olga still reads the thread; the reply area explains instead of offering a form.
    olga_page.goto(thread.get_absolute_url())
    expect(olga_page.get_by_role("heading", level=1)).to_have_text("Which lights for a winter commute?")
    expect(olga_page.locator("#post-1 .post-body")).to_contain_text("My commute is dark from November.")
    expect(reply_box.locator("p.notice")).to_have_text(read_only)
    expect(reply_box.get_by_role("button", name="Reply")).to_have_count(0)
    expect(reply_box.get_by_role("textbox")).to_have_count(0)
    # Still signed in: the header has her menu, not "Log in".
    expect(_account_nav(olga_page).get_by_role("link", name="Log in")).to_have_count(0)

    # Starting a thread is refused too.
    response = olga_page.goto("/t/new/")
    assert response.status == 403
    expect(olga_page.get_by_role("heading", level=1)).to_have_text("You can't do that here")
    expect(olga_page.locator(".error-page")).to_contain_text(read_only)
    expect(olga_page.get_by_label("Title")).to_have_count(0)

    # Her notifications say why.
    olga_page.goto("/")
    _expect_bell(olga_page, 1)
    olga_page.locator("a#bell").click()
    expect(olga_page).to_have_url(re.compile(r"/notifications/$"))
    expect(olga_page.locator("li.notification.unread .notification-text")).to_have_text(
        f"You are silenced until {_shown_as(other_member.silenced_until)}: Heated replies, please cool off")


def _make_candidate(category):
    """Champ: tier 3, ten flags on others' posts, all agreed with by moderators."""
    champ = UserFactory(username="champ", tier=Tier.CHAMPION)
    author = UserFactory(username="theo", tier=Tier.MEMBER)
    for number in range(10):
        post = make_thread(author=author, category=category, title=f"Cheap watches, offer number {number}",
                           body=f"Visit my shop for offer number {number}!").posts.get()
        Flag.objects.create(post=post, flagger=champ, reason=Flag.Reason.SPAM, created_at=timezone.now(),
                            status=Flag.Status.AGREED)
    return champ


def test_a_manager_promotes_a_candidate_who_accepts_and_opens_the_review_queue(new_page, manager, category):
    champ = _make_candidate(category)
    created = find_candidates()
    assert [n.member for n in created] == [champ]
    nomination = created[0]
    evidence = nomination.evidence
    assert (evidence["tier"], evidence["flags_resolved"], evidence["flag_accuracy"]) == (3, 10, 1.0)

    # Champ is not a moderator yet: no Review link, and the queue is refused.
    champ_page = new_page(user=champ)
    champ_page.goto("/")
    _expect_bell(champ_page, 0)
    expect(_review_link(champ_page)).to_have_count(0)
    assert champ_page.goto("/review/").status == 403

    # The manager finds Champ among the candidates, with the evidence, and approves for the whole site.
    manager_page = new_page(user=manager)
    manager_page.goto("/moderation/candidates/")
    expect(manager_page.get_by_role("heading", level=1)).to_have_text("Moderator candidates")
    rows = manager_page.locator("li.queue-row")
    expect(rows).to_have_count(1)
    row = manager_page.locator(f"li.queue-row#nomination-{nomination.pk}")
    expect(row.get_by_role("link", name="champ", exact=True)).to_be_visible()
    lines = row.locator("ul.plain-list li")
    expect(lines).to_have_text([f"Tier 3 · {evidence['score_90d']} points in 90 days", "10 flags handled, 100% agreed with by moderators"])
    expect(row.get_by_role("button", name="Decline")).to_be_visible()
    expect(row.get_by_role("button", name="Defer")).to_be_visible()
    categories = row.get_by_label("Moderate (none chosen: the whole site)")
    expect(categories.locator("option")).to_have_text(["Help"])
    expect(manager_page.get_by_role("heading", name="Waiting for the member's answer")).to_have_count(0)

    row.get_by_role("button", name="Approve").click()
    expect(manager_page.get_by_role("status")).to_have_text("Approved: the member is invited to moderate.")
    expect(manager_page).to_have_url(re.compile(r"/moderation/candidates/$"))
    expect(rows).to_have_count(0)
    expect(manager_page.get_by_text("No candidates right now. The nightly job looks again tonight.")).to_be_visible()
    expect(manager_page.get_by_role("heading", name="Waiting for the member's answer")).to_be_visible()
    waiting = manager_page.locator("h2 + ul.plain-list li")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("champ")
    nomination.refresh_from_db()
    assert (nomination.status, nomination.decided_by, nomination.category_ids) == (Nomination.Status.OFFERED, manager, [])
    # Approval alone grants nothing: Champ is still refused the queue.
    assert not ModeratorRole.objects.filter(member=champ).exists()
    assert champ_page.goto("/review/").status == 403

    # Champ's bell rises; the notification opens the invitation.
    champ_page.goto("/")
    _expect_bell(champ_page, 1)
    expect(_review_link(champ_page)).to_have_count(0)
    champ_page.locator("a#bell").click()
    expect(champ_page).to_have_url(re.compile(r"/notifications/$"))
    invitation = champ_page.locator("li.notification.unread").filter(has_text=INVITATION)
    expect(invitation).to_have_count(1)
    invitation.get_by_role("link", name=INVITATION).click()
    expect(champ_page).to_have_url(re.compile(r"/moderation/invitation/$"))
    expect(champ_page.get_by_role("heading", level=1)).to_have_text("Become a moderator?")
    assert Notification.objects.get(recipient=champ, kind=Kind.MODERATION).read_at is not None
    expect(champ_page.get_by_role("button", name="No, thank you")).to_be_visible()

    # Champ accepts and lands on the review queue, welcomed, with the Review link in the nav.
    champ_page.get_by_role("button", name="Yes, I accept").click()
    expect(champ_page).to_have_url(re.compile(r"/review/$"))
    expect(champ_page.get_by_role("status")).to_have_text(WELCOME)
    expect(champ_page.get_by_role("heading", level=1)).to_have_text("Review queue")
    review_link = _review_link(champ_page)
    expect(review_link).to_be_visible()
    expect(review_link).to_have_attribute("aria-current", "page")
    _expect_bell(champ_page, 0)

    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.ACCEPTED
    champ = User.objects.get(pk=champ.pk)
    role = ModeratorRole.objects.get(member=champ, revoked_at=None)
    assert (role.category, role.granted_by) == (None, manager)
    assert permissions.moderated_category_ids(champ) is None
    assert ModerationAction.objects.filter(action="candidate_approved", actor=manager, target_id=champ.pk).count() == 1

    # The queue keeps answering from now on; the invitation is used up.
    assert champ_page.goto("/review/").status == 200
    champ_page.goto("/moderation/invitation/")
    expect(champ_page.get_by_role("heading", level=1)).to_have_text("No invitation")

    # The manager's list no longer waits for Champ.
    manager_page.reload()
    expect(manager_page.get_by_role("heading", name="Waiting for the member's answer")).to_have_count(0)
