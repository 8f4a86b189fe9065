"""The newcomer queue end to end: a newcomer asks, a manager routes it to an expert, the expert answers, the newcomer accepts."""

import re

from playwright.sync_api import expect

from community.expertise.services import expert_appoint
from community.members.models import Tier
from community.notifications.models import Kind, Notification
from community.triage.models import QueueEntry
from forums.models import Thread
from tests.conftest import wait_for
from tests.factories import TagFactory, UserFactory, make_manager, make_thread

TITLE = "My sourdough starter smells of nail varnish"


def _queue_row(page, thread):
    return page.locator(f"li.queue-row#queue-row-{thread.pk}")


def _expect_bell(page, unread):
    bell = page.locator("a#bell")
    expect(bell).to_have_attribute("aria-label", f"Notifications: {unread} unread")
    expect(bell.locator(".bell-count")).to_have_text(str(unread))


def _notifications(member, kind):
    return Notification.objects.filter(recipient=member, kind=kind)


def test_newcomer_question_goes_through_the_queue_to_an_expert_and_ends_solved(
    new_page, celery_worker, newcomer, expert, manager, category
):
    tag = TagFactory(name="sourdough")
    expert_appoint(member=expert, tags=[tag], appointed_by=manager)

    # The newcomer asks, through the form, in the expert's tag.
    newcomer_page = new_page(user=newcomer)
    newcomer_page.goto("/t/new/")
    newcomer_page.get_by_label("Category").select_option(label=category.name)
    newcomer_page.get_by_label("Title").fill(TITLE)
    newcomer_page.get_by_label("Message").fill("It was fine last week. Is it dead? What should I do?")
    newcomer_page.get_by_label("Tags").fill("sourdough")
    newcomer_page.get_by_role("button", name="Post thread").click()
    expect(newcomer_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    thread = Thread.objects.get(title=TITLE)
    assert thread.author == newcomer
    assert thread.is_newcomer_thread
    assert list(thread.tags.values_list("name", flat=True)) == ["sourdough"]

    # The Celery worker routes the new thread to the expert in its tag: their bell shows it.
    wait_for(lambda: _notifications(expert, Kind.EXPERT_ROUTING).filter(thread=thread).exists())
    expert_page = new_page(user=expert)
    expert_page.goto("/")
    _expect_bell(expert_page, 1)

    # Another newcomer asks later (no tags): the queue is oldest first, so it comes below.
    later = make_thread(author=UserFactory(username="nora", tier=Tier.NEWCOMER), category=category,
                        title="Where do I introduce myself?")
    assert later.is_newcomer_thread and later.created_at > thread.created_at

    # The manager finds the thread at the top of the queue, claims it and asks the expert.
    manager_page = new_page(user=manager)
    manager_page.goto("/queue/")
    rows = manager_page.locator("li.queue-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_id(f"queue-row-{thread.pk}")
    expect(rows.nth(1)).to_have_id(f"queue-row-{later.pk}")
    row = _queue_row(manager_page, thread)
    expect(row.get_by_role("link", name=TITLE)).to_be_visible()

    row.get_by_role("button", name="Claim", exact=True).click()
    expect(row.get_by_text("Claimed by mia")).to_be_visible()
    expect(row.get_by_role("button", name="Unclaim")).to_be_visible()
    assert QueueEntry.objects.get(thread=thread).claimed_by == manager

    row.get_by_role("button", name="Ask eva").click()
    expect(row.get_by_role("status")).to_have_text("Assigned to eva; they have been notified.")
    expect(row.locator(".queue-state").get_by_text("Assigned to eva", exact=True)).to_be_visible()
    expect(row.get_by_text("Claimed by mia")).to_be_visible()
    entry = QueueEntry.objects.get(thread=thread)
    assert (entry.claimed_by, entry.assigned_to, entry.assigned_by) == (manager, expert, manager)
    # Only that row was re-rendered; the page is still the queue with both rows.
    expect(manager_page).to_have_url(re.compile(r"/queue/$"))
    expect(rows).to_have_count(2)

    # After a reload the expert's bell still says 1: being asked replaces the routing notice about the
    # same thread (one notification, not two); it leads to the thread.
    expert_page.reload()
    _expect_bell(expert_page, 1)
    expert_page.locator("a#bell").click()
    expect(expert_page).to_have_url(re.compile(r"/notifications/$"))
    assigned = expert_page.locator("li.notification.unread").filter(has_text=f"mia asked you to answer “{TITLE}”")
    expect(assigned).to_have_count(1)
    assigned.get_by_role("link", name=f"mia asked you to answer “{TITLE}”").click()
    expect(expert_page).to_have_url(re.compile(rf"{re.escape(thread.get_absolute_url())}$"))
    expect(expert_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert _notifications(expert, Kind.ASSIGNED).get(thread=thread).read_at is not None

    # The expert replies.
    reply_box = expert_page.locator("#reply")
    reply_box.get_by_role("textbox").fill("Acetone smell means it is hungry, not dead: feed it twice a day for three days.")
    reply_box.get_by_role("button", name="Reply").click()
    expect(expert_page.locator("#post-2 .post-body")).to_contain_text("it is hungry, not dead")
    thread.refresh_from_db()
    assert thread.first_response_at is not None
    assert thread.first_responder == expert

    # The answered thread has left the manager's queue; the later one still waits.
    manager_page.reload()
    expect(rows).to_have_count(1)
    expect(_queue_row(manager_page, thread)).to_have_count(0)
    expect(rows.first).to_have_id(f"queue-row-{later.pk}")

    # The newcomer marks the expert's reply as the answer and sees it on top.
    newcomer_page.reload()
    expert_post = newcomer_page.locator("#post-2")
    expect(expert_post.get_by_role("link", name="eva", exact=True)).to_be_visible()
    expect(newcomer_page.locator("#post-1").get_by_role("button", name="✓ Mark as answer")).to_have_count(0)
    expert_post.get_by_role("button", name="✓ Mark as answer").click()
    expect(newcomer_page.get_by_role("status").filter(has_text="Marked as the answer")).to_be_visible()
    accepted = newcomer_page.locator("aside.accepted-answer")
    expect(accepted).to_be_visible()
    expect(accepted).to_contain_text("Solved — answer by eva")
    expect(accepted.locator(".post-body")).to_contain_text("it is hungry, not dead")
    # Right under the first post, above the expert's reply.
    assert newcomer_page.locator("#post-1").evaluate("post => post.nextElementSibling.matches('aside.accepted-answer')")
    expect(expert_post.locator(".post-header .pill-solved")).to_have_text("✓ Answer")
    expect(newcomer_page.locator(".thread-header .pill-solved")).to_have_text("✓ Solved")
    thread.refresh_from_db()
    assert thread.accepted_answer == thread.posts.get(number=2)
    wait_for(lambda: _notifications(expert, Kind.ANSWER_ACCEPTED).filter(thread=thread).exists())

    # The thread list marks it solved, and only it.
    newcomer_page.goto("/")
    solved_row = newcomer_page.locator("li.thread-row").filter(has=newcomer_page.get_by_role("link", name=TITLE, exact=True))
    expect(solved_row.locator("span.solved-mark")).to_be_visible()
    later_row = newcomer_page.locator("li.thread-row").filter(
        has=newcomer_page.get_by_role("link", name="Where do I introduce myself?", exact=True)
    )
    expect(later_row).to_be_visible()
    expect(later_row.locator("span.solved-mark")).to_have_count(0)


def test_second_manager_cannot_take_a_thread_another_manager_already_claimed(new_page, newcomer, manager, category):
    thread = make_thread(author=newcomer, category=category, title="How do I change my avatar?")
    max2 = make_manager(username="max2", tier=Tier.LEADER)

    # Max opens the queue while the thread is still unclaimed…
    max_page = new_page(user=max2)
    max_page.goto("/queue/")
    max_row = _queue_row(max_page, thread)
    expect(max_row.get_by_role("button", name="Claim", exact=True)).to_be_visible()

    # …then Mia claims it first.
    mia_page = new_page(user=manager)
    mia_page.goto("/queue/")
    mia_row = _queue_row(mia_page, thread)
    mia_row.get_by_role("button", name="Claim", exact=True).click()
    expect(mia_row.get_by_text("Claimed by mia")).to_be_visible()

    # Max's click on his stale Claim button is refused with a clear reason, and the row shows who has it.
    max_row.get_by_role("button", name="Claim", exact=True).click()
    expect(max_row.get_by_role("alert")).to_contain_text("mia claimed this thread")
    expect(max_row.get_by_text("Claimed by mia")).to_be_visible()
    expect(max_row.get_by_role("status")).to_have_count(0)
    entry = QueueEntry.objects.get(thread=thread)
    assert entry.claimed_by == manager
    assert entry.claimed_at is not None
