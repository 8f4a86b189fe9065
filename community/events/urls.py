from django.urls import path

from community.events import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/calendar/", views.event_calendar, name="calendar"),
    path("events/new/", views.event_create, name="create"),
    path("events/feed/reset/", views.feed_reset, name="feed_reset"),
    path("events/feed/<str:token>.ics", views.my_feed, name="feed"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="edit"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("events/<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("events/<int:pk>/attendees/", views.attendees, name="attendees"),
    path("events/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("events/<int:pk>/check-in/<str:code>/", views.check_in_code, name="check_in_code"),
    path("events/<int:pk>/event.ics", views.event_ics, name="ics"),
]
