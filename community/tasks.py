"""Site-wide Celery tasks."""

from community.jobs import job, requeue_pending_jobs


@job(name="community.requeue_pending_jobs")
def requeue_pending_jobs_task() -> int:
    sent, _pending = requeue_pending_jobs()
    return sent
