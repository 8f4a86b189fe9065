"""docs/operations.md, run for real: pg_dump -Fc the test database, pg_restore it into a fresh one, find everything."""

import os
import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.db import connection

from community.celery import app
from forums import services as forum_services
from loyalty import ledger, tasks
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = {
    "threads": "SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM forums_thread",
    "posts": "SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM forums_post",
    "deleted posts": "SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM forums_post WHERE is_deleted",
    "ledger entries": "SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM loyalty_pointsentry",
    "ledger sum": "SELECT coalesce(sum(amount), 0) FROM loyalty_pointsentry",
    "balances": "SELECT coalesce(array_agg(ARRAY[member_id, balance] ORDER BY member_id), '{}') FROM loyalty_loyaltyaccount",
    "members": "SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM members_user",
}


def _seed_small_community() -> None:
    """A few members, threads and replies through the services, likes, a deletion, and the ledger they earn."""
    members = [UserFactory() for _ in range(4)]
    category = CategoryFactory()
    for n in range(5):
        thread = make_thread(author=members[n % 4], category=category, title=f"Question number {n}")
        for m in range(3):
            reply = make_reply(thread=thread, author=members[(n + m + 1) % 4])
        forum_services.like_add(post=reply, member=members[n % 4])
    forum_services.post_delete(post=reply, member=reply.author)
    tasks.drain_award_log()  # the award log (Redis) into the ledger, as the worker would
    app.control.purge()  # the jobs posting enqueued: no worker runs here
    ledger.award(member_id=members[0].pk, reason="celebration", source_type="test", source_id=1, amount=7)


def _values(conninfo: dict) -> dict:
    conn = psycopg2.connect(**conninfo)
    try:
        with conn.cursor() as cursor:
            values = {}
            for name, sql in CHECKS.items():
                cursor.execute(sql)
                values[name] = cursor.fetchone()[0]
            return values
    finally:
        conn.close()


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    env.update(PGHOST=settings_dict["HOST"] or "127.0.0.1", PGPORT=str(settings_dict["PORT"] or 5432),
               PGUSER=settings_dict["USER"] or "postgres")
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def test_a_dump_restored_into_a_fresh_database_holds_every_thread_post_and_ledger_entry(tmp_path):
    for binary in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        assert shutil.which(binary), f"{binary} is needed (postgresql-client)"
    _seed_small_community()
    source = connection.settings_dict
    env = _pg_env(source)
    dump = tmp_path / "roundtable.dump"
    fresh = f"rt_restore_{uuid.uuid4().hex[:8]}"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-d", source["NAME"], "-f", str(dump)], env=env, check=True, timeout=60)
    subprocess.run(["createdb", fresh], env=env, check=True, timeout=30)
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", fresh, str(dump)], env=env, check=True, timeout=60)
        conninfo = {"host": env["PGHOST"], "port": env["PGPORT"], "user": env["PGUSER"], "password": source.get("PASSWORD") or None}
        before = _values({**conninfo, "dbname": source["NAME"]})
        after = _values({**conninfo, "dbname": fresh})
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", fresh], env=env, check=True, timeout=30)
    assert len(before["threads"]) == 5 and len(before["posts"]) == 20 and len(before["deleted posts"]) == 1
    assert before["ledger entries"] and before["ledger sum"] > 0
    assert after == before
