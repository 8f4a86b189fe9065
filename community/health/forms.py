"""The dashboard's filters: a period of 7, 30 or 90 days and one category (or all); anything else is a form error."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.health.selectors import PERIODS, SPLITS


class DashboardFilterForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False, empty_value=30,
                                    choices=[(days, days) for days in PERIODS])
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)
    split = forms.ChoiceField(required=False, choices=[(split, split) for split in SPLITS], widget=forms.HiddenInput)
    # "Recompute now" instead of the snapshot of the last few minutes (health.snapshots).
    fresh = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, categories: dict[int, str]):
        super().__init__(data)
        self.fields["period"].choices = [(days, gettext("Last %(days)d days") % {"days": days}) for days in PERIODS]
        self.fields["category"].choices = [("", _("All categories")), *categories.items()]

    def filters(self) -> dict:
        """The cleaned filters (the defaults for a blank form); call after is_valid()."""
        return {"days": self.cleaned_data.get("period") or 30, "category_id": self.cleaned_data.get("category"),
                "split": self.cleaned_data.get("split") or "all", "fresh": bool(self.cleaned_data.get("fresh"))}

    def query(self) -> str:
        """The filters as a query string, for links to drill-down lists and CSV files."""
        found = self.filters()
        query = f"period={found['days']}"
        return query + (f"&category={found['category_id']}" if found["category_id"] is not None else "")
