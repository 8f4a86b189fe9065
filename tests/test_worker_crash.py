"""A Celery worker killed with SIGKILL while it works loses no job and does none twice (issue 15, point 2).

Replies are posted with no worker running, so their jobs (the award log's drain, the reply notifications, the
standing checks) wait in the test broker and the award log in Redis. Then a real worker process (prefork, two
children) starts on them, and its children are killed with SIGKILL over and over while it works; the master
starts new ones. Tasks are acknowledged only after they ran (`acks_late`) and a task whose child died is put
back (`reject_on_worker_lost`), so an interrupted task runs again; the ledger's and the notifications' unique
keys make running again harmless. At the end every reply has its points and its notification, once, and every
account equals its recomputation from the ledger.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from community.members.models import Tier
from community.notifications.models import Notification
from community.queues import QUEUES
from loyalty import ledger
from loyalty.models import PointsEntry
from tests.conftest import wait_for
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread

ROOT = Path(__file__).resolve().parent.parent
REPLIES = 60


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found]


def _broker_idle() -> bool:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    waiting = sum(broker.llen(queue) for queue in QUEUES)
    return waiting == 0 and broker.hlen("unacked") == 0


@pytest.fixture
def worker_process(transactional_db, tmp_path):
    """Start a real worker process on the test database and broker (call it); stopped and reaped at the end."""
    started = {}

    def start():
        db = connection.settings_dict
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "TEST_REDIS_URL": settings.CACHES["default"]["LOCATION"], "TEST_CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        }
        log = open(tmp_path / "worker.log", "w")  # noqa: SIM115  (closed with the process below)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "community", "worker", "--pool", "prefork", "--concurrency", "2",
             "--queues", ",".join(QUEUES), "--loglevel", "INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        started.update(process=process, log=log, path=tmp_path / "worker.log")
        wait_for(lambda: len(_children(process.pid)) == 2, timeout=60)
        return process

    yield start, started
    if "process" in started:
        started["process"].send_signal(signal.SIGTERM)
        try:
            started["process"].wait(timeout=30)
        except subprocess.TimeoutExpired:
            started["process"].kill()
        started["log"].close()
    with connection.cursor() as cursor:  # the worker's connections, so the test database can be flushed
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def test_a_worker_killed_again_and_again_loses_no_job_and_does_none_twice(worker_process):
    start, started = worker_process
    from community.celery import app

    app.control.purge()
    category = CategoryFactory()
    askers = [UserFactory(tier=Tier.MEMBER) for _ in range(6)]
    threads = [make_thread(author=asker, category=category, title=f"Question {index}") for index, asker in enumerate(askers)]
    helpers = [UserFactory(tier=Tier.MEMBER) for _ in range(5)]
    replies = [make_reply(thread=threads[index % len(threads)], author=helpers[index % len(helpers)]) for index in range(REPLIES)]
    assert not _broker_idle()  # the jobs wait: no worker ran yet

    process = start()
    kills, deadline = 0, time.monotonic() + 6
    while time.monotonic() < deadline and not _broker_idle():
        children = _children(process.pid)
        if children:
            os.kill(random.choice(children), signal.SIGKILL)
            kills += 1
        time.sleep(random.uniform(0.05, 0.25))
    wait_for(_broker_idle, timeout=120)
    wait_for(lambda: PointsEntry.objects.filter(source_type="post", source_id__in=[str(r.pk) for r in replies]).count() >= REPLIES,
             timeout=60)

    lost_workers = started["path"].read_text().count("WorkerLostError")
    assert kills > 0
    assert lost_workers > 0, "no task was killed mid-way: the test proved nothing"
    for reply in replies:
        thread_author = reply.thread.author
        assert Notification.objects.filter(recipient=thread_author, post=reply).count() == 1
        assert PointsEntry.objects.filter(member=reply.author, source_type="post", source_id=str(reply.pk)).count() == 1
    assert ledger.rebuild_accounts(fix=False) == []
    print(f"{kills} children killed, {lost_workers} tasks interrupted mid-way, {REPLIES} replies: none lost, none doubled")
