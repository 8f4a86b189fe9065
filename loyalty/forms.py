from django import forms
from django.utils.translation import gettext_lazy as _

from loyalty.services import KUDOS_MAX_LENGTH


class KudosForm(forms.Form):
    receiver = forms.CharField(widget=forms.HiddenInput)
    message = forms.CharField(label=_("Say thanks"), max_length=KUDOS_MAX_LENGTH,
                              widget=forms.TextInput(attrs={"placeholder": _("Thanks for the help with…")}))
    post_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
