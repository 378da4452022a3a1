"""Console forms of incidents. Times are entered in the person's own time zone (activated by the
console's middleware) and stored in UTC; the actions validate the rest."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.choices import OrganisationKind, PartyKind
from accounts.models import Organisation, Party
from hotline.formats import zone_label
from incidents.actions import resolve_recipients
from incidents.choices import POSTABLE_KINDS, Category, Severity, Status, Tlp
from incidents.geojson import parse_geojson, validate_location

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
# What the location field takes, said when what was typed cannot be read.
LOCATION_EXPECTED = (
    "The location must be one GeoJSON geometry, a Point or a Polygon, "
    'e.g. {"type": "Point", "coordinates": [19.1, 45.8]}'
)
# A clock a few minutes fast should not make a report look as if it came from the future.
FUTURE_TOLERANCE = timedelta(minutes=5)


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` input, read in the current (the person's) time zone. Django refuses a time
    that a DST change skips or repeats with a readable message."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE)
    default_error_messages = {"invalid": "Enter a date and a time to the minute, e.g. 2026-03-14 09:30."}

    def __init__(self, **kwargs):
        super().__init__(input_formats=[LOCAL_MINUTE, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"], **kwargs)


def recipient_organisations():
    # Observers read what the commission grants them; nobody reports *to* them.
    return Organisation.objects.exclude(kind=OrganisationKind.OBSERVER).select_related("party")


class IncidentForm(forms.Form):
    """The report, in the order a reporter thinks of it: what (title, severity, category: none chosen
    for them), the text, who is told, then where. The field names are the POST contract: the
    recipient picker and the map (incidents.js, notification-map.js) only enhance these fields."""

    title = forms.CharField(max_length=200, error_messages={"required": "Give the incident a title."})
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.HIGH)
    category = forms.ChoiceField(
        choices=[("", "Choose…"), *Category.choices], error_messages={"required": "Choose a category."}
    )
    summary = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say what happened: what was seen, where and when."},
    )
    parties = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Recipient parties",
        help_text="All organisations of each party chosen.",
    )
    organisations = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Recipients")
    tlp = forms.ChoiceField(label="TLP", choices=Tlp.choices, initial=Tlp.AMBER)
    occurred_at = LocalDateTimeField(
        label="Occurred at", error_messages={"required": "Give the date and time it happened (or was seen)."}
    )
    exercise = forms.BooleanField(required=False, label="Exercise (a drill, not a real event)")
    location = forms.CharField(
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": '{"type": "Point", "coordinates": [19.1, 45.8]}', "spellcheck": "false"}
        ),
        label="Location (GeoJSON, optional)",
        help_text="Place a point or draw an area on the map, or type a GeoJSON Point or Polygon in longitude/latitude.",
    )

    def __init__(self, *args, reporter, **kwargs):
        super().__init__(*args, **kwargs)
        self.reporter = reporter
        own = reporter.organisation_id
        self.fields["parties"].choices = [
            (party.code, party.name) for party in Party.objects.exclude(kind=PartyKind.OBSERVER)
        ]
        self.organisations = list(recipient_organisations().exclude(pk=own).order_by("party__position", "code"))
        self.fields["organisations"].choices = [
            (organisation.code, f"{organisation.code} — {organisation.name}") for organisation in self.organisations
        ]
        self.fields["occurred_at"].label = f"Occurred at ({zone_label()})"
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + FUTURE_TOLERANCE:
            raise ValidationError("An incident cannot have occurred in the future.")
        return occurred_at

    def clean_location(self):
        text = self.cleaned_data["location"].strip()
        if not text:
            return None
        location = parse_geojson(text, LOCATION_EXPECTED)
        validate_location(location)
        return location

    def recipient_groups(self) -> list[dict]:
        """The recipient checkboxes grouped by party, for the picker: each party's "all of it" box (a
        `parties` choice) above its organisations' boxes (`organisations` choices)."""
        party_boxes = {box.data["value"]: box for box in self["parties"]}
        organisation_boxes = {box.data["value"]: box for box in self["organisations"]}
        groups = {}
        for party in Party.objects.exclude(kind=PartyKind.OBSERVER):
            groups[party.pk] = {"party": party, "all": party_boxes.get(party.code), "organisations": []}
        for organisation in self.organisations:
            group = groups.get(organisation.party_id)
            if group is not None:
                group["organisations"].append(
                    {"organisation": organisation, "box": organisation_boxes[organisation.code]}
                )
        chosen = {*self["parties"].value(), *self["organisations"].value()} if self.is_bound else set()
        for group in groups.values():
            codes = {group["party"].code, *(item["organisation"].code for item in group["organisations"])}
            group["chosen"] = bool(codes & chosen)
        return [group for group in groups.values() if group["all"] is not None or group["organisations"]]

    def clean(self):
        data = super().clean()
        codes = [*data.get("parties", []), *data.get("organisations", [])]
        if not codes:
            self.add_error("organisations", "Choose at least one party or organisation to report to.")
            return data
        try:
            data["recipients"] = resolve_recipients(codes, self.reporter.organisation)
        except ValidationError as error:
            self.add_error("organisations", error.message_dict.get("recipients", error.messages))
        return data


class MessageForm(forms.Form):
    kind = forms.ChoiceField(choices=[(kind.value, kind.label) for kind in POSTABLE_KINDS])
    body = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}), label="Message")
    requires_ack = forms.BooleanField(required=False, label="Requires acknowledgement")
    reply_by = LocalDateTimeField(
        required=False,
        label="Reply by",
        help_text="Requests for assistance only; empty: in 48 hours.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reply_by"].label = f"Reply by ({zone_label()})"


class AcknowledgeForm(forms.Form):
    message = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class TlpForm(forms.Form):
    tlp = forms.ChoiceField(label="TLP", choices=Tlp.choices)


class AttachmentForm(forms.Form):
    file = forms.FileField()


# The console's words for the exercise filter (in bookmarked addresses), and the filter set's.
EXERCISE_FILTER = {"yes": "true", "no": "false"}


class IncidentFilterForm(forms.Form):
    """The console's filter bar: the filters people use, labelled for them. It filters nothing itself:
    `query()` hands its choice to IncidentFilterSet, the filter set of the API's list too. `exercise`
    keeps the console's yes/no and takes the API's true/false as well."""

    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    category = forms.ChoiceField(choices=[("", "Any category"), *Category.choices], required=False)
    severity = forms.ChoiceField(choices=[("", "Any severity"), *Severity.choices], required=False)
    tlp = forms.ChoiceField(label="TLP", choices=[("", "Any TLP"), *Tlp.choices], required=False)
    exercise = forms.ChoiceField(
        choices=[("", "Real and exercise"), ("no", "Real only"), ("yes", "Exercise only")], required=False
    )

    def __init__(self, data=None, **kwargs):
        console_words = {api: console for console, api in EXERCISE_FILTER.items()}
        if data is not None and data.get("exercise") in console_words:
            data = data.copy()
            data["exercise"] = console_words[data["exercise"]]
        super().__init__(data, **kwargs)

    def active(self) -> dict:
        """The filters in force, for the page script to decide whether a live incident belongs here. A
        bar with any value it cannot read filters nothing."""
        if not self.is_valid():
            return {}
        return {field: value for field, value in self.cleaned_data.items() if value}

    def query(self) -> dict:
        """The same filters as IncidentFilterSet's query parameters."""
        query = self.active()
        if "exercise" in query:
            query["exercise"] = EXERCISE_FILTER[query["exercise"]]
        return query
