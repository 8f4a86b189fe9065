"""The app's Redis stopping and starting while members post (issue 15, point 1): nothing lost, nothing doubled.

The test runs a Redis server of its own (cache, sessions, award log and Celery broker, as the app's one Redis in
production) and stops it for every other block of 50 of 500 replies posted through the reply form, with
likes and page reads in between. No request may fail or wait on Redis for a second. Then Redis comes back,
`requeue_jobs` sends what was kept in PostgreSQL meanwhile, and a real worker runs everything. The outcome
must be what a run without the outage gives: the test runs the same script first with Redis up all along, then
with the outage, and compares the ledger entries, the balances and the notifications, each by who is who in the
script (asker 3, writer 7): equal. Every reply has its points once and its notification once in both.
"""

import shutil
import socket
import subprocess
import time
from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from community.celery import app
from community.members.models import Tier
from community.models import PendingJob
from community.notifications.models import Notification
from community.queues import QUEUES
from forums.models import Post, Reaction
from loyalty import award_log, ledger
from loyalty.models import LoyaltyAccount, PointsEntry, Reason
from tests.conftest import wait_for
from tests.factories import CategoryFactory, UserFactory, make_thread

REPLIES = 500
BLOCK = 50  # replies per block; Redis is down for every other block


class OwnRedis:
    """A redis-server on a free port of its own, stopped and started again on the same port, keeping its data on
    disk as production's does (deploy/docker-compose.yml: appendonly): a stop is an outage, not a wipe."""

    def __init__(self, directory):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory, self.process = directory, None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory)], stdout=subprocess.DEVNULL)
        wait_for(lambda: self._answers(), timeout=10)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None

    def _answers(self) -> bool:
        try:
            return redis.Redis(port=self.port).ping()
        except redis.ConnectionError:
            return False


def _point_app_at(settings, own: OwnRedis) -> None:
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": own.url(0)}}
    cache.close()
    award_log._redis.cache_clear()  # the award log keeps its own client to the cache's Redis
    # kombu keeps one pool per broker URL; dropping the app's references makes it pick the pool for the new URL.
    app.conf.broker_url = own.url(1)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_redis(settings, tmp_path, transactional_db):
    own = OwnRedis(tmp_path)
    own.start()
    working = (settings.CACHES, app.conf.broker_url)
    _point_app_at(settings, own)
    yield own
    if own.process is not None:
        own.stop()
    settings.CACHES = working[0]
    cache.close()
    award_log._redis.cache_clear()
    app.conf.broker_url, app._pool, app.amqp._producer_pool = working[1], None, None


@pytest.fixture
def publish_times(monkeypatch):
    """How long each attempt to hand a job to the broker took (the real `send_now`, timed)."""
    from community import jobs

    times, real = [], jobs.send_now

    def timed(task_name, args):
        started = time.monotonic()
        try:
            return real(task_name, args)
        finally:
            times.append(time.monotonic() - started)

    monkeypatch.setattr(jobs, "send_now", timed)
    monkeypatch.setattr(award_log, "send_now", timed)
    return times


def _posting_script(own_redis, *, run: str, outage: bool) -> dict:
    """500 replies by 10 writers in 10 askers' threads, with likes and page reads, through the forms; Redis stopped for
    every other block of 50 when `outage`. Then everything is sent and run by a real worker. Returns what came of it,
    in terms of who is who in the script (asker 3, writer 7), so that two runs can be compared."""
    category = CategoryFactory()
    askers = [UserFactory(username=f"{run}_asker{n}", tier=Tier.MEMBER) for n in range(10)]
    threads = [make_thread(author=asker, category=category, title=f"Question {n}") for n, asker in enumerate(askers)]
    # Members of a month's standing: a first day's posting limits do not apply to them.
    writers = [UserFactory(username=f"{run}_writer{n}", tier=Tier.MEMBER, date_joined=timezone.now() - timedelta(days=30))
               for n in range(10)]
    clients = []
    for writer in writers:
        client = Client()
        client.force_login(writer)
        clients.append(client)

    # A first request of each kind, before the clock: it loads templates and connections, as any first one does.
    assert clients[0].get(threads[0].get_absolute_url()).status_code == 200
    slowest, down_blocks, liked = 0.0, 0, 0
    for index in range(REPLIES):
        if outage and index % BLOCK == 0 and index:
            if own_redis.process is None:
                own_redis.start()
            else:
                own_redis.stop()
                down_blocks += 1
        client, thread = clients[index % len(clients)], threads[index % len(threads)]
        started = time.monotonic()
        response = client.post(f"/t/{thread.pk}/reply/", {"body": f"Reply {index}: try the other setting."})
        took = time.monotonic() - started
        slowest = max(slowest, took)
        assert response.status_code == 302 and not response.url.endswith("#reply"), (index, response.status_code)
        if index % 10 == 5:  # a like on an asker's first post (each writer likes each a once at most), and a page read
            turn = index // 10
            liker, liked_thread = clients[turn % len(clients)], threads[turn // len(clients)]
            first = Post.objects.get(thread=liked_thread, number=1)
            started = time.monotonic()
            liked += liker.post(f"/p/{first.pk}/like/", {"action": "like"}).status_code in (200, 302)
            assert liker.get(liked_thread.get_absolute_url()).status_code == 200
            slowest = max(slowest, time.monotonic() - started)
    if own_redis.process is None:
        own_redis.start()
    kept_during_outage = PendingJob.objects.count()

    from celery.contrib.testing.worker import start_worker

    people = {member.pk: member.username.split("_", 1)[1] for member in [*askers, *writers]}
    replies = list(Post.objects.filter(thread__in=threads, number__gt=1).select_related("thread"))
    assert len(replies) == REPLIES
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING",
                      queues=list(QUEUES)):
        call_command("requeue_jobs")  # what was kept in PostgreSQL while Redis was away (and anything kept meanwhile)
        try:
            wait_for(lambda: PointsEntry.objects.filter(member__in=people, reason=Reason.REPLY_POSTED).count() >= REPLIES, timeout=120)
            wait_for(lambda: Notification.objects.filter(post__in=replies).count() >= REPLIES, timeout=120)
            wait_for(lambda: not PendingJob.objects.exists(), timeout=60)
            wait_for(lambda: not redis.Redis.from_url(own_redis.url(0)).llen(award_log.LOG_KEY), timeout=60)
            wait_for(lambda: not any(redis.Redis.from_url(own_redis.url(1)).llen(queue) for queue in QUEUES), timeout=60)
        finally:
            print(run, "points", PointsEntry.objects.filter(member__in=people, reason=Reason.REPLY_POSTED).count(),
                  "notifications", Notification.objects.filter(post__in=replies).count(), "pending", PendingJob.objects.count(),
                  "award log", redis.Redis.from_url(own_redis.url(0)).llen(award_log.LOG_KEY))
    with connection.cursor() as cursor:  # the worker thread's connection, so the database can be flushed
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")

    for reply in replies:
        assert PointsEntry.objects.filter(member=reply.author_id, reason=Reason.REPLY_POSTED, source_id=str(reply.pk)).count() == 1
        assert Notification.objects.filter(recipient=reply.thread.author_id, post=reply).count() == 1
    likes = Reaction.objects.filter(post__thread__in=threads).count()
    assert likes == liked
    print(f"{run}: {REPLIES} replies, {likes} likes, Redis down for {down_blocks} blocks of {BLOCK}; "
          f"{kept_during_outage} jobs kept in PostgreSQL; slowest request {slowest * 1000:.0f} ms")
    return {
        "ledger": Counter((people[e.member_id], e.reason, e.amount) for e in PointsEntry.objects.filter(member__in=people)),
        "accounts": sorted((people[a.member_id], a.balance, a.lifetime_points) for a in LoyaltyAccount.objects.filter(member__in=people)),
        "notifications": Counter((people[n.recipient_id], n.kind, people.get(n.actor_id)) for n in
                                 Notification.objects.filter(recipient__in=people)),
        "down_blocks": down_blocks, "kept": kept_during_outage, "slowest": slowest,
    }


def test_500_replies_with_redis_down_half_the_time_end_as_a_run_without_the_outage(own_redis, settings, publish_times):
    settings.FORUMS_POST_INTERVAL = 0  # this is about outages, not the posting-rate limit
    calm = _posting_script(own_redis, run="calm", outage=False)
    assert calm["kept"] == 0 and calm["down_blocks"] == 0
    publish_times.clear()

    stormy = _posting_script(own_redis, run="storm", outage=True)

    assert stormy["down_blocks"] == REPLIES // BLOCK // 2
    # No publish waits a second on a broker that is away; no request hangs (the bound on the whole request is
    # looser: a busy 2-core machine running the suite can stall any request for a moment).
    assert max(publish_times) < 1.0, f"a job waited {max(publish_times):.2f} s on the broker"
    assert stormy["slowest"] < 3.0, f"a request took {stormy['slowest']:.2f} s"
    assert stormy["kept"] > 0
    # The same points to the same people for the same reasons, the same balances, the same notifications.
    assert stormy["ledger"] == calm["ledger"]
    assert stormy["accounts"] == calm["accounts"]
    assert stormy["notifications"] == calm["notifications"]
    assert ledger.rebuild_accounts(fix=False) == []
    print(f"ledger entries {sum(stormy['ledger'].values())}, notifications {sum(stormy['notifications'].values())}: "
          f"equal; slowest publish {max(publish_times) * 1000:.0f} ms of {len(publish_times)}")
