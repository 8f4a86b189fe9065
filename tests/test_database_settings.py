"""The database settings each environment gets: straight to PostgreSQL, through PgBouncer, with or without a replica.

Each case loads community.settings in a fresh interpreter with its own environment, as a server process would.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRIMARY = "postgres://roundtable:secret@pgbouncer:6432/roundtable"
REPLICA = "postgres://roundtable:secret@replica-pgbouncer:6432/roundtable"
PROBE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({'databases': settings.DATABASES, 'routers': settings.DATABASE_ROUTERS, "
    "'middleware': settings.MIDDLEWARE}, default=str))"
)


def settings_with(**environment) -> dict:
    inherited = {key: value for key, value in os.environ.items()
                 if key not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "PGBOUNCER", "CONN_MAX_AGE", "PG_JIT")}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**inherited, "DJANGO_SETTINGS_MODULE": "community.settings", **environment})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_through_pgbouncer_every_alias_has_server_side_cursors_off_sends_no_startup_options_and_keeps_connections():
    found = settings_with(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA, PGBOUNCER="true")
    assert set(found["databases"]) == {"default", "replica"}
    for alias, database in found["databases"].items():
        assert database["DISABLE_SERVER_SIDE_CURSORS"] is True, alias
        assert "options" not in database.get("OPTIONS", {}), alias  # PgBouncer refuses `-c jit=off` at startup
        assert database["CONN_MAX_AGE"] == 60 and database["CONN_HEALTH_CHECKS"] is True, alias
    assert (found["databases"]["default"]["HOST"], found["databases"]["default"]["PORT"]) == ("pgbouncer", 6432)


def test_straight_to_postgresql_the_connection_turns_jit_off_and_keeps_server_side_cursors():
    found = settings_with(DATABASE_URL="postgres://postgres@db:5432/roundtable")
    database = found["databases"]["default"]
    assert database["OPTIONS"]["options"] == "-c jit=off"
    assert not database.get("DISABLE_SERVER_SIDE_CURSORS", False)
    assert database["CONN_MAX_AGE"] == 60


def test_without_a_replica_there_is_one_database_and_no_router_or_middleware():
    found = settings_with(DATABASE_URL=PRIMARY)
    assert list(found["databases"]) == ["default"]
    assert found["routers"] == []
    assert "community.db_routing.ReplicaReadsMiddleware" not in found["middleware"]


def test_with_a_replica_the_router_is_installed_and_its_middleware_sees_the_whole_request():
    found = settings_with(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA)
    assert found["databases"]["replica"]["HOST"] == "replica-pgbouncer"
    assert found["routers"] == ["community.db_routing.ReplicaRouter"]
    middleware = found["middleware"]
    assert middleware.index("community.db_routing.ReplicaReadsMiddleware") < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")


def test_the_code_keeps_no_session_state_a_transaction_pooler_would_lose():
    """Through PgBouncer in transaction mode each transaction may get another server connection: only
    transaction-scoped advisory locks and SET LOCAL may be used, and no LISTEN or session-level prepared statements."""
    session_state = re.compile(r"pg_(try_)?advisory_lock|pg_advisory_unlock|\bLISTEN\b|\bPREPARE\b|[\"']SET (?!LOCAL)")
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in (".venv", "tests", "tmp"):
            continue
        offenders += [f"{path.relative_to(ROOT)}:{number}" for number, line in enumerate(path.read_text().splitlines(), 1)
                      if session_state.search(line)]
    assert offenders == []
    assert "pg_advisory_xact_lock" in (ROOT / "loyalty" / "ledger.py").read_text()  # the locks the code does take
