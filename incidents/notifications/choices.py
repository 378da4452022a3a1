from django.db import models


class ExerciseType(models.TextChoices):
    FIELD_TRAINING = "field_training", "Field training"
    LIVE_FIRING = "live_firing", "Live firing"
    COMMAND_POST = "command_post", "Command post"
    AIR = "air", "Air"
    NAVAL = "naval", "Naval"
    CYBER = "cyber", "Cyber"
    DRONE_LIVE_FIRE = "drone_live_fire", "Drone live fire"


class CommandLevel(models.TextChoices):
    """Vienna Document 2011, 38.1.2: the level of command organising and commanding the activity."""

    COMPANY = "company", "Company"
    BATTALION = "battalion", "Battalion"
    BRIGADE = "brigade", "Brigade or regiment"
    DIVISION = "division", "Division"
    CORPS = "corps", "Corps"
    GENERAL_STAFF = "general_staff", "General staff or joint command"


class VersionKind(models.TextChoices):
    NOTICE = "notice", "Notification"
    AMENDMENT = "amendment", "Amendment"
    CANCELLATION = "cancellation", "Cancellation"


class ReplyAnswer(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class DroneCategory(models.TextChoices):
    """NATO UAS classes, as the parties' air forces name them."""

    MICRO = "micro", "Class I micro (< 2 kg)"
    MINI = "mini", "Class I mini (2–20 kg)"
    SMALL = "small", "Class I small (20–150 kg)"
    TACTICAL = "tactical", "Class II tactical (150–600 kg)"
    MALE = "male", "Class III MALE"
    HALE = "hale", "Class III HALE"
    COMBAT = "combat", "Class III strike/combat"


class AltitudeUnit(models.TextChoices):
    METRES = "m", "metres"
    FEET = "ft", "feet"


class AltitudeReference(models.TextChoices):
    AGL = "AGL", "above ground level"
    AMSL = "AMSL", "above mean sea level"
    WGS84 = "WGS84", "above the WGS84 ellipsoid"


class FlightState(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVATED = "activated", "Activated"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NON_CONFORMING = "non_conforming", "Non-conforming"


# Flights whose volumes still matter for deconfliction.
LIVE_FLIGHT_STATES = (FlightState.PLANNED, FlightState.ACTIVATED, FlightState.NON_CONFORMING)

# Which state may follow which (ASTM F3548 operational intent states, simplified: no "accepted").
FLIGHT_TRANSITIONS = {
    FlightState.PLANNED: {FlightState.ACTIVATED, FlightState.CANCELLED},
    FlightState.ACTIVATED: {FlightState.COMPLETED, FlightState.NON_CONFORMING},
    FlightState.NON_CONFORMING: {FlightState.ACTIVATED, FlightState.COMPLETED},
    FlightState.COMPLETED: set(),
    FlightState.CANCELLED: set(),
}
