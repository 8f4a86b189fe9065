from django.urls import path

from community.expertise import views

app_name = "expertise"

urlpatterns = [
    path("experts/", views.expert_list, name="list"),
    path("experts/remove/<int:expertise_id>/", views.expert_remove, name="remove"),
    path("experts/<str:name>/", views.experts_of_tag, name="tag"),
]
