from django import forms
from django.utils.translation import gettext_lazy as _

from community.buddies.models import DEFAULT_CAP, MAX_CAP
from community.buddies.services import MAX_INTERESTS
from forums.forms import TagsField


class VolunteerForm(forms.Form):
    """A buddy's offer; the rules (at least one tag, a cap from 1) are checked again by the service."""

    interests = TagsField(
        max_count=MAX_INTERESTS, required=True, label=_("Topics you can help with"),
        help_text=_("Existing tags, separated by commas. Newcomers who picked the same topics come to you first."),
        error_messages={"required": _("Choose at least one tag you know about: newcomers who care about it come to you first.")})
    cap = forms.IntegerField(
        label=_("At most this many newcomers at once"), min_value=1, max_value=MAX_CAP, initial=DEFAULT_CAP,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_CAP, "inputmode": "numeric"}),
        error_messages={"required": _("Say how many newcomers you can take at once (1 to %(max)d).") % {"max": MAX_CAP},
                        "invalid": _("Write a whole number of newcomers, from 1 to %(max)d.") % {"max": MAX_CAP}},
        help_text=_("Each newcomer has you for two weeks."))
