"""Exercise notifications, drone-flight notifications, the commission's policy for both and the
boundary versions the border geometry is computed from.

The models were part of the incidents app before notifications became an app of their own: each keeps
its table (`Meta.db_table`, the old `incidents_…` name), so no row moved. What the audit log records as
their target keeps the old name too (`audit_label`), so one object has one name across the log.

Computed figures (why an exercise is notifiable, how late a notice is, which parties lie within the
buffer, which territory a volume enters) are stored on the row when it is filed, with the boundary
version they were computed with: a later boundary load or policy change does not rewrite what was
notified and acknowledged.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Organisation, Party
from incidents.choices import AckMethod
from incidents.geojson import validate_circle, validate_polygon
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

COUNT = [MinValueValidator(0), MaxValueValidator(1_000_000)]
# A threshold of 0 would make every exercise notifiable: the smallest is 1.
THRESHOLD = [MinValueValidator(1), MaxValueValidator(1_000_000)]


class NotificationPolicy(models.Model):
    """The commission's thresholds, notice periods and buffer: one row (pk 1); without it, the defaults
    of the issue, which are the field defaults here. Thresholds are inclusive (“1,500 troops or more”)."""

    troops = models.PositiveIntegerField(default=1500, validators=THRESHOLD)
    battle_tanks = models.PositiveIntegerField(default=25, validators=THRESHOLD)
    armoured_combat_vehicles = models.PositiveIntegerField(default=50, validators=THRESHOLD)
    artillery = models.PositiveIntegerField("artillery pieces (100 mm and above)", default=25, validators=THRESHOLD)
    combat_aircraft_sorties = models.PositiveIntegerField(default=20, validators=THRESHOLD)
    armed_drone_live_fire = models.BooleanField("any live firing with armed drones", default=True)
    border_troops = models.PositiveIntegerField("troops near a border", default=300, validators=THRESHOLD)
    border_distance_m = models.PositiveIntegerField(
        "“near a border”: within (m)", default=15_000, validators=[MinValueValidator(1), MaxValueValidator(200_000)]
    )
    exercise_notice_days = models.PositiveIntegerField(default=42, validators=[MaxValueValidator(365)])
    drone_notice_hours = models.PositiveIntegerField(default=72, validators=[MaxValueValidator(24 * 60)])
    drone_buffer_m = models.PositiveIntegerField(
        "drone buffer (m)", default=25_000, validators=[MinValueValidator(1), MaxValueValidator(200_000)]
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by_label = models.CharField(max_length=150, blank=True)

    audit_label = "incidents.notificationpolicy"

    class Meta:
        db_table = "incidents_notificationpolicy"
        verbose_name_plural = "notification policy"

    def __str__(self):
        return "notification policy"

    @classmethod
    def current(cls) -> "NotificationPolicy":
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def snapshot(self) -> dict:
        """What a computation records of the policy it applied."""
        return {field: getattr(self, field) for field in POLICY_FIELDS}


POLICY_FIELDS = [
    "troops", "battle_tanks", "armoured_combat_vehicles", "artillery", "combat_aircraft_sorties",
    "armed_drone_live_fire", "border_troops", "border_distance_m", "exercise_notice_days", "drone_notice_hours",
    "drone_buffer_m",
]  # fmt: skip


class PendingAcknowledgement(models.Model):
    """A recipient organisation's acknowledgement, written pending when the notice goes out (as for
    incident messages): "what waits on us" is one query and giving it is a conditional update."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_by_label = models.CharField(max_length=150, blank=True)
    method = models.CharField(max_length=8, choices=AckMethod.choices, blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.acknowledged_at is None


# --- border geometry ---------------------------------------------------------------------------------


class BoundaryVersion(models.Model):
    """A set of party boundaries the commission loaded (`manage.py load_boundaries`). The active one is
    what notifications/borders.py computes with; without one, the committed Natural Earth data is used."""

    label = models.CharField(
        max_length=100, unique=True, help_text="The version's name, recorded on every computation."
    )
    source = models.CharField(max_length=300, help_text="Where the boundaries come from (agreement, survey, data set).")
    loaded_at = models.DateTimeField()
    loaded_by_label = models.CharField(max_length=150)
    geojson = models.JSONField(help_text="A GeoJSON FeatureCollection: one feature per party code, WGS84 lon/lat.")
    sha256 = models.CharField(max_length=64, help_text="Of the file as loaded.")
    active = models.BooleanField(default=False)

    audit_label = "incidents.boundaryversion"

    class Meta:
        db_table = "incidents_boundaryversion"
        ordering = ["-loaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=Q(active=True),
                name="boundary_version_one_active",
                violation_error_message="Only one boundary version is active at a time.",
            ),
        ]

    def __str__(self):
        return self.label


# --- exercises ---------------------------------------------------------------------------------------


class ExerciseNotification(models.Model):
    """One notified activity; what it says is in its versions (the notice, amendments, a cancellation)."""

    year = models.PositiveSmallIntegerField(editable=False)
    number = models.PositiveIntegerField(editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="exercise_notifications")
    latest = models.OneToOneField("ExerciseVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cancelled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_label = "incidents.exercisenotification"

    class Meta:
        db_table = "incidents_exercisenotification"
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="exercise_reference_unique")]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"EX-{self.year}-{self.number:04d}"


class ExerciseVersion(models.Model):
    """What was notified at one time (Vienna Document 2011, chapter V, 38), and what we computed of it."""

    notification = models.ForeignKey(ExerciseNotification, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=VersionKind.choices)
    reason = models.TextField(max_length=2000, blank=True, help_text="Why it was amended or cancelled.")
    designation = models.CharField(max_length=200)
    exercise_type = models.CharField("type", max_length=20, choices=ExerciseType.choices)
    purpose = models.TextField(max_length=4000)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    area = models.JSONField(validators=[validate_polygon], help_text="GeoJSON Polygon, WGS84 lon/lat.")
    place_names = models.CharField(max_length=500, blank=True)
    command_level = models.CharField(max_length=16, choices=CommandLevel.choices)
    troops = models.PositiveIntegerField(default=0, validators=COUNT)
    airborne_or_amphibious_troops = models.PositiveIntegerField(default=0, validators=COUNT)
    battle_tanks = models.PositiveIntegerField(default=0, validators=COUNT)
    armoured_combat_vehicles = models.PositiveIntegerField(default=0, validators=COUNT)
    artillery = models.PositiveIntegerField("artillery (100 mm and above)", default=0, validators=COUNT)
    combat_aircraft_sorties = models.PositiveIntegerField(default=0, validators=COUNT)
    helicopters = models.PositiveIntegerField(default=0, validators=COUNT)
    uncrewed_aircraft = models.PositiveIntegerField(default=0, validators=COUNT)
    uncrewed_types = models.CharField("uncrewed aircraft types", max_length=300, blank=True)
    uncrewed_armed = models.BooleanField("uncrewed aircraft armed", default=False)
    live_fire = models.BooleanField(default=False)
    foreign_forces = models.TextField("participation of other states' forces", max_length=2000, blank=True)
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_by_label = models.CharField(max_length=150)
    # computed when filed
    notifiable_reasons = models.JSONField(default=list, blank=True)
    late_by_s = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds after the notice period's start; null if on time."
    )
    near_borders = models.JSONField(
        default=list, blank=True, help_text="[{party, distance_m}] within the policy's border distance."
    )
    boundary_version = models.CharField(max_length=120)
    policy = models.JSONField(default=dict, blank=True, help_text="The policy applied (NotificationPolicy.snapshot()).")

    audit_label = "incidents.exerciseversion"

    class Meta:
        db_table = "incidents_exerciseversion"
        ordering = ["notification", "number"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "number"], name="exercise_version_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="exercise_ends_after_start",
                violation_error_message="The exercise must end after it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.notification} v{self.number}"


class ExerciseAcknowledgement(PendingAcknowledgement):
    version = models.ForeignKey(ExerciseVersion, on_delete=models.CASCADE, related_name="acknowledgements")

    audit_label = "incidents.exerciseacknowledgement"

    class Meta:
        db_table = "incidents_exerciseacknowledgement"
        ordering = ["version", "organisation__code"]
        constraints = [models.UniqueConstraint(fields=["version", "organisation"], name="exercise_ack_once")]
        indexes = [models.Index(fields=["organisation", "acknowledged_at"], name="exercise_ack_pending")]

    def __str__(self):
        return f"{self.version} ack by {self.organisation.code}"


class ObservationInvitation(models.Model):
    """Vienna Document 2011, chapter VI: an invitation to observe, with a date to reply by."""

    notification = models.ForeignKey(ExerciseNotification, on_delete=models.CASCADE, related_name="invitations")
    starts_at = models.DateTimeField("observation from")
    ends_at = models.DateTimeField("observation until")
    reporting_point = models.CharField(max_length=300, help_text="Where and when observers report.")
    observers_per_party = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(20)])
    reply_by = models.DateTimeField()
    details = models.TextField(max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_label = models.CharField(max_length=150)

    audit_label = "incidents.observationinvitation"

    class Meta:
        db_table = "incidents_observationinvitation"
        ordering = ["notification", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="observation_ends_after_start",
                violation_error_message="The observation must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(reply_by__lte=models.F("starts_at")),
                name="observation_reply_before_start",
                violation_error_message="Replies are due before the observation starts.",
            ),
        ]

    def __str__(self):
        return f"{self.notification} invitation {self.pk}"


class ObservationReply(models.Model):
    invitation = models.ForeignKey(ObservationInvitation, on_delete=models.CASCADE, related_name="replies")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=ReplyAnswer.choices)
    observers = models.JSONField(default=list, blank=True, help_text="The observers' names.")
    replied_at = models.DateTimeField()
    replied_by_label = models.CharField(max_length=150)

    audit_label = "incidents.observationreply"

    class Meta:
        db_table = "incidents_observationreply"
        ordering = ["invitation", "organisation__code"]
        constraints = [models.UniqueConstraint(fields=["invitation", "organisation"], name="observation_reply_once")]

    def __str__(self):
        return f"{self.invitation}: {self.organisation.code} {self.answer}"


# --- drone flights -----------------------------------------------------------------------------------


class DroneFlight(models.Model):
    """A notified drone flight: the aircraft, one or more 4D volumes, and its state."""

    year = models.PositiveSmallIntegerField(editable=False)
    number = models.PositiveIntegerField(editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="drone_flights", help_text="The operator."
    )
    aircraft_type = models.CharField(max_length=100)
    aircraft_category = models.CharField(max_length=10, choices=DroneCategory.choices)
    armed = models.BooleanField(default=False)
    mtom_kg = models.DecimalField(
        "maximum take-off mass (kg)", max_digits=8, decimal_places=1, validators=[MinValueValidator(0)]
    )
    remote_id = models.CharField("Remote ID serial", max_length=40, blank=True)
    purpose = models.CharField(max_length=500)
    state = models.CharField(max_length=16, choices=FlightState.choices, default=FlightState.PLANNED)
    deviation_report = models.TextField(max_length=4000, blank=True)
    starts_at = models.DateTimeField(help_text="The earliest volume's start.")
    ends_at = models.DateTimeField(help_text="The latest volume's end.")
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_by_label = models.CharField(max_length=150)
    updated_at = models.DateTimeField(auto_now=True)
    # computed when filed
    late_by_s = models.PositiveIntegerField(null=True, blank=True)
    neighbours = models.JSONField(
        default=list, blank=True, help_text="[{party, distance_m}] within the buffer, nearest first."
    )
    crosses_into = models.JSONField(default=list, blank=True, help_text="Codes of the parties a volume enters.")
    boundary_version = models.CharField(max_length=120)
    policy = models.JSONField(default=dict, blank=True)

    audit_label = "incidents.droneflight"

    class Meta:
        db_table = "incidents_droneflight"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="drone_flight_reference_unique"),
            models.CheckConstraint(
                condition=~Q(state=FlightState.NON_CONFORMING) | ~Q(deviation_report=""),
                name="non_conforming_has_report",
                violation_error_message="A non-conforming flight has a deviation report.",
            ),
        ]
        indexes = [models.Index(fields=["state", "ends_at"], name="drone_flight_live")]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"DF-{self.year}-{self.number:05d}"


class DroneVolume(models.Model):
    """An ASTM F3548-style 4D volume: an area (polygon or circle), an altitude band and a time window."""

    flight = models.ForeignKey(DroneFlight, on_delete=models.CASCADE, related_name="volumes")
    number = models.PositiveSmallIntegerField()
    polygon = models.JSONField(null=True, blank=True, validators=[validate_polygon])
    circle = models.JSONField(
        null=True, blank=True, validators=[validate_circle], help_text='{"lon", "lat", "radius_m"}'
    )
    lower_value = models.FloatField()
    lower_unit = models.CharField(max_length=2, choices=AltitudeUnit.choices)
    lower_reference = models.CharField(max_length=5, choices=AltitudeReference.choices)
    upper_value = models.FloatField()
    upper_unit = models.CharField(max_length=2, choices=AltitudeUnit.choices)
    upper_reference = models.CharField(max_length=5, choices=AltitudeReference.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # WGS84 bounding box: deconfliction looks only at volumes whose boxes and windows overlap.
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()

    audit_label = "incidents.dronevolume"

    class Meta:
        db_table = "incidents_dronevolume"
        ordering = ["flight", "number"]
        constraints = [
            models.UniqueConstraint(fields=["flight", "number"], name="drone_volume_unique"),
            models.CheckConstraint(
                condition=Q(polygon__isnull=False, circle__isnull=True) | Q(polygon__isnull=True, circle__isnull=False),
                name="drone_volume_one_area",
                violation_error_message="A volume is a polygon or a circle.",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="drone_volume_ends_after_start",
                violation_error_message="A volume must end after it starts.",
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="drone_volume_window")]

    def __str__(self):
        return f"{self.flight} volume {self.number}"

    @property
    def geometry(self) -> dict:
        """The area as the API and the map take it: a GeoJSON Polygon or {"lon", "lat", "radius_m"}."""
        return self.polygon if self.polygon is not None else self.circle


class DroneFlightAcknowledgement(PendingAcknowledgement):
    """A recipient of a flight: a party within the buffer (with its distance) or the commission."""

    flight = models.ForeignKey(DroneFlight, on_delete=models.CASCADE, related_name="acknowledgements")
    distance_m = models.FloatField(null=True, blank=True, help_text="Null for the commission.")
    cross_border = models.BooleanField(
        default=False, help_text="A volume enters this party: its acknowledgement is needed before activation."
    )

    audit_label = "incidents.droneflightacknowledgement"

    class Meta:
        db_table = "incidents_droneflightacknowledgement"
        ordering = ["flight", "organisation__code"]
        constraints = [models.UniqueConstraint(fields=["flight", "organisation"], name="drone_ack_once")]
        indexes = [models.Index(fields=["organisation", "acknowledged_at"], name="drone_ack_pending")]

    def __str__(self):
        return f"{self.flight} ack by {self.organisation.code}"


class DroneConflict(models.Model):
    """Two notified volumes that overlap in area, altitude and time: a deconfliction warning to both operators."""

    first = models.ForeignKey(DroneVolume, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(DroneVolume, on_delete=models.CASCADE, related_name="+")
    found_at = models.DateTimeField()

    audit_label = "incidents.droneconflict"

    class Meta:
        db_table = "incidents_droneconflict"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="drone_conflict_once"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="drone_conflict_ordered"),
        ]

    def __str__(self):
        return f"{self.first} × {self.second}"


class CalendarFeed(models.Model):
    """A party's iCalendar feed credential: its token carries `generation`, so revoking (a new generation)
    makes every earlier URL of that party's feed fail, and no other party's. A party without a row is at
    generation 0 (the URLs given out before feeds could be revoked)."""

    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="calendar_feed")
    generation = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"calendar feed of {self.party.code} (generation {self.generation})"
