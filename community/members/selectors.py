"""Read queries about members."""

from django.shortcuts import get_object_or_404

from community.members.models import Profile, User


def member_by_username(username: str) -> User:
    return get_object_or_404(User.objects.named(username).filter(is_active=True))


def profile_of(member: User) -> Profile | None:
    return Profile.objects.prefetch_related("interests").filter(user=member).first()


def members_starting_with(prefix: str, *, limit: int = 10) -> list[User]:
    return list(User.objects.filter(username__istartswith=prefix, is_active=True).only("username", "display_name").order_by("username")[:limit])


def birthdays_shown_in_month(month: int) -> list[tuple[int, User]]:
    """(day, member) for the active members who chose to show their birthday, in `month` (day and month only)."""
    return [(member.profile.birthday_day, member) for member in
            User.objects.filter(profile__birthday_month=month, profile__show_birthday=True, is_active=True)
            .select_related("profile").only("username", "display_name", "profile__birthday_day").order_by("profile__birthday_day", "username")]


def join_anniversaries_in_month(year: int, month: int) -> list[tuple[int, User, int]]:
    """(day, member, years) for the active members who joined in `month` of an earlier year (the join month is public)."""
    members = (User.objects.filter(date_joined__month=month, date_joined__year__lt=year, is_active=True)
               .only("username", "display_name", "date_joined").order_by("date_joined__day", "date_joined"))
    return [(member.date_joined.day, member, year - member.date_joined.year) for member in members]
