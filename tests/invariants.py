"""Checks that a rule still holds: counters equal their counts, accounts equal their ledger."""

from forums.synchronize import synchronize_forums
from loyalty import ledger
from loyalty.models import LoyaltyAccount
from loyalty.recompute import source_drift


def balance(member) -> int:
    account = LoyaltyAccount.objects.filter(member=member).first()
    return account.balance if account else 0


def assert_counters_exact() -> None:
    assert synchronize_forums() == {"posts": 0, "threads": 0, "categories": 0, "tags": 0}


def assert_ledger_exact() -> None:
    assert source_drift() == [] and ledger.rebuild_accounts(fix=False) == []
