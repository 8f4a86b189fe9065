"""Moderation end to end: three members flag a post and it is hidden; a moderator approves it from the review queue."""

import re

from playwright.sync_api import expect

from community.members.models import Tier
from moderation.models import Flag, ModerationAction, ReviewItem
from moderation.services import flag_post, grant_role
from tests.factories import UserFactory, make_reply, make_thread

REPLY_BODY = "Buy cheap watches at my shop, best prices in town!"
HIDDEN_TEXT = "This post is hidden while moderators review it."
FLAGGERS = ("fran", "fred", "fay")


def _thread_with_flaggable_reply(category, author):
    """A thread by someone else with a reply (post #2) by `author`, a tier-1 member, so only three flags hide it."""
    thread = make_thread(author=UserFactory(username="theo", tier=Tier.MEMBER), category=category,
                         title="Which watch for a first marathon?", body="I run my first marathon in May.")
    reply = make_reply(thread=thread, author=author, body=REPLY_BODY)
    assert reply.number == 2 and not reply.author.is_newcomer
    return thread, reply


def _flag_in_the_browser(page, thread, *, reason, note="", says="Thank you. Moderators will look at this post."):
    page.goto(thread.get_absolute_url())
    post = page.locator("section#post-2")
    expect(post.locator(".post-body")).to_contain_text(REPLY_BODY)
    post.locator("footer.post-actions summary").get_by_text("⚑ Flag", exact=True).click()
    reason_select = post.get_by_label("Why")
    expect(reason_select.locator("option")).to_have_text(["Choose why", "Spam", "Off-topic", "Abusive", "Something else"])
    expect(reason_select).to_have_value("")  # no reason is chosen for the member
    reason_select.select_option(label=reason)
    if note:
        post.get_by_label("Note").fill(note)
    post.get_by_role("button", name="Flag for moderators").click()
    expect(page.get_by_role("status")).to_have_text(says)
    return post


def _expect_body_shown(page):
    post = page.locator("section#post-2")
    expect(post.locator(".post-body")).to_contain_text(REPLY_BODY)
    expect(post.get_by_text(HIDDEN_TEXT)).to_have_count(0)


def _expect_body_hidden(page):
    post = page.locator("section#post-2")
    expect(post.get_by_text(HIDDEN_TEXT)).to_be_visible()
    expect(post.get_by_text(REPLY_BODY)).to_have_count(0)
    expect(post.locator(".post-body")).to_have_count(0)


def test_three_member_flags_hide_a_post_from_others_but_not_from_its_author(new_page, member, other_member, category):
    thread, reply = _thread_with_flaggable_reply(category, member)
    flaggers = [UserFactory(username=name, tier=Tier.MEMBER) for name in FLAGGERS]

    viewer_page = new_page(user=other_member)
    viewer_page.goto(thread.get_absolute_url())
    _expect_body_shown(viewer_page)

    # A first flag; flagging the same post again is refused politely and counts once.
    first_page = new_page(user=flaggers[0])
    _flag_in_the_browser(first_page, thread, reason="Spam")
    _flag_in_the_browser(first_page, thread, reason="Abusive",
                         says="You have already flagged this post; moderators will look at it.")
    assert Flag.objects.filter(post=reply).count() == 1

    # Two flags put the post in the queue but do not hide it: the viewer still reads it.
    second = _flag_in_the_browser(new_page(user=flaggers[1]), thread, reason="Off-topic", note="An advert, not an answer")
    expect(second.locator(".post-body")).to_contain_text(REPLY_BODY)
    viewer_page.reload()
    _expect_body_shown(viewer_page)
    reply.refresh_from_db()
    assert not reply.is_hidden
    assert Flag.objects.filter(post=reply, status=Flag.Status.OPEN).count() == 2
    assert ReviewItem.objects.filter(post=reply, status=ReviewItem.Status.PENDING).count() == 1

    # The third flag hides it at once: the third flagger, back on the thread, no longer sees it…
    third_page = new_page(user=flaggers[2])
    _flag_in_the_browser(third_page, thread, reason="Spam")
    _expect_body_hidden(third_page)
    reply.refresh_from_db()
    assert reply.is_hidden
    assert ModerationAction.objects.filter(action="post_hidden_by_flags", target_id=reply.pk, actor=None).count() == 1

    # …nor does the viewer after a reload; the first post is untouched.
    viewer_page.reload()
    _expect_body_hidden(viewer_page)
    expect(viewer_page.locator("section#post-1 .post-body")).to_contain_text("I run my first marathon in May.")

    # The author still reads the post, with the reason it is hidden from others.
    author_page = new_page(user=member)
    author_page.goto(thread.get_absolute_url())
    author_post = author_page.locator("section#post-2")
    expect(author_post.locator(".post-body")).to_contain_text(REPLY_BODY)
    expect(author_post.locator("p.notice")).to_have_text(
        "Hidden from others while moderators review it: flagged by members of the community as spam")
    # The author cannot flag their own post.
    expect(author_post.get_by_text("⚑ Flag", exact=True)).to_have_count(0)


def test_moderator_claims_and_approves_a_hidden_post_from_the_review_queue(
    new_page, member, other_member, moderator, manager, category
):
    thread, reply = _thread_with_flaggable_reply(category, member)
    for name, reason in zip(FLAGGERS, (Flag.Reason.SPAM, Flag.Reason.OFF_TOPIC, Flag.Reason.SPAM), strict=True):
        flag_post(post=reply, flagger=UserFactory(username=name, tier=Tier.MEMBER), reason=reason)
    reply.refresh_from_db()
    assert reply.is_hidden
    grant_role(member=moderator, granted_by=manager)

    viewer_page = new_page(user=other_member)
    viewer_page.goto(thread.get_absolute_url())
    _expect_body_hidden(viewer_page)

    # A plain member has no Review link and is refused the queue and the log.
    member_page = new_page(user=member)
    member_page.goto("/")
    expect(member_page.get_by_role("navigation", name="Lists").get_by_role("link", name=re.compile(r"^Review"))).to_have_count(0)
    assert member_page.goto("/review/").status == 403
    assert member_page.goto("/moderation/log/").status == 403

    # The moderator sees one pending item on the Review link and opens the queue from it.
    mod_page = new_page(user=moderator)
    mod_page.goto("/")
    review_link = mod_page.get_by_role("navigation", name="Lists").get_by_role("link", name=re.compile(r"^Review"))
    expect(review_link).to_be_visible()
    expect(review_link.locator("#review-count")).to_have_text("1")
    review_link.click()
    expect(mod_page).to_have_url(re.compile(r"/review/$"))
    expect(mod_page.get_by_role("heading", level=1)).to_have_text("Review queue")

    item = ReviewItem.objects.get(post=reply, status=ReviewItem.Status.PENDING)
    rows = mod_page.locator("li.queue-row")
    expect(rows).to_have_count(1)
    row = mod_page.locator(f"li.queue-row#review-item-{item.pk}")
    expect(row.locator(".post-body")).to_contain_text(REPLY_BODY)
    expect(row.get_by_text("hidden", exact=True)).to_be_visible()
    flags = row.locator("ul.plain-list li")
    expect(flags).to_have_count(3)
    for name in FLAGGERS:
        expect(flags.filter(has_text=name)).to_have_count(1)
    expect(flags.filter(has_text="Spam")).to_have_count(2)
    expect(flags.filter(has_text="Off-topic")).to_have_count(1)

    # Claim, then approve.
    row.get_by_role("button", name="Claim", exact=True).click()
    expect(mod_page.get_by_role("status")).to_have_text("Claimed: this item is yours to handle.")
    expect(row.get_by_text("Claimed by max")).to_be_visible()
    expect(row.get_by_role("button", name="Claim", exact=True)).to_have_count(0)
    item.refresh_from_db()
    assert item.claimed_by == moderator

    row.get_by_role("button", name="Approve: show the post").click()
    expect(mod_page.get_by_role("status")).to_have_text("Approved: the post is visible again, and the flaggers are told.")
    expect(mod_page).to_have_url(re.compile(r"/review/$"))
    expect(rows).to_have_count(0)
    expect(mod_page.get_by_text("Nothing to review")).to_be_visible()
    # The count badge is gone with the last pending item; the link stays.
    expect(review_link).to_be_visible()
    expect(mod_page.locator("#review-count")).to_have_count(0)

    item.refresh_from_db()
    reply.refresh_from_db()
    assert (item.status, item.resolved_by) == (ReviewItem.Status.APPROVED, moderator)
    assert not reply.is_hidden and reply.hidden_reason == ""
    assert set(Flag.objects.filter(post=reply).values_list("status", flat=True)) == {Flag.Status.DISAGREED}

    # Everyone reads the post again.
    viewer_page.reload()
    _expect_body_shown(viewer_page)
    member_page.goto(thread.get_absolute_url())
    expect(member_page.locator("section#post-2 p.notice")).to_have_count(0)

    # The log shows both what the community did and what the moderator did.
    mod_page.get_by_role("link", name="Moderation log").click()
    expect(mod_page).to_have_url(re.compile(r"/moderation/log/$"))
    entries = mod_page.locator("li.log-entry")
    target = f"post #{reply.number} in “{thread.title}”"
    hidden_entry = entries.filter(has_text="Post hidden by flags:")
    expect(hidden_entry).to_have_count(1)
    expect(hidden_entry).to_contain_text("The community (flags)")
    expect(hidden_entry.get_by_role("link", name=target)).to_be_visible()
    approve_entry = entries.filter(has_text="Post approved:")
    expect(approve_entry).to_have_count(1)
    expect(approve_entry.locator("strong")).to_have_text(moderator.name)
    expect(approve_entry.get_by_role("link", name=target)).to_be_visible()
