"""Server time and SQL query count of the community health dashboard, on whatever data the database holds.

    .venv/bin/python bench/dashboard.py [--runs 30] [--rollup]
`--rollup` first fills the nightly rollup (what the beat job does), so past days are read from it.
Each period is measured computed (`fresh=1`: every figure, every time) and served (from the snapshot
that the beat job recomputes every 5 minutes).
Times are in-process (Django test client as the `manager` account, no network): p50 and p95 over the
runs after one warm-up request, for each period, and the funnel's figures for the 90-day period.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from community.health import rollup, selectors  # noqa: E402
from community.members.models import User  # noqa: E402


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rollup", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    if args.rollup:
        started = time.perf_counter()
        rows = rollup.roll_up_recent(days=200)
        print(f"rollup: {rows} rows in {time.perf_counter() - started:.1f}s\n")
    client = Client()
    client.force_login(User.objects.get(username="manager"))
    print(f"{User.objects.count()} members; {args.runs} runs each\n")
    print("| page | p50 ms | p95 ms | queries |\n|---|---|---|---|")
    # fresh=1 computes every figure on each request (what the beat job and a "Recompute now" cost);
    # without it the page is served from the snapshot that the beat job keeps (health.snapshots).
    for url in ["/dashboard/?period=7&fresh=1", "/dashboard/?period=30&fresh=1", "/dashboard/?period=90&fresh=1",
                "/dashboard/?period=7", "/dashboard/?period=30", "/dashboard/?period=90",
                "/dashboard/list/first-post/?period=90", "/dashboard/csv/funnel/?period=90&fresh=1"]:
        p50, p95, queries = measure(client, url, args.runs)
        print(f"| `{url}` | {p50:.0f} | {p95:.0f} | {queries} |")
    period = selectors.period_of(90)
    print("\nFunnel, last 90 days (all / first reply within target / late or never):")
    counts = {split: selectors.funnel_counts(period, split) for split in selectors.SPLITS}
    for step, label in selectors.FUNNEL_STEPS:
        print(f"- {label}: {counts['all'][step]} / {counts['fast'][step]} / {counts['slow'][step]}")


if __name__ == "__main__":
    main()
