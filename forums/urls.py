from django.urls import path

from forums import idea_views, live_views, views

app_name = "forums"

urlpatterns = [
    path("", views.latest, name="latest"),
    path("top/", views.top, name="top"),
    path("unanswered/", views.unanswered, name="unanswered"),
    path("categories/", views.category_list, name="categories"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("c/<slug:slug>/read-all/", views.category_mark_read, name="category_mark_read"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/new/", views.tag_create, name="tag_create"),
    path("tags/<str:name>/", views.tag, name="tag"),
    path("search/", views.search, name="search"),
    path("t/new/", views.thread_create, name="thread_create"),
    path("t/similar/", views.similar_threads, name="similar_threads"),
    path("t/<int:thread_id>/", views.thread_redirect, name="thread_short"),
    path("t/<int:thread_id>/unread/", views.thread_first_unread, name="thread_unread"),
    path("t/<int:thread_id>/news/", live_views.thread_news, name="thread_news"),
    path("t/<int:thread_id>/reply/", views.reply_create, name="reply"),
    path("t/<int:thread_id>/watch/", views.thread_watch, name="watch"),
    path("t/<int:thread_id>/unaccept/", views.answer_unaccept, name="answer_unaccept"),
    # Ideas
    path("t/<int:thread_id>/vote/", idea_views.idea_vote, name="idea_vote"),
    path("t/<int:thread_id>/idea-status/", idea_views.idea_status, name="idea_status"),
    path("t/<int:thread_id>/announce/", idea_views.idea_announce, name="idea_announce"),
    path("t/<int:thread_id>/<str:slug>/", views.thread_detail, name="thread"),
    path("p/<int:post_id>/", views.post_redirect, name="post"),
    path("p/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("p/<int:post_id>/history/", views.post_history, name="post_history"),
    path("p/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("p/<int:post_id>/like/", views.post_like, name="post_like"),
    path("p/<int:post_id>/accept/", views.answer_accept, name="answer_accept"),
    path("preview/", views.preview, name="preview"),
]
