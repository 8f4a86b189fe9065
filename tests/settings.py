"""Test settings: the real PostgreSQL and Redis, on databases of their own."""

import os

# Every test runs with the replica router installed: a second alias on the same test database (below, a test
# mirror), so that a page reading from the replica, or a write sent there, shows up in the ordinary tests too.
os.environ.setdefault("DATABASE_REPLICA_URL", os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/roundtable"))

from community.settings import *  # noqa: F403
from community.settings import CACHES, DATABASES, env

CACHES["default"]["LOCATION"] = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES["default"]["KEY_PREFIX"] = "rt-test"
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
