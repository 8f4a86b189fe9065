from django.urls import path

from community.buddies import views

app_name = "buddies"

urlpatterns = [
    path("buddies/", views.buddies_home, name="home"),
    path("buddies/volunteer/", views.volunteer, name="volunteer"),
    path("buddies/opt-out/", views.opt_out, name="opt_out"),
]
