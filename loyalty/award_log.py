"""The award log: how the busiest awards travel from posting to the ledger at thousands a second.

Posting appends one small event to a Redis list (after commit) and makes sure a drain job is on its
way (at most one Celery message a second). The drain job, in the Celery worker, writes up to a
thousand events to the ledger in one transaction and only then trims them from the log, so a crash
re-reads them and the ledger's unique key makes the second write a no-op. If Redis cannot take an
event, it is kept in PostgreSQL as a pending job (community.jobs) and sent again later.

An event is only a hint: what is written is what loyalty.earnings says the post earns when the batch
is written. The batch takes its members' account locks (and the first-reply locks of its threads)
first, then reads the posts in one query, so a post hidden or deleted before that earns nothing, and
a hide that commits after it finds the grant under the same lock and takes it back (loyalty.awards).
"""

import json
import logging
from functools import cache

import redis
from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import connection, transaction

from community.jobs import send_now
from forums.selectors import facts_of_posts
from loyalty import awards, earnings, ledger
from loyalty.models import Reason, StandingCheck

logger = logging.getLogger(__name__)
LOG_KEY = "loyalty:award-log"
DRAIN_SCHEDULED_KEY = "loyalty:award-log:drain-scheduled"
DRAIN_LOCK_KEY = "loyalty:award-log:drain-lock"
BATCH = 1_000
# Awards worth checking tier and badges at once rather than at the next 30 s sweep.
CHECK_AT_ONCE = {Reason.FIRST_REPLY_TO_NEWCOMER}
# Events that mean their member wrote a post (which may be a newcomer coming back: loyalty.tasks.settle_returns).
POSTED = {Reason.THREAD_STARTED, Reason.REPLY_POSTED}


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_connect_timeout=2, socket_timeout=5)


def append(*, member_id: int, reason: str, source_type: str, source_id, category_id: int | None, post_id: int | None = None) -> None:
    """Add one award event to the log and see that a drain job is coming. Called after commit."""
    event = [member_id, reason, source_type, str(source_id), category_id, post_id]
    try:
        _redis().rpush(LOG_KEY, json.dumps(event))
    except redis.RedisError as error:
        logger.warning("award_log_unavailable", extra={"error": str(error)})
        from community.models import PendingJob

        PendingJob.objects.create(task_name="loyalty.award_one", args=event, error=str(error)[:500])
        return
    schedule_drain()


def schedule_drain() -> None:
    if django_cache.add(DRAIN_SCHEDULED_KEY, 1, timeout=1):
        send_now("loyalty.drain_award_log", [])


# Entries and account totals in one statement; the accounts are locked already (write_batch).
_BATCH_SQL = """
    WITH incoming AS (
        SELECT * FROM unnest(%(members)s::bigint[], %(amounts)s::int[], %(reasons)s::text[], %(types)s::text[],
                             %(sources)s::text[], %(categories)s::bigint[])
            AS e(member_id, amount, reason, source_type, source_id, category_id)
    ), fresh AS (
        INSERT INTO loyalty_pointsentry (member_id, amount, reason, source_type, source_id, category_id, created_at)
        SELECT member_id, amount, reason, source_type, source_id, category_id, now() FROM incoming
        ON CONFLICT (member_id, reason, source_type, source_id) DO NOTHING
        RETURNING member_id, amount, reason
    ), totals AS (
        SELECT member_id, sum(amount) AS amount, bool_or(reason = ANY(%(at_once)s::text[])) AS check_now
        FROM fresh GROUP BY member_id
    ), accounts AS (
        UPDATE loyalty_loyaltyaccount AS account SET
            balance = account.balance + t.amount,
            lifetime_points = account.lifetime_points + t.amount,
            score_90d = account.score_90d + t.amount,
            updated_at = now()
        FROM totals t WHERE account.member_id = t.member_id
        RETURNING account.member_id
    )
    SELECT t.member_id, t.check_now FROM totals t JOIN accounts a USING (member_id)
"""


def write_batch(events: list[list]) -> list[tuple[int, bool]]:
    """Write what is still due of these events in one transaction; returns (member id, check at once?) for members who gained points."""
    rows = []
    for member_id, reason, source_type, source_id, category_id, post_id in events:
        rule = ledger.rule_for(reason)
        if reason in earnings.LOGGED_REASONS and post_id is not None and rule is not None and rule.is_active and rule.amount > 0:
            rows.append((earnings.Claim(member_id, reason, source_type, str(source_id)), rule.amount, category_id, int(post_id)))
    if not rows:
        return []
    with transaction.atomic():
        # Locks first, in a fixed order (threads, then members), then the posts as they are now.
        ledger.lock_first_replies(int(claim.source_id) for claim, _amount, _category, _post in rows
                                  if claim.reason == Reason.FIRST_REPLY_TO_NEWCOMER)
        ledger.lock_accounts(claim.member_id for claim, _amount, _category, _post in rows)
        facts = facts_of_posts({post_id for _claim, _amount, _category, post_id in rows})
        due = [(claim, amount, category_id) for claim, amount, category_id, post_id in rows
               if earnings.logged_event_earns(claim, facts.get(post_id))]
        # A first-reply bonus is keyed by its thread: a member who lost it (their reply was deleted) and
        # answers again already has its row, which the insert below would skip. Settling the thread
        # gives it back as a correction instead.
        regained = ledger.first_reply_claims_held([claim for claim, _amount, _category in due
                                                   if claim.reason == Reason.FIRST_REPLY_TO_NEWCOMER])
        due = [row for row in due if row[0] not in regained]
        for claim in regained:
            awards.settle_first_reply(int(claim.source_id))
        if not due:
            return []
        claims, amounts, categories = zip(*due, strict=True)
        params = {"members": [c.member_id for c in claims], "amounts": list(amounts), "reasons": [c.reason for c in claims],
                  "types": [c.source_type for c in claims], "sources": [c.source_id for c in claims], "categories": list(categories),
                  "at_once": sorted(CHECK_AT_ONCE)}
        with connection.cursor() as cursor:
            cursor.execute(_BATCH_SQL, params)
            gained = cursor.fetchall()
        StandingCheck.objects.bulk_create([StandingCheck(member_id=member_id) for member_id, _now in gained], ignore_conflicts=True)
    return gained


def drain(*, batch: int = BATCH) -> tuple[int, list[int], set[int]]:
    """Write everything in the log; returns (events read, members to check at once, members who posted).
    One drainer at a time."""
    if not django_cache.add(DRAIN_LOCK_KEY, 1, timeout=120):
        return 0, [], set()
    client = _redis()
    read, check_now, posted_by = 0, [], set()
    try:
        while True:
            raw = client.lrange(LOG_KEY, 0, batch - 1)
            if not raw:
                break
            events = [json.loads(item) for item in raw]
            gained = write_batch(events)
            client.ltrim(LOG_KEY, len(raw), -1)  # only after the ledger has them
            read += len(raw)
            check_now += [member_id for member_id, now in gained if now]
            posted_by |= {event[0] for event in events if event[1] in POSTED}
    finally:
        django_cache.delete(DRAIN_LOCK_KEY)
    # An event appended while the "drain scheduled" mark was still set found no new drain coming:
    # clear the mark first, then look again, so every event is either seen here or schedules its own.
    django_cache.delete(DRAIN_SCHEDULED_KEY)
    if client.llen(LOG_KEY):
        schedule_drain()
    return read, check_now, posted_by


def pending() -> int:
    return _redis().llen(LOG_KEY)
