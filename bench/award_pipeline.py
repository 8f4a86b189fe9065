"""Throughput of the award pipeline: domain events through a Celery worker into the points ledger.

    DATABASE_URL=postgres://…/roundtable_large .venv/bin/python bench/award_pipeline.py [--events 10000] [--concurrency 2]

Queues `loyalty.reply_posted` jobs for replies that have no ledger entry yet (as posting would),
then starts a real worker (prefork) on a broker database of its own and times it until the
ledger holds every award. Writes to the database it is pointed at: run it on demo data.
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
from loyalty.models import PointsEntry, Reason  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    app.conf.broker_url = BROKER
    app.control.purge()
    post_ids = list(Post.objects.filter(number__gt=1, is_deleted=False).order_by("-id").values_list("id", flat=True)[: args.events * 3])
    already = {int(x) for x in PointsEntry.objects.filter(reason=Reason.REPLY_POSTED, source_id__in=[str(p) for p in post_ids])
                  .values_list("source_id", flat=True)}
    post_ids = [pk for pk in post_ids if pk not in already][: args.events]
    before = PointsEntry.objects.filter(reason=Reason.REPLY_POSTED).count()
    started = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for pk in post_ids:
            app.send_task("loyalty.reply_posted", args=[pk], producer=producer)
    enqueue_seconds = time.perf_counter() - started
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "community", "worker", "--concurrency", str(args.concurrency),
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--prefetch-multiplier", "16"],
        cwd=ROOT, env={**os.environ, "CELERY_BROKER_URL": BROKER},
    )
    try:
        started = time.perf_counter()
        target = before + len(post_ids)
        while PointsEntry.objects.filter(reason=Reason.REPLY_POSTED).count() < target:
            if time.perf_counter() - started > 600:
                raise SystemExit("timed out")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    print(f"events: {len(post_ids)}; enqueue {enqueue_seconds:.1f}s ({len(post_ids) / enqueue_seconds:.0f}/s); "
          f"worker (-c {args.concurrency}, incl. start-up) {elapsed:.1f}s = {len(post_ids) / elapsed:.0f} events/s into the ledger")


if __name__ == "__main__":
    main()
