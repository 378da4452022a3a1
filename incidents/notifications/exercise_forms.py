"""Console forms of exercise notifications, observation invitations and the commission's policy.

Times are entered in the person's own time zone and stored in UTC (incidents.forms.LocalDateTimeField).
The forms read what was typed; the rules (thresholds, figures that must agree, the area's geometry)
are the actions' (incidents/notifications/actions.py), whose messages the views put under the fields.
"""

import json

from django import forms
from django.core.exceptions import ValidationError

from hotline.formats import zone_label
from incidents.forms import LocalDateTimeField
from incidents.geojson import parse_geojson
from incidents.notifications import rules
from incidents.notifications.choices import ReplyAnswer
from incidents.notifications.models import POLICY_FIELDS, ExerciseVersion, NotificationPolicy
from incidents.notifications.payloads import EXERCISE_FIELDS

TIME_FIELDS = ("starts_at", "ends_at")
COUNT_FIELDS = (
    "troops", "airborne_or_amphibious_troops", "battle_tanks", "armoured_combat_vehicles", "artillery",
    "combat_aircraft_sorties", "helicopters", "uncrewed_aircraft",
)  # fmt: skip
# How the form groups the Vienna Document's fields (2011, chapter V, 38).
GROUPS = [
    ("The activity", ["designation", "exercise_type", "purpose", "command_level"]),
    ("When", ["starts_at", "ends_at"]),
    ("Where", ["area", "place_names"]),
    (
        "Forces",
        [
            "troops",
            "airborne_or_amphibious_troops",
            "battle_tanks",
            "armoured_combat_vehicles",
            "artillery",
            "combat_aircraft_sorties",
            "helicopters",
        ],
    ),
    ("Uncrewed aircraft and live fire", ["uncrewed_aircraft", "uncrewed_types", "uncrewed_armed", "live_fire"]),
    ("Other states' forces", ["foreign_forces"]),
]
AREA_EXAMPLE = (
    '{"type": "Polygon", "coordinates": '
    "[[[19.30, 45.20], [19.45, 45.20], [19.45, 45.30], [19.30, 45.30], [19.30, 45.20]]]}"
)

AREA_EXPECTED = (
    'The area must be one GeoJSON Polygon, {"type": "Polygon", "coordinates": [[[lon, lat], …]]}, '
    "its last position repeating the first: draw it on the map or paste it"
)


def read_area(text: str):
    """The JSON in a textarea, or a readable error; the geometry itself is checked by the action."""
    value = parse_geojson(text, AREA_EXPECTED)
    if not isinstance(value, dict):
        raise ValidationError(f"{AREA_EXPECTED}.")
    return value


def _version_fields() -> dict:
    """A form field per field of a version, labelled and limited as the model is."""
    fields = forms.fields_for_model(
        ExerciseVersion,
        fields=[field for field in EXERCISE_FIELDS if field != "area"],
        field_classes=dict.fromkeys(TIME_FIELDS, LocalDateTimeField),
        widgets={"purpose": forms.Textarea(attrs={"rows": 3}), "foreign_forces": forms.Textarea(attrs={"rows": 2})},
    )
    for name in COUNT_FIELDS:
        # An empty count is none at all, not a mistake to correct.
        fields[name].required = False
        fields[name].widget.attrs.update({"min": 0, "step": 1, "inputmode": "numeric"})
        fields[name].error_messages.update(
            invalid="Give a whole number, e.g. 1500; leave it empty for none.",
            min_value="A count cannot be negative: give 0 or more, or leave it empty for none.",
        )
    fields["area"] = forms.CharField(
        label="Area (GeoJSON Polygon)",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": AREA_EXAMPLE, "spellcheck": "false"}),
        help_text="Longitude, latitude (WGS84). Draw it on the map or paste it here.",
    )
    return {name: fields[name] for name in EXERCISE_FIELDS}


class ExerciseForm(forms.Form):
    """Every field of an exercise notification (payloads.EXERCISE_FIELDS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {**_version_fields(), **self.fields}
        zone = zone_label()
        self.fields["starts_at"].label = f"Starts ({zone})"
        self.fields["ends_at"].label = f"Ends ({zone})"

    def clean_area(self):
        return read_area(self.cleaned_data["area"])

    def clean(self):
        data = super().clean()
        for name in COUNT_FIELDS:
            if name in data and data[name] is None:
                data[name] = 0
        return data

    def add_rule_errors(self) -> None:
        """On a refused form, what the rules will also say (figures that disagree: a live-firing exercise
        without live fire, an end before the start), so that the summary lists every problem at once
        instead of the rules' problems turning up after the form's are fixed. Fields the form could not
        read take the model's default; each field keeps its own error if it has one."""
        data = getattr(self, "cleaned_data", {})
        defaults = {field: ExerciseVersion._meta.get_field(field).get_default() for field in EXERCISE_FIELDS}
        try:
            rules.check_exercise({**defaults, **{field: data[field] for field in EXERCISE_FIELDS if field in data}})
        except ValidationError as error:
            for field, texts in error.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, texts)

    def groups(self):
        """[(title, [bound fields])] in the order of the Vienna Document's list."""
        return [(title, [self[name] for name in names]) for title, names in GROUPS]

    def values(self) -> dict:
        """What do_notify_exercise takes."""
        return {field: self.cleaned_data[field] for field in EXERCISE_FIELDS}

    @staticmethod
    def initial_for(version: ExerciseVersion) -> dict:
        initial = {field: getattr(version, field) for field in EXERCISE_FIELDS}
        initial["area"] = json.dumps(version.area)
        return initial


class AmendForm(ExerciseForm):
    """The latest version, prefilled, and why it changes."""

    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Why it is amended")

    def changes(self, previous: ExerciseVersion) -> dict:
        """The fields that differ from `previous` (of those that could be read). A time shown to the
        minute and left as it was keeps its seconds (a notification filed through the API may have them)."""
        changed = {}
        for field in EXERCISE_FIELDS:
            if field not in self.cleaned_data:
                continue
            value, before = self.cleaned_data[field], getattr(previous, field)
            if field in TIME_FIELDS and value == before.replace(second=0, microsecond=0):
                continue
            if value != before:
                changed[field] = value
        return changed


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Why it is cancelled")


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class InvitationForm(forms.Form):
    """Vienna Document 2011, chapter VI: an invitation to observe."""

    starts_at = LocalDateTimeField(label="Observation from")
    ends_at = LocalDateTimeField(label="Observation until")
    reporting_point = forms.CharField(max_length=300, help_text="Where and when observers report.")
    observers_per_party = forms.IntegerField(min_value=1, max_value=20, initial=2, label="Observers per party")
    reply_by = LocalDateTimeField(label="Reply by")
    details = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = zone_label()
        for name in ("starts_at", "ends_at", "reply_by"):
            self.fields[name].label = f"{self.fields[name].label} ({zone})"

    def values(self) -> dict:
        return dict(self.cleaned_data)


class ReplyForm(forms.Form):
    answer = forms.ChoiceField(choices=ReplyAnswer.choices, widget=forms.RadioSelect, initial=ReplyAnswer.ACCEPTED)
    observers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Observers",
        help_text="One name per line; none when you decline.",
    )

    def names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["observers"].splitlines() if line.strip()]


class PolicyForm(forms.ModelForm):
    """The commission's thresholds, notice periods and buffer (incidents/notifications/models.py)."""

    class Meta:
        model = NotificationPolicy
        fields = POLICY_FIELDS

    def values(self) -> dict:
        return {field: self.cleaned_data[field] for field in POLICY_FIELDS}
