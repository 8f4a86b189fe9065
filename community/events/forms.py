"""The event form: times are typed as the event's own wall-clock time, in the time zone the host picks."""

import zoneinfo

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community import permissions
from community.events.models import Event
from community.events.services import EventFields
from community.members.timezones import picker_choices
from forums.models import Category

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def _when(label, *, required=True, help_text=""):
    return forms.DateTimeField(
        label=label, required=required, help_text=help_text, input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        error_messages={"invalid": _("Enter a date and a time."), "required": _("Enter a date and a time.")})


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(label=_("What it is about"), required=False, max_length=10_000,
                                  widget=forms.Textarea(attrs={"rows": 6}), help_text=_("Markdown, as in posts."))
    kind = forms.ChoiceField(label=_("Where"), choices=Event.Kind.choices, widget=forms.RadioSelect, initial=Event.Kind.OFFLINE)
    category = forms.ModelChoiceField(queryset=Category.objects.none(), label=_("Category"), empty_label=None,
                                      help_text=_("The event's discussion thread starts here."))
    starts_at = _when(_("Starts"))
    ends_at = _when(_("Ends"))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=(),
                                  help_text=_("Start and end are in this time zone; members see them in their own too."))
    venue = forms.CharField(label=_("Place"), max_length=150, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False, help_text=_("Shown with a map link."))
    join_url = forms.CharField(label=_("Link to join"), max_length=500, required=False,
                               help_text=_("Shown only to those going, from 15 minutes before the start."))
    capacity = forms.IntegerField(label=_("Seats"), required=False, min_value=1, max_value=100_000,
                                  help_text=_("Leave empty for no limit; when full, people join a waiting list."))
    priority_until = _when(_("Early RSVP for tier 2 and up until"), required=False,
                           help_text=_("Optional: until then only Regulars (tier 2) and up can say they are going."))

    def __init__(self, data=None, *, member, event: Event | None = None):
        initial = None
        if event is not None:
            zone = zoneinfo.ZoneInfo(event.time_zone)

            def wall(moment):
                return timezone.localtime(moment, zone).replace(tzinfo=None) if moment else None

            initial = {"title": event.title, "description": event.description, "kind": event.kind, "category": event.category_id,
                       "starts_at": wall(event.starts_at), "ends_at": wall(event.ends_at), "time_zone": event.time_zone,
                       "venue": event.venue, "address": event.address, "join_url": event.join_url, "capacity": event.capacity,
                       "priority_until": wall(event.priority_until)}
        else:
            initial = {"time_zone": member.timezone or "UTC"}
        super().__init__(data, initial=initial)
        # The same picker as the member's settings: zones by city, with the one in use always offered.
        self.fields["time_zone"].choices = picker_choices(event.time_zone if event else (member.timezone or "UTC"))
        allowed = [category.pk for category in Category.objects.order_by("position", "name")
                   if permissions.can_start_thread(member, category)]
        self.fields["category"].queryset = Category.objects.filter(pk__in=allowed).order_by("position", "name")
        if event is None:
            self.fields["category"].initial = Category.objects.filter(pk__in=allowed, slug="events").values_list("pk", flat=True).first()

    def clean_join_url(self):
        url = self.cleaned_data["join_url"].strip()
        if url:
            URLValidator(schemes=["https", "http"], message=_("Enter a web address starting with https://."))(url)
        return url

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("time_zone")
        if zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("starts_at", "ends_at", "priority_until"):
                if cleaned.get(name):
                    # The widget's value was read in the member's zone: keep its wall-clock time, in the event's.
                    cleaned[name] = timezone.make_naive(cleaned[name]).replace(tzinfo=zone)
        if cleaned.get("kind") == Event.Kind.ONLINE and not cleaned.get("join_url"):
            cleaned["join_url"] = ""
        return cleaned

    def fields_for_service(self) -> EventFields:
        data = self.cleaned_data
        return EventFields(
            title=data["title"], description=data["description"], kind=data["kind"], category=data["category"],
            starts_at=data["starts_at"], ends_at=data["ends_at"], time_zone=data["time_zone"], join_url=data["join_url"],
            venue=data["venue"], address=data["address"], capacity=data["capacity"], priority_until=data.get("priority_until"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why (attendees read this)"), max_length=300, required=False)
