"""Factories that build rows the way the site does: forum content goes through the services."""

import itertools

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from community.members.models import MANAGERS_GROUP, Tier, User
from forums import services
from forums.models import Category, Tag

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    tier = Tier.MEMBER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create:
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def make_manager(**kwargs) -> User:
    user = UserFactory(**kwargs)
    group, _created = Group.objects.get_or_create(name=MANAGERS_GROUP)
    user.groups.add(group)
    return User.objects.get(pk=user.pk)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = "Talk about things."


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


_numbers = itertools.count(1)


def make_thread(*, author=None, category=None, title="How do I start?", body=None, tags=()):
    # Default bodies differ: posting the same text twice in a day is refused (duplicate check).
    body = body if body is not None else f"Hello, I have question number {next(_numbers)}."
    return services.thread_create(
        author=author or UserFactory(), category=category or CategoryFactory(), title=title, body=body, tags=tags
    )


def make_reply(*, thread, author=None, body=None):
    body = body if body is not None else f"Here is answer number {next(_numbers)}."
    return services.reply_create(thread=thread, author=author or UserFactory(), body=body)


def make_event(*, host=None, category=None, title="Meetup", starts_in=None, hours=2, capacity=None, kind="offline", **more):
    """An event through the service (with its discussion thread), starting `starts_in` from now (default: in a week)."""
    from datetime import timedelta

    from django.utils import timezone

    from community.events import services as event_services

    starts = timezone.now() + (starts_in if starts_in is not None else timedelta(days=7))
    fields = event_services.EventFields(
        title=title, description=more.pop("description", "We meet and talk."), kind=kind, category=category or CategoryFactory(),
        starts_at=starts, ends_at=starts + timedelta(hours=hours), time_zone=more.pop("time_zone", "Europe/Moscow"),
        venue=more.pop("venue", "Café Central" if kind == "offline" else ""), address=more.pop("address", ""),
        join_url=more.pop("join_url", "https://meet.example.org/r" if kind == "online" else ""), capacity=capacity, **more)
    return event_services.event_create(host=host or make_manager(), fields=fields)


def make_volunteer(*, member=None, tags=(), cap=3, now=None, **member_fields):
    """A buddy volunteer through the service (a Regular, tier 2, unless a member is given)."""
    from community.buddies.services import volunteer_opt_in

    member = member or UserFactory(tier=Tier.REGULAR, **member_fields)
    tags = list(tags) or [TagFactory(name="general")]
    return volunteer_opt_in(member=member, interests=tags, cap=cap, now=now)


def make_newcomer(*, interests=(), joined=None, **fields):
    """A newcomer (tier 0) who joined `joined` (default: now), with the interests given on their profile."""
    from django.utils import timezone

    from community.members.models import Profile

    member = UserFactory(tier=Tier.NEWCOMER, date_joined=joined or timezone.now(), **fields)
    if interests:
        profile, _created = Profile.objects.get_or_create(user=member)
        profile.interests.set(interests)
    return member
