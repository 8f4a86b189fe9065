"""Load test over HTTP (`make bench`): gunicorn with production settings on the large data, driven by wrk on loopback.

    .venv/bin/python bench/load.py [--duration 10] [--connections 8] [--single-duration 10] [--no-write]

Never part of `make test`. Steps, each with a time limit so that nothing can hang:
1. The database BENCH_DATABASE_URL (default rt_bench) is created and migrated; `seed_demo --size large` loads it
   when it holds fewer than 10,000 members (the seed is one transaction, so a half-loaded database cannot pass).
   Its cache and broker are Redis databases 7 and 8 (BENCH_REDIS_URL, BENCH_BROKER_URL).
2. gunicorn, 2 sync workers, production settings (scripts/run_env.sh, as `make run`) on a free loopback port,
   with BENCH_FLOOR=true so that /bench/floor/ exists: the full middleware stack around a page that does nothing.
   No Celery worker or beat: the pages only read (what they enqueue waits in the bench broker database); the two
   beat jobs a page depends on are run directly: the nightly rollup once, the dashboard's snapshot before it is timed.
3. Sessions for `member` and `manager` are written with Django's SessionStore (no login form to drive); wrk sends
   the cookie. Every page is checked first (200, signed in or not as expected) and warmed up.
4. wrk (C, epoll: about a tenth of a core where Locust would take a whole one of the 2 that gunicorn needs)
   runs each page for --duration seconds with 8 connections on 2 threads, then 1 connection (one client's
   latency), beside the floor for the same role in the same run.
5. A Markdown report (the machine, the command, the tables with the ratio to the floor and the gap to the
   issue's targets) is printed and replaces the marked section of docs/benchmarks.md.
Ctrl-C (or SIGTERM) stops wrk and gunicorn's whole process group.
"""

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DOC = ROOT / "docs" / "benchmarks.md"
LOG = ROOT / "tmp" / "bench-gunicorn.log"
WORKERS = 2
LARGE_MEMBERS = 10_000
SESSION_COOKIE = "sessionid"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
GIT = shutil.which("git") or "/usr/bin/git"
MARK_START = "<!-- make bench: start (bench/load.py writes this section) -->"
MARK_END = "<!-- make bench: end -->"


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # anonymous, member or manager
    url: str


@dataclass(frozen=True)
class Target:
    """What the issue asks of a page: req/s under 8 connections, p95 for a single client (or both)."""

    min_rps: float | None = None
    max_p95_ms: float | None = None


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # connection errors, timeouts and answers other than 2xx/3xx

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# Issue 14's targets (large data, production settings, gunicorn 2 workers, 8 connections on loopback).
TARGETS = {
    ("anonymous", "home"): Target(min_rps=1400),
    ("anonymous", "category"): Target(min_rps=1400),
    ("anonymous", "tag"): Target(min_rps=1400),
    ("anonymous", "thread"): Target(min_rps=1400),
    ("member", "home"): Target(min_rps=250, max_p95_ms=12),
    ("member", "category"): Target(min_rps=250, max_p95_ms=12),
    ("member", "tag"): Target(min_rps=250, max_p95_ms=12),
    ("member", "thread"): Target(min_rps=250, max_p95_ms=12),
    ("member", "unanswered"): Target(min_rps=250, max_p95_ms=12),
    ("member", "profile"): Target(max_p95_ms=12),
    ("member", "loyalty"): Target(max_p95_ms=12),
    ("member", "leaderboard"): Target(max_p95_ms=12),
    ("member", "search"): Target(max_p95_ms=50),
    ("manager", "queue"): Target(max_p95_ms=25),
    ("manager", "dashboard"): Target(max_p95_ms=300),
}


# --- wrk ---------------------------------------------------------------------------------------------------------

def parse_wrk(output: str) -> Result:
    """The figures of one wrk run, from the JSON line bench/wrk_report.lua writes at its end."""
    for line in output.splitlines():
        if line.startswith("BENCH "):
            data = json.loads(line.removeprefix("BENCH "))
            errors = sum(data[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
            return Result(requests=data["requests"], seconds=data["duration_us"] / 1e6, p50_ms=data["p50_us"] / 1000,
                          p95_ms=data["p95_us"] / 1000, p99_ms=data["p99_us"] / 1000, max_ms=data["max_us"] / 1000,
                          errors=errors)
    raise ValueError(f"wrk printed no BENCH line:\n{output[-2000:]}")


def run_wrk(url: str, *, cookie: str | None, connections: int, seconds: int) -> Result:
    threads = min(2, connections)
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(ROOT / "bench" / "wrk_report.lua")]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        sys.exit(f"wrk failed on {url}: {done.stdout[-1000:]}{done.stderr[-1000:]}")
    return parse_wrk(done.stdout)


# --- the site under test ------------------------------------------------------------------------------------------

def bench_env(args) -> dict:
    """The environment of every command run against the bench site (run_env.sh adds the production settings)."""
    return {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
            "CELERY_BROKER_URL": args.broker_url, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
            "BENCH_FLOOR": "true", "DJANGO_SETTINGS_MODULE": "community.settings"}


def in_bench_env(command: list) -> list:
    """The command, run after sourcing scripts/run_env.sh as scripts/run.sh does (secret key, no HTTPS redirect…)."""
    return ["bash", "-c", 'source scripts/run_env.sh && exec "$@"', "bench", *map(str, command)]


def run(command: list, env: dict, timeout: float) -> str:
    done = subprocess.run(in_bench_env(command), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        sys.exit(f"Failed: {shlex.join(map(str, command))}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def member_count(database_url: str) -> int:
    import psycopg2

    try:
        with psycopg2.connect(database_url, connect_timeout=5) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM members_user")
            return cursor.fetchone()[0]
    except psycopg2.errors.UndefinedTable:
        return 0


def ensure_data(args, env: dict) -> None:
    run([PYTHON, "scripts/check_services.py", "--database-url", args.database_url], env, timeout=60)
    print("Migrating the bench database...", flush=True)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env, timeout=900)
    if member_count(args.database_url) < LARGE_MEMBERS:
        print("Loading the large demo data (seed_demo --size large, about 4 minutes)...", flush=True)
        started = time.monotonic()
        run([PYTHON, "manage.py", "seed_demo", "--size", "large"], env, timeout=3600)
        print(f"  loaded in {time.monotonic() - started:.0f} s", flush=True)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env, timeout=300)


def session_of(user) -> str:
    """A signed-in session for the member, written as login writes one (no login form to drive); its key."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(6 * 60 * 60)
    session.save()
    return session.session_key


def print_targets() -> None:
    """Run inside the bench environment (`load.py --targets`): the pages' URLs and fresh sessions, as JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from community.members.models import User
    from forums.models import Category, Tag, Thread

    def session_for(username: str) -> str:
        return session_of(User.objects.get(username=username))

    # What the nightly job does (health.roll_up_days): the dashboard reads past days from the rollup.
    from community.health import rollup

    rollup.roll_up_recent()

    # The same pages as bench/pages.py: the busiest category and tag, the longest thread (page 1).
    thread = Thread.objects.filter(is_deleted=False).order_by("-reply_count").first()
    urls = {
        "home": "/",
        "category": Category.objects.order_by("-thread_count").first().get_absolute_url(),
        "tag": Tag.objects.order_by("-thread_count").first().get_absolute_url(),
        "thread": thread.get_absolute_url(),
        "unanswered": "/unanswered/",
    }
    member_urls = {**urls, "profile": "/u/member/", "loyalty": "/loyalty/", "leaderboard": "/leaderboard/",
                   "search": "/search/?q=migration"}
    pages = [("floor", "anonymous", "/bench/floor/"), *[(name, "anonymous", url) for name, url in urls.items()],
             ("floor", "member", "/bench/floor/"), *[(name, "member", url) for name, url in member_urls.items()],
             ("floor", "manager", "/bench/floor/"), ("queue", "manager", "/queue/"), ("dashboard", "manager", "/dashboard/")]
    print(json.dumps({
        "pages": pages,
        "sessions": {"member": session_for("member"), "manager": session_for("manager")},
        "data": {"members": User.objects.count(), "threads": Thread.objects.count(),
                 "posts_in_thread": thread.reply_count + 1},
    }))


def refresh_dashboard() -> None:
    """Run inside the bench environment (`load.py --refresh-dashboard`): what beat does every 5 minutes."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from community.health import snapshots

    snapshots.refresh_site_wide()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, cookie: str | None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310  (our own http://127.0.0.1 URLs)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def start_gunicorn(args, env: dict, port: int) -> subprocess.Popen:
    LOG.parent.mkdir(exist_ok=True)
    command = [GUNICORN, "community.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", WORKERS,
               "--worker-class", "sync", "--timeout", "60", "--graceful-timeout", "5",
               # gunicorn 27's control socket defaults to one path per user: `make run` beside us would share it.
               "--no-control-socket"]
    with LOG.open("w") as log:
        # Its own process group, so that stopping it stops its workers too, and Ctrl-C reaches us first.
        server = subprocess.Popen(in_bench_env(command), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start (exit {server.returncode}); see {LOG}")
        try:
            if fetch(f"http://127.0.0.1:{port}/bench/floor/", None)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_gunicorn(server)
    sys.exit(f"gunicorn did not answer within 60 s; see {LOG}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)
    except ProcessLookupError:
        pass


# --- the report ---------------------------------------------------------------------------------------------------

def machine_facts(args) -> dict:
    import psycopg2
    import redis

    with psycopg2.connect(args.database_url, connect_timeout=5) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:"))
    versions = subprocess.run([PYTHON, "-c", "import django, gunicorn; print(django.get_version(), gunicorn.__version__)"],
                              capture_output=True, text=True, timeout=60, check=True).stdout.split()
    wrk = subprocess.run([WRK, "--version"], capture_output=True, text=True, timeout=10).stdout.split("[")[0].strip()
    commit = subprocess.run([GIT, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            timeout=10).stdout.strip()
    return {
        "cpu": f"{os.cpu_count()} cores ({platform.machine()})",
        "memory": f"{memory_kib / 1024 / 1024:.0f} GiB",
        "postgres": postgres,
        "redis": redis.Redis.from_url(args.redis_url, socket_timeout=5).info("server")["redis_version"],
        "python": platform.python_version(),
        "django": versions[0],
        "gunicorn": f"{versions[1]}, {WORKERS} sync workers",
        "wrk": wrk,
        "commit": commit,
    }


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _rps_target(target: Target | None, result: Result) -> tuple[str, str]:
    if target is None or target.min_rps is None:
        return "—", ""
    if result.rps >= target.min_rps:
        return f"≥ {target.min_rps:,.0f} req/s", "yes"
    return f"≥ {target.min_rps:,.0f} req/s", f"no: ×{target.min_rps / result.rps:.1f} short"


def _p95_target(target: Target | None, result: Result) -> tuple[str, str]:
    if target is None or target.max_p95_ms is None:
        return "—", ""
    if result.p95_ms <= target.max_p95_ms:
        return f"p95 ≤ {target.max_p95_ms:.0f} ms", "yes"
    return f"p95 ≤ {target.max_p95_ms:.0f} ms", f"no: ×{result.p95_ms / target.max_p95_ms:.1f} over"


def table(pages: list[Page], results: dict[Page, Result], *, judge) -> list[str]:
    """One row per page: figures, the ratio to the same role's floor, the issue's target and whether it is met."""
    lines = ["| page | role | req/s | p50 ms | p95 ms | p99 ms | req/s ÷ floor | p50 ÷ floor | target | met? |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    floors = {page.role: results[page] for page in pages if page.name == "floor"}
    for page in pages:
        result, floor = results[page], floors[page.role]
        target, met = judge(TARGETS.get((page.role, page.name)), result)
        name = f"{page.name} `{page.url}`"
        if result.errors:
            met = f"{met}; {result.errors} errors".lstrip("; ")
        lines.append(f"| {name} | {page.role} | {result.rps:,.0f} | {_ms(result.p50_ms)} | {_ms(result.p95_ms)} | "
                     f"{_ms(result.p99_ms)} | {result.rps / floor.rps:.2f} | {result.p50_ms / floor.p50_ms:.1f} | "
                     f"{target} | {met} |")
    return lines


def report(args, facts: dict, data: dict, pages: list[Page], loaded: dict[Page, Result], single: dict[Page, Result],
           load_before: tuple, load_after: tuple) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        MARK_START,
        "## Load over HTTP (`make bench`)",
        "",
        f"Measured {when} at commit `{facts['commit']}` by `{args.command}` (`bench/load.py`): gunicorn with "
        "production settings (`scripts/run_env.sh`: `DEBUG=false`, compressed static files, no HTTPS redirect on "
        f"loopback), wrk on the same machine over loopback, {args.duration:g} s per page after a "
        f"{args.warmup:g} s warm-up. The floor is `/bench/floor/` (routed only with `BENCH_FLOOR=true`): the whole "
        "middleware stack, the same role's session and member lookup, and a page that does nothing; each page's "
        "ratios are against the floor of its own role, measured in the same run. No Celery worker or beat runs; "
        "the dashboard's nightly rollup and its 5-minute snapshot are made just before it is timed, as beat would.",
        "",
        "| machine | |",
        "| --- | --- |",
        f"| CPU | {facts['cpu']} |",
        f"| memory | {facts['memory']} |",
        f"| PostgreSQL | {facts['postgres']} |",
        f"| Redis | {facts['redis']} |",
        f"| Python / Django | {facts['python']} / {facts['django']} |",
        f"| gunicorn | {facts['gunicorn']} |",
        f"| load generator | {facts['wrk']}, {min(2, args.connections)} threads |",
        f"| load average (1, 5, 15 min) before / after | {' '.join(f'{v:.2f}' for v in load_before)} / "
        f"{' '.join(f'{v:.2f}' for v in load_after)} |",
        f"| data | {data['members']:,} members, {data['threads']:,} threads (`seed_demo --size large`); "
        f"the thread page is page 1 of a {data['posts_in_thread']}-post thread |",
        "",
        "The machine is shared: other sessions' tests and servers may have run beside this one (see the load "
        "average); wrk itself takes part of the same 2 cores.",
        "",
        f"### Throughput: {args.connections} connections",
        "",
        "Targets here are the issue's req/s; p95 under load is shown but judged in the single-client table.",
        "",
        *table(pages, loaded, judge=_rps_target),
    ]
    if single:
        lines += [
            "",
            "### One client: 1 connection",
            "",
            "The latency one member sees when nobody else uses the site; the issue's p95 targets are judged here.",
            "",
            *table([page for page in pages if page in single], single, judge=_p95_target),
        ]
    lines += [MARK_END]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    text = DOC.read_text()
    if MARK_START in text and MARK_END in text:
        before, rest = text.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


# --- main ---------------------------------------------------------------------------------------------------------

def measure(base: str, pages: list[Page], cookies: dict, *, connections: int, seconds: int, label: str,
            env: dict) -> dict:
    results = {}
    for index, page in enumerate(pages, 1):
        if page.name == "dashboard":
            # No beat here: its job keeps the site-wide snapshot fresh (6 minutes), so a run of the bench
            # longer than that would time a recompute that in production a manager never waits for.
            run([PYTHON, __file__, "--refresh-dashboard"], env, timeout=300)
        result = run_wrk(base + page.url, cookie=cookies.get(page.role), connections=connections, seconds=seconds)
        results[page] = result
        print(f"  {datetime.now(UTC):%H:%M:%S} [{label} {index}/{len(pages)}] {page.role:9} {page.name:11} {result.rps:8.0f} req/s  "
              f"p50 {result.p50_ms:6.1f}  p95 {result.p95_ms:6.1f}  p99 {result.p99_ms:6.1f} ms"
              + (f"  {result.errors} ERRORS" if result.errors else ""), flush=True)
    return results


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (default 10)")
    parser.add_argument("--single-duration", type=int, default=None, help="seconds per page, 1 connection (default: --duration)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of load per page before measuring")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--skip-single", action="store_true", help="no single-client pass")
    parser.add_argument("--only", default="", help="comma-separated page names (the floor is always measured)")
    parser.add_argument("--no-write", action="store_true", help="print the report, leave docs/benchmarks.md alone")
    parser.add_argument("--targets", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--refresh-dashboard", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rt_bench"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--broker-url", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/8"))
    args = parser.parse_args()
    if args.targets:
        return print_targets()
    if args.refresh_dashboard:
        return refresh_dashboard()
    args.command = os.environ.get("BENCH_COMMAND") or shlex.join([".venv/bin/python", "bench/load.py", *sys.argv[1:]])
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make bench` installs it (apt-get install wrk).")
    # SIGTERM (a CI job cancelled, `kill`) unwinds like Ctrl-C, through the finally that stops gunicorn.
    signal.signal(signal.SIGTERM, _interrupt)

    env = bench_env(args)
    ensure_data(args, env)
    found = json.loads(run([PYTHON, __file__, "--targets"], env, timeout=120).strip().splitlines()[-1])
    only = {name for name in args.only.split(",") if name}
    pages = [Page(name, role, url) for name, role, url in found["pages"] if not only or name in only | {"floor"}]
    cookies = {role: f"{SESSION_COOKIE}={key}" for role, key in found["sessions"].items()}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    load_before = os.getloadavg()
    server = start_gunicorn(args, env, port)
    try:
        print(f"gunicorn ({WORKERS} workers) on {base}; log in {LOG.relative_to(ROOT)}", flush=True)
        for page in pages:
            status, body = fetch(base + page.url, cookies.get(page.role))
            signed_in = 'action="/accounts/logout/"' in body
            expected_signed_in = page.role != "anonymous"
            if status != 200 or (page.name != "floor" and signed_in != expected_signed_in):
                sys.exit(f"{page.role} {page.url}: status {status}, signed in: {signed_in}; the bench would measure "
                         "the wrong page")
            if args.warmup:
                run_wrk(base + page.url, cookie=cookies.get(page.role), connections=args.connections, seconds=args.warmup)
        print(f"Measuring {len(pages)} pages, {args.duration:g} s each, {args.connections} connections", flush=True)
        loaded = measure(base, pages, cookies, connections=args.connections, seconds=args.duration, label="load", env=env)
        single = {}
        if not args.skip_single:
            seconds = args.single_duration or args.duration
            print(f"Measuring {len(pages)} pages, {seconds:g} s each, 1 connection", flush=True)
            single = measure(base, pages, cookies, connections=1, seconds=seconds, label="single", env=env)
    finally:
        stop_gunicorn(server)
    section = report(args, machine_facts(args), found["data"], pages, loaded, single, load_before, os.getloadavg())
    print()
    print(section)
    if not args.no_write:
        write_doc(section)
        print(f"Written to {DOC.relative_to(ROOT)}.")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("\nStopped.")
