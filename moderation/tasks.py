"""Moderation jobs."""

from community.jobs import job
from moderation import services


@job(name="moderation.lift_expired_sanctions")
def lift_expired_sanctions() -> int:
    return services.lift_expired_sanctions()


@job(name="moderation.find_candidates")
def find_candidates() -> int:
    from moderation.promotion import find_candidates as find

    return len(find())
