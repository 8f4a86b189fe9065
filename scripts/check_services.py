"""Check that PostgreSQL and Redis answer, and create the database if it is missing.

Prints one clear line and exits 1 when a service is down: `make run` and `make test` call it first.
Usage: python scripts/check_services.py [--database-url URL]
"""

import argparse
import os
import sys
from urllib.parse import urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/roundtable"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'


def _env(name: str, default: str) -> str:
    # The same .env that settings.py reads, without importing Django.
    if name in os.environ:
        return os.environ[name]
    try:
        with open(os.path.join(os.path.dirname(__file__), "..", ".env")) as env_file:
            for line in env_file:
                key, _sep, value = line.strip().partition("=")
                if key == name and value:
                    return value
    except FileNotFoundError:
        pass
    return default


def ensure_database(url: str) -> str | None:
    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    server = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432, "user": parts.username or "postgres",
                  "password": parts.password, "dbname": "postgres", "connect_timeout": 3}
    try:
        connection = psycopg2.connect(**server)
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    print(f"Created database {name}.")
        finally:
            connection.close()
    except psycopg2.OperationalError as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else "no answer"
        return f"PostgreSQL is not reachable at {server['host']}:{server['port']} ({reason}). Start it with: {PG_START}"
    return None


def check_redis(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        parts = urlparse(url)
        return f"Redis is not reachable at {parts.hostname}:{parts.port or 6379} ({error}). Start it with: {REDIS_START}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=_env("DATABASE_URL", DEFAULT_DATABASE_URL))
    args = parser.parse_args()
    problems = [p for p in (ensure_database(args.database_url), check_redis(_env("REDIS_URL", DEFAULT_REDIS_URL))) if p]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
