from django import forms
from django.utils.translation import gettext_lazy as _

from loyalty.services import KUDOS_MAX_LENGTH


class KudosForm(forms.Form):
    receiver = forms.CharField(widget=forms.HiddenInput)
    message = forms.CharField(label=_("Say thanks"), max_length=KUDOS_MAX_LENGTH,
                              widget=forms.TextInput(attrs={"placeholder": _("Thanks for the help with…")}))
    # The post thanked for, stored as a bigint: anything outside 1..2**63-1 is not a post.
    post_id = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
