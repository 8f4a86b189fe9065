"""Flows that cross Celery, run by a real worker on the Redis broker (no eager mode)."""

from django.core import mail

from community.celery import app
from community.expertise.services import expert_appoint
from community.models import PendingJob
from community.notifications.models import Kind, Notification
from forums.models import Thread
from tests.conftest import wait_for
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_thread


def test_newcomer_thread_with_a_tag_reaches_the_expert_by_notification_and_email(celery_worker):
    assert not app.conf.task_always_eager
    tag = TagFactory(name="django")
    expert = UserFactory(username="eva")
    expert_appoint(member=expert, tags=[tag], appointed_by=UserFactory())
    newcomer = UserFactory(username="nell", tier=0)

    thread = make_thread(author=newcomer, category=CategoryFactory(), title="How do I start with Django?", tags=[tag])

    notification = wait_for(lambda: Notification.objects.filter(recipient=expert, kind=Kind.EXPERT_ROUTING).first())
    assert notification.thread_id == thread.pk and notification.actor_id == newcomer.pk
    # Expert routing defaults to the digest: no email yet. Make it immediate and route another thread.
    assert mail.outbox == []
    from community.notifications.services import preferences_save

    preferences_save(member=expert, choices={Kind.EXPERT_ROUTING: "now"})
    Notification.objects.filter(pk=notification.pk).update(read_at=notification.created_at)  # read: no batching
    second = make_thread(author=newcomer, category=thread.category, title="Second question about Django", tags=[tag])
    wait_for(lambda: Notification.objects.filter(recipient=expert, thread=second).exists())
    message = wait_for(lambda: next((m for m in mail.outbox if m.to == [expert.email]), None))
    assert "Second question about Django" in message.subject
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert "/notifications/unsubscribe/" in message.body


def _point_broker_at(url: str) -> None:
    # kombu keeps one pool per broker URL; dropping the app's references makes it pick the pool for `url`.
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def test_a_broker_outage_keeps_the_post_and_the_job_until_it_is_back(transactional_db):
    tag = TagFactory(name="python")
    expert = UserFactory()
    expert_appoint(member=expert, tags=[tag], appointed_by=UserFactory())
    newcomer = UserFactory(tier=0)
    working_broker = app.conf.broker_url
    _point_broker_at("redis://127.0.0.1:1/0")  # nothing listens there: every publish fails
    try:
        thread = make_thread(author=newcomer, category=CategoryFactory(), title="Posted while the broker is down", tags=[tag])
    finally:
        _point_broker_at(working_broker)
    assert Thread.objects.filter(pk=thread.pk).exists()
    kept = set(PendingJob.objects.values_list("task_name", flat=True))
    assert {"triage.route_newcomer_thread", "notifications.notify_post_created"} <= kept


def test_requeued_jobs_run_once_the_broker_is_back(celery_worker):
    tag = TagFactory(name="redis")
    expert = UserFactory()
    expert_appoint(member=expert, tags=[tag], appointed_by=UserFactory())
    thread = make_thread(author=UserFactory(tier=0), category=CategoryFactory(), tags=[tag])
    Notification.objects.all().delete()
    PendingJob.objects.create(task_name="triage.route_newcomer_thread", args=[thread.pk])
    from django.core.management import call_command

    call_command("requeue_jobs")
    wait_for(lambda: Notification.objects.filter(recipient=expert, thread=thread).exists())
    assert not PendingJob.objects.exists()
    assert Notification.objects.filter(recipient=expert).count() == 1
