from django.urls import path

from loyalty import views

app_name = "loyalty"

urlpatterns = [
    path("loyalty/", views.home, name="home"),
    path("loyalty/badges/", views.badge_list, name="badges"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("rewards/", views.reward_list, name="rewards"),
    path("rewards/<int:reward_id>/redeem/", views.reward_redeem, name="redeem"),
    path("rewards/redemptions/<int:redemption_id>/fulfil/", views.redemption_fulfil, name="fulfil"),
    path("kudos/", views.kudos_send, name="kudos"),
    path("loyalty/leader/<str:username>/", views.leader_set, name="leader"),
]
