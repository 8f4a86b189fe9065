"""Server time and SQL query count of the similar-threads fragment (issue 13), on whatever data the database holds.

    .venv/bin/python bench/similar.py [--runs 30]
Times are in-process (Django test client as the `newcomer` account, as htmx asks while a title is typed, no
network): p50 and p95 over the runs after one warm-up request, for a few titles in English and Russian, with
how many threads each shows and how many SQL queries it takes.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from community.members.models import User  # noqa: E402
from forums.models import Thread  # noqa: E402

TITLES = [
    "How do I deploy background jobs in Django?",  # words found in thousands of titles
    "PostgreSQL: file uploads is slow on large data",  # almost every word is common
    "Celery worker keeps failing after upgrade",
    "Django the login page keeps failing after upgrade",  # the seed's own boilerplate: thousands share 3+ words
    "Meetup notes: the API with Celery",
    "Django background jobs keep failing after upgrade on large data slow",  # long: only its first words count
    "How do I deploy background jobs in Djan",  # still typing: the last word is a prefix
    "Kubernetes ingress certificate renewal",  # words no title has
    "Как настроить поиск в PostgreSQL?",
    "Проблема с загрузкой файлов после обновления Django",
    "Вопрос новичка про очереди",
    "short one",  # under 10 characters: answered without a query
]


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int, int]:
    client.get(url, headers={"HX-Request": "true"})
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers={"HX-Request": "true"})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"HX-Request": "true"})
    shown = response.content.count(b"<li>")
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)], len(queries), shown


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(username="newcomer"))
    print(f"{Thread.objects.count()} threads; {args.runs} runs each\n")
    print("| title | shown | p50 ms | p95 ms | queries |\n|---|---|---|---|---|")
    for title in TITLES:
        p50, p95, queries, shown = measure(client, "/t/similar/?" + urlencode({"title": title}), args.runs)
        print(f"| {title} | {shown} | {p50:.1f} | {p95:.1f} | {queries} |")


if __name__ == "__main__":
    main()
