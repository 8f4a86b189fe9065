"""The dashboard's jobs: the nightly rollup (idempotent: rows are upserted by their unique key) and the
snapshot of its site-wide figures, recomputed every few minutes so that managers never wait for them."""

from community.health import rollup, snapshots
from community.jobs import job


@job(name="health.roll_up_days")
def roll_up_days() -> int:
    return rollup.roll_up_recent()


@job(name="health.refresh_dashboard")
def refresh_dashboard() -> int:
    return snapshots.refresh_site_wide()
