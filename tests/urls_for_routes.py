"""A URL conf that puts the forum elsewhere, for tests/test_routes.py."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("forums.urls"))]
