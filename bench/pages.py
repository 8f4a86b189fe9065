"""Server time and SQL query count of the main pages, on whatever data the database holds.

Run against the demo data (`seed_demo` or `seed_demo --size large`):
    .venv/bin/python bench/pages.py [--runs 50] [--user member] [--notifications 5000]
`--notifications N` first gives the `manager` account N notifications (once), to time /notifications/.
Prints a Markdown table for docs/benchmarks.md. Times are in-process (Django test client, no
network), p50 and p95 over the runs after one warm-up request.
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
from django.utils import timezone  # noqa: E402

from community.members.models import User  # noqa: E402
from community.notifications.models import Kind, Notification  # noqa: E402
from forums.models import Category, Post, Tag, Thread  # noqa: E402


def pages() -> list[tuple[str, str]]:
    longest = Thread.objects.filter(is_deleted=False).order_by("-reply_count").first()
    category = Category.objects.order_by("-thread_count").first()
    tag = Tag.objects.order_by("-thread_count").first()
    return [
        ("latest", "/"),
        ("latest, page 50", "/?page=50"),
        ("category", category.get_absolute_url()),
        ("tag", tag.get_absolute_url()),
        ("top (all time)", "/top/"),
        ("unanswered", "/unanswered/"),
        ("categories", "/categories/"),
        (f"thread ({longest.reply_count + 1} posts), page 1", longest.get_absolute_url()),
        ("thread, last page", f"{longest.get_absolute_url()}?page={longest.page_count}"),
        ("search 'migration'", "/search/?q=migration"),
        ("profile", "/u/member/"),
        ("loyalty (my points)", "/loyalty/"),
        ("leaderboard, this month", "/leaderboard/?period=month"),
        ("rewards", "/rewards/"),
    ]


MANAGER_PAGES = [("newcomer queue (manager)", "/queue/"), ("notifications (manager)", "/notifications/")]


def give_notifications(member: User, count: int) -> None:
    have = Notification.objects.filter(recipient=member, dedupe_key__startswith="bench:").count()
    if have >= count:
        return
    post = Post.objects.select_related("thread").filter(number=2).first()
    now = timezone.now()
    Notification.objects.bulk_create(
        [Notification(recipient=member, kind=Kind.WATCHED_REPLY, actor=post.author, thread=post.thread, post=post,
                      dedupe_key=f"bench:{i}", created_at=now, updated_at=now) for i in range(have, count)],
        batch_size=5_000,
    )


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int, int]:
    client.get(url)  # warm-up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return statistics.median(timings), p95, len(queries), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--user", default="member")
    parser.add_argument("--notifications", type=int, default=0)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    print(f"Data: {User.objects.count()} members, {Thread.objects.count()} threads; logged in as {args.user}; {args.runs} runs\n")
    print("| page | p50 ms | p95 ms | SQL queries | status |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, url in pages():
        p50, p95, queries, status = measure(client, url, args.runs)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {queries} | {status} |")
    manager = User.objects.get(username="manager")
    if args.notifications:
        give_notifications(manager, args.notifications)
    client.force_login(manager)
    for name, url in MANAGER_PAGES:
        p50, p95, queries, status = measure(client, url, args.runs)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {queries} | {status} |")
    waiting = Thread.objects.filter(is_newcomer_thread=True, first_response_at__isnull=True, is_deleted=False).count()
    print(f"\nWaiting newcomer threads: {waiting}; manager's notifications: {Notification.objects.filter(recipient=manager).count()}")


if __name__ == "__main__":
    main()
