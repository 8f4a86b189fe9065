"""Roundtable: the site and its people (settings, URLs, Celery app, members)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
