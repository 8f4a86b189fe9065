"""Demo buddies for seed_demo: two demo Regulars (`expert`, `catmod`) and two other tier-2 members volunteer, and the
demo `newcomer` and a few other recent newcomers are matched, all through community.buddies.services, so that
/buddies/ and the newcomer's first-steps card are not empty."""

import random
from datetime import datetime

from django.contrib.auth import get_user_model

from community import permissions
from community.buddies import selectors, services
from community.members.models import Tier
from forums.models import Tag

User = get_user_model()
MATCHED_NEWCOMERS = 4


def seed_buddies(*, now: datetime, rng: random.Random) -> dict[str, int]:
    """Returns how many volunteers and matches were made (nothing when the members or tags are missing)."""
    tags = list(Tag.objects.order_by("name"))
    eligible = User.objects.filter(permissions.buddy_eligible_members()).filter(tier=Tier.REGULAR)
    demo = list(eligible.filter(username__in=["expert", "catmod"]).order_by("username").reverse())  # expert first
    others = list(eligible.exclude(username__in=["expert", "catmod"]).order_by("pk")[:50])
    volunteers = demo + rng.sample(others, k=min(2, len(others)))
    if not tags or not volunteers:
        return {"volunteers": 0, "matches": 0}
    by_name = {tag.name: tag for tag in tags}
    for member in volunteers:
        chosen = [by_name[name] for name in ("python", "django", "postgres", "beginners") if name in by_name] \
            if member.username == "expert" else rng.sample(tags, k=min(2, len(tags)))
        services.volunteer_opt_in(member=member, interests=chosen or tags[:1], cap=3, now=now)
    newcomers = list(User.objects.filter(username="newcomer")) + list(
        selectors.newcomers_waiting(now).exclude(username="newcomer")[:MATCHED_NEWCOMERS * 3])
    matches = 0
    for newcomer in newcomers:
        if matches >= MATCHED_NEWCOMERS:
            break
        if services.match_newcomer(newcomer=newcomer, now=now) is not None:
            matches += 1
    return {"volunteers": len(volunteers), "matches": matches}
