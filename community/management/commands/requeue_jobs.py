from django.core.management.base import BaseCommand

from community.jobs import requeue_pending_jobs


class Command(BaseCommand):
    help = "Send again the Celery jobs that could not reach the broker (kept in PostgreSQL)."

    def handle(self, *args, **options):
        sent, pending = requeue_pending_jobs()
        self.stdout.write(f"sent {sent}, still pending {pending}")
