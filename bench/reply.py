"""Server time and SQL queries of posting a reply, through the real view, on whatever data the database holds.

    DATABASE_URL=postgres://…/roundtable_large .venv/bin/python bench/reply.py [--replies 200] [--members 8] [--profile]

Posts N replies as several members (tier 1 and up, past their first day) to threads they may reply to,
each a POST to /t/<id>/reply/ with the Django test client (as a browser would, CSRF as the test client
does it: unchecked), and prints p50/p95/p99 of the request and its SQL query count. Every fourth reply
@mentions one of the other members, so the mention path is timed too. A member's posting-rate slot is
cleared before their next reply (outside the timing): the check itself still runs. Jobs are enqueued
to the broker as in production (nothing runs them here). At the end the touched threads' counters are
checked against their posts. Writes to the database it is pointed at: run it on demo data.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from community.members.models import User  # noqa: E402
from forums.models import Thread  # noqa: E402


def members(count: int) -> list[User]:
    day_ago = timezone.now() - timedelta(days=1)
    return list(User.objects.filter(is_active=True, tier__gte=1, date_joined__lt=day_ago).order_by("pk")[:count])


def threads(count: int, seed: int) -> list[Thread]:
    ids = list(Thread.objects.filter(is_deleted=False, is_locked=False).order_by("-last_posted_at").values_list("pk", flat=True)[:5_000])
    random.Random(seed).shuffle(ids)  # noqa: S311 (a fixed-seed sample, not a secret)
    return list(Thread.objects.filter(pk__in=ids[:count]))


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile of the timed requests")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # a "post_created" line per reply is not the bench's output

    writers = members(args.members)
    clients = []
    for member in writers:
        client = Client()
        client.force_login(member)
        clients.append((member, client))
    targets = threads(max(20, args.replies // 4), args.seed)
    rng = random.Random(args.seed)  # noqa: S311 (a fixed-seed sample, not a secret)
    run = time.time_ns()  # the same text twice in a day is refused (duplicate check): each run's own
    times, queries, sql_times, refused = [], [], [], 0
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    for index in range(args.replies + 1):  # the first is a warm-up, not counted
        member, client = clients[index % len(clients)]
        thread = rng.choice(targets)
        body = f"Bench reply {run}.{index}: tried it on the staging box, the migration ran in two minutes."
        if index % 4 == 0:
            other = writers[(index + 1) % len(writers)]
            body += f" @{other.username} saw the same."
        cache.delete(f"ratelimit:reply:{member.pk}")
        if profiler is not None and index:
            profiler.start()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(f"/t/{thread.pk}/reply/", {"body": body})
            elapsed = (time.perf_counter() - started) * 1000
        if profiler is not None and index:
            profiler.stop()
        if response.status_code != 302 or response["Location"].endswith("#reply"):  # refused: back to the box
            refused += 1
            if refused == 1:
                print("refused:", response.status_code, response.get("Location"), dict(client.session))
            continue
        if index:
            times.append(elapsed)
            queries.append(len(captured.captured_queries))
            sql_times.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)

    times.sort()
    print(f"replies {len(times)} (refused {refused}) by {len(writers)} members to {len(targets)} threads")
    if times:
        print(f"p50 {statistics.median(times):.1f} ms  p95 {percentile(times, .95):.1f} ms  p99 {percentile(times, .99):.1f} ms  "
              f"max {times[-1]:.1f} ms")
        print(f"SQL queries per reply: min {min(queries)} median {statistics.median(queries):g} max {max(queries)}; "
              f"time in SQL p50 {statistics.median(sql_times):.1f} ms")
    wrong = (
        Thread.objects.filter(pk__in=[thread.pk for thread in targets])
        .annotate(replies=Count("posts", filter=Q(posts__number__gt=1, posts__is_deleted=False)))
        .exclude(reply_count=F("replies"))
        .values_list("pk", "reply_count", "replies")
    )
    print("threads whose reply_count is not their replies (not deleted):", list(wrong) or "none")
    if profiler is not None:
        print(profiler.output_text(unicode=False, color=False))
    return 1 if refused or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
