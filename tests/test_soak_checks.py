"""`make soak` (bench/soak.py): its checks find what they are there to find.

The soak itself never runs in `make test` (ten minutes); these tests prove that its verdict can fail: a post the
site accepted and the database lacks, a post written twice, a drifted counter or ledger, a 500, a refused post
that lost its text, each fails the run.
"""

import json

import pytest

from bench import soak
from forums.models import Thread
from loyalty.models import Reward
from tests.factories import UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


def _clean_checks(**changes) -> dict:
    checks = {"lost_count": 0, "doubled": [], "counters_fixed": {"posts": 0, "threads": 0}, "source_drift_count": 0,
              "account_drift_count": 0, "negative_balances": 0, "stock_left": 30, "redeemed": soak.REWARD_STOCK - 30,
              "posts_accepted": 12, "event_problems": []}
    return {**checks, **changes}


def test_a_clean_run_passes():
    assert soak.judge(soak.Tally(), _clean_checks(), log_errors=[]) == []


@pytest.mark.parametrize("changes", [
    {"lost_count": 1}, {"doubled": ["soak-1-4"]}, {"counters_fixed": {"posts": 0, "threads": 2}},
    {"source_drift_count": 1}, {"account_drift_count": 3}, {"negative_balances": 1}, {"redeemed": soak.REWARD_STOCK},
    {"posts_accepted": 0}, {"event_problems": ["9 going for 8 seats"]},
])
def test_each_broken_rule_fails_the_run(changes):
    assert soak.judge(soak.Tally(), _clean_checks(**changes), log_errors=[])


def test_a_server_error_or_a_log_error_or_lost_text_fails_the_run():
    tally = soak.Tally()
    tally.record("read: home", 200, 0.01, "/")
    assert soak.judge(tally, _clean_checks(), log_errors=[]) == []
    tally.record("write: reply", 502, 0.01, "/t/1/reply/")
    assert soak.judge(tally, _clean_checks(), log_errors=[]) == ["1 answers of 500+ or none"]
    assert soak.judge(soak.Tally(), _clean_checks(), log_errors=["worker: Traceback"])
    lost_text = soak.Tally()
    lost_text.refused["reply (TEXT LOST)"] += 1
    assert soak.judge(lost_text, _clean_checks(), log_errors=[])


def test_the_database_check_finds_a_lost_and_a_doubled_post(tmp_path):
    author = UserFactory()
    thread = make_thread(author=author, title="Soak question soak-9-1", body="Asking as soak-9-1: **does it hold?**")
    make_reply(thread=thread, author=author, body="Replying as soak-9-2. Thanks!")
    make_reply(thread=Thread.objects.get(pk=thread.pk), author=author, body="Replying as soak-9-3. Thanks!")
    # The same marker twice (by another member: one member's same text twice a day is refused anyway).
    make_reply(thread=Thread.objects.get(pk=thread.pk), author=UserFactory(), body="Replying as soak-9-3. Thanks!")
    reward = Reward.objects.create(name="Mug", cost=10, stock=soak.REWARD_STOCK)
    markers = tmp_path / "posted.json"
    markers.write_text(json.dumps(["soak-9-1", "soak-9-2", "soak-9-3", "soak-9-4"]))

    checks = soak.step_check(str(markers), reward.pk)

    assert (checks["posts_accepted"], checks["posts_found"]) == (4, 4)
    assert checks["lost"] == ["soak-9-4"] and checks["doubled"] == ["soak-9-3"]
    assert checks["stock_left"] + checks["redeemed"] == soak.REWARD_STOCK
    assert not any(checks["counters_fixed"].values())


def test_percentiles_are_read_from_the_ordered_values():
    values = [0.001 * n for n in range(1, 101)]
    assert soak.percentile(values, 0.5) == pytest.approx(0.051)
    assert soak.percentile(values, 0.95) == pytest.approx(0.096)
    assert soak.percentile([], 0.95) == 0.0


def test_a_refusal_logged_as_a_warning_is_not_an_error_but_a_500_is():
    # The first ten-minute run failed on four of these: a member liking their own post is refused (403), and
    # Django logs the refusal with its traceback inside, as a WARNING.
    refusal = ('{"time": "2026-11-24T22:40:21", "level": "WARNING", "logger": "django.request", "message": '
               '"Forbidden (Permission denied): /p/19837/like/", "status_code": 403, "exc_info": "Traceback (most recent call last)"}')
    server_error = '{"time": "2026-11-24T22:40:22", "level": "ERROR", "logger": "django.request", "message": "Internal Server Error: /"}'
    assert not soak.is_error(refusal)
    assert soak.is_error(server_error)
    assert soak.is_error("[2026-11-24 22:40:23,001: ERROR/ForkPoolWorker-1] Task loyalty.tasks.drain raised unexpected: OperationalError()")
    assert soak.is_error("[2026-11-24 22:40:24 +0000] [12] [CRITICAL] WORKER TIMEOUT (pid:13)")
    assert not soak.is_error("[2026-11-24 22:40:25,002: INFO/MainProcess] Task loyalty.tasks.drain succeeded in 0.01s")


def test_a_90_day_score_is_judged_against_the_window_it_was_derived_for(db):
    """The first quiet ten-minute run failed on one account: an entry passed 90 days old during the run, and the
    check compared the stored score (due to drop at the next nightly re-derivation) with today's window."""
    from datetime import timedelta

    from django.utils import timezone

    from loyalty import ledger
    from loyalty.models import LoyaltyAccount, PointsEntry, Reason

    member = UserFactory()
    derived_at = timezone.now() - timedelta(minutes=30)
    PointsEntry.objects.create(member=member, reason=Reason.REPLY_POSTED, amount=1, source_type="post", source_id="1",
                               created_at=derived_at - ledger.SCORE_WINDOW + timedelta(minutes=10))
    LoyaltyAccount.objects.update_or_create(member=member, defaults={"balance": 1, "lifetime_points": 1, "score_90d": 1})

    assert [drift.field for drift in ledger.rebuild_accounts(fix=False)] == ["score_90d"]  # today's window: out
    assert soak.score_drift(derived_at) == []  # the window it was derived for: in, as it should be
    LoyaltyAccount.objects.filter(member=member).update(score_90d=2)
    assert soak.score_drift(derived_at) == [f"member {member.pk}: score_90d 2, ledger 1"]
