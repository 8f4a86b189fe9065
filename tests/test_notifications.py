"""Notifications: one row per recipient per event, the bell, the list, email now or in a digest, unsubscribe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.notifications import services, tasks
from community.notifications.models import Delivery, Kind, Notification, Preference
from forums import services as forum_services
from tests.factories import UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


def _kinds(recipient):
    return list(Notification.objects.filter(recipient=recipient).values_list("kind", flat=True))


def test_a_reply_notifies_the_author_watchers_and_mentioned_once_each(member, other_member, expert, category):
    watcher, mentioned = UserFactory(username="wendy"), UserFactory(username="mona")
    thread = make_thread(author=member, category=category)
    forum_services.thread_watch(thread=thread, member=watcher)
    forum_services.thread_watch(thread=thread, member=mentioned)
    reply = make_reply(thread=thread, author=other_member, body="Thanks @mona and @mo")
    assert tasks.notify_post_created(reply.pk) == 3
    assert _kinds(member) == [Kind.MENTION]  # mentioned beats "reply to your thread"
    assert _kinds(watcher) == [Kind.WATCHED_REPLY]
    assert _kinds(mentioned) == [Kind.MENTION]
    assert _kinds(other_member) == []  # never about your own post
    assert tasks.notify_post_created(reply.pk) == 0  # a second run adds nothing
    assert Notification.objects.count() == 3


def test_a_reply_notifies_the_thread_author(member, other_member, category):
    thread = make_thread(author=member, category=category)
    reply = make_reply(thread=thread, author=other_member)
    tasks.notify_post_created(reply.pk)
    notification = Notification.objects.get(recipient=member)
    assert (notification.kind, notification.post_id, notification.actor_id) == (Kind.REPLY, reply.pk, other_member.pk)


def test_quoting_a_post_notifies_its_author(member, other_member, expert, category):
    thread = make_thread(author=member, category=category)
    quoted = make_reply(thread=thread, author=expert, body="Original wisdom")
    reply = make_reply(thread=thread, author=other_member, body=f"> **@eva** [wrote](/p/{quoted.pk}/):\n> Original wisdom\n\nAgreed")
    tasks.notify_post_created(reply.pk)
    assert Notification.objects.get(recipient=expert, post=reply).kind == Kind.QUOTE


def test_likes_are_consolidated_into_one_notification(member, category):
    post = make_thread(author=member, category=category).posts.get()
    likers = [UserFactory(username=f"liker{i}") for i in range(3)]
    for liker in likers:
        forum_services.like_add(post=post, member=liker)
        tasks.notify_like(post.pk, liker.pk)
    tasks.notify_like(post.pk, likers[0].pk)  # the same like delivered twice
    notification = Notification.objects.get(recipient=member)
    assert notification.kind == Kind.LIKE and notification.count == 3 and notification.actor == likers[-1]
    assert Notification.objects.count() == 1


def test_a_new_like_brings_a_read_like_notification_back(member, other_member, category):
    post = make_thread(author=member, category=category).posts.get()
    tasks.notify_like(post.pk, other_member.pk)
    Notification.objects.update(read_at=timezone.now())
    tasks.notify_like(post.pk, UserFactory().pk)
    assert Notification.objects.get().read_at is None


def test_accepted_answer_notifies_the_answerer(newcomer, expert, category):
    thread = make_thread(author=newcomer, category=category)
    reply = make_reply(thread=thread, author=expert)
    tasks.notify_answer_accepted(reply.pk, newcomer.pk)
    tasks.notify_answer_accepted(reply.pk, newcomer.pk)
    assert _kinds(expert) == [Kind.ANSWER_ACCEPTED]


def test_mentions_and_replies_email_at_once_the_rest_waits_for_the_digest(member, other_member, category, django_capture_on_commit_callbacks):
    thread = make_thread(author=member, category=category)
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify(recipient=member, kind=Kind.REPLY, dedupe_key="a", actor=other_member, thread=thread)
        services.notify(recipient=member, kind=Kind.WATCHED_REPLY, dedupe_key="b", actor=other_member, thread=thread)
    assert [n.delivery for n in Notification.objects.order_by("id")] == [Delivery.IMMEDIATELY, Delivery.DIGEST]
    assert len(callbacks) == 1  # one email job, for the reply


def test_the_email_job_sends_text_and_html_once_in_the_members_language(member, other_member, category):
    member.language = "ru"
    member.save()
    thread = make_thread(author=member, category=category, title="Мой вопрос")
    reply = make_reply(thread=thread, author=other_member, body="Вот ответ")
    notification = services.notify(recipient=member, kind=Kind.REPLY, dedupe_key="x", actor=other_member, thread=thread, post=reply)
    assert tasks.send_notification_email(notification.pk) is True
    assert tasks.send_notification_email(notification.pk) is False  # already sent
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email] and "Мой вопрос" in message.subject
    assert "ответил" in message.subject or "ответ" in message.body.lower()
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html" and "/notifications/unsubscribe/" in html
    assert "Вот ответ" in message.body and message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_never_means_no_email(member, other_member, category):
    services.preferences_save(member=member, choices={Kind.REPLY: Delivery.NEVER})
    thread = make_thread(author=member, category=category)
    notification = services.notify(recipient=member, kind=Kind.REPLY, dedupe_key="x", actor=other_member, thread=thread)
    assert notification.delivery == Delivery.NEVER
    assert tasks.send_notification_email(notification.pk) is False and mail.outbox == []


def test_daily_digest_sends_one_email_with_everything_pending(member, other_member, category):
    thread = make_thread(author=member, category=category, title="Digest me")
    for i in range(3):
        services.notify(recipient=member, kind=Kind.WATCHED_REPLY, dedupe_key=f"d{i}", actor=other_member, thread=thread)
    assert tasks.send_digest(member.pk) == 3
    assert tasks.send_digest(member.pk) == 0
    assert len(mail.outbox) == 1
    assert "3 new notifications" in mail.outbox[0].subject and mail.outbox[0].body.count("Digest me") == 3
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_unsubscribe_link_works_without_logging_in(client, member):
    token = services.unsubscribe_token(member=member, kind=Kind.LIKE)
    url = reverse("notifications:unsubscribe", args=[token])
    assert "Likes on your posts" in client.get(url).content.decode()
    assert not Preference.objects.exists()  # looking is not unsubscribing
    assert "You are unsubscribed" in client.post(url).content.decode()
    assert Preference.objects.get(member=member, kind=Kind.LIKE).delivery == Delivery.NEVER


def test_digest_unsubscribe_stops_every_kind(client, member):
    token = services.unsubscribe_token(member=member, kind=services.ALL_KINDS)
    client.post(reverse("notifications:unsubscribe", args=[token]))
    assert set(Preference.objects.filter(member=member).values_list("delivery", flat=True)) == {Delivery.NEVER}
    assert Preference.objects.filter(member=member).count() == len(Kind.values)


def test_a_tampered_unsubscribe_token_changes_nothing(client, member):
    token = services.unsubscribe_token(member=member, kind=Kind.LIKE)
    other = UserFactory()
    forged = token.replace(token.split(":")[0], services.unsubscribe_token(member=other, kind=Kind.LIKE).split(":")[0])
    for bad in (token[:-2] + "xx", forged, "garbage"):
        response = client.post(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 400 and "does not work" in response.content.decode()
    assert not Preference.objects.exists()


def test_bell_shows_the_unread_count(client, member, other_member, category):
    thread = make_thread(author=member, category=category)
    for i in range(2):
        services.notify(recipient=member, kind=Kind.REPLY, dedupe_key=f"b{i}", actor=other_member, thread=thread)
    client.force_login(member)
    assert 'data-count="2"' in client.get("/").content.decode()
    assert 'data-count="2"' in client.get(reverse("notifications:bell")).content.decode()


def test_open_marks_read_and_goes_to_the_post(client, member, other_member, category):
    thread = make_thread(author=member, category=category)
    reply = make_reply(thread=thread, author=other_member)
    notification = services.notify(recipient=member, kind=Kind.REPLY, dedupe_key="o", actor=other_member, thread=thread, post=reply)
    client.force_login(member)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.url == reverse("forums:post", args=[reply.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_404(client, member, other_member, category):
    thread = make_thread(author=member, category=category)
    notification = services.notify(recipient=member, kind=Kind.REPLY, dedupe_key="p", actor=other_member, thread=thread)
    client.force_login(other_member)
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_one_and_all_read(client, member, other_member, category):
    thread = make_thread(author=member, category=category)
    first, _second, _third = (
        services.notify(recipient=member, kind=Kind.REPLY, dedupe_key=f"m{i}", actor=other_member, thread=thread) for i in range(3)
    )
    client.force_login(member)
    html = client.post(reverse("notifications:mark_read", args=[first.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'class="notification"' in html and 'hx-swap-oob="true"' in html and 'data-count="2"' in html
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_notification_list_runs_a_constant_number_of_queries_with_5000_rows(
    client, member, other_member, category, django_assert_max_num_queries
):
    thread = make_thread(author=member, category=category)
    post = thread.posts.get()
    now = timezone.now()
    Notification.objects.bulk_create([
        Notification(recipient=member, kind=Kind.LIKE if i % 2 else Kind.REPLY, actor=other_member, thread=thread, post=post,
                     dedupe_key=f"bulk{i}", created_at=now - timedelta(minutes=i), updated_at=now - timedelta(minutes=i))
        for i in range(5_000)
    ])
    client.force_login(member)
    with django_assert_max_num_queries(8):
        response = client.get("/notifications/")
    assert len(response.context["notifications"]) == 30 and response.context["has_more"]
    with django_assert_max_num_queries(8):
        response = client.get("/notifications/?page=100")
    assert len(response.context["notifications"]) == 30


def test_email_preferences_page_saves_choices(client, member):
    client.force_login(member)
    data = dict.fromkeys(Kind.values, Delivery.DIGEST)
    data[Kind.MENTION] = Delivery.NEVER
    assert client.post(reverse("notifications:settings"), data).status_code == 302
    assert Preference.objects.get(member=member, kind=Kind.MENTION).delivery == Delivery.NEVER
