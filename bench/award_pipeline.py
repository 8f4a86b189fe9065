"""Throughput of the award pipeline: domain events through a Celery worker into the points ledger.

    DATABASE_URL=postgres://…/roundtable_large .venv/bin/python bench/award_pipeline.py [--events 10000] [--concurrency 2]

Starts real Celery workers on a broker database of their own, then appends a "reply posted"
event to the award log for each visible reply that has no ledger entry yet (exactly what posting
does after commit: loyalty.award_log.append, which also makes sure a drain job is coming), and
times it until the ledger holds every award. Each batch the drain writes is checked against the
posts as they are then (one query, under the batch's account locks), as in production. The tier and badge checks those awards mark (at most
one per member per minute) wait for the beat job `loyalty.refresh_due_standing`; `--standing`
then times that work too. Writes to the database it is pointed at: run it on demo data.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
BROKER = os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5")

import django  # noqa: E402

django.setup()

from community.celery import app  # noqa: E402
from forums.models import Post  # noqa: E402
from loyalty import award_log  # noqa: E402
from loyalty.models import PointsEntry, Reason  # noqa: E402


def start_worker(args, queue: str, index: int) -> subprocess.Popen:
    pool = ["--pool", "solo"] if args.pool == "solo" else ["--pool", "prefork", "--concurrency", str(args.concurrency)]
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "community", "worker", *pool, "--hostname", f"bench{index}@%h",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--prefetch-multiplier", "16", "--queues", queue],
        cwd=ROOT, env={**os.environ, "CELERY_BROKER_URL": BROKER}, stderr=subprocess.DEVNULL,
    )


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--pool", choices=["prefork", "solo"], default="prefork")
    parser.add_argument("--concurrency", type=int, default=2, help="prefork children per worker")
    parser.add_argument("--processes", type=int, default=1, help="worker processes")
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds for the workers to start")
    parser.add_argument("--standing", action="store_true", help="also time the standing queue afterwards")
    args = parser.parse_args()
    app.conf.broker_url = BROKER
    app.control.purge()
    # Replies anyone can see: the drain checks each batch against the posts, and a hidden one earns nothing.
    posts = list(Post.objects.filter(number__gt=1, is_deleted=False, is_hidden=False, thread__is_deleted=False).order_by("-id")
                 .values_list("id", "author_id", "thread__category_id")[: args.events * 3])
    already = {int(x) for x in PointsEntry.objects.filter(reason=Reason.REPLY_POSTED, source_id__in=[str(p[0]) for p in posts])
               .values_list("source_id", flat=True)}
    events = [post for post in posts if post[0] not in already][: args.events]
    before = PointsEntry.objects.filter(reason=Reason.REPLY_POSTED).count()
    workers = [start_worker(args, "loyalty", index) for index in range(args.processes)]
    time.sleep(args.warmup)  # workers up and waiting before the clock starts
    try:
        # The clock covers publishing the events (as the web processes would) and the workers writing the ledger.
        started = time.perf_counter()
        for post_id, author_id, category_id in events:
            award_log.append(member_id=author_id, reason=Reason.REPLY_POSTED, source_type="post", source_id=post_id,
                             category_id=category_id, post_id=post_id)
        enqueue_seconds = time.perf_counter() - started
        target = before + len(events)
        while PointsEntry.objects.filter(reason=Reason.REPLY_POSTED).count() < target:
            if time.perf_counter() - started > 600:
                raise SystemExit("timed out")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        stop(workers)
    standing_note = ""
    if args.standing:
        from loyalty.models import StandingCheck
        from loyalty.tasks import refresh_due_standing

        due = StandingCheck.objects.count()
        started = time.perf_counter()
        while refresh_due_standing():
            pass
        standing_seconds = time.perf_counter() - started
        standing_note = f"; then {due} tier and badge checks in {standing_seconds:.1f}s ({due / standing_seconds:.0f}/s, in this process)"
    print(f"events: {len(events)}; published in {enqueue_seconds:.1f}s ({len(events) / enqueue_seconds:.0f}/s); "
          f"{args.processes} worker(s), {args.pool}{'' if args.pool == 'solo' else f' -c {args.concurrency}'}: all in the ledger after "
          f"{elapsed:.1f}s = {len(events) / elapsed:.0f} events/s"
          f"{standing_note}")


if __name__ == "__main__":
    main()
