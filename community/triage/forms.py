from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from community.triage.selectors import CLAIM_FILTERS, QueueFilters
from forums.models import Category

User = get_user_model()


class QueueFilterForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.all(), required=False, label=_("Category"), empty_label=_("All categories"))
    tag = forms.CharField(required=False, max_length=30, label=_("Tag"), widget=forms.TextInput(attrs={"list": "tag-suggestions"}))
    claim = forms.ChoiceField(
        required=False, label=_("Claimed"),
        choices=[("all", _("All")), ("mine", _("Claimed by me")), ("unclaimed", _("Unclaimed"))],
    )
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))
    snoozed = forms.BooleanField(required=False, label=_("Snoozed only"))

    def __init__(self, *args, category_ids=None, **kwargs):
        """`category_ids`: the categories the member works (None: all), the only ones offered."""
        super().__init__(*args, **kwargs)
        if category_ids is not None:
            self.fields["category"].queryset = Category.objects.filter(pk__in=category_ids)

    def filters(self) -> QueueFilters:
        if not self.is_valid():
            return QueueFilters()
        data = self.cleaned_data
        return QueueFilters(
            category_id=data["category"].pk if data["category"] else None,
            tag=data["tag"].strip().lower(),
            claim=data["claim"] if data["claim"] in CLAIM_FILTERS else "all",
            overdue_only=data["overdue"],
            snoozed_only=data["snoozed"],
        )


def member_by_name(raw: str):
    name = (raw or "").strip().lstrip("@")
    member = User.objects.named(name).first() if name else None
    if member is None:
        raise ValidationError(_("No member is called “%(name)s”.") % {"name": name or "—"})
    return member
