from django.urls import path

from community.members import views

app_name = "members"

urlpatterns = [
    path("u/<str:username>/", views.profile, name="profile"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/export/", views.data_export, name="data_export"),
    path("settings/delete/", views.account_delete, name="account_delete"),
    path("members/autocomplete/", views.autocomplete, name="autocomplete"),
]
