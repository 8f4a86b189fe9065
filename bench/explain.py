"""EXPLAIN (ANALYZE, BUFFERS) of every query the hot pages run, and which of them scan a large table whole.

Run against the large demo data (`seed_demo --size large`), never in `make test`:
    .venv/bin/python bench/explain.py [--large 10000] [--plans]
Each page of bench/pages.py is requested as a visitor, a member and (for the queue) a manager; every SELECT
it ran is explained with its own parameters. The report lists each distinct query with its time and the
tables it reads whole ("Seq Scan" on a table of more than --large rows); --plans prints the plans too,
for docs/benchmarks.md. Exits 1 when a query scans a large table, so it can gate a change.
"""

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.pages import MANAGER_PAGES, pages  # noqa: E402
from community.members.models import User  # noqa: E402
from forums import page_cache  # noqa: E402

SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def table_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
        return dict(cursor.fetchall())


def captured(client: Client, url: str) -> list[str]:
    client.get(url)  # warm-up: caches filled, as in steady use
    # Then the page is built, not served kept (a visitor's whole page, search results): its queries are the ones to explain.
    page_cache.expire_all()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [query["sql"] for query in queries.captured_queries if query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]


def explain(sql: str) -> tuple[str, float]:
    with connection.cursor() as cursor:
        # The captured SQL has its parameters inlined by Django for display; it is the page's own query.
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    time_ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
    return plan, time_ms


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", type=int, default=10_000, help="a table with more rows than this is large")
    parser.add_argument("--plans", action="store_true", help="print every plan")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    rows = table_rows()
    visitor, member, manager = Client(), Client(), Client()
    member.force_login(User.objects.get(username="member"))
    manager.force_login(User.objects.get(username="manager"))
    runs = [("visitor", visitor, pages()), ("member", member, pages()), ("manager", manager, MANAGER_PAGES)]
    seen: dict[str, tuple[str, str, float, list[str], str]] = {}
    for role, client, page_list in runs:
        for name, url in page_list:
            for sql in captured(client, url):
                shape = re.sub(r"\b\d+\b", "N", sql)
                if shape in seen:
                    continue
                plan, time_ms = explain(sql)
                large = sorted({table for table in SEQ_SCAN.findall(plan) if rows.get(table, 0) > args.large})
                seen[shape] = (f"{name} ({role})", sql, time_ms, large, plan)
    print(f"{len(seen)} distinct queries on {sum(1 for _ in runs)} roles' pages; large = more than {args.large:,} rows\n")
    print("| page | ms | reads whole | query |")
    print("| --- | ---: | --- | --- |")
    for page, sql, time_ms, large, _plan in sorted(seen.values(), key=lambda item: -item[2]):
        print(f"| {page} | {time_ms:.2f} | {', '.join(large) or '—'} | `{sql[:90].replace('|', '/')}…` |")
    if args.plans:
        for page, sql, time_ms, _large, plan in sorted(seen.values(), key=lambda item: -item[2]):
            print(f"\n#### {page}, {time_ms:.2f} ms\n\n```sql\n{sql}\n```\n\n```\n{plan}\n```")
    return 1 if any(item[3] for item in seen.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
