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


def assert_event_counts_exact() -> None:
    """Every event's seat and answer counters equal its RSVP rows."""
    from django.db.models import Count, Q

    from community.events.models import Event

    for event in Event.objects.annotate(
            going=Count("rsvps", filter=Q(rsvps__status="going")), maybe=Count("rsvps", filter=Q(rsvps__status="maybe")),
            waiting=Count("rsvps", filter=Q(rsvps__status="waiting")),
            checked_in=Count("rsvps", filter=Q(rsvps__checked_in_at__isnull=False))):
        assert (event.going_count, event.maybe_count, event.waiting_count, event.checked_in_count) == (
            event.going, event.maybe, event.waiting, event.checked_in), event
