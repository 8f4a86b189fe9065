"""The nightly job that fills the dashboard's rollup; idempotent (rows are upserted by their unique key)."""

from community.health import rollup
from community.jobs import job


@job(name="health.roll_up_days")
def roll_up_days() -> int:
    return rollup.roll_up_recent()
