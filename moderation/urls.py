from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("p/<int:post_id>/flag/", views.flag, name="flag"),
    path("review/", views.review, name="review"),
    path("review/<int:item_id>/<str:action>/", views.review_act, name="act"),
    path("review/members/<str:username>/<str:decision>/", views.new_member_decide, name="new_member"),
    path("moderation/log/", views.log, name="log"),
    path("moderation/thread/<int:thread_id>/<str:action>/", views.thread_act, name="thread"),
    path("moderation/post/<int:post_id>/delete/", views.post_remove, name="post_delete"),
    path("moderation/post/<int:post_id>/restore/", views.post_restore, name="post_restore"),
    path("moderation/post/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("moderation/sanction/<str:username>/", views.sanction, name="sanction"),
    path("moderation/spammer/<str:username>/", views.spammer, name="spammer"),
    path("moderation/candidates/", views.candidates, name="candidates"),
    path("moderation/candidates/<int:nomination_id>/<str:decision>/", views.candidate_decide, name="decide"),
    path("moderation/invitation/", views.invitation, name="invitation"),
    path("moderation/roles/<int:role_id>/revoke/", views.role_revoke, name="revoke"),
]
