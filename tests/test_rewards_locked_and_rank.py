"""Rewards say why they cannot be redeemed before the click (issue 10, point 10); the leaderboard shows me my place."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.members.models import Tier
from loyalty import ledger, selectors, services
from loyalty.models import LoyaltyAccount, PointsEntry, Reason, Redemption, Reward
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def give(member, points: int, source_id=1, category_id=None):
    return ledger.award(member_id=member.pk, reason=Reason.ANSWER_ACCEPTED, source_type="test", source_id=source_id,
                        amount=points, category_id=category_id)


def card(html: str, reward: Reward) -> str:
    """The reward's card on the rewards page."""
    found = re.search(rf'<li class="card reward[^"]*" id="reward-{reward.pk}">(.*?)</li>', html, re.S)
    assert found, f"no card for {reward.name}"
    return found.group(1)


def redeem_action(reward: Reward) -> str:
    return f'action="{reverse("loyalty:redeem", args=[reward.pk])}"'


def rewards_page(client, member) -> str:
    client.force_login(member)
    response = client.get("/rewards/")
    assert response.status_code == 200
    return response.content.decode()


# -- rewards ------------------------------------------------------------------------------------------

def test_a_reward_above_my_tier_shows_what_unlocks_it_and_has_no_redeem_button(client, member):
    give(member, 1000)
    reward = Reward.objects.create(name="Conference ticket", cost=100, min_tier=Tier.REGULAR)
    html = card(rewards_page(client, member), reward)
    assert "Unlocks at tier 2 · Regular" in html
    assert redeem_action(reward) not in html and "data-confirm" not in html


def test_a_reward_i_cannot_afford_says_how_many_points_are_missing_and_its_button_is_disabled(client, member):
    give(member, 120)
    reward = Reward.objects.create(name="Hoodie", cost=500)
    html = card(rewards_page(client, member), reward)
    assert "You need 380 more points" in html
    assert redeem_action(reward) not in html
    assert re.search(r"<button[^>]*disabled[^>]*>Redeem</button>", html)


def test_a_reward_out_of_stock_says_so_and_cannot_be_redeemed(client, member):
    give(member, 120)
    reward = Reward.objects.create(name="Mug", cost=10, stock=0)
    html = card(rewards_page(client, member), reward)
    assert "Out of stock" in html and redeem_action(reward) not in html


def test_a_reward_i_can_have_asks_before_spending_and_says_what_is_left(client, member):
    give(member, 620)
    reward = Reward.objects.create(name="Sticker pack", cost=500)
    html = card(rewards_page(client, member), reward)
    assert redeem_action(reward) in html
    assert 'data-confirm="Spend 500 points on Sticker pack? You will have 120 left."' in html
    assert 'data-confirm-yes="Spend 500 points"' in html and 'data-confirm-no="Cancel"' in html
    assert "disabled" not in html


def test_a_reward_name_in_the_question_is_escaped(client, member):
    give(member, 100)
    reward = Reward.objects.create(name='Pin "gold" <b>', cost=10)
    html = card(rewards_page(client, member), reward)
    assert "Spend 10 points on Pin &quot;gold&quot; &lt;b&gt;? You will have 90 left." in html


@pytest.mark.parametrize("setup, balance, code", [
    ({"cost": 500}, 120, "balance"), ({"stock": 0}, 120, "stock"), ({"min_tier": 3}, 1000, "tier"),
    ({"min_tier": 1, "cost": 120}, 120, ""),
])
def test_the_page_and_the_redemption_answer_with_the_same_rule(member, setup, balance, code):
    give(member, balance)
    reward = Reward.objects.create(name="Ticket", **{"cost": 100, "stock": 5, **setup})
    [shown] = selectors.rewards_for(member, balance=balance)
    assert shown.locked_code == code
    if code:
        with pytest.raises(ValidationError) as caught:
            services.redeem(member=member, reward=reward)
        assert caught.value.code == code
    else:
        services.redeem(member=member, reward=reward)
        assert LoyaltyAccount.objects.get(member=member).balance == balance - reward.cost


@pytest.mark.parametrize("setup", [{"min_tier": Tier.CHAMPION}, {"cost": 5000}, {"stock": 0}])
def test_posting_to_redeem_a_locked_reward_changes_nothing(client, member, setup):
    give(member, 300)
    reward = Reward.objects.create(name="Ticket", **{"cost": 100, "stock": 4, **setup})
    client.force_login(member)
    entries_before = PointsEntry.objects.count()
    response = client.post(reverse("loyalty:redeem", args=[reward.pk]), follow=True)
    assert response.status_code == 200
    reward.refresh_from_db()
    assert LoyaltyAccount.objects.get(member=member).balance == 300
    assert not Redemption.objects.exists()
    assert PointsEntry.objects.count() == entries_before
    assert reward.stock == setup.get("stock", 4)


def test_a_refused_tier_redemption_names_the_tier(client, member):
    give(member, 300)
    reward = Reward.objects.create(name="Ticket", cost=100, min_tier=Tier.CHAMPION)
    client.force_login(member)
    response = client.post(reverse("loyalty:redeem", args=[reward.pk]), follow=True)
    assert "This reward needs tier 3 (Champion)." in response.content.decode()


def test_rewards_page_runs_the_same_queries_for_1_and_30_rewards_in_every_state(client, member):
    give(member, 150)
    client.force_login(member)

    def add(n):
        start = Reward.objects.count()
        for index in range(start, start + n):
            Reward.objects.create(name=f"Reward {index}", cost=[10, 500, 20][index % 3],
                                  min_tier=[0, 0, Tier.CHAMPION][index % 3], stock=[None, 3, 0][index % 3])

    def count() -> int:
        client.get("/rewards/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/rewards/").status_code == 200
        return len(queries)

    add(1)
    with_one = count()
    add(29)
    assert count() == with_one


# -- the leaderboard ----------------------------------------------------------------------------------

def test_my_row_is_highlighted_when_i_am_on_the_board(client, member, other_member):
    give(member, 30, source_id=1)
    give(other_member, 50, source_id=2)
    client.force_login(member)
    response = client.get("/leaderboard/")
    html = response.content.decode()
    mine = re.findall(r'<tr class="leader-me" aria-current="true">(.*?)</tr>', html, re.S)
    assert len(mine) == 1 and "/u/mo/" in mine[0] and ">30<" in mine[0]
    assert response.context["mine"] is None and 'id="my-standing"' not in html


def test_off_the_board_my_rank_and_points_show_below_it(client, member):
    for index in range(30):
        give(UserFactory(), 100 + index, source_id=index)
    give(member, 85, source_id=99)
    client.force_login(member)
    html = client.get("/leaderboard/").content.decode()
    assert '<p class="leader-mine" id="my-standing">You: #31 · 85 points</p>' in html
    assert 'class="leader-me"' not in html


def test_my_rank_counts_ties_in_the_board_order_and_only_the_period_and_category(client):
    help_category = CategoryFactory()
    earlier = [UserFactory() for _ in range(26)]  # joined before me: with as many points they rank ahead
    for index, other in enumerate(earlier):
        give(other, 40, source_id=index, category_id=help_category.pk)
    member = UserFactory()
    give(member, 40, source_id=99, category_id=help_category.pk)
    give(member, 500, source_id=100)  # elsewhere: counts in "all categories" only
    later = UserFactory()
    give(later, 40, source_id=101, category_id=help_category.pk)
    client.force_login(member)
    mine = client.get(f"/leaderboard/?period=week&category={help_category.slug}").context["mine"]
    assert (mine.rank, mine.points) == (27, 40)
    assert client.get("/leaderboard/?period=week").context["mine"] is None  # 540: first on the whole board


def test_my_standing_with_no_points_in_the_period_says_so(client, member, other_member):
    give(other_member, 10)
    client.force_login(member)
    response = client.get("/leaderboard/?period=month")
    assert response.context["mine"].rank is None
    assert "You: no points in this period yet." in response.content.decode()


def test_anonymous_visitors_get_no_standing(client, member):
    give(member, 10)
    response = client.get("/leaderboard/")
    assert response.context["mine"] is None


def test_my_standing_is_one_query_whatever_the_size_of_the_board(member):
    give(member, 1, source_id=0)
    for size in (1, 60):
        for index in range(size):
            give(UserFactory(), 5 + index, source_id=f"{size}:{index}")
        version = selectors.ledger_version()
        with CaptureQueriesContext(connection) as queries:
            standing = selectors.standing_of(member, period="week", version=version)
        assert len(queries) == 1
        assert standing.rank == PointsEntry.objects.values("member_id").distinct().count()
        with CaptureQueriesContext(connection) as queries:
            assert selectors.standing_of(member, period="week", version=version) == standing
        assert len(queries) == 0  # the same ledger version: from the cache


def test_leaderboard_runs_the_same_queries_off_the_board_below_25_or_75_leaders_and_one_fewer_on_it(member):
    client = Client()
    client.force_login(member)
    give(member, 1, source_id=0)

    def count(*, on_board: bool) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/leaderboard/")
        assert (response.context["mine"] is None) == on_board
        return len(queries)

    give(UserFactory(), 50, source_id="a")
    count(on_board=True)  # the visit of the day, the session
    give(UserFactory(), 51, source_id="b")
    on_board = count(on_board=True)
    for index in range(25):
        give(UserFactory(), 60 + index, source_id=index)
    off_board = count(on_board=False)
    for index in range(50):
        give(UserFactory(), 100 + index, source_id=100 + index)
    assert count(on_board=False) == off_board == on_board + 1
