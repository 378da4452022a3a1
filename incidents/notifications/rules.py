"""The rules of notification: thresholds, notice periods, the buffer, territory entered, deconfliction.

Pure functions of what was notified, the commission's policy and a boundary set, shared by the actions
(which store their results), the console's forms (which say why an exercise is notifiable before it is
filed) and the tests, which hold them at their edges. Every threshold is inclusive: "1,500 troops" means
1,500 or more; "within 25 km" means at 25,000 m or less; a notice given exactly 42 days ahead is on time.
Geometry is computed in metres in EPSG:3035 (incidents/notifications/borders.py), never in degrees.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import shapely
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime

from incidents.geojson import validate_circle, validate_polygon
from incidents.notifications import borders
from incidents.notifications.choices import AltitudeReference, AltitudeUnit, ExerciseType

# --- exercises ---------------------------------------------------------------------------------------

# With an end in the future, this bounds how long before filing an exercise can have started, so the
# lateness stays a sane number.
LONGEST_EXERCISE = timedelta(days=366)
# Notifications concern the parties' region: an area farther than this from all of them is a mistake.
REGION_M = 200_000

# (field, what it counts, the commission's policy field or None, Vienna Document 2011 notification
# threshold (40.1), observation threshold (47.4) or None)
EXERCISE_FIGURES = [
    ("troops", "troops", "troops", 9000, 13000),
    ("battle_tanks", "battle tanks", "battle_tanks", 250, 300),
    ("armoured_combat_vehicles", "armoured combat vehicles", "armoured_combat_vehicles", 500, None),
    ("artillery", "artillery pieces of 100 mm and above", "artillery", 250, None),
    ("combat_aircraft_sorties", "combat-aircraft sorties", "combat_aircraft_sorties", 200, None),
    ("airborne_or_amphibious_troops", "airborne or amphibious troops", None, 3000, 3500),
]


@dataclass(frozen=True)
class ThresholdRow:
    counts: str
    commission: int | None
    vienna_notification: int | None
    vienna_observation: int | None


def threshold_table(policy) -> list[ThresholdRow]:
    """The commission's thresholds beside the Vienna Document's, for the forms and the policy page."""
    return [
        ThresholdRow(counts, getattr(policy, policy_field) if policy_field else None, notification, observation)
        for _, counts, policy_field, notification, observation in EXERCISE_FIGURES
    ]


def km(metres: float) -> str:
    """A distance as the console shows it (and flights.js writes it): one decimal."""
    return f"{metres / 1000:.1f} km"


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f}".rstrip("0").rstrip(".") + " km"


def notifiable_reasons(values, policy, near: list[dict]) -> list[dict]:
    """Why the exercise must be notified under the commission's policy ([] when it need not be):
    [{"code", "text"}]. `near` is near_borders() of its area."""
    reasons = []
    for field, counts, policy_field, _, _ in EXERCISE_FIGURES:
        if policy_field is None:
            continue
        got, limit = values.get(field) or 0, getattr(policy, policy_field)
        if got >= limit:
            reasons.append({"code": field, "text": f"{got:,} {counts}; the threshold is {limit:,}"})
    if policy.armed_drone_live_fire and is_armed_drone_live_fire(values):
        reasons.append({"code": "armed_drone_live_fire", "text": "live firing with armed drones; any is notifiable"})
    troops = values.get("troops") or 0
    if near and troops >= policy.border_troops:
        nearest = near[0]
        reasons.append(
            {
                "code": "troops_near_border",
                "text": (
                    f"{troops:,} troops {_km(nearest['distance_m'])} from the border of {nearest['party']}; "
                    f"the threshold is {policy.border_troops:,} troops within {_km(policy.border_distance_m)}"
                ),
            }
        )
    return reasons


def is_armed_drone_live_fire(values) -> bool:
    if values.get("exercise_type") == ExerciseType.DRONE_LIVE_FIRE:
        return True
    return bool(values.get("live_fire") and values.get("uncrewed_armed") and (values.get("uncrewed_aircraft") or 0) > 0)


def check_exercise(values) -> None:
    """What the model's own validation cannot say: the figures must agree with each other."""
    errors = {}
    if values.get("exercise_type") in (ExerciseType.LIVE_FIRING, ExerciseType.DRONE_LIVE_FIRE) and not values.get(
        "live_fire"
    ):
        errors["live_fire"] = "A live-firing exercise has live fire: tick it."
    if values.get("exercise_type") == ExerciseType.DRONE_LIVE_FIRE and not (
        values.get("uncrewed_armed") and (values.get("uncrewed_aircraft") or 0) > 0
    ):
        errors["uncrewed_armed"] = "A drone live-fire exercise has at least one armed uncrewed aircraft."
    elif values.get("uncrewed_armed") and not (values.get("uncrewed_aircraft") or 0) > 0:
        errors["uncrewed_aircraft"] = "Armed uncrewed aircraft: give their number."
    if (values.get("airborne_or_amphibious_troops") or 0) > (values.get("troops") or 0):
        errors["airborne_or_amphibious_troops"] = "Airborne or amphibious troops are counted within the troops."
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = "The exercise must end after it starts."
    elif starts_at and ends_at and ends_at - starts_at > LONGEST_EXERCISE:
        errors["ends_at"] = (
            f"An exercise lasts at most {LONGEST_EXERCISE.days} days; notify a longer activity as several."
        )
    if errors:
        raise ValidationError(errors)


def check_in_region(where: str, projected, radius_m: float, boundaries: borders.Boundaries) -> None:
    """Refuse an area far from every party: most likely longitude and latitude were swapped."""
    if not boundaries.neighbours_within_projected(projected, REGION_M, grow_m=radius_m):
        raise ValidationError(
            {
                where: (
                    f"This area lies more than {REGION_M // 1000} km from every party's territory. "
                    "Positions are [longitude, latitude]: were they swapped?"
                )
            }
        )


def near_borders(area, home_party: str, distance_m: float, boundaries: borders.Boundaries) -> list[dict]:
    """[{party, distance_m}] of the other parties whose border lies within `distance_m` of the area."""
    return [
        {"party": code, "distance_m": metres}
        for code, metres in boundaries.neighbours_within(area, distance_m, exclude=home_party)
    ]


def late_by(filed_at: datetime, starts_at: datetime, notice: timedelta) -> timedelta | None:
    """How far past the last on-time moment (start − notice period) it was filed; None when on time."""
    lateness = filed_at - (starts_at - notice)
    return lateness if lateness > timedelta(0) else None


def late_by_seconds(filed_at: datetime, starts_at: datetime, notice: timedelta) -> int | None:
    lateness = late_by(filed_at, starts_at, notice)
    return None if lateness is None else math.ceil(lateness.total_seconds())


def late_text(seconds: int | None, unit: str) -> str:
    """ "late by 3 days" (unit "day") or "late by 5 h" (unit "hour"): rounded up, so any lateness shows."""
    if seconds is None:
        return ""
    if unit == "day":
        days = math.ceil(seconds / 86400)
        return f"late by {days} day{'s' if days != 1 else ''}"
    return f"late by {math.ceil(seconds / 3600)} h"


# --- drone volumes -----------------------------------------------------------------------------------

MAX_VOLUMES = 20
LONGEST_VOLUME = timedelta(days=31)
FOOT = 0.3048
HIGHEST_ALTITUDE_M = 20_000
# Heights given against different references cannot be compared exactly without a terrain model: a
# bound is widened to every mean-sea-level height it may mean in the region, so a possible overlap is
# always warned of. Terrain: 0 (the coast) to 2,764 m (Korab); the geoid lies 30–55 m above the
# WGS84 ellipsoid here (EGM2008).
TERRAIN_M = (0.0, 2800.0)
GEOID_M = (30.0, 55.0)


@dataclass(frozen=True)
class Altitude:
    value: float
    unit: str
    reference: str

    @property
    def metres(self) -> float:
        return self.value * FOOT if self.unit == AltitudeUnit.FEET else self.value

    def above_sea_level(self) -> tuple[float, float]:
        """The range of mean-sea-level heights (m) this bound may mean."""
        metres = self.metres
        if self.reference == AltitudeReference.AGL:
            return metres + TERRAIN_M[0], metres + TERRAIN_M[1]
        if self.reference == AltitudeReference.WGS84:
            return metres - GEOID_M[1], metres - GEOID_M[0]
        return metres, metres

    def as_dict(self) -> dict:
        return {"value": self.value, "unit": self.unit, "reference": self.reference}


@dataclass(frozen=True)
class Volume:
    """A 4D volume, checked: `area` is the polygon or circle as given; `projected` is the polygon in
    EPSG:3035, or a circle's centre there (a circle is measured exactly from its centre and radius: drawn
    as a polygon it would lie inside the true circle and understate how near it comes)."""

    area: dict
    lower: Altitude
    upper: Altitude
    starts_at: datetime
    ends_at: datetime
    projected: shapely.Geometry

    @property
    def is_circle(self) -> bool:
        return "radius_m" in self.area

    @property
    def radius_m(self) -> float:
        return float(self.area["radius_m"]) if self.is_circle else 0.0

    def band(self) -> tuple[float, float]:
        """The widest range of mean-sea-level heights (m) the volume may occupy."""
        return self.lower.above_sea_level()[0], self.upper.above_sea_level()[1]

    @property
    def references(self) -> set[str]:
        return {self.lower.reference, self.upper.reference}

    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees, a little generous for a circle."""
        if self.is_circle:
            lon, lat, radius = self.area["lon"], self.area["lat"], self.area["radius_m"] * 1.01
            dlat = radius / 111_000
            dlon = radius / (111_000 * max(math.cos(math.radians(lat)), 0.01))
            return lon - dlon, lat - dlat, lon + dlon, lat + dlat
        xs = [position[0] for position in self.area["coordinates"][0]]
        ys = [position[1] for position in self.area["coordinates"][0]]
        return min(xs), min(ys), max(xs), max(ys)


def _altitude(raw, where: str, errors: dict) -> Altitude | None:
    if not isinstance(raw, dict):
        errors[where] = 'An altitude is {"value": …, "unit": "m" or "ft", "reference": "AGL", "AMSL" or "WGS84"}.'
        return None
    value, unit, reference = raw.get("value"), raw.get("unit"), raw.get("reference")
    if not isinstance(value, int | float) or isinstance(value, bool) or not -1e9 < value < 1e9:  # also NaN, ±inf
        errors[where] = "The altitude's value is a number."
    elif unit not in AltitudeUnit.values:
        errors[where] = f"The altitude's unit is one of {', '.join(AltitudeUnit.values)}."
    elif reference not in AltitudeReference.values:
        errors[where] = f"The altitude's reference is one of {', '.join(AltitudeReference.values)}."
    elif not -500 <= Altitude(value, unit, reference).metres <= HIGHEST_ALTITUDE_M:
        errors[where] = f"The altitude lies between −500 m and {HIGHEST_ALTITUDE_M:,} m."
    else:
        return Altitude(float(value), unit, reference)
    return None


def _time(raw, where: str, errors: dict) -> datetime | None:
    try:
        value = raw if isinstance(raw, datetime) else (parse_datetime(raw) if isinstance(raw, str) else None)
    except ValueError:  # well-formed but impossible, e.g. 30 February
        value = None
    if value is None or value.tzinfo is None:
        errors[where] = "A time is given in RFC 3339 with its offset, e.g. 2026-12-01T08:00:00Z."
        return None
    return value


def _area(raw: dict, where: str, errors: dict) -> tuple[dict, shapely.Geometry] | tuple[None, None]:
    has_polygon, has_circle = raw.get("polygon") is not None, raw.get("circle") is not None
    if has_polygon == has_circle:
        errors[where] = 'A volume has either a "polygon" (GeoJSON) or a "circle" ({"lon", "lat", "radius_m"}).'
        return None, None
    area = raw["polygon"] if has_polygon else raw["circle"]
    try:
        (validate_polygon if has_polygon else validate_circle)(area)
        projected, _ = borders.project_exact(area)
    except ValidationError as error:
        errors[where] = " ".join(error.messages)
        return None, None
    except (ValueError, OverflowError) as error:
        errors[where] = f"The area cannot be used: {error}."
        return None, None
    if not projected.is_valid:
        errors[where] = (
            f"The polygon is not valid: {shapely.is_valid_reason(projected)} (its edges may cross each other)."
        )
        return None, None
    return area, projected


def check_area(polygon: dict) -> shapely.Geometry:
    """An exercise's area, projected; ValidationError {"area": …} for one that cannot be used."""
    errors = {}
    _, projected = _area({"polygon": polygon}, "area", errors)
    if errors:
        raise ValidationError(errors)
    return projected


def clean_volumes(raw_volumes, now: datetime) -> list[Volume]:
    """The volumes of a drone-flight notification, checked; ValidationError keyed "volumes[i].field"."""
    if not isinstance(raw_volumes, list) or not raw_volumes:
        raise ValidationError({"volumes": "Give at least one volume."})
    if len(raw_volumes) > MAX_VOLUMES:
        raise ValidationError({"volumes": f"At most {MAX_VOLUMES} volumes per flight."})
    errors, volumes = {}, []
    for index, raw in enumerate(raw_volumes):
        at = f"volumes[{index}]"
        if not isinstance(raw, dict):
            errors[at] = "A volume is an object."
            continue
        area, projected = _area(raw, f"{at}.area", errors)
        lower = _altitude(raw.get("altitude_lower"), f"{at}.altitude_lower", errors)
        upper = _altitude(raw.get("altitude_upper"), f"{at}.altitude_upper", errors)
        starts_at, ends_at = _time(raw.get("start"), f"{at}.start", errors), _time(raw.get("end"), f"{at}.end", errors)
        if lower and upper and lower.above_sea_level()[0] >= upper.above_sea_level()[1]:
            errors[f"{at}.altitude_upper"] = "The upper altitude must lie above the lower one."
        elif lower and upper and lower.reference == upper.reference and lower.metres >= upper.metres:
            errors[f"{at}.altitude_upper"] = "The upper altitude must lie above the lower one."
        if starts_at and ends_at:
            if ends_at <= starts_at:
                errors[f"{at}.end"] = "A volume must end after it starts."
            elif ends_at - starts_at > LONGEST_VOLUME:
                errors[f"{at}.end"] = (
                    f"A volume lasts at most {LONGEST_VOLUME.days} days; notify longer activity as several volumes."
                )
            elif ends_at <= now:
                errors[f"{at}.end"] = "This volume has already ended."
        if (
            area is not None
            and lower
            and upper
            and starts_at
            and ends_at
            and not any(key.startswith(at) for key in errors)
        ):
            volumes.append(Volume(area, lower, upper, starts_at, ends_at, projected))
    if errors:
        raise ValidationError(errors)
    return volumes


@dataclass(frozen=True)
class Geography:
    """What the border geometry says of a flight's volumes."""

    neighbours: list[dict]  # [{party, distance_m}] within the buffer, nearest first
    crosses_into: list[str]
    boundary_version: str


def flight_geography(
    volumes: list[Volume], home_party: str, buffer_m: float, boundaries: borders.Boundaries
) -> Geography:
    """Every other party whose border lies within `buffer_m` of any volume (its distance is the nearest
    volume's), and the parties a volume enters."""
    nearest: dict[str, float] = {}
    entered: set[str] = set()
    for volume in volumes:
        for code, metres in boundaries.neighbours_within_projected(
            volume.projected, buffer_m, exclude=home_party, grow_m=volume.radius_m
        ):
            nearest[code] = min(metres, nearest.get(code, metres))
        entered.update(boundaries.crosses_into_projected(volume.projected, home_party, grow_m=volume.radius_m))
    neighbours = [
        {"party": code, "distance_m": metres}
        for code, metres in sorted(nearest.items(), key=lambda item: (item[1], item[0]))
    ]
    return Geography(neighbours, sorted(entered), boundaries.version)


def volumes_conflict(first: Volume, second: Volume) -> bool:
    """Do two volumes overlap in time, altitude and area (touching is not overlapping)?"""
    if not (first.starts_at < second.ends_at and second.starts_at < first.ends_at):
        return False
    if len(first.references | second.references) == 1:
        # One reference for all four bounds: the heights compare as given (over the same ground, 0–120 m
        # AGL and 200–300 m AGL never meet).
        (low_a, high_a), (low_b, high_b) = (
            (first.lower.metres, first.upper.metres),
            (second.lower.metres, second.upper.metres),
        )
    else:
        (low_a, high_a), (low_b, high_b) = first.band(), second.band()
    if not (low_a < high_b and low_b < high_a):
        return False
    if first.is_circle or second.is_circle:
        return first.projected.distance(second.projected) < first.radius_m + second.radius_m
    return first.projected.intersects(second.projected) and not first.projected.touches(second.projected)


def volume_from_row(row) -> Volume:
    """A stored DroneVolume as a Volume (for deconfliction against later filings)."""
    return Volume(
        row.geometry,
        Altitude(row.lower_value, row.lower_unit, row.lower_reference),
        Altitude(row.upper_value, row.upper_unit, row.upper_reference),
        row.starts_at,
        row.ends_at,
        borders.project_exact(row.geometry)[0],
    )
