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


def test_a_held_post_notifies_nobody_until_a_moderator_shows_it(member, other_member, category, django_capture_on_commit_callbacks):
    # Found walking the demo: held spam told the thread's author "X replied to your thread".
    watcher = UserFactory(username="wendy")
    thread = make_thread(author=member, category=category)
    forum_services.thread_watch(thread=thread, member=watcher)
    held = make_reply(thread=thread, author=other_member, body="Buy cheap things @wendy")
    forum_services.post_hide(post=held, reason="held")
    assert tasks.notify_post_created(held.pk) == 0
    assert Notification.objects.count() == 0
    with django_capture_on_commit_callbacks() as signals_sent:
        forum_services.post_unhide(post=held)  # approved: now the thread's people hear of it, once
    with django_capture_on_commit_callbacks() as jobs_sent:  # signals go after commit; their jobs after commit in turn
        for send_signal in signals_sent:
            send_signal()
    assert ("notifications.notify_post_created", [held.pk]) in [getattr(job, "args", None) for job in jobs_sent]
    assert tasks.notify_post_created(held.pk) == 2  # the job the approval sent
    assert _kinds(member) == [Kind.REPLY] and _kinds(watcher) == [Kind.MENTION]
    assert tasks.notify_post_created(held.pk) == 0


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


# -- written for the recipient -----------------------------------------------------------------------

def test_a_moderator_reading_english_hides_a_russian_members_post_and_the_member_is_told_in_russian(
    client, member, other_member, moderator_in_group, category
):
    from moderation import services as moderation_services
    from moderation.models import ReviewItem

    moderator_in_group.language, other_member.language = "en", "ru"
    moderator_in_group.save(update_fields=["language"])
    other_member.save(update_fields=["language"])
    post = make_reply(thread=make_thread(author=member, category=category, title="Вопрос"), author=other_member)
    moderation_services.flag_post(post=post, flagger=member, reason="off_topic")
    client.force_login(moderator_in_group)
    item = ReviewItem.objects.get(post=post)
    response = client.post(reverse("moderation:act", args=[item.pk, "hide"]), {"reason": ""})
    # The moderator reads English what they did.
    assert response.status_code == 302 and "Kept hidden: the author is told why" in client.get(response.url).content.decode()
    told = Notification.objects.get(recipient=other_member, kind=Kind.MODERATION)
    assert told.text == "Модератор скрыл ваше сообщение в «Вопрос»: скрыто модератором."
    thanked = Notification.objects.get(recipient=member, kind=Kind.MODERATION)
    assert thanked.text == "Moderators agreed with your flag on a post in “Вопрос”. Thank you."  # the flagger reads English


def test_a_stored_moment_is_told_in_the_recipients_zone_and_language(member):
    from datetime import UTC, datetime

    from community.notifications.messages import Moment, message, render

    said = message("You are silenced until %(until)s: %(reason)s", until=Moment(datetime(2030, 3, 1, 12, 0, tzinfo=UTC)), reason="x")
    member.language, member.timezone = "ru", "Asia/Tokyo"
    with services.in_recipient_language(member):
        assert render(said) == "Вы можете только читать до 1 марта 2030 г. 21:00: x"
    member.language, member.timezone = "", "America/New_York"
    with services.in_recipient_language(member):
        assert render(said) == "You are silenced until March 1, 2030, 7 a.m.: x"
    member.timezone = "Mars/Olympus"  # a zone that is not (any more): UTC rather than an error
    with services.in_recipient_language(member):
        assert render(said) == "You are silenced until March 1, 2030, noon: x"


def test_a_notification_email_is_in_the_recipients_language_whoever_sent_it(member, other_member, category):
    from django.utils import translation

    member.language = "ru"
    member.save(update_fields=["language"])
    thread = make_thread(author=member, category=category, title="Тема")
    notification = services.notify(recipient=member, kind=Kind.REPLY, dedupe_key="r", actor=other_member, thread=thread,
                                   post=make_reply(thread=thread, author=other_member))
    with translation.override("en"):  # the worker's (or a request's) language is not the member's
        tasks.send_notification_email(notification.pk)
    message = mail.outbox[0]
    assert "ответил(а) в вашей теме «Тема»" in message.subject and message.body.startswith("Здравствуйте")


def test_an_email_about_a_post_hidden_since_carries_no_text_of_it(member, other_member, category):
    thread = make_thread(author=member, category=category)
    reply = make_reply(thread=thread, author=other_member, body="Something rude enough to be hidden")
    notification = services.notify(recipient=member, kind=Kind.REPLY, dedupe_key="h", actor=other_member, thread=thread, post=reply)
    forum_services.post_hide(post=reply, reason="rude")
    tasks.send_notification_email(notification.pk)
    assert "rude enough" not in mail.outbox[0].body and "rude enough" not in mail.outbox[0].alternatives[0][0]


def test_a_moderator_invitation_is_in_the_invited_members_language(manager, member):
    from moderation import promotion
    from moderation.models import Nomination

    member.language = "ru"
    member.save(update_fields=["language"])
    nomination = Nomination.objects.create(member=member, evidence={}, created_at=timezone.now())
    promotion.approve(nomination=nomination, manager=manager)
    assert Notification.objects.get(recipient=member).text.startswith("Команда сообщества приглашает")


# -- reading a thread reads its notifications --------------------------------------------------------

def test_reading_a_thread_marks_its_notifications_read_up_to_the_last_post_seen(client, settings, member, other_member, category):
    settings.FORUMS_POSTS_PER_PAGE = 3
    thread = make_thread(author=member, category=category, title="Read me")
    replies = [make_reply(thread=thread, author=other_member) for _ in range(3)]  # posts 2, 3 on page 1; 4 on page 2
    elsewhere = make_thread(author=member, category=category, title="Elsewhere")

    def tell(key, kind, *, post=None, on=thread, text=""):
        return services.notify(recipient=member, kind=kind, dedupe_key=key, actor=other_member, thread=on, post=post, text=text)

    seen = tell("seen", Kind.REPLY, post=replies[0])
    liked = tell("liked", Kind.LIKE, post=replies[1])
    about_thread = tell("assigned", Kind.ASSIGNED)
    further_on = tell("further", Kind.REPLY, post=replies[2])
    moderation = tell("mod", Kind.MODERATION, post=replies[0], text="Your post is hidden: reason only here")
    other_thread = tell("other", Kind.REPLY, post=elsewhere.posts.get(), on=elsewhere)
    client.force_login(member)
    assert client.get(thread.get_absolute_url()).status_code == 200

    def unread():
        return set(Notification.objects.filter(recipient=member, read_at__isnull=True).values_list("pk", flat=True))

    assert unread() == {further_on.pk, moderation.pk, other_thread.pk}
    assert {seen.pk, liked.pk, about_thread.pk}.isdisjoint(unread())
    client.get(thread.get_absolute_url() + "?page=2")
    assert unread() == {moderation.pk, other_thread.pk}  # moderation notices are read where their message is
    client.force_login(other_member)  # someone else reading the thread reads nothing of member's
    Notification.objects.filter(pk=further_on.pk).update(read_at=None)
    client.get(thread.get_absolute_url() + "?page=2")
    assert further_on.pk in unread()


def test_marking_a_threads_notifications_read_is_one_update(member, other_member, category):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    thread = make_thread(author=member, category=category)
    reply = make_reply(thread=thread, author=other_member)
    services.notify(recipient=member, kind=Kind.REPLY, dedupe_key="one", actor=other_member, thread=thread, post=reply)
    with CaptureQueriesContext(connection) as queries:
        assert services.mark_thread_read(member_id=member.pk, thread_id=thread.pk, up_to_number=2) == 1
    assert len(queries) == 1 and queries[0]["sql"].startswith("UPDATE")
    assert "notifications_unread_by_thread" in str(Notification._meta.indexes)  # the (recipient, thread) unread index it uses


def test_a_batch_of_routed_questions_stays_unread_when_one_of_them_is_read(client, member, category):
    first, second = (make_thread(author=UserFactory(tier=0), category=category, title=f"Question {i}") for i in range(2))
    for thread in (first, second):
        services.notify_gathered(recipient=member, kind=Kind.EXPERT_ROUTING, dedupe_key=f"routing:thread:{first.pk}",
                                 item=thread.pk, thread=first, email=False)
    client.force_login(member)
    client.get(first.get_absolute_url())
    assert Notification.objects.get(recipient=member).read_at is None


def test_the_unsubscribe_page_speaks_the_members_language_whatever_the_browser(client, member):
    member.language = "ru"
    member.save(update_fields=["language"])
    url = reverse("notifications:unsubscribe", args=[services.unsubscribe_token(member=member, kind=Kind.LIKE)])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Лайки ваших сообщений" in html and "Отписаться" in html


def test_a_moment_ending_a_sentence_gets_one_full_stop_not_two(member):
    # Seen on the buddy notices: "…until Dec. 8, 2026, 5:06 p.m.. Say hello!"
    from datetime import UTC, datetime

    from community.notifications.messages import Moment, message, render

    said = message("%(name)s is sanctioned until %(until)s.", name="Ann", until=Moment(datetime(2030, 3, 1, 17, 6, tzinfo=UTC)))
    member.language, member.timezone = "", "UTC"
    with services.in_recipient_language(member):
        assert render(said) == "Ann is sanctioned until March 1, 2030, 5:06 p.m."
    member.language = "ru"
    with services.in_recipient_language(member):
        assert render(said) == "Ann наказан(а) до 1 марта 2030 г. 17:06."


def test_an_email_shows_names_titles_and_posts_as_written_and_escapes_them_once_in_html(member, other_member, category):
    # The subject and the plain-text part are text: "&" and "'" stay themselves there, and only the HTML part
    # escapes them, once (not "&amp;lt;", which a reader would see as "&lt;").
    member.display_name = "Mo & Co's"
    member.save(update_fields=["display_name"])
    other_member.display_name = "Tom & Jerry's <b>"
    other_member.save(update_fields=["display_name"])
    thread = make_thread(author=member, category=category, title="Can't print <b>bold</b> & more")
    reply = make_reply(thread=thread, author=other_member, body='Don\'t "quote" <i>me</i> & you')
    notification = services.notify(recipient=member, kind=Kind.REPLY, dedupe_key="e", actor=other_member, thread=thread, post=reply)
    services.notify(recipient=member, kind=Kind.WATCHED_REPLY, dedupe_key="w", actor=other_member, thread=thread)
    tasks.send_notification_email(notification.pk)
    tasks.send_digest(member.pk)
    email, digest = mail.outbox
    said = "Tom & Jerry's <b> replied to your thread “Can't print <b>bold</b> & more”"
    assert email.subject == f"[Roundtable] {said}"
    assert email.body.startswith("Hello Mo & Co's,") and said in email.body
    assert 'Don\'t "quote" <i>me</i> & you' in email.body
    assert "Tom & Jerry's <b> replied in “Can't print <b>bold</b> & more”" in digest.body
    for message in (email, digest):
        html = message.alternatives[0][0]
        assert "Hello Mo &amp; Co&#x27;s," in html
        assert "Can&#x27;t print &lt;b&gt;bold&lt;/b&gt; &amp; more" in html
        assert "&amp;lt;" not in html and "&amp;#x27;" not in html and "&amp;amp;" not in html
    assert "Don&#x27;t &quot;quote&quot; &lt;i&gt;me&lt;/i&gt; &amp; you" in email.alternatives[0][0]
