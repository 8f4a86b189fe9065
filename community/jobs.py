"""How every app sends work to Celery: after commit, with ids, never losing it to a broker outage."""

import logging
from functools import partial

from celery import current_app, shared_task
from django.db import transaction

logger = logging.getLogger(__name__)

# Every task: acknowledged after it ran, retried with exponential backoff and jitter, a bounded
# number of times. Tasks are idempotent, so a retry or a redelivery never does the work twice.
job = partial(
    shared_task,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
)


def enqueue_on_commit(task, *args) -> None:
    """Send `task(*args)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(send_now, task.name, list(args)))


def send_now(task_name: str, args: list) -> bool:
    """Publish a task; if the broker cannot take it, keep it in PostgreSQL for `requeue_jobs`."""
    from community.models import PendingJob

    try:
        current_app.send_task(task_name, args=args, retry=False)
    except Exception as error:  # any broker failure: the work must not be lost
        logger.warning("enqueue_failed", extra={"task": task_name, "task_args": args, "error": str(error)})
        PendingJob.objects.create(task_name=task_name, args=args, error=str(error)[:500])
        return False
    return True


def requeue_pending_jobs(limit: int = 10_000) -> tuple[int, int]:
    """Send the jobs kept during an outage; returns (sent, still pending)."""
    from community.models import PendingJob

    sent = 0
    for pending in PendingJob.objects.order_by("id")[:limit]:
        try:
            current_app.send_task(pending.task_name, args=pending.args, retry=False)
        except Exception:  # broker still down: keep the rest for the next run
            break
        pending.delete()
        sent += 1
    return sent, PendingJob.objects.count()
