"""Site URLs; page addresses are fixed by DESIGN.md."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from community import page_views, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("guidelines/", page_views.guidelines, name="guidelines"),
    path("welcome/", page_views.welcome, name="welcome"),
    path("pages/<slug:slug>/edit/", page_views.page_edit, name="page_edit"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("community.members.urls")),
    path("", include("community.notifications.urls")),
    path("", include("community.expertise.urls")),
    path("", include("community.buddies.urls")),
    path("", include("community.triage.urls")),
    path("", include("community.health.urls")),
    path("", include("community.events.urls")),
    path("", include("loyalty.urls")),
    path("", include("moderation.urls")),
    path("", include("forums.urls")),
]

if settings.BENCH_FLOOR:
    # Never in production: the benchmark's floor, the cost of the middleware stack with no page behind it.
    urlpatterns.insert(0, path("bench/floor/", views.bench_floor, name="bench_floor"))

handler400 = "community.views.bad_request"
handler403 = "community.views.permission_denied"
handler404 = "community.views.page_not_found"
handler429 = "community.views.rate_limited"  # read by allauth's rate limits, not by Django
handler500 = "community.views.server_error"
