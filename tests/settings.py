"""Test settings: the real PostgreSQL and Redis, on databases of their own."""

from community.settings import *  # noqa: F403
from community.settings import CACHES, DATABASES, env

CACHES["default"]["LOCATION"] = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES["default"]["KEY_PREFIX"] = "rt-test"
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
# A second connection to the test database, for tests/test_replica_reads.py, which installs the replica router
# itself: installed here, every test that runs pages on a live server would need 'replica' among its databases.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
