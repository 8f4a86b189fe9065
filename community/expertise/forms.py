from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from forums.forms import TagsField

User = get_user_model()


class AppointExpertForm(forms.Form):
    username = forms.CharField(label=_("Member"), max_length=30, widget=forms.TextInput(attrs={"list": "member-suggestions", "autocomplete": "off"}))
    tags = TagsField(max_count=10, required=True, label=_("Expert in tags"))

    def clean_username(self):
        name = self.cleaned_data["username"].strip().lstrip("@")
        member = User.objects.named(name).first()
        if member is None:
            raise ValidationError(_("No member is called “%(name)s”.") % {"name": name})
        if not member.is_active:
            raise ValidationError(_("%(name)s is suspended and cannot be an expert.") % {"name": member.username})
        return member


class AvailabilityForm(forms.Form):
    """An expert's own limits; the rules (no past day, a cap from 1) are checked by the service."""

    away_until = forms.DateField(
        label=_("Away until"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),  # what a date input reads and sends
        help_text=_("No new questions reach you up to and including this day. Leave it empty when you are back."))
    weekly_cap = forms.IntegerField(
        label=_("At most this many questions a week"), required=False, min_value=1,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        help_text=_("Counted over the last 7 days. Leave it empty for no limit."))
