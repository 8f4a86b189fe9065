from django.urls import path

from community.triage import views

app_name = "triage"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/live/", views.queue_live, name="queue_live"),
    path("queue/<int:thread_id>/actions/", views.row_actions, name="actions"),
    path("queue/<int:thread_id>/claim/", views.claim, name="claim"),
    path("queue/<int:thread_id>/unclaim/", views.unclaim, name="unclaim"),
    path("queue/<int:thread_id>/assign/", views.assign, name="assign"),
    path("queue/<int:thread_id>/snooze/", views.snooze, name="snooze"),
    path("queue/<int:thread_id>/no-reply-needed/", views.no_reply_needed, name="no_reply_needed"),
]
