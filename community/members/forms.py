from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from community.members.models import TIME_ZONE_CHOICES, User
from community.members.timezones import picker_choices
from forums.forms import TagsField
from forums.markup import plain_line


class SettingsForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=60, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=User._meta.get_field("language").choices, required=False)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    bio = forms.CharField(label=_("About me"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    interests = TagsField(max_count=20, label=_("Interests"), help_text=_("Tags you care about, separated by commas."))
    birthday_day = forms.TypedChoiceField(
        label=_("Birthday: day"), required=False, coerce=int, empty_value=None,
        choices=[("", "—")] + [(d, d) for d in range(1, 32)],
    )
    birthday_month = forms.TypedChoiceField(
        label=_("Birthday: month"), required=False, coerce=int, empty_value=None,
        choices=[("", "—")] + [(m, m) for m in range(1, 13)],
    )
    show_birthday = forms.BooleanField(
        label=_("Show my birthday (day and month) on the events calendar"), required=False,
        help_text=_("Only members see it, and never the year."),
    )
    remind_to_accept = forms.BooleanField(
        label=_("Remind me to mark the answer that helped me"), required=False, initial=True,
        help_text=_("Once, three days after your question got replies but no accepted answer."),
    )

    dark_theme = forms.BooleanField(label=_("Dark theme (beta)"), required=False)
    flair_text = forms.CharField(label=_("Flair next to your name"), max_length=30, required=False)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        # Perks decide which of these a member sees (community.members.perks).
        self.fields["timezone"].choices = picker_choices(member.timezone)
        if not member.has_perk("beta_features"):
            del self.fields["dark_theme"]
        if not member.has_perk("custom_flair"):
            del self.fields["flair_text"]

    def clean_display_name(self):
        return plain_line(self.cleaned_data["display_name"])

    def clean_flair_text(self):
        return plain_line(self.cleaned_data["flair_text"])

    def clean(self):
        data = super().clean()
        day, month = data.get("birthday_day"), data.get("birthday_month")
        if (day is None) != (month is None):
            raise ValidationError(_("Give both the day and the month of your birthday, or neither."))
        if day and month and day > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]:
            raise ValidationError(_("That month has no day %(day)d.") % {"day": day})
        return data


class AccountDeleteForm(forms.Form):
    """Deleting one's account: the password again, and what becomes of one's posts."""

    KEEP, REMOVE = "keep", "remove"
    password = forms.CharField(label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    posts = forms.ChoiceField(
        label=_("Your posts"), widget=forms.RadioSelect,
        choices=[(KEEP, _("Keep my posts, shown as by “deleted member”")),
                 (REMOVE, _("Remove my posts (threads I started go with their replies)"))],
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.member.check_password(password):
            raise ValidationError(_("That is not your password."), code="password")
        return password
