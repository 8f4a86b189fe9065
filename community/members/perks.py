"""What each trust tier unlocks: the one table every app asks (through `User.has_perk`)."""

from django.utils.translation import gettext_lazy as _

PERKS = {
    "post_links": (1, _("Post links and images")),
    "flag_posts": (1, _("Flag posts for moderators")),
    "invite": (2, _("Invite people")),
    "be_buddy": (2, _("Be a buddy to newcomers in their first two weeks")),
    "event_priority_seats": (2, _("Say you are going to events before everyone else (event priority seats)")),
    "beta_features": (3, _("Early access to beta features")),
    "custom_flair": (3, _("Custom flair text")),
    "moderator_nomination": (3, _("Be nominated as a moderator")),
    "create_events": (3, _("Create and host events")),
}

# Beta features behind the beta_features perk; each also needs the member to switch it on.
BETA_FEATURES = {
    "dark_theme": _("Dark theme"),
}


def perk_tier(perk: str) -> int:
    return PERKS[perk][0]
