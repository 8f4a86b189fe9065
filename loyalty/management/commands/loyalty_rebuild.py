from django.core.management.base import BaseCommand

from loyalty import awards
from loyalty.ledger import rebuild_accounts
from loyalty.recompute import SourceDrift, source_drift


def _source_of(drift: SourceDrift) -> tuple[str, int, int]:
    """(kind, id, member) of the source to settle again for a drifting claim; a like is settled with its post."""
    claim = drift.claim
    if claim.source_type in ("thread", "kudos", "idea", "newcomer"):
        return claim.source_type, int(claim.source_id), claim.member_id
    return "post", int(claim.source_id.split(":", 1)[0]), claim.member_id


def settle_again(kind: str, source_id: int, member_id: int) -> None:
    """Append the corrections that bring a source's claims back in line (the ledger is never rewritten)."""
    if kind == "thread":
        awards.settle_first_reply(source_id)
    elif kind == "kudos":
        awards.settle_kudos(kudos_id=source_id, receiver_id=member_id)
    elif kind == "idea":
        awards.settle_idea(source_id)
    elif kind == "newcomer":
        awards.settle_newcomer_stay(source_id)
    else:
        awards.settle_post(source_id)


class Command(BaseCommand):
    help = ("Check every claim in the points ledger against its source (posts, likes, answers, first replies, kudos) "
            "and every account against the ledger; report any drift, and correct it unless --check.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only report; change nothing.")

    def handle(self, *args, check, **options):
        verb = "found" if check else "fixed"
        sources = source_drift()
        for drift in sources:
            claim = drift.claim
            self.stdout.write(f"member {claim.member_id}: {claim.reason} for {claim.source_type} {claim.source_id} holds {drift.held}, "
                              f"its source says {drift.due}")
        if not check:
            for source in dict.fromkeys(_source_of(drift) for drift in sources):
                settle_again(*source)
        self.stdout.write(f"{len(sources)} source drift(s) {verb}.")
        drifts = rebuild_accounts(fix=not check)
        for drift in drifts:
            self.stdout.write(f"member {drift.member_id}: {drift.field} was {drift.stored}, ledger says {drift.ledger}")
        self.stdout.write(f"{len(drifts)} drift(s) {verb}.")
