"""Usernames are what @mentions match, so they use the same character set."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

USERNAME_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_.-]{1,29}"
# A deleted account is renamed `deleted-<id>` (community.members.services.account_delete): nobody may choose
# such a name, or they could pose as a deleted member, or take `deleted-5` before member 5 leaves.
DELETED_PREFIX = "deleted-"

username_validators = [
    RegexValidator(
        rf"^{USERNAME_PATTERN}$",
        _("Use 2–30 letters, digits, dots, dashes or underscores, starting with a letter, digit or underscore."),
    )
]


def refuse_deleted_prefix(username: str) -> None:
    """For a name a person chooses (sign-up, a rename in the admin); not on the model field, which the scrub writes."""
    if username.lower().startswith(DELETED_PREFIX):
        raise ValidationError(_("Usernames starting with “deleted-” are kept for deleted accounts; choose another."),
                              code="reserved")


# What allauth runs on a chosen username (settings.ACCOUNT_USERNAME_VALIDATORS).
chosen_username_validators = [*username_validators, refuse_deleted_prefix]
