"""A newcomer's first steps, on the home page until they are done: read from what the member has done.
Finishing them is what tier 1 asks for (loyalty.tiers reads `steps_done`, the requirement `min_first_steps`)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.members.models import Profile, Tier
from forums import selectors as forum_selectors


@dataclass(frozen=True)
class Step:
    label: str
    url: str
    done: bool


@dataclass(frozen=True)
class FirstSteps:
    steps: list
    buddy: object = None  # the newcomer's buddy now (community.buddies), shown on the card

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)


STEPS = 5


def first_steps_of(member) -> FirstSteps | None:
    """The checklist for a newcomer (tier 0) who has not finished it, with their buddy; None for everyone else. Four queries."""
    if not getattr(member, "is_authenticated", False) or member.tier != Tier.NEWCOMER:
        return None
    found = _steps(member)
    if found.done == len(found.steps):
        return None
    from community.buddies.selectors import active_match_of  # buddies builds on members: imported here, not at the top

    match = active_match_of(member.pk)
    return FirstSteps(found.steps, buddy=match.buddy if match else None)


def steps_done(member) -> int:
    """How many of the first steps the member has done (all of them for anyone past tier 0: the steps are behind them)."""
    return _steps(member).done if member.tier == Tier.NEWCOMER else STEPS


def _steps(member) -> FirstSteps:
    Interests = Profile.interests.through
    profile = (Profile.objects.filter(user=member)
               .annotate(has_interests=Exists(Interests.objects.filter(profile_id=OuterRef("pk")))).first())
    settings_url = reverse("members:settings")
    steps = [
        Step(_("Tell people a little about you (a display name and a few words)"), settings_url,
             bool(member.display_name and profile and profile.bio)),
        Step(_("Pick the topics you care about"), settings_url, bool(profile and profile.has_interests)),
        Step(_("Read the community guidelines"), reverse("guidelines"), bool(profile and profile.guidelines_read_at)),
        Step(_("Introduce yourself or ask a first question"), reverse("forums:thread_create"), forum_selectors.has_posted(member.pk)),
        Step(_("Like a post that helped you"), reverse("forums:latest"), forum_selectors.has_liked_a_post(member.pk)),
    ]
    return FirstSteps(steps)
