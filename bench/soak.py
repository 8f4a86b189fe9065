"""Soak test (`make soak`): ten minutes of mixed traffic against gunicorn on loopback, then proof that nothing was
lost, doubled or left inconsistent.

    .venv/bin/python bench/soak.py [--duration 600] [--no-doc]

Never part of `make test`. Bounded and local: every step has a time limit, every request a 30 s timeout, the site
listens on 127.0.0.1 only, and Ctrl-C (or SIGTERM) stops the traffic, gunicorn and the Celery processes.
1. The database SOAK_DATABASE_URL (default rt_soak) is made afresh from the demo community (`seed_demo`, kept as
   the template rt_soak_seed after the first run); its cache and broker are Redis databases 12 and 13, emptied.
2. gunicorn (2 sync workers, production settings, as `make run`), one Celery worker for every queue and Celery
   beat start, as `make run` starts them.
3. Members for each kind of traffic get sessions (written with Django's SessionStore: no login form to drive) and
   the run gets a reward of its own with a stock of 40, so that redeemers race for the last ones, and an event
   with 8 seats, so that members answering "going", "maybe" and "no" fill it, wait and move up.
4. For --duration seconds, threads in this process act as members do:
   readers (visitors and members: lists, threads, search, profiles, points, notifications), posters (replies and
   now and then a thread, each with a marker of its own), likers (like and unlike), flaggers (three flags hide a
   post: points go back), a moderator (restores what flags hid: points come back), redeemers, members answering
   the event's RSVP and members sending kudos.
   Each request's status and latency is recorded; a reply or thread counts as posted only when the site said so
   (its redirect to the new post).
5. The traffic stops; the worker is given up to 3 minutes to finish what was enqueued (nothing waiting in
   PostgreSQL's outbox, the broker's queues empty, the award log drained).
6. The checks, each of which fails the run (exit 1): no answer of 500 or above and no request that got no answer;
   no error in gunicorn's or the worker's log; every post the site accepted is in the database, once; the forum's
   counters equal their counts; the ledger equals its recomputation from the sources and every account its
   ledger (the 90-day score over the window the nightly job last derived it for, at the start); no balance below
   zero; the reward's stock plus its redemptions equals 40; the event's counts equal its answers, nobody more
   going than seats, nobody waiting while a seat is free.
7. A Markdown report (the machine, the traffic, latency per kind of request, the checks) is printed and replaces
   the marked section of docs/benchmarks.md.
"""

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import GIT, ROOT, free_port, in_bench_env, session_of

PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PSQL = shutil.which("psql") or "/usr/bin/psql"
CELERY = ROOT / ".venv" / "bin" / "celery"
DOC = ROOT / "docs" / "benchmarks.md"
LOGS = ROOT / "tmp" / "soak"
MARK_START = "<!-- make soak: start (bench/soak.py writes this section) -->"
MARK_END = "<!-- make soak: end -->"
REWARD_STOCK = 40
EVENT_SEATS = 8  # 24 members answer at random: the seats fill, the waiting list grows and moves up
DRAIN_SECONDS = 180
# Lines in gunicorn's or the worker's log that mean something went wrong (Celery logs a retried task as a warning).
LOG_ERRORS = re.compile(r"Traceback|ERROR|CRITICAL|Internal Server Error|WORKER TIMEOUT|raised unexpected")
# How the site answers a post it accepted: a redirect to the post (/p/<id>/) or to the new thread.
POSTED = re.compile(r"^/(p/\d+/|t/\d+/[^/]+/)")

# The traffic: kind of member -> how many at once, and the pause between two of their actions (seconds).
ACTORS = {
    "visitor": (3, (0.05, 0.3)),
    "reader": (2, (0.05, 0.3)),
    "poster": (3, (0.5, 1.5)),
    "liker": (2, (0.2, 0.8)),
    "flagger": (1, (1.0, 3.0)),
    "moderator": (1, (2.0, 5.0)),
    "redeemer": (1, (1.0, 3.0)),
    "rsvper": (2, (0.3, 1.0)),
    "thanker": (1, (1.0, 3.0)),
}


def soak_env(args) -> dict:
    return {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
            "CELERY_BROKER_URL": args.broker_url, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "community.settings", "EMAIL_FILE_PATH": str(LOGS / "mail")}


def run(command: list, env: dict, timeout: float) -> str:
    done = subprocess.run(in_bench_env(command), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        sys.exit(f"Failed: {' '.join(map(str, command))}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def here(args, env: dict, step: str, *extra, timeout: float = 300) -> dict:
    """Run one of this script's steps inside the site's environment (Django set up) and read its JSON answer."""
    output = run([PYTHON, __file__, f"--{step}", *extra], env, timeout=timeout)
    return json.loads(output.strip().splitlines()[-1])


# --- 1. the data ---------------------------------------------------------------------------------------------------

def psql(database_url: str, statement: str) -> None:
    base = database_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run([PSQL, base, "-v", "ON_ERROR_STOP=1", "-qc", statement], check=True, capture_output=True, timeout=120)


def fresh_data(args, env: dict) -> None:
    """The soak database, made from the seeded template (seeded once, about a minute)."""
    name, template = args.database_url.rsplit("/", 1)[1], args.database_url.rsplit("/", 1)[1] + "_seed"
    template_url = args.database_url.rsplit("/", 1)[0] + "/" + template
    run([PYTHON, "scripts/check_services.py", "--database-url", template_url], env, timeout=60)
    template_env = {**env, "DATABASE_URL": template_url}
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], template_env, timeout=900)
    if not here(args, template_env, "seeded")["seeded"]:
        print("Loading the demo community into the template (seed_demo, once)...", flush=True)
        run([PYTHON, "manage.py", "seed_demo"], template_env, timeout=1800)
    psql(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(args.database_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    import redis

    for url in (args.redis_url, args.broker_url):
        redis.Redis.from_url(url).flushdb()
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env, timeout=300)


def step_seeded() -> dict:
    from community.members.models import User

    return {"seeded": User.objects.filter(username="manager").exists()}


def step_prepare() -> dict:
    """Who acts, where, and the run's reward (in the site's environment)."""
    from datetime import timedelta

    from django.utils import timezone

    from community import permissions
    from community.events import services as events
    from community.members.models import Tier, User
    from forums.models import Category, Post, Thread
    from loyalty import ledger
    from loyalty.models import LoyaltyAccount, Reward

    regulars = [member for member in User.objects.filter(is_active=True, tier__gte=Tier.MEMBER, deleted_at__isnull=True)
                .order_by("pk") if not permissions.is_exempt_from_posting_limits(member)
                and not permissions.can_moderate(member)]
    rng = random.Random(15)  # noqa: S311  (who does what, the same each run; nothing secret)
    rng.shuffle(regulars)
    posters, likers, flaggers, readers = regulars[:24], regulars[24:40], regulars[40:64], regulars[64:72]
    rsvpers, thankers = regulars[72:96], regulars[96:104]
    rich = list(LoyaltyAccount.objects.filter(member__in=[m.pk for m in regulars[104:]], balance__gte=50)
                .order_by("-balance").values_list("member_id", flat=True)[:10])
    redeemers = list(User.objects.filter(pk__in=rich))
    # What the nightly job does (loyalty.refresh_all_standing): the 90-day scores re-derived from the ledger. From
    # here on, awards move them; entries that pass 90 days old during the run leave them at the next night's.
    ledger.rebuild_accounts()
    scores_derived_at = timezone.now()
    reward = Reward.objects.create(name="Soak mug", description="bench/soak.py", cost=10, stock=REWARD_STOCK)
    moderator = User.objects.get(username="moderator")
    start = timezone.now() + timedelta(days=7)
    event = events.event_create(host=User.objects.get(username="manager"), fields=events.EventFields(
        title="Soak meetup", description="bench/soak.py", kind="offline", category=Category.objects.filter(is_read_only=False).first(),
        starts_at=start, ends_at=start + timedelta(hours=2), time_zone="UTC", venue="Loopback hall", capacity=EVENT_SEATS))
    open_categories = [c.pk for c in Category.objects.all() if not c.is_read_only]
    threads = list(Thread.objects.filter(is_deleted=False, category_id__in=open_categories)
                   .order_by("-last_posted_at").values_list("pk", flat=True)[:120])
    posts = list(Post.objects.filter(thread_id__in=threads, is_deleted=False, is_hidden=False)
                 .order_by("-pk").values_list("pk", flat=True)[:1500])

    def sessions(members):
        return [session_of(member) for member in members]

    return {
        "sessions": {"poster": sessions(posters), "liker": sessions(likers), "flagger": sessions(flaggers),
                     "reader": sessions(readers), "redeemer": sessions(redeemers), "moderator": sessions([moderator]),
                     "rsvper": sessions(rsvpers), "thanker": sessions(thankers)},
        "event": event.pk, "scores_derived_at": scores_derived_at.isoformat(),
        "threads": threads, "posts": posts, "categories": open_categories, "reward": reward.pk,
        "category_slugs": list(Category.objects.filter(pk__in=open_categories).values_list("slug", flat=True)),
        "tags": list(Thread.tags.through.objects.values_list("tag__name", flat=True).distinct()[:20]),
        "members": list(User.objects.filter(is_active=True).order_by("?").values_list("username", flat=True)[:40]),
    }


# --- 2. the processes ----------------------------------------------------------------------------------------------

class Processes:
    """gunicorn, a Celery worker and beat, each in its own process group with its own log."""

    def __init__(self, env: dict, port: int):
        self.env, self.port, self.started = env, port, {}
        LOGS.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        queues = subprocess.run([PYTHON, "-m", "community.queues"], cwd=ROOT, capture_output=True, text=True,
                                check=True, timeout=60).stdout.strip()
        self._start("gunicorn", [GUNICORN, "community.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                                 "--workers", 2, "--worker-class", "sync", "--timeout", "60", "--graceful-timeout", "5",
                                 "--no-control-socket", "--access-logfile", LOGS / "access.log"])
        self._start("worker", [CELERY, "-A", "community", "worker", "--loglevel", "INFO", "--concurrency", 2,
                               "--queues", queues, "--hostname", f"soak@{self.port}"])
        self._start("beat", [CELERY, "-A", "community", "beat", "--loglevel", "INFO",
                             "--schedule", LOGS / "celerybeat-schedule"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if request_once(self.port, "GET", "/healthz", None)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        sys.exit(f"gunicorn did not answer within 60 s; see {LOGS / 'gunicorn.log'}")

    def _start(self, name: str, command: list) -> None:
        with (LOGS / f"{name}.log").open("w") as log:
            self.started[name] = subprocess.Popen(in_bench_env(command), cwd=ROOT, env=self.env, stdout=log,
                                                  stderr=subprocess.STDOUT, start_new_session=True)

    def check_alive(self) -> None:
        for name, process in self.started.items():
            if process.poll() is not None:
                raise SystemExit(f"{name} stopped (exit {process.returncode}); see {LOGS / (name + '.log')}")

    def stop(self) -> None:
        for process in self.started.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.started.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def log_errors(self) -> list[str]:
        found = []
        for name in ("gunicorn", "worker", "beat"):
            lines = (LOGS / f"{name}.log").read_text(errors="replace").splitlines()
            found += [f"{name}: {line.strip()[:200]}" for line in lines if is_error(line)]
        return found


def is_error(line: str) -> bool:
    """A log line that says something went wrong. The site logs JSON, one object a line: its level decides (a 403
    for liking one's own post is a WARNING with the refusal's traceback inside). Celery and gunicorn log plain text."""
    if line.startswith("{"):
        with contextlib.suppress(ValueError):
            return json.loads(line).get("level") in ("ERROR", "CRITICAL")
    return bool(LOG_ERRORS.search(line))


# --- 3. the traffic ------------------------------------------------------------------------------------------------

def request_once(port: int, method: str, path: str, cookies: dict | None, form: dict | None = None,
                 ) -> tuple[int, dict, bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Host": "127.0.0.1", "Accept-Language": "en"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}/"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@dataclass
class Tally:
    """What the traffic did: every request's latency by kind, and what must be found in the database after."""

    latencies: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    failures: list = field(default_factory=list)  # 5xx and requests with no answer
    posted: list = field(default_factory=list)  # markers of the posts the site accepted
    refused: dict = field(default_factory=lambda: defaultdict(int))  # posts refused with a reason (rate limit...)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int, seconds: float, path: str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1
            if status >= 500 or status == 0:
                self.failures.append(f"{kind} {path}: {status or 'no answer'}")


class Member:
    """One browser: its cookies (session and CSRF token), kept across requests as a browser keeps them."""

    def __init__(self, port: int, tally: Tally, session: str | None):
        self.port, self.tally = port, tally
        self.cookies = {"sessionid": session} if session else {}

    def call(self, kind: str, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        started = time.perf_counter()
        try:
            status, headers, body = request_once(self.port, method, path, self.cookies, form)
        except OSError:
            status, headers, body = 0, {}, b""
        self.tally.record(kind, status, time.perf_counter() - started, path)
        for cookie in headers.get("set-cookie", "").split(","):
            if match := re.match(r"\s*(csrftoken|sessionid)=([^;]*)", cookie):
                self.cookies[match[1]] = match[2]
        return status, headers, body

    def ensure_csrf(self) -> None:
        if "csrftoken" not in self.cookies:
            self.call("read: home", "GET", "/")


def location(headers: dict) -> str:
    return urllib.parse.urlsplit(headers.get("location", "")).path


class Traffic:
    def __init__(self, port: int, plan: dict, seconds: float, run_id: str):
        self.port, self.plan, self.run_id = port, plan, run_id
        self.tally, self.stop_at, self.stop = Tally(), time.monotonic() + seconds, threading.Event()
        self.serial = 0
        self.serial_lock = threading.Lock()
        self.hidden_lock = threading.Lock()

    def marker(self) -> str:
        with self.serial_lock:
            self.serial += 1
            return f"soak-{self.run_id}-{self.serial}"

    def running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.stop_at

    def actor(self, kind: str, number: int, pause: tuple) -> None:
        rng = random.Random(f"{kind}{number}")  # noqa: S311  (traffic, not secrets)
        count = ACTORS[kind][0]
        # Each of a kind's threads has members of its own: one member never acts in two places at once.
        sessions = self.plan["sessions"].get(kind, [None] * count)[number::count] or [None]
        members = [Member(self.port, self.tally, session) for session in sessions]
        act = getattr(self, f"act_{kind}")
        turn = number
        while self.running():
            member = members[turn % len(members)]  # taking turns, as posters keep the interval between two posts
            turn += 1
            act(member, rng)
            time.sleep(rng.uniform(*pause))

    def read(self, member: Member, rng: random.Random, signed_in: bool) -> None:
        plan = self.plan
        pages = [("read: home", "/"), ("read: category", f"/c/{rng.choice(plan['category_slugs'])}/"),
                 ("read: thread", f"/t/{rng.choice(plan['threads'])}/"),
                 ("read: search", f"/search/?q={rng.choice(['help', 'setup', 'event', 'docker'])}"),
                 ("read: profile", f"/u/{rng.choice(plan['members'])}/"), ("read: unanswered", "/unanswered/")]
        if plan["tags"]:
            pages.append(("read: tag", f"/tags/{urllib.parse.quote(rng.choice(plan['tags']))}/"))
        if signed_in:
            pages += [("read: notifications", "/notifications/"), ("read: my points", "/loyalty/"), ("read: leaderboard", "/leaderboard/")]
        kind, path = rng.choice(pages)
        status, headers, _body = member.call(kind, "GET", path)
        if status in (301, 302) and kind == "read: thread":  # /t/<id>/ redirects to the thread's page
            member.call(kind, "GET", location(headers))

    def act_visitor(self, member, rng):
        self.read(member, rng, signed_in=False)

    def act_reader(self, member, rng):
        self.read(member, rng, signed_in=True)

    def act_poster(self, member, rng):
        member.ensure_csrf()
        mark = self.marker()
        if rng.random() < 0.1:
            category = rng.choice(self.plan["categories"])
            form = {"category": category, "title": f"Soak question {mark}", "body": f"Asking as {mark}: **does it hold?**", "tags": ""}
            status, headers, body = member.call("write: new thread", "POST", "/t/new/", form)
            accepted = status == 302 and POSTED.match(location(headers))
            if status == 200:  # refused: the form again, with the reason and the text
                self.tally.refused["new thread (form shown again)" if mark.encode() in body else "new thread (TEXT LOST)"] += 1
                (LOGS / "refused-thread.html").write_bytes(body)
        else:
            thread = rng.choice(self.plan["threads"])
            status, headers, _ = member.call("write: reply", "POST", f"/t/{thread}/reply/", {"body": f"Replying as {mark}. Thanks!"})
            accepted = status == 302 and location(headers).startswith("/p/")
            if status == 302 and not accepted:  # refused: back to the reply box, with the reason and the text kept
                status, headers, body = member.call("write: reply refused, text shown", "GET", location(headers))
                self.tally.refused["reply (text shown again)" if mark.encode() in body else "reply (TEXT LOST)"] += 1
        if accepted:
            with self.tally.lock:
                self.tally.posted.append(mark)

    def act_liker(self, member, rng):
        member.ensure_csrf()
        post = rng.choice(self.plan["posts"][:300])
        member.call("write: like", "POST", f"/p/{post}/like/", {"action": "like" if rng.random() < 0.7 else "unlike"})

    def act_flagger(self, member, rng):
        member.ensure_csrf()
        post = rng.choice(self.plan["posts"][:200])  # few enough that three flaggers meet on one post and hide it
        member.call("write: flag", "POST", f"/p/{post}/flag/", {"reason": rng.choice(["spam", "off_topic", "abusive"]), "note": "soak"})

    def act_moderator(self, member, rng):
        """Works the review queue as a moderator does: each flagged post's "restore" (disagree with the flags)."""
        member.ensure_csrf()
        _status, _headers, body = member.call("moderate: review queue", "GET", "/review/")
        # A hidden post's item offers "approve" (show it again), a flagged one "dismiss": either clears the flags.
        items = sorted(set(re.findall(rb'/review/(\d+)/(approve|dismiss)/', body)))
        if items:
            item, action = rng.choice(items)
            member.call(f"moderate: {action.decode()}", "POST", f"/review/{int(item)}/{action.decode()}/", {})

    def act_redeemer(self, member, rng):
        member.ensure_csrf()
        member.call("write: redeem", "POST", f"/rewards/{self.plan['reward']}/redeem/", {})

    def act_rsvper(self, member, rng):
        member.ensure_csrf()
        status = rng.choice(["going", "going", "maybe", "no"])
        member.call(f"write: rsvp {status}", "POST", f"/events/{self.plan['event']}/rsvp/", {"status": status})

    def act_thanker(self, member, rng):
        member.ensure_csrf()
        receiver, mark = rng.choice(self.plan["members"]), self.marker()
        member.call("write: kudos", "POST", "/kudos/", {"receiver": receiver, "message": f"Thanks, {mark}", "next": "/"})

    def run(self) -> Tally:
        workers = [threading.Thread(target=self.actor, args=(kind, number, pause), daemon=True)
                   for kind, (count, pause) in ACTORS.items() for number in range(count)]
        for worker in workers:
            worker.start()
        for worker in workers:
            while worker.is_alive():
                worker.join(timeout=1)
        return self.tally


# --- 5-6. drained, then the checks ---------------------------------------------------------------------------------

def step_drained() -> dict:
    """Whether the worker has finished: no job waiting in the outbox or the broker, nothing left in the award log."""
    from community.celery import app
    from community.models import PendingJob
    from community.queues import QUEUES
    from loyalty import award_log

    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        queued = sum(client.llen(name) for name in QUEUES)
        unacked = client.hlen("unacked")
    pending = PendingJob.objects.count()
    backlog = award_log.pending()
    return {"queued": queued, "unacked": unacked, "pending": pending, "award_log": backlog,
            "drained": queued == 0 and unacked == 0 and pending == 0 and backlog == 0}


def step_check(markers_file: str, reward_id: int, event_id: int | None = None, scores_derived_at: str | None = None) -> dict:
    from django.db.models import Count, Q

    from community.events.models import RSVP, Event
    from forums.models import Post
    from forums.synchronize import synchronize_forums
    from loyalty import ledger
    from loyalty.models import LoyaltyAccount, Redemption, Reward
    from loyalty.recompute import source_drift

    markers = json.loads(Path(markers_file).read_text())
    found = defaultdict(int)
    for body in Post.objects.filter(body__startswith="Replying as soak-").values_list("body", flat=True).iterator():
        found[body.split()[2].rstrip(".")] += 1
    for body in Post.objects.filter(body__startswith="Asking as soak-").values_list("body", flat=True).iterator():
        found[body.split()[2].rstrip(":")] += 1
    lost = [mark for mark in markers if found.get(mark, 0) == 0]
    doubled = [mark for mark, times in found.items() if times > 1]
    unexpected = sorted(set(found) - set(markers))  # posts the site made although it did not answer with their redirect
    counters = synchronize_forums()  # rows set right: anything but zeros is a counter that had drifted
    sources = source_drift()
    accounts = ledger.rebuild_accounts(fix=False)
    if scores_derived_at:  # the 90-day scores, against the window they were last derived for (see step_prepare)
        accounts = [drift for drift in accounts if drift.field != "score_90d"] + score_drift(datetime.fromisoformat(scores_derived_at))
    reward = Reward.objects.get(pk=reward_id)
    redeemed = Redemption.objects.filter(reward=reward).count()
    event_problems = []
    if event_id is not None:
        event = Event.objects.get(pk=event_id)
        counts = RSVP.objects.filter(event=event).aggregate(
            going=Count("pk", filter=Q(status=RSVP.Status.GOING)), maybe=Count("pk", filter=Q(status=RSVP.Status.MAYBE)),
            waiting=Count("pk", filter=Q(status=RSVP.Status.WAITING)))
        if (event.going_count, event.maybe_count, event.waiting_count) != (counts["going"], counts["maybe"], counts["waiting"]):
            event_problems.append(f"the event's counts {event.going_count}/{event.maybe_count}/{event.waiting_count} "
                                  f"differ from its answers {counts['going']}/{counts['maybe']}/{counts['waiting']}")
        if counts["going"] > event.capacity:
            event_problems.append(f"{counts['going']} going for {event.capacity} seats")
        if counts["waiting"] and counts["going"] < event.capacity:
            event_problems.append(f"{counts['waiting']} waiting while {event.capacity - counts['going']} seats are free")
    return {
        "event_problems": event_problems, "event_going": event.going_count if event_id else 0,
        "event_waiting": event.waiting_count if event_id else 0,
        "posts_accepted": len(markers), "posts_found": sum(found.values()), "lost": lost[:20], "lost_count": len(lost),
        "doubled": doubled[:20], "unexpected": unexpected[:20], "unexpected_count": len(unexpected),
        "counters_fixed": counters, "source_drift": [str(d) for d in sources[:10]], "source_drift_count": len(sources),
        "account_drift": [str(d) for d in accounts[:10]], "account_drift_count": len(accounts),
        "negative_balances": LoyaltyAccount.objects.filter(balance__lt=0).count(),
        "stock_left": reward.stock, "redeemed": redeemed,
        "ledger_entries": ledger.PointsEntry.objects.count(),
        "hidden_posts": Post.objects.filter(is_hidden=True).count(),
        "posts_by_day": Post.objects.aggregate(n=Count("pk"))["n"],
    }


def score_drift(derived_at: datetime) -> list[str]:
    """Accounts whose 90-day score differs from the ledger's sum over the window it was last derived for: an entry
    that passes 90 days old leaves the score at the next nightly re-derivation, not at that moment."""
    from django.db.models import Q, Sum

    from loyalty import ledger
    from loyalty.models import LoyaltyAccount

    since = derived_at - ledger.SCORE_WINDOW
    sums = dict(ledger.PointsEntry.objects.filter(~ledger.NOT_EARNED & Q(created_at__gte=since)).values("member_id")
                .annotate(score=Sum("amount")).values_list("member_id", "score"))
    return [f"member {member_id}: score_90d {stored}, ledger {sums.get(member_id, 0)}" for member_id, stored
            in LoyaltyAccount.objects.values_list("member_id", "score_90d") if stored != sums.get(member_id, 0)]


# --- 7. the report -------------------------------------------------------------------------------------------------

def machine_facts(args) -> dict:
    import platform

    import psycopg2
    import redis

    with psycopg2.connect(args.database_url, connect_timeout=5) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    commit = subprocess.run([GIT, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            timeout=10).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "postgres": postgres, "commit": commit,
            "redis": redis.Redis.from_url(args.redis_url, socket_timeout=5).info("server")["redis_version"],
            "load_before": f"{os.getloadavg()[0]:.1f}"}


def percentile(values: list, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(args, facts: dict, tally: Tally, seconds: float, checks: dict, log_errors: list, failures: list) -> str:
    total = sum(len(v) for v in tally.latencies.values())
    lines = [MARK_START, "", "## Soak: ten minutes of mixed traffic (`make soak`)", "",
             f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit `{facts['commit']}`: {facts['cpu']}, "
             f"{facts['cores']} cores, PostgreSQL {facts['postgres']}, Redis {facts['redis']}; load average "
             f"{facts['load_before']} before. gunicorn 2 sync workers, one Celery worker (concurrency 2) and beat, "
             f"all on this machine, with the demo community (`seed_demo`). Command: `{args.command}`.", "",
             f"**{total:,} requests in {seconds:.0f} s** ({total / seconds:.1f} a second) from "
             + ", ".join(f"{count} {kind}{'s' if count > 1 else ''}" for kind, (count, _pause) in ACTORS.items())
             + " acting at once, each pausing between actions (0.05 to 5 s by kind). They share the 2 cores with the"
             " site, the worker, PostgreSQL and Redis, and 2 sync workers serve them all: the times include the wait"
             " for a free one. The point is correctness under sustained load; `make bench` measures speed.", "",
             "| request | count | p50 | p95 | p99 | max | answers |", "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for kind in sorted(tally.latencies):
        values = tally.latencies[kind]
        answers = ", ".join(f"{status or 'none'}: {n}" for status, n in sorted(tally.statuses[kind].items()))
        lines.append(f"| {kind} | {len(values):,} | {percentile(values, .5) * 1000:.0f} ms | {percentile(values, .95) * 1000:.0f} ms "
                     f"| {percentile(values, .99) * 1000:.0f} ms | {max(values) * 1000:.0f} ms | {answers} |")
    everything = [v for values in tally.latencies.values() for v in values]
    lines.append(f"| **all** | {len(everything):,} | {percentile(everything, .5) * 1000:.0f} ms | "
                 f"{percentile(everything, .95) * 1000:.0f} ms | {percentile(everything, .99) * 1000:.0f} ms | "
                 f"{max(everything) * 1000:.0f} ms | |")
    refused = ", ".join(f"{n} {what}" for what, n in sorted(tally.refused.items())) or "none"
    lines += ["", "**Checks** (after the worker drained, in {:.0f} s):".format(checks["drain_seconds"]), "",
              f"- answers of 500 or above, or no answer: **{len(tally.failures)}**"
              + (f" ({'; '.join(tally.failures[:5])})" if tally.failures else ""),
              f"- errors in gunicorn's, the worker's and beat's logs: **{len(log_errors)}**",
              f"- posts the site accepted: {checks['posts_accepted']:,}; found in the database: {checks['posts_found']:,}; "
              f"lost: **{checks['lost_count']}**; doubled: **{len(checks['doubled'])}**; made without an answer: "
              f"{checks['unexpected_count']}",
              f"- posts refused with a reason (posting too fast and the like), the text shown again: {refused}",
              f"- forum counters that had drifted from their counts: **{sum(checks['counters_fixed'].values())}**",
              f"- ledger claims that differ from their sources: **{checks['source_drift_count']}**; accounts that differ "
              f"from their ledger: **{checks['account_drift_count']}** ({checks['ledger_entries']:,} entries)",
              f"- balances below zero: **{checks['negative_balances']}**; the reward's stock: {checks['stock_left']} left + "
              f"{checks['redeemed']} redeemed = {checks['stock_left'] + checks['redeemed']} (of {REWARD_STOCK})",
              f"- the event ({EVENT_SEATS} seats): {checks['event_going']} going, {checks['event_waiting']} waiting; "
              f"problems: **{len(checks['event_problems'])}**" + (f" ({'; '.join(checks['event_problems'])})" if checks["event_problems"] else ""),
              f"- posts hidden by flags at the end: {checks['hidden_posts']}", "",
              "**Result: " + ("passed" if not failures else "FAILED: " + "; ".join(failures)) + ".**", "", MARK_END]
    return "\n".join(lines)


def judge(tally: Tally, checks: dict, log_errors: list) -> list[str]:
    failures = []
    if tally.failures:
        failures.append(f"{len(tally.failures)} answers of 500+ or none")
    if log_errors:
        failures.append(f"{len(log_errors)} errors in the logs")
    if checks["lost_count"] or checks["doubled"]:
        failures.append(f"{checks['lost_count']} posts lost, {len(checks['doubled'])} doubled")
    if tally.refused.get("reply (TEXT LOST)") or tally.refused.get("new thread (TEXT LOST)"):
        failures.append("a refused reply lost its text")
    if any(checks["counters_fixed"].values()):
        failures.append(f"counters drifted: {checks['counters_fixed']}")
    if checks["source_drift_count"] or checks["account_drift_count"]:
        failures.append("the ledger differs from its recomputation")
    if checks["negative_balances"] or checks["stock_left"] + checks["redeemed"] != REWARD_STOCK or checks["stock_left"] < 0:
        failures.append("a balance or the stock is wrong")
    if checks.get("event_problems"):
        failures.append("the event's seats: " + "; ".join(checks["event_problems"]))
    if not checks["posts_accepted"]:
        failures.append("nothing was posted")
    return failures


def write_doc(section: str) -> None:
    text = DOC.read_text()
    if MARK_START in text:
        before, rest = text.split(MARK_START, 1)
        text = before + section + rest.split(MARK_END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text)


# --- the run -------------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=600, help="seconds of traffic (default 600)")
    parser.add_argument("--no-doc", action="store_true", help="print the report without writing docs/benchmarks.md")
    parser.add_argument("--database-url", default=os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rt_soak"))
    parser.add_argument("--redis-url", default=os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--broker-url", default=os.environ.get("SOAK_BROKER_URL", "redis://127.0.0.1:6379/13"))
    for step in ("seeded", "prepare", "drained"):
        parser.add_argument(f"--{step}", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", nargs=4, metavar=("MARKERS", "REWARD", "EVENT", "SCORES_DERIVED_AT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.command = os.environ.get("SOAK_COMMAND", "make soak")

    if args.seeded or args.prepare or args.drained or args.check:  # a step inside the site's environment
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        answer = (step_seeded() if args.seeded else step_prepare() if args.prepare else step_drained() if args.drained
                  else step_check(args.check[0], int(args.check[1]), int(args.check[2]), args.check[3]))
        print(json.dumps(answer))
        return

    env = soak_env(args)
    print(f"Soak: {args.duration} s of mixed traffic against gunicorn on 127.0.0.1 ({args.database_url})", flush=True)
    fresh_data(args, env)
    plan = here(args, env, "prepare")
    facts = machine_facts(args)
    processes = Processes(env, free_port())
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        processes.start()
        print(f"  site on http://127.0.0.1:{processes.port}/, worker and beat started; traffic for {args.duration} s...", flush=True)
        traffic = Traffic(processes.port, plan, args.duration, run_id=f"{int(time.time())}")
        started = time.monotonic()
        watcher = threading.Thread(target=_watch, args=(processes, traffic), daemon=True)
        watcher.start()
        tally = traffic.run()
        seconds = time.monotonic() - started
        print(f"  traffic done: {sum(len(v) for v in tally.latencies.values()):,} requests; waiting for the worker...", flush=True)
        drain_started = time.monotonic()
        while not (state := here(args, env, "drained", timeout=60))["drained"]:
            if time.monotonic() - drain_started > DRAIN_SECONDS:
                sys.exit(f"The worker did not finish within {DRAIN_SECONDS} s: {state}")
            time.sleep(2)
        drain_seconds = time.monotonic() - drain_started
        processes.check_alive()
    except KeyboardInterrupt:
        processes.stop()
        sys.exit("Stopped.")
    processes.stop()
    markers = LOGS / "posted.json"
    markers.write_text(json.dumps(tally.posted))
    checks = here(args, env, "check", markers, plan["reward"], plan["event"], plan["scores_derived_at"], timeout=600)
    checks["drain_seconds"] = drain_seconds
    log_errors = processes.log_errors()
    failures = judge(tally, checks, log_errors)
    section = report(args, facts, tally, seconds, checks, log_errors, failures)
    print(section)
    for line in log_errors[:20]:
        print("  log:", line)
    if not args.no_doc:
        write_doc(section)
        print(f"Written to {DOC.relative_to(ROOT)}.")
    sys.exit(1 if failures else 0)


def _watch(processes: Processes, traffic: Traffic) -> None:
    """Stop the traffic at once if gunicorn, the worker or beat dies (its requests would only time out)."""
    while traffic.running():
        for process in processes.started.values():
            if process.poll() is not None:
                traffic.stop.set()
        time.sleep(1)


if __name__ == "__main__":
    main()
