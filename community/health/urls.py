from django.urls import path

from community.health import views

app_name = "health"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/list/<slug:figure>/", views.figure_list, name="list"),
    path("dashboard/csv/<slug:table>/", views.table_csv, name="csv"),
]
