"""Rewards (with real concurrent redemptions), kudos, the leaderboard and the loyalty pages."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from loyalty import ledger, services
from loyalty.models import Kudos, LoyaltyAccount, PointsEntry, Reason, Redemption, Reward
from tests.factories import CategoryFactory, UserFactory


def give(member, points: int, source_id=1, category_id=None):
    return ledger.award(member_id=member.pk, reason=Reason.ANSWER_ACCEPTED, source_type="test", source_id=source_id,
                        amount=points, category_id=category_id)


def test_fifty_concurrent_redemptions_of_ten_in_stock_give_exactly_ten(transactional_db):
    reward = Reward.objects.create(name="Sticker pack", cost=100, stock=10)
    members = [UserFactory() for _ in range(50)]
    for member in members:
        give(member, 100)
    barrier = threading.Barrier(len(members))
    outcomes = []

    def redeem(member):
        try:
            barrier.wait()
            services.redeem(member=member, reward=reward)
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()  # each thread had a real connection of its own

    threads = [threading.Thread(target=redeem, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("ok") == 10 and outcomes.count("stock") == 40
    reward.refresh_from_db()
    assert reward.stock == 0 and Redemption.objects.count() == 10
    assert not LoyaltyAccount.objects.filter(balance__lt=0).exists()
    assert LoyaltyAccount.objects.filter(balance=0).count() == 10
    assert ledger.rebuild_accounts(fix=False) == []


@pytest.mark.django_db
class TestRedeeming:
    def test_redeeming_spends_points_and_stock_and_records_it(self, member):
        give(member, 120)
        reward = Reward.objects.create(name="T-shirt", cost=100, stock=3)
        redemption = services.redeem(member=member, reward=reward)
        reward.refresh_from_db()
        account = LoyaltyAccount.objects.get(member=member)
        assert (account.balance, account.lifetime_points, reward.stock) == (20, 120, 2)
        assert PointsEntry.objects.get(reason=Reason.REDEMPTION).amount == -100 and redemption.cost == 100

    @pytest.mark.parametrize("setup, code", [
        ({"cost": 500}, "balance"), ({"stock": 0}, "stock"), ({"min_tier": 3}, "tier"), ({"is_active": False}, "inactive"),
    ])
    def test_redeeming_what_you_cannot_have_says_why_and_changes_nothing(self, member, setup, code):
        give(member, 120)
        reward = Reward.objects.create(name="Ticket", **{"cost": 100, "stock": 5, **setup})
        with pytest.raises(ValidationError) as caught:
            services.redeem(member=member, reward=reward)
        assert caught.value.code == code
        assert LoyaltyAccount.objects.get(member=member).balance == 120 and not Redemption.objects.exists()

    def test_redeem_page_flow_and_manager_fulfils(self, client, member, manager):
        give(member, 60)
        reward = Reward.objects.create(name="Mug", cost=50)
        client.force_login(member)
        response = client.post(reverse("loyalty:redeem", args=[reward.pk]), follow=True)
        assert "Redeemed “Mug”" in response.content.decode()
        response = client.post(reverse("loyalty:redeem", args=[reward.pk]), follow=True)
        assert "You need 50 points and have 10." in response.content.decode()
        redemption = Redemption.objects.get()
        assert client.post(reverse("loyalty:fulfil", args=[redemption.pk])).status_code == 403
        client.force_login(manager)
        assert "Redemptions to fulfil" in client.get("/rewards/").content.decode()
        client.post(reverse("loyalty:fulfil", args=[redemption.pk]))
        redemption.refresh_from_db()
        assert redemption.fulfilled_by == manager


@pytest.mark.django_db
class TestKudos:
    def test_kudos_are_public_and_rate_limited_to_five_a_day(self, client, member, other_member):
        client.force_login(member)
        for i in range(5):
            client.post(reverse("loyalty:kudos"), {"receiver": "olga", "message": f"Thanks {i}", "next": "/u/olga/"})
        response = client.post(reverse("loyalty:kudos"), {"receiver": "olga", "message": "One more", "next": "/u/olga/"}, follow=True)
        assert "try again tomorrow" in response.content.decode()
        assert Kudos.objects.count() == 5
        assert "Thanks 4" in client.get("/u/olga/").content.decode()

    def test_no_kudos_to_yourself_or_to_nobody(self, member):
        with pytest.raises(ValidationError):
            services.send_kudos(sender=member, receiver=member, message="me!")
        with pytest.raises(ValidationError):
            services.send_kudos(sender=member, receiver=UserFactory(is_active=False), message="hi")
        with pytest.raises(ValidationError):
            services.send_kudos(sender=member, receiver=UserFactory(), message="   ")
        assert not Kudos.objects.exists()

    def test_kudos_job_gives_points_and_tells_the_receiver(self, member, other_member):
        from community.notifications.models import Kind, Notification
        from loyalty.tasks import kudos_sent

        kudos = services.send_kudos(sender=member, receiver=other_member, message="You rock")
        kudos_sent(kudos.pk)
        kudos_sent(kudos.pk)
        assert LoyaltyAccount.objects.get(member=other_member).balance == 5
        assert Notification.objects.get(recipient=other_member).kind == Kind.KUDOS


@pytest.mark.django_db
class TestPages:
    def test_leaderboard_ranks_by_points_in_period_and_category(self, client, member, other_member):
        help_category = CategoryFactory()
        give(member, 30, source_id=1)
        give(other_member, 25, source_id=2, category_id=help_category.pk)
        ledger.award(member_id=other_member.pk, reason=Reason.FIRST_REPLY_TO_NEWCOMER, source_type="thread", source_id=9,
                     category_id=help_category.pk)
        rows = client.get("/leaderboard/?period=week").context["rows"]
        assert [(r.member, r.points, r.first_replies) for r in rows] == [(other_member, 35, 1), (member, 30, 0)]
        rows = client.get(f"/leaderboard/?period=all&category={help_category.slug}").context["rows"]
        assert [(r.member, r.points, r.first_replies) for r in rows] == [(other_member, 35, 1)]

    def test_leaderboard_is_cached_until_the_ledger_changes(self, client, member, django_assert_max_num_queries):
        for i in range(30):
            give(UserFactory(), 10 + i, source_id=i)
        client.get("/leaderboard/")
        # Warm: the ledger's version, the 25 members and the category filter; no aggregation.
        with django_assert_max_num_queries(3):
            response = client.get("/leaderboard/")
        assert len(response.context["rows"]) == 25
        give(member, 1000, source_id=99)
        assert client.get("/leaderboard/").context["rows"][0].member == member

    def test_loyalty_page_runs_a_constant_number_of_queries(self, client, member, django_assert_max_num_queries):
        for i in range(60):
            give(member, 1, source_id=i)
        client.force_login(member)
        client.get("/loyalty/")
        with django_assert_max_num_queries(20):
            response = client.get("/loyalty/")
        assert len(response.context["entries"]) == 25 and response.context["has_more"]
        assert 'id="balance">60<' in response.content.decode()
        with django_assert_max_num_queries(20):
            assert len(client.get("/loyalty/?page=3").context["entries"]) == 10

    def test_loyalty_pages_need_login_where_personal(self, client):
        assert client.get("/loyalty/").status_code == 302
        assert client.get("/leaderboard/").status_code == 200 and client.get("/rewards/").status_code == 200
        assert client.get("/loyalty/badges/").status_code == 200
