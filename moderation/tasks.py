"""Moderation jobs."""

from community.jobs import job
from moderation import services


@job(name="moderation.lift_expired_sanctions")
def lift_expired_sanctions() -> int:
    return services.lift_expired_sanctions()
