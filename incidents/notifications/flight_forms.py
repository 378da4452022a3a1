"""Console forms of drone-flight notifications: the aircraft and purpose, one form per volume (a
formset), and a state change. Times are entered in the person's own time zone, as on the incident
forms, and handed to the action as aware datetimes; the action (rules.clean_volumes) checks the rest
and names what is wrong per volume ("volumes[1].altitude_upper"), which `add_action_errors` puts back
beside the row and field it names.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

from hotline.formats import zone_label
from incidents.forms import LocalDateTimeField
from incidents.geojson import parse_geojson
from incidents.notifications.choices import AltitudeReference, AltitudeUnit, DroneCategory, FlightState
from incidents.notifications.rules import MAX_VOLUMES

GEOMETRY_PLACEHOLDER = (
    '{"type": "Polygon", "coordinates": [[[19.35, 45.20], …]]}  or  {"lon": 19.4, "lat": 45.25, "radius_m": 2000}'
)

GEOMETRY_EXPECTED = (
    'The area must be one GeoJSON Polygon or a circle, e.g. {"lon": 19.4, "lat": 45.25, "radius_m": 2000}: '
    "draw it on the map or paste it"
)


class FlightForm(forms.Form):
    """The aircraft and the purpose. Field names are the model's, so the action's errors land here."""

    aircraft_type = forms.CharField(label="Aircraft type", max_length=100)
    aircraft_category = forms.ChoiceField(label="Category", choices=DroneCategory.choices)
    armed = forms.BooleanField(label="Armed", required=False)
    mtom_kg = forms.DecimalField(
        label="Maximum take-off mass (kg)",
        min_value=0,
        max_digits=8,
        decimal_places=1,
        error_messages={"invalid": "Give the mass in kilograms, e.g. 4.5."},
    )
    remote_id = forms.CharField(label="Remote ID serial", max_length=40, required=False)
    purpose = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def aircraft(self) -> dict:
        data = self.cleaned_data
        return {
            "type": data["aircraft_type"],
            "category": data["aircraft_category"],
            "armed": data["armed"],
            "mtom_kg": data["mtom_kg"],
            "remote_id": data["remote_id"],
        }


def read_geometry(text: str) -> dict:
    """{"polygon": …} or {"circle": …} from what was pasted or drawn; the action checks the shape itself.
    A GeoJSON Feature counts as its geometry, as the map's editor takes it."""
    value = parse_geojson(text, GEOMETRY_EXPECTED)
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if isinstance(value, dict) and value.get("type") == "Polygon":
        return {"polygon": value}
    if isinstance(value, dict) and "radius_m" in value:
        return {"circle": value}
    raise ValidationError(f"{GEOMETRY_EXPECTED}.")


ALTITUDE_MESSAGES = {"invalid": "Give the altitude as a number in the unit chosen beside it, e.g. 120."}


class VolumeForm(forms.Form):
    """One 4D volume: an area, an altitude band with unit and reference, and a time window."""

    geometry = forms.CharField(
        label="Area (GeoJSON Polygon or circle)",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": GEOMETRY_PLACEHOLDER, "class": "geometry"}),
        help_text="Draw it on the map or paste it: WGS84 longitude/latitude.",
    )
    lower_value = forms.FloatField(label="Lower altitude", error_messages=ALTITUDE_MESSAGES)
    lower_unit = forms.ChoiceField(label="unit", choices=AltitudeUnit.choices, initial=AltitudeUnit.METRES)
    lower_reference = forms.ChoiceField(
        label="reference", choices=AltitudeReference.choices, initial=AltitudeReference.AGL
    )
    upper_value = forms.FloatField(label="Upper altitude", error_messages=ALTITUDE_MESSAGES)
    upper_unit = forms.ChoiceField(label="unit", choices=AltitudeUnit.choices, initial=AltitudeUnit.METRES)
    upper_reference = forms.ChoiceField(
        label="reference", choices=AltitudeReference.choices, initial=AltitudeReference.AGL
    )
    start = LocalDateTimeField(label="Start")
    end = LocalDateTimeField(label="End")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = zone_label()
        self.fields["start"].label = f"Start ({zone})"
        self.fields["end"].label = f"End ({zone})"

    def clean_geometry(self):
        return read_geometry(self.cleaned_data["geometry"].strip())

    def volume(self) -> dict:
        """The volume as do_notify_flight takes it."""
        data = self.cleaned_data
        return {
            **data["geometry"],
            "altitude_lower": {
                "value": data["lower_value"],
                "unit": data["lower_unit"],
                "reference": data["lower_reference"],
            },
            "altitude_upper": {
                "value": data["upper_value"],
                "unit": data["upper_unit"],
                "reference": data["upper_reference"],
            },
            "start": data["start"],
            "end": data["end"],
        }


class BaseVolumeFormSet(forms.BaseFormSet):
    # Django's words are about forms ("Please submit at least 1 form."); a reporter fills in volumes.
    default_error_messages = {
        "missing_management_form": "The form is incomplete (from an older page?): reload it and fill it in again.",
        "too_few_forms": "Give at least one volume: its area, altitudes and times.",
        "too_many_forms": "At most %(num)d volumes per flight: notify the others as another flight.",
    }

    def filled(self) -> list[VolumeForm]:
        """The rows that say something: an added row left blank is not a volume."""
        return [form for form in self.forms if form.has_changed() or not form.empty_permitted]


# The first row is required; rows added and left blank are skipped.
VolumeFormSet = forms.formset_factory(
    VolumeForm,
    formset=BaseVolumeFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_VOLUMES,
    validate_max=True,
)

VOLUMES_PREFIX = "volumes"

# The action's names for a volume's parts, and the form fields that show what is wrong with them.
VOLUME_FIELDS = {
    "area": "geometry",
    "altitude_lower": "lower_value",
    "altitude_upper": "upper_value",
    "start": "start",
    "end": "end",
}
VOLUME_KEY = re.compile(r"^volumes\[(\d+)\](?:\.(\w+))?$")


def add_action_errors(
    error: ValidationError, flight_form: FlightForm | None, volume_forms: list[VolumeForm]
) -> list[str]:
    """Put an action's errors where they belong: "volumes[i].field" beside that field of the i-th volume
    given (`volume_forms`, in the order they were given), flight fields under the field; returns what
    belongs to no field, to be shown above the form."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    elsewhere = []
    for key, texts in error.message_dict.items():
        found = VOLUME_KEY.match(key)
        if found and int(found.group(1)) < len(volume_forms):
            form = volume_forms[int(found.group(1))]
            form.add_error(VOLUME_FIELDS.get(found.group(2) or "", None), texts)
        elif flight_form is not None and key in flight_form.fields:
            flight_form.add_error(key, texts)
        else:
            elsewhere += texts
    return elsewhere


class StateForm(forms.Form):
    state = forms.ChoiceField(choices=FlightState.choices)
    deviation_report = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
