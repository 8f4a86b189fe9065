"""Loyalty end to end: a member answers a newcomer, watches the points and badge arrive, spends them on a reward."""

import re

from playwright.sync_api import expect

from forums.models import Thread
from loyalty import ledger
from loyalty.models import BadgeAward, LoyaltyAccount, PointsEntry, Reason, Redemption, Reward
from tests.browser.measure import MEASURE_OVERFLOW
from tests.conftest import wait_for
from tests.factories import make_thread

TITLE = "How do I get my sourdough to rise?"
STICKER = "Roundtable sticker"




def _section(page, heading):
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


def _reward_card(page, reward):
    return page.locator(f"li.reward#reward-{reward.pk}")


def _message(page, text):
    return page.locator(".messages").get_by_role("status").filter(has_text=text)


def test_member_answers_a_newcomer_sees_the_points_and_badge_arrive_and_spends_them_on_a_sticker(
    new_page, celery_worker, newcomer, member, category
):
    thread = make_thread(author=newcomer, category=category, title=TITLE, body="It stays flat every time. What am I doing wrong?")
    assert thread.is_newcomer_thread
    sticker = Reward.objects.create(name=STICKER, cost=10, stock=2)

    # Before answering, the member has nothing yet.
    page = new_page(user=member)
    page.goto("/loyalty/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My points and tier")
    expect(page.locator("#balance")).to_have_text("0")
    expect(page.locator("#tier")).to_have_text("Member")
    expect(_section(page, "History").get_by_text("No points yet.")).to_be_visible()

    # The member finds the newcomer's thread and replies through the form.
    page.goto("/")
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    reply_box = page.locator("#reply")
    reply_box.get_by_role("textbox").fill("Your starter is probably too cold: keep it around 25 °C and feed it twice a day.")
    reply_box.get_by_role("button", name="Reply").click()
    expect(page.locator("#post-2 .post-body")).to_contain_text("keep it around 25 °C")
    thread = Thread.objects.get(pk=thread.pk)
    assert thread.first_responder == member

    # The Celery jobs award 1 point for the reply, 10 for the first reply to a newcomer, and the badges.
    wait_for(lambda: LoyaltyAccount.objects.filter(member=member, balance=11).exists())
    wait_for(lambda: BadgeAward.objects.filter(member=member, badge__slug="first-reply-to-newcomer").exists())
    wait_for(lambda: BadgeAward.objects.filter(member=member, badge__slug="welcome").exists())
    assert sorted(member.points_entries.values_list("reason", "amount")) == [
        (Reason.FIRST_REPLY_TO_NEWCOMER, 10), (Reason.REPLY_POSTED, 1),
    ]

    page.goto("/loyalty/")
    expect(page.locator("#balance")).to_have_text("11")
    expect(page.locator("#tier")).to_have_text("Member")
    perks = _section(page, "Perks").locator("ul.perk-list li")
    expect(perks.filter(has_text="Post links and images")).to_have_text(re.compile(r"^✓ Post links and images"))
    expect(perks.filter(has_text="Invite people")).to_have_text(re.compile(r"^🔒 Invite people"))
    badges = _section(page, "My badges").locator("li.badge-chip")
    expect(badges.filter(has_text="First Reply to a Newcomer")).to_have_text("🤝 First Reply to a Newcomer")
    expect(badges.filter(has_text="Welcome")).to_have_text("👋 Welcome")
    expect(badges).to_have_count(2)
    history = _section(page, "History").locator("table.ledger tbody tr")
    expect(history).to_have_count(2)
    first_reply_row = history.filter(has_text="First reply to a newcomer's thread")
    expect(first_reply_row.locator("td").first).to_have_text("+10")
    reply_row = history.filter(has_text="Replied")
    expect(reply_row.locator("td").first).to_have_text("+1")

    # Off to the rewards: the sticker costs 10 points and two are left.
    page.get_by_role("link", name="Spend points on rewards").click()
    expect(page).to_have_url(re.compile(r"/rewards/$"))
    expect(page.locator("#balance")).to_have_text("11")
    card = _reward_card(page, sticker)
    expect(card.get_by_role("heading", name=STICKER)).to_be_visible()
    expect(card).to_contain_text("10 points")
    expect(card).to_contain_text("2 left")
    expect(page.get_by_role("heading", name="My redemptions")).to_have_count(0)

    card.get_by_role("button", name="Redeem").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Spend 10 points on {STICKER}? You will have 1 left.")
    dialog.get_by_role("button", name="Spend 10 points").click()
    expect(_message(page, f"Redeemed “{STICKER}”. The community team will be in touch.")).to_be_visible()
    expect(page.locator("#balance")).to_have_text("1")
    expect(card).to_contain_text("1 left")
    expect(page.get_by_role("heading", name="My redemptions")).to_be_visible()
    my_redemptions = page.locator("h2:text-is('My redemptions') + ul li")
    expect(my_redemptions).to_have_count(1)
    expect(my_redemptions.first).to_contain_text(STICKER)
    expect(my_redemptions.first).to_contain_text("on its way")

    redemption = Redemption.objects.get()
    assert (redemption.member, redemption.reward, redemption.cost) == (member, sticker, 10)
    assert LoyaltyAccount.objects.get(member=member).balance == 1
    assert Reward.objects.get(pk=sticker.pk).stock == 1
    assert PointsEntry.objects.filter(member=member, reason=Reason.REDEMPTION).get().amount == -10

    # A second try is not offered: one point is not enough, the card says so and its button is disabled.
    expect(card).to_contain_text("You need 9 more points")
    expect(card.get_by_role("button", name="Redeem")).to_be_disabled()
    expect(page.locator("#balance")).to_have_text("1")
    expect(card).to_contain_text("1 left")
    expect(my_redemptions).to_have_count(1)
    assert Redemption.objects.count() == 1
    assert LoyaltyAccount.objects.get(member=member).balance == 1
    assert Reward.objects.get(pk=sticker.pk).stock == 1

    # The points page agrees: 1 to spend, the spending in the history.
    page.goto("/loyalty/")
    expect(page.locator("#balance")).to_have_text("1")
    spent_row = _section(page, "History").locator("table.ledger tbody tr").filter(has_text="Reward redeemed")
    expect(spent_row.locator("td").first).to_have_text("-10")


def test_loyalty_pages_fit_a_375_px_phone_without_horizontal_scrolling(new_page, member, other_member):
    ledger.award(member_id=member.pk, reason=Reason.ANSWER_ACCEPTED, source_type="test", source_id=1, amount=40)
    ledger.award(member_id=other_member.pk, reason=Reason.ANSWER_ACCEPTED, source_type="test", source_id=2, amount=25)
    Reward.objects.create(name=STICKER, description="A die-cut vinyl sticker with the Roundtable logo.", cost=10, stock=2)
    Reward.objects.create(name="A video call with the community team", cost=200, min_tier=2)
    page = new_page(user=member, width=375, height=812)

    def overflow(path):
        measured = page.evaluate(MEASURE_OVERFLOW)
        assert measured["innerWidth"] == 375
        if measured["scrollWidth"] <= measured["innerWidth"]:
            return None
        return f"{path} scrolls sideways: scrollWidth {measured['scrollWidth']} > 375, sticking out: {measured['culprits']}"

    too_wide = []
    page.goto("/loyalty/")
    expect(page.locator("#balance")).to_have_text("40")
    expect(page.locator("table.ledger tbody tr")).to_have_count(1)
    too_wide.append(overflow("/loyalty/"))

    page.goto("/rewards/")
    expect(page.locator("#balance")).to_have_text("40")
    expect(page.locator("li.reward")).to_have_count(2)
    too_wide.append(overflow("/rewards/"))

    page.goto("/leaderboard/")
    rows = page.locator("table.leaderboard tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("mo")
    expect(rows.first.locator("td").nth(2)).to_have_text("40")
    too_wide.append(overflow("/leaderboard/"))

    assert [problem for problem in too_wide if problem] == []
