"""ASGI entry point (not used by `make run`, kept for deployments that want it)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
application = get_asgi_application()
