"""Member operations: profile and preferences."""

from django.db import transaction

from community.members.models import Profile, User
from forums.markup import render_markdown


def profile_update(*, member: User, display_name: str, language: str, timezone: str, bio: str,
                   interests, birthday_day: int | None, birthday_month: int | None) -> Profile:
    with transaction.atomic():
        member.display_name, member.language, member.timezone = display_name, language, timezone
        member.save(update_fields=["display_name", "language", "timezone"])
        profile, _created = Profile.objects.get_or_create(user=member)
        profile.bio = bio
        profile.bio_html = render_markdown(bio).html if bio else ""
        profile.birthday_day, profile.birthday_month = birthday_day, birthday_month
        profile.save()
        profile.interests.set(interests)
    return profile
