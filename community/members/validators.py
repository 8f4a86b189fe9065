"""Usernames are what @mentions match, so they use the same character set."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

USERNAME_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_.-]{1,29}"

username_validators = [
    RegexValidator(
        rf"^{USERNAME_PATTERN}$",
        _("Use 2–30 letters, digits, dots, dashes or underscores, starting with a letter, digit or underscore."),
    )
]
