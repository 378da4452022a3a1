from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from accounts.choices import ApiScope, Language, OrganisationKind, ShiftKind
from accounts.filtersets import OrganisationFilterSet
from accounts.models import ContactPoint, DutyShift, Organisation, Party


def to_utc(day, clock: time, zone: ZoneInfo, field: str) -> datetime:
    """A date and wall-clock time in `zone` as an aware datetime; refuses times a DST change skips or repeats."""
    naive = datetime.combine(day, clock)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise forms.ValidationError(
            {
                field: (
                    f"{clock:%H:%M} does not exist on {day:%d %b %Y} in {zone.key} (clocks go forward); "
                    "choose another time."
                )
            }
        )
    # (checked second: in a skipped hour the two folds differ as well)
    if first.utcoffset() != second.utcoffset():
        raise forms.ValidationError(
            {
                field: (
                    f"{clock:%H:%M} happens twice on {day:%d %b %Y} in {zone.key} (clocks go back); "
                    "choose another time."
                )
            }
        )
    # In UTC: Python subtracts and compares two datetimes of the *same* zone by wall clock, which would
    # make a night across a DST change look 12 hours long.
    return first.astimezone(UTC)


class LocalTimeRangeForm(forms.Form):
    """Start and end as date + time in the organisation's own time zone, stored in UTC."""

    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        zone = self.organisation.zone
        data["starts_at"] = to_utc(data["start_date"], data["start_time"], zone, "start_time")
        data["ends_at"] = to_utc(data["end_date"], data["end_time"], zone, "end_time")
        if data["ends_at"] <= data["starts_at"]:
            raise forms.ValidationError({"end_time": "The shift must end after it starts."})
        if data["ends_at"] - data["starts_at"] > timedelta(days=7):
            raise forms.ValidationError({"end_date": "A shift lasts at most 7 days; add several."})
        return data

    @staticmethod
    def initial_for(shift: DutyShift) -> dict:
        zone = shift.organisation.zone
        start, end = timezone.localtime(shift.starts_at, zone), timezone.localtime(shift.ends_at, zone)
        return {"start_date": start.date(), "start_time": start.time(), "end_date": end.date(), "end_time": end.time()}


class ShiftForm(LocalTimeRangeForm):
    person = forms.ModelChoiceField(queryset=None, empty_label=None)
    kind = forms.ChoiceField(choices=ShiftKind.choices)
    note = forms.CharField(max_length=200, required=False)
    field_order = ["person", "kind", "start_date", "start_time", "end_date", "end_time", "note"]

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["person"].queryset = organisation.people.filter(is_active=True).order_by("last_name", "first_name")


class SwapForm(forms.Form):
    first = forms.ModelChoiceField(queryset=None, label="Shift", empty_label=None)
    second = forms.ModelChoiceField(queryset=None, label="Swap with", empty_label=None)

    def __init__(self, *args, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first"].queryset = shifts
        self.fields["second"].queryset = shifts

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            raise forms.ValidationError("Choose two different shifts.")
        return data


class LanguagesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple, **kwargs)


class ContactPointForm(forms.ModelForm):
    languages = LanguagesField()

    class Meta:
        model = ContactPoint
        fields = ["method", "address", "priority", "languages", "notes"]


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=50, help_text="What uses it, e.g. “MISP sync”.")
    scopes = forms.MultipleChoiceField(choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Empty: never (not advised)."
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("Choose a date in the future.")
        return day


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    party = forms.ModelChoiceField(
        queryset=Party.objects.all(), required=False, to_field_name="code", empty_label="All parties"
    )
    kind = forms.ChoiceField(choices=[("", "All kinds"), *OrganisationKind.choices], required=False)
    language = forms.ChoiceField(choices=[("", "Any language"), *Language.choices], required=False)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = {name: value for name, value in self.cleaned_data.items() if value}
        if "party" in data:
            data["party"] = data["party"].code
        return OrganisationFilterSet(data, queryset=queryset).qs
