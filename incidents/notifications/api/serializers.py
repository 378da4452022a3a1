"""What the notifications API takes in, and the documented shapes of what it gives out.

The answers are built by incidents/notifications/payloads.py (the shapes the event outbox and the console's
map share): the output serializers here declare those shapes for the OpenAPI schema and render rows
through the payload functions, never field by field.

What comes in is checked for shape and range here; the rules (thresholds, figures that must agree, the
volumes of a flight) are judged by the actions, through rules.py. A flight's volumes in particular are
handed to rules.clean_volumes as given, so that every refusal of a volume has one key style,
`volumes[i].field`; the only checks made here first are those that function cannot be handed (a date
that does not exist, a number too large for a float).
"""

import decimal
from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from incidents.api.serializers import AcknowledgementOutSerializer
from incidents.geojson import MAX_RADIUS_M, validate_polygon
from incidents.notifications.choices import (
    AltitudeReference,
    AltitudeUnit,
    CommandLevel,
    DroneCategory,
    ExerciseType,
    FlightState,
    ReplyAnswer,
    VersionKind,
)
from incidents.notifications.models import POLICY_FIELDS, NotificationPolicy
from incidents.notifications.payloads import exercise_payload, flight_payload
from incidents.notifications.rules import EXERCISE_FIGURES, MAX_VOLUMES, late_text, threshold_table

MAX_NUMBER = 2**31 - 1
MAX_COUNT = 1_000_000
# The lateness of a notice is kept in seconds (a 32-bit column) and found by subtracting the notice
# period from the start: times outside this window mean nothing to a notification and break both.
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
# No coordinate, altitude or radius comes near this; some larger integers cannot even become floats.
LARGEST_NUMBER = 10**9
TIME_MESSAGE = "A time is given in RFC 3339 with its offset, e.g. 2026-12-01T08:00:00Z."


# --- shared shapes -----------------------------------------------------------------------------------

POSITION = {
    "type": "array",
    "items": {"type": "number"},
    "minItems": 2,
    "maxItems": 3,
    "description": "[longitude, latitude]",
}
POLYGON_SCHEMA = {
    "type": "object",
    "description": "A GeoJSON Polygon (RFC 7946), WGS84 longitude/latitude; the first ring is the outline.",
    "properties": {
        "type": {"type": "string", "enum": ["Polygon"]},
        "coordinates": {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 4, "items": POSITION}},
    },
    "required": ["type", "coordinates"],
}
CIRCLE_SCHEMA = {
    "type": "object",
    "description": "A circle: WGS84 centre and radius in metres.",
    "properties": {
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "radius_m": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": MAX_RADIUS_M},
    },
    "required": ["lon", "lat", "radius_m"],
}


def has_unusable_number(value, depth: int = 0) -> bool:
    """Does this JSON hold a number beyond ±10^9 (or nest deeper than any GeoJSON we take)?"""
    if depth > 8:
        return True
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return False
    if isinstance(value, int | float):
        return not -LARGEST_NUMBER <= value <= LARGEST_NUMBER
    if isinstance(value, dict):
        return any(has_unusable_number(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return any(has_unusable_number(item, depth + 1) for item in value)
    return False


@extend_schema_field(CIRCLE_SCHEMA)
class CircleField(serializers.JSONField):
    """Documents a volume's circle; rules.clean_volumes judges it."""


@extend_schema_field(POLYGON_SCHEMA)
class PolygonField(serializers.JSONField):
    """A GeoJSON Polygon, kept as its type and coordinates only (no foreign members). Whether its edges
    cross is judged by the action (rules.check_area), in metres."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            validate_polygon(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        if has_unusable_number(value):
            raise serializers.ValidationError("A position holds a number out of range.")
        return {"type": "Polygon", "coordinates": value["coordinates"]}


class NotificationTimeField(serializers.DateTimeField):
    default_error_messages = {"out_of_range": "The time lies outside 2000–2099."}

    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        if not EARLIEST <= value < LATEST:
            self.fail("out_of_range")
        return value


def _count(help_text: str = ""):
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0, help_text=help_text)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="troops, battle_tanks, …, armed_drone_live_fire, troops_near_border")
    text = serializers.CharField()


class NeighbourSerializer(serializers.Serializer):
    party = serializers.CharField()
    distance_m = serializers.FloatField(help_text="From the area or volume to the party's border; 0 when it enters.")


# --- exercises: what comes in ------------------------------------------------------------------------


class ExerciseNotifySerializer(serializers.Serializer):
    """POST /api/v1/exercise-notifications/: what Vienna Document 2011 (38) asks a notice to say."""

    designation = serializers.CharField(max_length=200, help_text="The exercise's name, e.g. “Danube Shield 2026”.")
    exercise_type = serializers.ChoiceField(choices=ExerciseType.choices)
    purpose = serializers.CharField(max_length=4000)
    starts_at = NotificationTimeField()
    ends_at = NotificationTimeField()
    area = PolygonField()
    place_names = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    command_level = serializers.ChoiceField(
        choices=CommandLevel.choices, help_text="The level organising and commanding it (38.1.2)."
    )
    troops = _count()
    airborne_or_amphibious_troops = _count("Counted within `troops`.")
    battle_tanks = _count()
    armoured_combat_vehicles = _count()
    artillery = _count("Pieces of 100 mm calibre and above.")
    combat_aircraft_sorties = _count()
    helicopters = _count()
    uncrewed_aircraft = _count()
    uncrewed_types = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    uncrewed_armed = serializers.BooleanField(default=False)
    live_fire = serializers.BooleanField(default=False)
    foreign_forces = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Participation of other states' forces.",
    )


class ExerciseAssessSerializer(ExerciseNotifySerializer):
    """POST /api/v1/exercise-notifications/assess/: only what the rules read is needed."""

    designation = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    purpose = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    ends_at = NotificationTimeField(required=False, allow_null=True, default=None)
    command_level = serializers.ChoiceField(choices=CommandLevel.choices, required=False, allow_null=True, default=None)


class ExerciseAmendmentSerializer(serializers.Serializer):
    """POST /api/v1/exercise-notifications/{id}/amend/: any fields of a notice that change, and why.
    Fields left out keep what the latest version says."""

    reason = serializers.CharField(max_length=2000, help_text="Why it is amended; every recipient reads it.")

    def get_fields(self):
        changes = ExerciseNotifySerializer().get_fields()
        for field in changes.values():
            field.required, field.default = False, empty
        return {**changes, **super().get_fields()}


class ExerciseCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why it is cancelled; every recipient reads it.")


class ExerciseAcknowledgeSerializer(serializers.Serializer):
    """{} acknowledges every version waiting on the caller's organisation; {"version": n} up to n."""

    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_NUMBER,
        help_text="Acknowledge up to this version (and the older ones it supersedes).",
    )


class InvitationNewSerializer(serializers.Serializer):
    """POST /api/v1/exercise-notifications/{id}/invitations/ (Vienna Document 2011, chapter VI)."""

    starts_at = NotificationTimeField(help_text="Observation from.")
    ends_at = NotificationTimeField(help_text="Observation until; after `starts_at`.")
    reporting_point = serializers.CharField(max_length=300, help_text="Where and when observers report.")
    observers_per_party = serializers.IntegerField(min_value=1, max_value=20)
    reply_by = NotificationTimeField(help_text="In the future, and not after `starts_at`.")
    details = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class InvitationReplySerializer(serializers.Serializer):
    """POST /api/v1/exercise-invitations/{id}/reply/: until the reply-by date; a later reply replaces."""

    answer = serializers.ChoiceField(choices=ReplyAnswer.choices)
    observers = serializers.ListField(
        child=serializers.CharField(max_length=150),
        max_length=20,
        required=False,
        default=list,
        help_text="The observers' names when accepting: at most the number invited per party. None when declining.",
    )


# --- exercises: what goes out ------------------------------------------------------------------------


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()


class ExerciseVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=VersionKind.choices)
    reason = serializers.CharField(help_text="Why it was amended or cancelled; empty for the notice.")
    filed_at = serializers.DateTimeField()
    filed_by = serializers.CharField()
    late_by = serializers.IntegerField(allow_null=True, help_text="Seconds past the notice period; null when on time.")
    notifiable = serializers.BooleanField()
    changes = ChangeSerializer(many=True, help_text="What this version changed of the one before.")
    acknowledgements = AcknowledgementOutSerializer(many=True)


class ReplySerializer(serializers.Serializer):
    organisation = serializers.CharField()
    answer = serializers.ChoiceField(choices=ReplyAnswer.choices)
    observers = serializers.ListField(child=serializers.CharField())
    replied_at = serializers.DateTimeField()


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Reply with POST /api/v1/exercise-invitations/{id}/reply/.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reporting_point = serializers.CharField()
    observers_per_party = serializers.IntegerField()
    reply_by = serializers.DateTimeField()
    details = serializers.CharField()
    replies = ReplySerializer(many=True)


class ExerciseNotificationSerializer(serializers.Serializer):
    """A notification as its latest version says it (incidents.notifications.payloads.exercise_payload), with
    every version, what each changed and who acknowledged it."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="EX-2026-0001")
    organisation = serializers.CharField(help_text="The notifying organisation.")
    party = serializers.CharField()
    state = serializers.ChoiceField(choices=["notified", "cancelled"])
    version = serializers.IntegerField(help_text="The latest version's number.")
    filed_at = serializers.DateTimeField()
    filed_by = serializers.CharField()
    designation = serializers.CharField()
    exercise_type = serializers.ChoiceField(choices=ExerciseType.choices)
    purpose = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    area = PolygonField()
    place_names = serializers.CharField()
    command_level = serializers.ChoiceField(choices=CommandLevel.choices)
    troops = serializers.IntegerField()
    airborne_or_amphibious_troops = serializers.IntegerField()
    battle_tanks = serializers.IntegerField()
    armoured_combat_vehicles = serializers.IntegerField()
    artillery = serializers.IntegerField()
    combat_aircraft_sorties = serializers.IntegerField()
    helicopters = serializers.IntegerField()
    uncrewed_aircraft = serializers.IntegerField()
    uncrewed_types = serializers.CharField()
    uncrewed_armed = serializers.BooleanField()
    live_fire = serializers.BooleanField()
    foreign_forces = serializers.CharField()
    notifiable = serializers.BooleanField(
        help_text="The commission's policy makes it notifiable (see `notifiable_reasons`)."
    )
    notifiable_reasons = ReasonSerializer(many=True)
    late_by = serializers.IntegerField(allow_null=True, help_text="Seconds past the notice period; null when on time.")
    late_by_text = serializers.CharField(help_text="“late by 3 days”, or empty.")
    near_borders = NeighbourSerializer(
        many=True, help_text="Other parties whose border lies within the policy's distance."
    )
    boundary_version = serializers.CharField(help_text="The border data the figures were computed with.")
    acknowledgements = AcknowledgementOutSerializer(many=True, help_text="Of the latest version.")
    recipients = serializers.ListField(child=serializers.CharField())
    versions = ExerciseVersionSerializer(many=True)
    invitations = InvitationSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, notification):
        return exercise_payload(notification)


class ExerciseAssessmentSerializer(serializers.Serializer):
    notifiable = serializers.BooleanField()
    notifiable_reasons = ReasonSerializer(many=True)
    late_by = serializers.IntegerField(
        allow_null=True, help_text="Seconds past the notice period if filed now; null when on time."
    )
    late_by_text = serializers.CharField()
    near_borders = NeighbourSerializer(many=True)
    boundary_version = serializers.CharField()


def exercise_assessment_payload(assessment) -> dict:
    return {
        "notifiable": bool(assessment.reasons),
        "notifiable_reasons": assessment.reasons,
        "late_by": assessment.late_by_s,
        "late_by_text": late_text(assessment.late_by_s, "day"),
        "near_borders": assessment.near_borders,
        "boundary_version": assessment.boundary_version,
    }


# --- drone flights -----------------------------------------------------------------------------------


# A string rather than an enum in the schema: the enum would be refused in upper case by clients that
# check it, and drf-spectacular cannot name it apart from an incident's `category`.
@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 10})
class CategoryField(serializers.ChoiceField):
    """Categories travel in lower case; "MALE" as air forces write it is taken too."""

    def to_internal_value(self, data):
        return super().to_internal_value(data.strip().lower() if isinstance(data, str) else data)


class AircraftSerializer(serializers.Serializer):
    type = serializers.CharField(max_length=100, help_text="e.g. Bayraktar TB2")
    category = CategoryField(
        choices=DroneCategory.choices, help_text=f"NATO UAS class: {', '.join(DroneCategory.values)}; any case."
    )
    armed = serializers.BooleanField(default=False)
    mtom_kg = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        min_value=0,
        coerce_to_string=False,
        rounding=decimal.ROUND_HALF_UP,
        help_text="Maximum take-off mass in kg (to 0.1 kg).",
    )
    remote_id = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="Remote ID serial."
    )


class AltitudeSerializer(serializers.Serializer):
    value = serializers.FloatField()
    unit = serializers.ChoiceField(choices=AltitudeUnit.choices)
    reference = serializers.ChoiceField(choices=AltitudeReference.choices)


class VolumeSerializer(serializers.Serializer):
    """One 4D volume (ASTM F3548 style): a polygon or a circle, an altitude band and a time window.
    Documents the shape only: volumes are judged by rules.clean_volumes, errors keyed `volumes[i].field`."""

    polygon = PolygonField(required=False, help_text="Either this…")
    circle = CircleField(required=False, help_text="…or this.")
    altitude_lower = AltitudeSerializer()
    altitude_upper = AltitudeSerializer()
    start = serializers.DateTimeField(help_text="RFC 3339 with its offset.")
    end = serializers.DateTimeField(help_text="After `start`, at most 31 days later, not already past.")


@extend_schema_field(VolumeSerializer(many=True))
class VolumesField(serializers.JSONField):
    """The volumes as given; judged by the action."""


def _readable_time(raw, where: str, errors: dict) -> None:
    if not isinstance(raw, str):
        return  # rules.clean_volumes says what a time is
    try:
        value = parse_datetime(raw)
        if value is not None and value.tzinfo is not None and not EARLIEST <= value.astimezone(UTC) < LATEST:
            errors[where] = ["The time lies outside 2000–2099."]
    except (ValueError, OverflowError):
        errors[where] = [TIME_MESSAGE]


def readable_volumes(raw_volumes) -> tuple[list, dict]:
    """The volumes with polygons reduced to type and coordinates, and the errors (keyed as
    rules.clean_volumes keys them) of what that function cannot be handed."""
    if not isinstance(raw_volumes, list) or len(raw_volumes) > MAX_VOLUMES:
        return raw_volumes, {}  # refused whole by rules.clean_volumes
    volumes, errors = [], {}
    for index, raw in enumerate(raw_volumes):
        at = f"volumes[{index}]"
        if isinstance(raw, dict):
            polygon = raw.get("polygon")
            if isinstance(polygon, dict):
                raw = {**raw, "polygon": {"type": polygon.get("type"), "coordinates": polygon.get("coordinates")}}
            for name in ("altitude_lower", "altitude_upper"):
                if has_unusable_number(raw.get(name)):
                    errors[f"{at}.{name}"] = ["The altitude lies between −500 m and 20,000 m."]
            if has_unusable_number(raw.get("polygon")) or has_unusable_number(raw.get("circle")):
                errors[f"{at}.area"] = ["The area holds a number out of range."]
            _readable_time(raw.get("start"), f"{at}.start", errors)
            _readable_time(raw.get("end"), f"{at}.end", errors)
        volumes.append(raw)
    return volumes, errors


class FlightAssessSerializer(serializers.Serializer):
    """POST /api/v1/drone-flights/assess/: the volumes (anything else of a flight is ignored)."""

    volumes = VolumesField(help_text=f"1 to {MAX_VOLUMES} volumes.")

    def validate(self, attrs):
        attrs["volumes"], errors = readable_volumes(attrs["volumes"])
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class FlightNotifySerializer(FlightAssessSerializer):
    """POST /api/v1/drone-flights/"""

    aircraft = AircraftSerializer()
    purpose = serializers.CharField(max_length=500)


class FlightStateSerializer(serializers.Serializer):
    """POST /api/v1/drone-flights/{id}/state/"""

    state = serializers.ChoiceField(
        choices=[(value, label) for value, label in FlightState.choices if value != FlightState.PLANNED],
        help_text="planned → activated or cancelled; activated → completed or non_conforming; non_conforming → "
        "activated or completed.",
    )
    deviation_report = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for non_conforming: how the flight deviates.",
    )


class FlightAcknowledgeSerializer(serializers.Serializer):
    """{}: acknowledges the flight for the caller's organisation."""


class VolumeOutSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    polygon = PolygonField(allow_null=True)
    circle = CircleField(allow_null=True)
    altitude_lower = AltitudeSerializer()
    altitude_upper = AltitudeSerializer()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AircraftOutSerializer(serializers.Serializer):
    type = serializers.CharField()
    category = serializers.CharField(
        help_text=f"One of {', '.join(DroneCategory.values)}."
    )  # not an enum: see ConflictSerializer
    armed = serializers.BooleanField()
    mtom_kg = serializers.FloatField()
    remote_id = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    flight = serializers.CharField(help_text="The other flight's reference.")
    operator = serializers.CharField()
    # Not an enum in the schema: drf-spectacular cannot name one set of values used by two components apart
    # from another set under the same field name elsewhere in the API (`state`, `category`, `method`).
    state = serializers.CharField(help_text="The other flight's state.")
    volume = serializers.IntegerField(help_text="Our volume's number.")
    with_volume = serializers.IntegerField(help_text="The other flight's volume's number.")
    found_at = serializers.DateTimeField()


class FlightAcknowledgementSerializer(AcknowledgementOutSerializer):
    method = serializers.CharField(
        allow_null=True, help_text="console, api, link or phone."
    )  # not an enum: see ConflictSerializer
    distance_m = serializers.FloatField(allow_null=True, help_text="Null for the commission.")
    cross_border = serializers.BooleanField(help_text="A volume enters this party: needed before activation.")

    class Meta:
        ref_name = "FlightAcknowledgement"


class DroneFlightSerializer(serializers.Serializer):
    """A notified flight (incidents.notifications.payloads.flight_payload)."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="DF-2026-00001")
    organisation = serializers.CharField(help_text="The operator.")
    party = serializers.CharField()
    state = serializers.ChoiceField(choices=FlightState.choices)
    aircraft = AircraftOutSerializer()
    purpose = serializers.CharField()
    deviation_report = serializers.CharField()
    start = serializers.DateTimeField(help_text="The earliest volume's start.")
    end = serializers.DateTimeField(help_text="The latest volume's end.")
    volumes = VolumeOutSerializer(many=True)
    filed_at = serializers.DateTimeField()
    filed_by = serializers.CharField()
    late_by = serializers.IntegerField(allow_null=True, help_text="Seconds past the notice period; null when on time.")
    late_by_text = serializers.CharField()
    neighbours_within_buffer = NeighbourSerializer(many=True)
    crosses_into = serializers.ListField(child=serializers.CharField(), help_text="Parties a volume enters.")
    conflicts_with = ConflictSerializer(
        many=True, help_text="Other notified volumes overlapping in area, altitude and time."
    )
    boundary_version = serializers.CharField()
    buffer_m = serializers.IntegerField(allow_null=True)
    recipients = serializers.ListField(child=serializers.CharField())
    acknowledgements = FlightAcknowledgementSerializer(many=True)
    awaiting_cross_border = serializers.ListField(
        child=serializers.CharField(), help_text="Must acknowledge before activation."
    )
    updated_at = serializers.DateTimeField()

    def to_representation(self, flight):
        return flight_payload(flight, self.context["conflicts"][flight.pk])


class FlightAssessmentSerializer(serializers.Serializer):
    late_by = serializers.IntegerField(
        allow_null=True, help_text="Seconds past the notice period if filed now; null when on time."
    )
    late_by_text = serializers.CharField()
    neighbours_within_buffer = NeighbourSerializer(many=True)
    crosses_into = serializers.ListField(child=serializers.CharField())
    boundary_version = serializers.CharField()
    buffer_m = serializers.IntegerField()


def flight_assessment_payload(assessment) -> dict:
    return {
        "late_by": assessment.late_by_s,
        "late_by_text": late_text(assessment.late_by_s, "hour"),
        "neighbours_within_buffer": assessment.geography.neighbours,
        "crosses_into": assessment.geography.crosses_into,
        "boundary_version": assessment.geography.boundary_version,
        "buffer_m": assessment.policy["drone_buffer_m"],
    }


# --- the commission's policy -------------------------------------------------------------------------


def _threshold(help_text: str = ""):
    return serializers.IntegerField(min_value=1, max_value=MAX_COUNT, help_text=help_text)


class ThresholdSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="What an exercise notice counts it in.")
    counts = serializers.CharField()
    commission = serializers.IntegerField(
        allow_null=True, help_text="The commission's threshold (inclusive); null: none."
    )
    vienna_notification = serializers.IntegerField(allow_null=True, help_text="Vienna Document 2011, 40.1.")
    vienna_observation = serializers.IntegerField(allow_null=True, help_text="Vienna Document 2011, 47.4.")


class NotificationPolicySerializer(serializers.Serializer):
    """The commission's thresholds (inclusive), notice periods and buffer. PUT takes every writable
    field; it applies to what is filed from then on."""

    troops = _threshold()
    battle_tanks = _threshold()
    armoured_combat_vehicles = _threshold()
    artillery = _threshold("Pieces of 100 mm and above.")
    combat_aircraft_sorties = _threshold()
    armed_drone_live_fire = serializers.BooleanField(help_text="Any live firing with armed drones is notifiable.")
    border_troops = _threshold("Troops near a border: notifiable from this many…")
    border_distance_m = serializers.IntegerField(
        min_value=1, max_value=200_000, help_text="…within this distance of another party."
    )
    exercise_notice_days = serializers.IntegerField(min_value=0, max_value=365)
    drone_notice_hours = serializers.IntegerField(min_value=0, max_value=24 * 60)
    drone_buffer_m = serializers.IntegerField(
        min_value=1, max_value=200_000, help_text="Parties within this distance of a volume receive the flight."
    )
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_by = serializers.CharField(read_only=True)
    thresholds = ThresholdSerializer(
        many=True, read_only=True, help_text="The commission's figures beside the Vienna Document's."
    )

    def to_representation(self, policy: NotificationPolicy):
        return {
            **{field: getattr(policy, field) for field in POLICY_FIELDS},
            "updated_at": policy.updated_at.isoformat() if policy.updated_at else None,
            "updated_by": policy.updated_by_label,
            "thresholds": [
                {
                    "field": figure[0],
                    "counts": row.counts,
                    "commission": row.commission,
                    "vienna_notification": row.vienna_notification,
                    "vienna_observation": row.vienna_observation,
                }
                for figure, row in zip(EXERCISE_FIGURES, threshold_table(policy), strict=True)
            ],
        }
