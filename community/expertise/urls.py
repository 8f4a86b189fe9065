from django.urls import path

from community.expertise import views

app_name = "expertise"

urlpatterns = [
    path("experts/", views.expert_list, name="list"),
    path("experts/remove/<int:expertise_id>/", views.expert_remove, name="remove"),
    # Two segments: no tag page (experts/<name>/) can shadow it.
    path("experts/me/availability/", views.availability_set, name="availability"),
    path("experts/<str:name>/", views.experts_of_tag, name="tag"),
]
