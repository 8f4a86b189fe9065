from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from loyalty import badges, tiers


class Command(BaseCommand):
    help = "Award badges every member has already earned (run after adding a badge rule)."

    def add_arguments(self, parser):
        parser.add_argument("--badge", action="append", help="Only this badge slug (repeatable).")

    def handle(self, *args, badge, **options):
        if badge and set(badge) - set(badges.RULES_BY_SLUG):
            raise CommandError(f"Unknown badge: {', '.join(sorted(set(badge) - set(badges.RULES_BY_SLUG)))}")
        awarded = 0
        for member in get_user_model().objects.filter(is_active=True).iterator():
            awarded += len(badges.award_earned_badges(member, tiers.stats_for(member), only=badge))
        self.stdout.write(f"{awarded} badge(s) awarded.")
