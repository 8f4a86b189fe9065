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
        member = User.objects.filter(username__iexact=name).first()
        if member is None:
            raise ValidationError(_("No member is called “%(name)s”.") % {"name": name})
        if not member.is_active:
            raise ValidationError(_("%(name)s is suspended and cannot be an expert.") % {"name": member.username})
        return member
