"""deploy/: the compose file and the image say what docs/deploy.md says (no Docker here: the files are read and checked)."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

from community.queues import QUEUES

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
APP_SERVICES = {"migrate", "web", "worker-default", "worker-notifications", "worker-loyalty", "beat"}
BACKING_SERVICES = {"postgres", "redis", "pgbouncer"}
# What each kind of service is checked by: a word its health check must run.
HEALTH_CHECKED_BY = {
    "web": "/healthz",
    "worker-default": "inspect ping",
    "worker-notifications": "inspect ping",
    "worker-loyalty": "inspect ping",
    "beat": "celerybeat-schedule",
    "postgres": "pg_isready",
    "redis": "redis-cli ping",
    "pgbouncer": "pg_isready -h 127.0.0.1 -p 6432",
}
APP_ENVIRONMENT = {"DATABASE_URL", "PGBOUNCER", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG", "ALLOWED_HOSTS"}


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]


def _command(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else command


def _health_test(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test[1:]) if isinstance(test, list) else test


def _celery(services: dict, role: str) -> dict[str, list[str]]:
    return {name: _command(service) for name, service in services.items()
            if _command(service)[:3] == ["celery", "-A", "community"] and role in _command(service)}


def test_the_compose_file_runs_the_app_services_and_postgres_15_redis_7_and_pgbouncer(services):
    assert set(services) == APP_SERVICES | BACKING_SERVICES
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"


def test_every_long_running_service_has_a_health_check_that_asks_it_the_right_question(services):
    for name, word in HEALTH_CHECKED_BY.items():
        assert word in _health_test(services[name]), name
    assert "healthcheck" not in services["migrate"] and services["migrate"]["restart"] == "no"  # a one-shot job


def test_every_dependency_waits_for_health_or_for_the_migrations_to_finish(services):
    for name, service in services.items():
        for needed, condition in service.get("depends_on", {}).items():
            expected = "service_completed_successfully" if needed == "migrate" else "service_healthy"
            assert condition == {"condition": expected}, f"{name} → {needed}"
            assert needed == "migrate" or "healthcheck" in services[needed]
    for name in APP_SERVICES - {"migrate"}:
        assert {"migrate", "pgbouncer", "redis"} <= set(services[name]["depends_on"]), name


def test_the_app_services_get_their_settings_and_the_secret_key_only_from_the_env_file(services):
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert "SECRET_KEY" not in environment, name
        assert environment.keys() >= APP_ENVIRONMENT, name
        assert environment["DEBUG"] == "false" and services[name]["env_file"] == ".env", name
    for name in APP_SERVICES - {"migrate"}:
        assert "@pgbouncer:6432/" in services[name]["environment"]["DATABASE_URL"] and services[name]["environment"]["PGBOUNCER"] == "true"
    # Migrations change the schema: straight to PostgreSQL, not through the transaction pooler.
    assert "@postgres:5432/" in services["migrate"]["environment"]["DATABASE_URL"]
    assert services["migrate"]["environment"]["PGBOUNCER"] == "false"


def test_every_variable_the_compose_file_needs_is_in_the_example_env_file(services):
    needed = set(re.findall(r"\$\{(\w+)", (DEPLOY / "docker-compose.yml").read_text()))
    example = {line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text().splitlines() if "=" in line and not line.startswith("#")}
    assert needed and needed <= example
    assert "SECRET_KEY" in example


def test_every_celery_queue_has_a_worker_and_every_worker_queue_is_one_the_tasks_use(services):
    workers = _celery(services, "worker")
    consumed = {}
    for name, command in workers.items():
        for queue in command[command.index("--queues") + 1].split(","):
            consumed.setdefault(queue, []).append(name)
    assert set(consumed) == set(QUEUES), consumed
    assert {"worker-default", "worker-notifications", "worker-loyalty"} == set(workers)


def test_exactly_one_beat_runs(services):
    assert list(_celery(services, "beat")) == ["beat"]


def test_postgresql_turns_jit_off_itself_since_the_app_cannot_through_pgbouncer(services):
    assert "jit=off" in _command(services["postgres"])


def test_the_image_is_python_311_installs_the_requirements_builds_static_files_and_runs_as_a_user_not_root():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in dockerfile.splitlines() if line and not line.startswith((" ", "#"))]
    assert [rest for keyword, rest in instructions if keyword == "FROM"] == ["python:3.11-slim-bookworm"]
    assert "pip install -r requirements.txt" in dockerfile
    assert "compilemessages" in dockerfile and "collectstatic --noinput" in dockerfile
    users = [rest.strip() for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")


def test_make_runs_single_worker_consumes_every_queue():
    run_sh = (DEPLOY.parent / "scripts" / "run.sh").read_text()
    assert re.search(r"celery -A community worker .*--queues \"\$\(\$BIN/python -m community.queues\)\"", run_sh)
