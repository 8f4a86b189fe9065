"""The member: a custom user from the first migration, and an optional profile."""

import hashlib
import zoneinfo
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.permissions import MANAGERS_GROUP  # noqa: F401  (older imports; roles are decided there)

from .validators import username_validators

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]

# Avatar colours: twelve hues 30° apart, each strong or muted, with white initials readable on every one
# (contrast at least 4.5:1). Near hues looked alike (two plum "MM"s a few degrees apart), so the
# palette is 24 colours that differ at a glance; ten fixed ones made one pair in ten identical.
AVATAR_HUES = tuple(range(0, 360, 30))
AVATAR_SHADES = ((62, 29), (28, 31))  # (saturation %, lightness %)


class Tier(models.IntegerChoices):
    """Trust tiers; the loyalty app computes them and writes `User.tier`."""

    NEWCOMER = 0, _("Newcomer")
    MEMBER = 1, _("Member")
    REGULAR = 2, _("Regular")
    CHAMPION = 3, _("Champion")
    LEADER = 4, _("Leader")


class MemberManager(UserManager):
    def named(self, name: str) -> models.QuerySet:
        """The member with this username, whatever its case, found through the case-insensitive unique index
        (Django's `username__iexact` compares UPPER(...), which that index does not serve: a scan of every member)."""
        return self.alias(username_lower=Lower("username")).filter(username_lower=name.lower())


class User(AbstractUser):
    username = models.CharField(
        _("username"), max_length=30, unique=True, validators=username_validators
    )
    objects = MemberManager()
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    # Denormalised from loyalty so forums and moderation read it without importing loyalty.
    tier = models.PositiveSmallIntegerField(_("trust tier"), choices=Tier.choices, default=Tier.NEWCOMER)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("", _("Browser default")), ("en", "English"), ("ru", "Русский")],
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC", choices=TIME_ZONE_CHOICES)
    # Beta features the member switched on (only honoured while their tier has the beta_features perk).
    beta_features = models.JSONField(default=list, blank=True)
    flair_text = models.CharField(_("flair"), max_length=30, blank=True)
    # Denormalised from moderation's sanctions so forums can refuse posts without importing moderation.
    silenced_until = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    last_sanctioned_at = models.DateTimeField(null=True, blank=True)
    # New accounts wait for a moderator when MODERATION_APPROVE_NEW_MEMBERS is on; they read, but do not post.
    awaiting_approval = models.BooleanField(default=False)
    # Set when the member deleted their account (community.members.services.account_delete): the row stays,
    # scrubbed, so their kept posts, likes and ledger still point somewhere; it shows as "deleted member".
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="members_user_username_ci_unique"),
        ]
        # Sign-ups per day, the funnel and the cohorts all start from who joined when.
        indexes = [
            models.Index(fields=["date_joined"], name="members_user_joined"),
            # The moderators' count of accounts waiting for approval, on every page they open: a few rows, not every member.
            models.Index(fields=["date_joined"], condition=models.Q(awaiting_approval=True), name="members_user_awaiting"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        # Read only when loaded: lists that load names alone (`.only()`) show the scrubbed username instead.
        if self.__dict__.get("deleted_at") is not None:
            return gettext("deleted member")
        return self.display_name or self.username

    @property
    def is_newcomer(self) -> bool:
        """The one newcomer rule (DESIGN.md): trust tier 0, computed by loyalty.tiers."""
        return self.tier == Tier.NEWCOMER

    @property
    def is_leader(self) -> bool:
        """Tier 4, given by a manager."""
        return self.tier == Tier.LEADER

    @property
    def is_silenced(self) -> bool:
        return self.silenced_until is not None and self.silenced_until > timezone.now()

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    def has_perk(self, perk: str) -> bool:
        """Tier-gated abilities, from the one table in community.members.perks. Staff and managers have them all."""
        from community.members.perks import perk_tier

        if not self.is_active:
            return False
        from community.permissions import is_admin

        return self.tier >= perk_tier(perk) or is_admin(self)

    def uses_beta(self, feature: str) -> bool:
        """The feature-flag helper: a beta feature is on when the member may have betas and switched it on."""
        return self.has_perk("beta_features") and feature in (self.beta_features or [])

    @property
    def initials(self) -> str:
        parts = self.name.replace("_", " ").replace(".", " ").replace("-", " ").split()
        letters = "".join(part[0] for part in parts[:2]) or self.username[:1]
        return letters.upper()

    @property
    def avatar_colour(self) -> str:
        digest = hashlib.md5(self.username.lower().encode(), usedforsecurity=False).digest()
        hue = AVATAR_HUES[int.from_bytes(digest[:2]) % len(AVATAR_HUES)]
        saturation, lightness = AVATAR_SHADES[digest[2] % len(AVATAR_SHADES)]
        return f"hsl({hue} {saturation}% {lightness}%)"

    @cached_property
    def group_names(self) -> frozenset[str]:
        """The member's groups, read once per request by the permissions authority (community.permissions)."""
        return frozenset(self.groups.values_list("name", flat=True))



class Profile(models.Model):
    """What a member may tell about themselves; every field is optional."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile", primary_key=True)
    bio = models.TextField(_("about me"), max_length=3000, blank=True)
    bio_html = models.TextField(blank=True, editable=False)
    interests = models.ManyToManyField("forums.Tag", blank=True, related_name="interested_profiles", verbose_name=_("interests"))
    birthday_day = models.PositiveSmallIntegerField(_("birthday (day)"), null=True, blank=True)
    birthday_month = models.PositiveSmallIntegerField(_("birthday (month)"), null=True, blank=True)
    # The events calendar shows the day and month only to members, and only when the member says so.
    show_birthday = models.BooleanField(_("show my birthday (day and month) on the events calendar"), default=False)
    # Closing the loop (issue 13): a reminder to mark the reply that answered one's question; members may say no.
    remind_to_accept = models.BooleanField(_("remind me to mark the answer that helped me"), default=True)
    # A first step (issue 13): the member opened the community guidelines.
    guidelines_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birthday_day__isnull=True, birthday_month__isnull=True)
                | models.Q(birthday_day__range=(1, 31), birthday_month__range=(1, 12)),
                name="members_profile_birthday_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"
