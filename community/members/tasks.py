"""Member jobs."""

from community.jobs import job
from community.members import standing
from community.members.models import Tier, User


@job(name="members.refresh_standing")
def refresh_standing(member_id: int) -> bool:
    member = User.objects.filter(pk=member_id).first()
    return bool(member and standing.refresh_standing(member))


@job(name="members.refresh_all_standing")
def refresh_all_standing() -> int:
    """Nightly: newcomers who have waited out the days since their last post."""
    return sum(standing.refresh_standing(member) for member in User.objects.filter(tier=Tier.NEWCOMER, is_active=True).iterator())
