from django.core.management.base import BaseCommand

from forums.synchronize import synchronize_forums, synchronize_ideas


class Command(BaseCommand):
    help = "Rebuild reply, like, thread and post counters, first responses and accepted answers from the rows themselves."

    def handle(self, *args, **options):
        changed = synchronize_forums()
        for name, count in changed.items():
            self.stdout.write(f"{name}: {count} corrected")
        self.stdout.write(f"idea votes: {synchronize_ideas()} corrected")
