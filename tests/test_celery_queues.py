"""Each kind of job has its own Celery queue, so each can have its own workers; one worker for all still runs them."""

import redis
from django.conf import settings

from community.celery import app
from community.notifications.models import Kind, Notification
from community.queues import QUEUES
from forums import services as forum_services
from loyalty.models import LoyaltyAccount, Reason
from tests.conftest import wait_for
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread

# Written out here, not read from community/queues.py, so a changed route fails this test until it is meant.
EXPECTED_QUEUE_OF_FAMILY = {
    "notifications": "notifications",
    "loyalty": "loyalty",
    "events": "default",
    "health": "default",
    "triage": "default",
    "moderation": "default",
    "community": "default",
    "buddies": "default",
    "members": "default",
}
STANDING_TASKS = {"loyalty.refresh_due_standing", "loyalty.refresh_all_standing"}


def _our_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def _queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_of_a_family_is_routed_to_the_familys_queue_and_tier_checks_to_standing():
    tasks = _our_tasks()
    assert {name.split(".")[0] for name in tasks} == set(EXPECTED_QUEUE_OF_FAMILY), "a new task family needs a queue decided here"
    for name in tasks:
        expected = "standing" if name in STANDING_TASKS else EXPECTED_QUEUE_OF_FAMILY[name.split(".")[0]]
        assert _queue_of(name) == expected, name


def test_every_queue_a_task_can_reach_is_one_the_workers_are_told_to_consume():
    assert {_queue_of(name) for name in _our_tasks()} == set(QUEUES)
    assert app.conf.task_default_queue == "default"
    assert {queue.name for queue in app.conf.task_queues} == set(QUEUES)  # a worker without --queues takes them all


def test_a_published_job_waits_in_the_redis_list_named_after_its_queue():
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    app.control.purge()
    try:
        app.send_task("notifications.send_digest", args=[0])
        app.send_task("loyalty.drain_award_log")
        app.send_task("loyalty.refresh_due_standing")
        app.send_task("events.send_reminders")
        assert {queue: broker.llen(queue) for queue in (*QUEUES, "celery")} == {
            "default": 1, "notifications": 1, "loyalty": 1, "standing": 1, "celery": 0}
    finally:
        app.control.purge()


def test_a_like_runs_its_loyalty_job_and_its_notifications_job_on_a_worker_consuming_every_queue(celery_worker):
    author, liker = UserFactory(username="ann"), UserFactory(username="lee")
    thread = make_thread(author=UserFactory(), category=CategoryFactory())
    reply = make_reply(thread=thread, author=author)
    wait_for(lambda: LoyaltyAccount.objects.filter(member=author, balance=1).exists())  # the reply's point, via the award log

    assert forum_services.like_add(post=reply, member=liker)

    wait_for(lambda: author.points_entries.filter(reason=Reason.LIKE_RECEIVED).exists())  # loyalty.like_received
    wait_for(lambda: Notification.objects.filter(recipient=author, kind=Kind.LIKE).exists())  # notifications.notify_like
    assert LoyaltyAccount.objects.get(member=author).balance == 2
