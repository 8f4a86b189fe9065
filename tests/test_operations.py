"""Operations: health check, error pages, production settings, service checks, demo data, dev email."""

import fnmatch
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory

from community import permissions
from community.mail import ConsoleAndFileEmailBackend
from community.members.models import Tier, User
from community.views import server_error
from forums.models import Category, Post, Thread

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_is_200_when_database_and_redis_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_is_503_and_names_redis_when_redis_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["redis"].startswith("down:")


def test_forbidden_page_says_why_in_the_site_look(client, member, db):
    client.force_login(member)
    response = client.get("/tags/new/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Only community managers create tags." in html and 'class="site-header"' in html


def test_server_error_page_renders_without_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()


def _run(args, **env):
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production check.
    base = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**base, "DJANGO_SETTINGS_MODULE": "community.settings", **env},
    )


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "x" * 20 + "-production-secret-key-that-is-long-and-random-0123456789",
              "ALLOWED_HOSTS": "forum.example.org"}


def test_production_settings_pass_check_deploy():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_the_session_cookie_is_out_of_scripts_reach():
    names = ["SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
             "ACCOUNT_PREVENT_ENUMERATION", "ALLAUTH_TRUSTED_PROXY_COUNT"]
    probe = f"import django; django.setup(); from django.conf import settings; print(*[getattr(settings, n) for n in {names!r}])"
    result = _run(["-c", probe], **PRODUCTION)
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "1"], result.stdout + result.stderr


def test_service_check_names_postgresql_when_it_is_unreachable():
    result = _run(["scripts/check_services.py", "--database-url", "postgres://postgres@127.0.0.1:1/roundtable"])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("PostgreSQL is not reachable") and "pg_ctlcluster" in lines[0]


def test_service_check_names_redis_when_it_is_unreachable():
    result = _run(["scripts/check_services.py"], REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Redis is not reachable") and "redis-server" in lines[0]


def test_development_email_goes_to_console_and_to_a_file(tmp_path, capsys):
    backend = ConsoleAndFileEmailBackend(file_path=str(tmp_path))
    sent = backend.send_messages([EmailMessage("Verify", "Click http://x/confirm/", to=["a@example.org"])])
    assert sent == 1
    assert "Click http://x/confirm/" in capsys.readouterr().out
    assert "Click http://x/confirm/" in next(tmp_path.iterdir()).read_text()


@pytest.mark.django_db
def test_seed_demo_builds_the_demo_community_once(capsys):
    call_command("seed_demo")
    assert User.objects.count() >= 200
    assert Category.objects.count() == 8 and Category.objects.filter(is_read_only=True).count() == 1
    # The size's totals, plus the ideas, their announcement and the events' discussions the seed posts through the services.
    assert 2_000 < Thread.objects.count() <= 2_040 and 20_000 < Post.objects.count() <= 20_100
    for username in ("manager", "moderator", "expert", "member", "newcomer"):
        user = User.objects.get(username=username)
        assert user.check_password("roundtable-demo") and user.emailaddress_set.get().verified
    assert permissions.is_manager(User.objects.get(username="manager"))
    assert User.objects.get(username="newcomer").tier == Tier.NEWCOMER
    assert Thread.objects.filter(is_newcomer_thread=True, reply_count=0).count() >= 10
    assert Thread.objects.filter(tags__isnull=False).distinct().count() > 1_000
    assert Post.objects.filter(like_count__gt=0).exists()
    capsys.readouterr()
    # The counters it wrote are consistent: synchronize finds nothing to fix.
    call_command("synchronize_forums")
    assert capsys.readouterr().out.splitlines() == [
        "posts: 0 corrected", "threads: 0 corrected", "categories: 0 corrected", "tags: 0 corrected", "idea votes: 0 corrected",
    ]
    threads = Thread.objects.count()
    call_command("seed_demo")
    assert "already loaded" in capsys.readouterr().out
    assert Thread.objects.count() == threads


@pytest.mark.django_db
def test_seed_demo_is_deterministic():
    def snapshot():
        return (
            list(User.objects.order_by("username").values_list("username", "tier")),
            list(Thread.objects.order_by("created_at").values_list("title", "author__username", "reply_count")),
            list(Post.objects.order_by("thread__created_at", "number").values_list("body", flat=True)[:500]),
        )

    # The moderation log the seed writes is append-only (a trigger refuses deletes): roll the first
    # run back rather than delete what it made.
    with transaction.atomic():
        call_command("seed_demo")
        first = snapshot()
        transaction.set_rollback(True)
    call_command("seed_demo")
    assert snapshot() == first


def test_every_beat_job_names_a_registered_task():
    from django.conf import settings

    from community.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled and scheduled <= set(app.tasks)
    # Routes are task names or glob patterns ("loyalty.*"): each must still match a task.
    for pattern in settings.CELERY_TASK_ROUTES:
        assert fnmatch.filter(app.tasks, pattern), f"{pattern} routes no task"


def test_make_run_shows_the_sites_own_error_pages_not_debug_pages(tmp_path):
    """scripts/run_env.sh is what `make run` runs the site with (after collectstatic, as run.sh does):
    a missing page is the 404 members see."""
    probe = (
        "import django; django.setup();"
        "from django.conf import settings; from django.test import Client;"
        "response = Client().get('/no-such-page/', HTTP_HOST='127.0.0.1');"
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, response.status_code,"
        " 'URLconf' in response.content.decode(), 'Page not found · Roundtable' in response.content.decode())"
    )
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    result = subprocess.run(
        ["bash", "-c", f'source scripts/run_env.sh && .venv/bin/python manage.py collectstatic --noinput -v0 '
                       f'&& .venv/bin/python -c "{probe}"'], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**env, "DJANGO_SETTINGS_MODULE": "community.settings", "STATIC_ROOT": str(tmp_path)},
    )
    assert result.stdout.split() == ["False", "False", "404", "False", "True"], result.stdout + result.stderr
