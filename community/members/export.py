"""A member's own data, gathered for them to download (JSON): each app answers for its part through its selectors."""

from django.utils import timezone

from community.events import selectors as event_selectors
from community.members import selectors
from community.members.models import User
from forums import selectors as forum_selectors
from loyalty import selectors as loyalty_selectors

FORMAT_VERSION = 1


def member_data_export(member: User) -> dict:
    """Everything the member wrote or earned here, and nothing of anyone else's: their profile and settings,
    their posts (with their threads' titles), their points (balance and every ledger entry), badges and RSVPs.
    A fixed number of queries, however much there is."""
    profile = selectors.profile_of(member)
    return {
        "format": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "member": {
            "username": member.username, "display_name": member.display_name, "email": member.email,
            "date_joined": member.date_joined.isoformat(), "tier": member.tier, "language": member.language,
            "timezone": member.timezone, "flair": member.flair_text,
        },
        "profile": {
            "bio": profile.bio, "interests": sorted(tag.name for tag in profile.interests.all()),
            "birthday_day": profile.birthday_day, "birthday_month": profile.birthday_month,
            "show_birthday": profile.show_birthday,
        } if profile else None,
        "posts": forum_selectors.posts_for_export(member.pk),
        "points": loyalty_selectors.points_for_export(member),
        "rsvps": event_selectors.rsvps_for_export(member),
    }
