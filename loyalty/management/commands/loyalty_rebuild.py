from django.core.management.base import BaseCommand

from loyalty.ledger import rebuild_accounts


class Command(BaseCommand):
    help = "Recompute every loyalty account from the points ledger and report any drift."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only report; change nothing.")

    def handle(self, *args, check, **options):
        drifts = rebuild_accounts(fix=not check)
        for drift in drifts:
            self.stdout.write(f"member {drift.member_id}: {drift.field} was {drift.stored}, ledger says {drift.ledger}")
        verb = "found" if check else "fixed"
        self.stdout.write(f"{len(drifts)} drift(s) {verb}.")
