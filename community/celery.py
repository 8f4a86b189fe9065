"""The Celery app: Redis broker, tasks discovered in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

app = Celery("roundtable")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes the database connection around every task unless told to reuse it;
# reconnecting to PostgreSQL per task was most of a small task's cost (about 10 ms).
app.conf.CELERY_DB_REUSE_MAX = 1000
app.autodiscover_tasks()
