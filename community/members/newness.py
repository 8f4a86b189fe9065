"""Who is new here: members in their first 14 days wear a "new here" flair, so people greet and help them."""

from datetime import timedelta

from django.utils import timezone

NEW_FOR = timedelta(days=14)


def is_new_member(member) -> bool:
    joined = getattr(member, "date_joined", None)
    return joined is not None and timezone.now() - joined < NEW_FOR
