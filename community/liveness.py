"""Liveness of the parts the site needs: PostgreSQL and Redis."""

import redis
from django.conf import settings
from django.db import connection


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure means "down"; the message says why
        return str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__
    return None


def check_redis() -> str | None:
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as error:
        return str(error) or error.__class__.__name__
    return None


def health_report() -> dict[str, str]:
    report = {}
    for name, check in (("database", check_database), ("redis", check_redis)):
        problem = check()
        report[name] = "ok" if problem is None else f"down: {problem}"
    return report
