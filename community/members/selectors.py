"""Read queries about members."""

from django.shortcuts import get_object_or_404

from community.members.models import Profile, User


def member_by_username(username: str) -> User:
    return get_object_or_404(User.objects.filter(is_active=True), username__iexact=username)


def profile_of(member: User) -> Profile | None:
    return Profile.objects.prefetch_related("interests").filter(user=member).first()


def members_starting_with(prefix: str, *, limit: int = 10) -> list[User]:
    return list(User.objects.filter(username__istartswith=prefix, is_active=True).only("username", "display_name").order_by("username")[:limit])
