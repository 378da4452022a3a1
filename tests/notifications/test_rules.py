"""The rules of notification held exactly at their edges: every threshold one below and at its limit,
the notice periods to the second, the buffer and the "near a border" distance to the millimetre, the
altitude, time and area overlaps of deconfliction, and every volume clean_volumes refuses.

Geometries at an edge are not guessed: a circle's radius (or a square's size) is solved until the
committed boundaries measure its edge at the wanted distance from the border, and the test first
asserts that measurement, so a change of the data shows as a failed precondition, not a wrong rule.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from incidents.notifications import borders, rules
from incidents.notifications.actions import assess_exercise, assess_flight, do_set_policy
from incidents.notifications.models import NotificationPolicy
from tests.accounts.world import build_demo_world, organisation, person

DEFAULT = NotificationPolicy()  # the issue's defaults are the model's field defaults
COMMITTED = borders.committed()

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # when the volumes of these tests are filed
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
FORTY_TWO_DAYS = timedelta(days=42)
SEVENTY_TWO_HOURS = timedelta(hours=72)

NOVI_SAD = (19.8451, 45.2671)  # Serbia, 35 km from Croatia and 56 km from Bosnia and Herzegovina
NORTH_OF_BACKA_PALANKA = (19.39, 45.40)  # Serbia, 17 km from the Danube, the Croatian border
SUBOTICA = (19.6653, 46.10)  # Serbia, 7.5 km from Hungary (not a party), 62 km from Croatia


def square(lon: float, lat: float, half_side_deg: float) -> dict:
    d = half_side_deg
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
        ],
    }


def box(west: float, south: float, east: float, north: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def circle(lon: float, lat: float, radius_m: float) -> dict:
    return {"lon": lon, "lat": lat, "radius_m": radius_m}


def sized_to_distance(make, party: str, metres: float, first_size: float):
    """make(size) grows with size; the geometry whose border distance the committed data measures as
    `metres`, to a millimetre (the secant method on the size)."""

    def gap(size):
        return COMMITTED.distance_to_border(make(size), party) - metres

    before, size = first_size, first_size * 1.01
    gap_before, gap_now = gap(before), gap(size)
    for _ in range(50):
        if abs(gap_now) < 0.001:
            return make(size)
        before, size, gap_before = size, size - gap_now * (size - before) / (gap_now - gap_before), gap_now
        gap_now = gap(size)
    raise AssertionError(f"no size puts the geometry {metres} m from {party}")


def circle_with_edge_at(centre, party: str, metres: float) -> dict:
    return sized_to_distance(
        lambda radius: circle(*centre, radius), party, metres, COMMITTED.distance_to_border(centre, party) - metres
    )


def square_with_edge_at(centre, party: str, metres: float) -> dict:
    return sized_to_distance(lambda half_side: square(*centre, half_side), party, metres, 0.01)


def measured(geometry, party: str) -> float:
    return COMMITTED.distance_to_border(geometry, party)


def altitude(value, unit="m", reference="AMSL") -> dict:
    return {"value": value, "unit": unit, "reference": reference}


def volume(area=None, *, lower=(0, "m", "AGL"), upper=(120, "m", "AGL"), start=START, end=None, **raw) -> dict:
    """A raw volume as the API takes it; a polygon by default, near nothing in particular."""
    area = area if area is not None else box(20.00, 44.00, 20.01, 44.01)
    shape = {"circle": area} if "radius_m" in area else {"polygon": area}
    end = end if end is not None else (start + timedelta(hours=2) if isinstance(start, datetime) else None)
    return {
        **shape,
        "altitude_lower": altitude(*lower),
        "altitude_upper": altitude(*upper),
        "start": start.isoformat() if isinstance(start, datetime) else start,
        "end": end.isoformat() if isinstance(end, datetime) else end,
        **raw,
    }


def checked(*raw_volumes, now=NOW) -> list[rules.Volume]:
    return rules.clean_volumes(list(raw_volumes), now)


def refusal(raw_volumes, now=NOW) -> dict:
    with pytest.raises(ValidationError) as refused:
        rules.clean_volumes(raw_volumes, now)
    return refused.value.message_dict


def reasons(values: dict, policy=DEFAULT, near=()) -> list[str]:
    return [reason["code"] for reason in rules.notifiable_reasons(values, policy, list(near))]


def near(area, policy=DEFAULT, home="RS") -> list[dict]:
    return rules.near_borders(area, home, policy.border_distance_m, COMMITTED)


def neighbours(geometry, buffer_m=DEFAULT.drone_buffer_m, home="RS") -> dict[str, float]:
    geography = rules.flight_geography(checked(volume(geometry)), home, buffer_m, COMMITTED)
    return {item["party"]: item["distance_m"] for item in geography.neighbours}


# The policy's defaults ------------------------------------------------------------------------------


def test_the_default_policy_is_the_issues():
    assert DEFAULT.snapshot() == {
        "troops": 1500,
        "battle_tanks": 25,
        "armoured_combat_vehicles": 50,
        "artillery": 25,
        "combat_aircraft_sorties": 20,
        "armed_drone_live_fire": True,
        "border_troops": 300,
        "border_distance_m": 15_000,
        "exercise_notice_days": 42,
        "drone_notice_hours": 72,
        "drone_buffer_m": 25_000,
    }


def test_the_vienna_document_figures_are_shown_beside_the_commissions():
    rows = {row.counts: row for row in rules.threshold_table(DEFAULT)}
    assert (rows["troops"].commission, rows["troops"].vienna_notification, rows["troops"].vienna_observation) == (
        1500,
        9000,
        13000,
    )
    assert (
        rows["battle tanks"].commission,
        rows["battle tanks"].vienna_notification,
        rows["battle tanks"].vienna_observation,
    ) == (25, 250, 300)
    assert rows["armoured combat vehicles"].vienna_notification == 500
    assert rows["artillery pieces of 100 mm and above"].vienna_notification == 250
    assert rows["combat-aircraft sorties"].vienna_notification == 200
    airborne = rows["airborne or amphibious troops"]
    assert (airborne.commission, airborne.vienna_notification, airborne.vienna_observation) == (None, 3000, 3500)


# Thresholds -----------------------------------------------------------------------------------------

THRESHOLDS = [
    ("troops", 1500), ("battle_tanks", 25), ("armoured_combat_vehicles", 50), ("artillery", 25),
    ("combat_aircraft_sorties", 20),
]  # fmt: skip


@pytest.mark.parametrize("field, limit", THRESHOLDS)
def test_one_below_a_threshold_is_not_notifiable(field, limit):
    assert reasons({field: limit - 1}) == []


@pytest.mark.parametrize("field, limit", THRESHOLDS)
def test_a_threshold_itself_is_notifiable_and_the_reason_names_it(field, limit):
    [reason] = rules.notifiable_reasons({field: limit}, DEFAULT, [])
    assert reason["code"] == field
    assert reason["text"].endswith(f"; the threshold is {limit:,}")


def test_a_changed_policy_moves_a_threshold():
    assert reasons({"battle_tanks": 10}, NotificationPolicy(battle_tanks=10)) == ["battle_tanks"]
    assert reasons({"battle_tanks": 25}, NotificationPolicy(battle_tanks=26)) == []


def test_airborne_troops_count_only_within_the_troops():
    # The Vienna Document's airborne figure has no commission threshold of its own.
    assert reasons({"troops": 1499, "airborne_or_amphibious_troops": 1499}) == []


def test_any_live_firing_with_armed_drones_is_notifiable():
    one_armed_drone = {
        "exercise_type": "field_training",
        "live_fire": True,
        "uncrewed_aircraft": 1,
        "uncrewed_armed": True,
    }
    assert reasons(one_armed_drone) == ["armed_drone_live_fire"]
    assert reasons(
        {"exercise_type": "drone_live_fire", "live_fire": True, "uncrewed_aircraft": 1, "uncrewed_armed": True}
    ) == ["armed_drone_live_fire"]


@pytest.mark.parametrize(
    "values",
    [
        {"live_fire": True, "uncrewed_aircraft": 4, "uncrewed_armed": False},  # live fire, drones unarmed
        {"live_fire": False, "uncrewed_aircraft": 4, "uncrewed_armed": True},  # armed drones, no live fire
        {"live_fire": True, "uncrewed_aircraft": 0, "uncrewed_armed": False},  # live fire without drones
    ],
    ids=["unarmed drones", "no live fire", "no drones"],
)
def test_drones_without_armed_live_fire_are_not_notifiable(values):
    assert reasons({"exercise_type": "field_training", **values}) == []


def test_the_commission_may_waive_the_armed_drone_rule():
    waived = NotificationPolicy(armed_drone_live_fire=False)
    assert (
        reasons(
            {"exercise_type": "drone_live_fire", "live_fire": True, "uncrewed_aircraft": 1, "uncrewed_armed": True},
            waived,
        )
        == []
    )


def test_299_troops_near_a_border_are_not_notifiable_and_300_are():
    area = square(*NORTH_OF_BACKA_PALANKA, 0.02)
    nearby = near(area)
    assert [item["party"] for item in nearby] == ["HR"]
    assert reasons({"troops": 299}, near=nearby) == []
    [reason] = rules.notifiable_reasons({"troops": 300}, DEFAULT, nearby)
    assert reason["code"] == "troops_near_border"
    assert (
        "300 troops" in reason["text"]
        and "of HR" in reason["text"]
        and reason["text"].endswith("the threshold is 300 troops within 15 km")
    )


def test_an_area_just_inside_15_km_of_a_border_is_near_it_and_just_outside_is_not():
    inside = square_with_edge_at(NORTH_OF_BACKA_PALANKA, "HR", 14_999.5)
    outside = square_with_edge_at(NORTH_OF_BACKA_PALANKA, "HR", 15_000.5)
    assert measured(inside, "HR") == pytest.approx(14_999.5, abs=0.01)
    assert measured(outside, "HR") == pytest.approx(15_000.5, abs=0.01)

    assert near(inside) == [{"party": "HR", "distance_m": 14_999.5}]
    assert near(outside) == []
    assert reasons({"troops": 300}, near=near(inside)) == ["troops_near_border"]
    assert reasons({"troops": 300}, near=near(outside)) == []


def test_an_area_exactly_at_the_distance_is_near():
    area = square(*NORTH_OF_BACKA_PALANKA, 0.02)
    distance = measured(area, "HR")
    assert [item["party"] for item in rules.near_borders(area, "RS", distance, COMMITTED)] == ["HR"]
    assert rules.near_borders(area, "RS", distance - 0.001, COMMITTED) == []


def test_a_changed_border_distance_moves_the_edge_both_ways():
    inside = square_with_edge_at(NORTH_OF_BACKA_PALANKA, "HR", 14_999.5)
    outside = square_with_edge_at(NORTH_OF_BACKA_PALANKA, "HR", 15_000.5)
    wider, narrower = NotificationPolicy(border_distance_m=15_001), NotificationPolicy(border_distance_m=14_999)
    assert reasons({"troops": 300}, wider, near(outside, wider)) == ["troops_near_border"]
    assert reasons({"troops": 300}, narrower, near(inside, narrower)) == []


def test_a_neighbour_that_is_not_a_party_does_not_make_troops_near_a_border_notifiable():
    area = square(*SUBOTICA, 0.01)
    assert COMMITTED.distance_to_border(area, "HU") < 15_000
    assert near(area) == []
    assert reasons({"troops": 1499}, near=near(area)) == []


def test_the_border_rule_is_judged_from_the_notifying_partys_side():
    # Croatia's own territory is not "another party's border" for a Croatian exercise.
    area = square(19.0, 45.33, 0.03)  # astride the Danube at Vukovar
    assert [item["party"] for item in near(area, home="HR")] == ["RS"]
    assert [item["party"] for item in near(area, home="RS")] == ["HR"]


# Notice periods -------------------------------------------------------------------------------------


def test_a_notice_filed_exactly_42_days_ahead_is_on_time():
    filed = START - FORTY_TWO_DAYS
    assert rules.late_by(filed, START, FORTY_TWO_DAYS) is None
    assert rules.late_by_seconds(filed, START, FORTY_TWO_DAYS) is None
    assert rules.late_text(None, "day") == ""


def test_a_notice_filed_one_second_later_is_late_by_one_second_shown_as_one_day():
    filed = START - FORTY_TWO_DAYS + timedelta(seconds=1)
    assert rules.late_by(filed, START, FORTY_TWO_DAYS) == timedelta(seconds=1)
    assert rules.late_by_seconds(filed, START, FORTY_TWO_DAYS) == 1
    assert rules.late_text(1, "day") == "late by 1 day"


def test_a_microsecond_late_is_late_by_a_whole_second():
    assert rules.late_by_seconds(START - FORTY_TWO_DAYS + timedelta(microseconds=1), START, FORTY_TWO_DAYS) == 1


@pytest.mark.parametrize(
    "seconds, unit, text",
    [
        (1, "day", "late by 1 day"),
        (86_400, "day", "late by 1 day"),
        (86_401, "day", "late by 2 days"),
        (42 * 86_400, "day", "late by 42 days"),
        (1, "hour", "late by 1 h"),
        (3_600, "hour", "late by 1 h"),
        (3_601, "hour", "late by 2 h"),
        (72 * 3_600, "hour", "late by 72 h"),
    ],
)
def test_lateness_is_rounded_up_so_any_lateness_shows(seconds, unit, text):
    assert rules.late_text(seconds, unit) == text


def test_a_drone_flight_notified_exactly_72_hours_ahead_is_on_time_and_a_second_later_is_late():
    assert rules.late_by_seconds(START - SEVENTY_TWO_HOURS, START, SEVENTY_TWO_HOURS) is None
    late = rules.late_by_seconds(START - SEVENTY_TWO_HOURS + timedelta(seconds=1), START, SEVENTY_TWO_HOURS)
    assert late == 1
    assert rules.late_text(late, "hour") == "late by 1 h"


@pytest.fixture
def world(db):
    build_demo_world()


def exercise(starts_at=START, **figures) -> dict:
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(days=3),
        "area": square(20.9, 44.0, 0.05),
        "exercise_type": "field_training",
        **figures,
    }


def test_the_assessment_applies_the_notice_period_at_its_edge(world):
    serbia = organisation("RS-MOD")
    assert assess_exercise(exercise(), serbia, filed_at=START - FORTY_TWO_DAYS).late_by_s is None
    assert assess_exercise(exercise(), serbia, filed_at=START - FORTY_TWO_DAYS + timedelta(seconds=1)).late_by_s == 1


def test_the_commissions_saved_policy_moves_the_notice_period(world):
    do_set_policy(person("wbc-sec-admin"), {"exercise_notice_days": 30, "drone_notice_hours": 48})
    serbia = organisation("RS-MOD")
    assert assess_exercise(exercise(), serbia, filed_at=START - timedelta(days=30)).late_by_s is None
    assert assess_exercise(exercise(), serbia, filed_at=START - timedelta(days=30, seconds=-1)).late_by_s == 1
    flight = [volume(start=START, end=START + timedelta(hours=1))]
    assert assess_flight(flight, serbia, filed_at=START - timedelta(hours=48)).late_by_s is None
    assert assess_flight(flight, serbia, filed_at=START - timedelta(hours=48, seconds=-1)).late_by_s == 1


def test_a_drone_flight_is_late_from_its_earliest_volume(world):
    serbia = organisation("RS-MOD")
    later = volume(start=START + timedelta(hours=5), end=START + timedelta(hours=6))
    earliest = volume(start=START, end=START + timedelta(hours=1))
    filed = START - SEVENTY_TWO_HOURS + timedelta(seconds=1)
    assert assess_flight([later, earliest], serbia, filed_at=filed).late_by_s == 1
    assert assess_flight([later], serbia, filed_at=filed).late_by_s is None


# The drone buffer -----------------------------------------------------------------------------------


def test_a_volume_just_inside_25_km_of_a_neighbour_makes_it_a_recipient_and_just_outside_does_not():
    inside = circle_with_edge_at(NOVI_SAD, "HR", 24_999.5)
    outside = circle_with_edge_at(NOVI_SAD, "HR", 25_000.5)
    assert measured(inside, "HR") == pytest.approx(24_999.5, abs=0.01)
    assert measured(outside, "HR") == pytest.approx(25_000.5, abs=0.01)

    assert neighbours(inside) == {"HR": 24_999.5}
    assert neighbours(outside) == {}


def test_a_volume_exactly_at_the_buffer_makes_the_neighbour_a_recipient():
    area = circle(*NOVI_SAD, 10_000)
    distance = measured(area, "HR")
    assert neighbours(area, buffer_m=distance) == {"HR": round(distance, 1)}
    assert neighbours(area, buffer_m=distance - 0.001) == {}


def test_a_changed_buffer_moves_the_edge():
    outside = circle_with_edge_at(NOVI_SAD, "HR", 25_000.5)
    assert neighbours(outside, buffer_m=NotificationPolicy(drone_buffer_m=25_001).drone_buffer_m) == {"HR": 25_000.5}


def test_a_polygon_volume_has_the_same_edge():
    inside = square_with_edge_at(NOVI_SAD, "HR", 24_999.5)
    outside = square_with_edge_at(NOVI_SAD, "HR", 25_000.5)
    assert neighbours(inside) == {"HR": 24_999.5}
    assert neighbours(outside) == {}


def test_each_neighbour_gets_the_distance_of_the_nearest_volume():
    far, nearer = circle_with_edge_at(NOVI_SAD, "HR", 20_000), circle_with_edge_at(NOVI_SAD, "HR", 12_000)
    geography = rules.flight_geography(checked(volume(far), volume(nearer)), "RS", 25_000, COMMITTED)
    assert geography.neighbours == [{"party": "HR", "distance_m": 12_000.0}]
    assert geography.crosses_into == [] and geography.boundary_version == COMMITTED.version


def test_a_circle_whose_true_edge_lies_just_inside_the_buffer_makes_the_neighbour_a_recipient():
    centre_distance = measured(NOVI_SAD, "HR")
    true_edge_m = 24_995.0  # a disc of radius r lies exactly (d − r) from a territory d from its centre
    area = circle(*NOVI_SAD, centre_distance - true_edge_m)
    assert "HR" in neighbours(area)


# Deconfliction: altitude, time, area -----------------------------------------------------------------

FIELD = box(20.00, 44.00, 20.02, 44.02)


def conflict(first: dict, second: dict) -> bool:
    a, b = checked(first, second)
    return rules.volumes_conflict(a, b) and rules.volumes_conflict(b, a)


def test_altitude_bands_that_touch_do_not_conflict_and_overlapping_ones_do():
    below = volume(FIELD, lower=(100, "m", "AMSL"), upper=(200, "m", "AMSL"))
    assert not conflict(below, volume(FIELD, lower=(200, "m", "AMSL"), upper=(300, "m", "AMSL")))
    assert conflict(below, volume(FIELD, lower=(199, "m", "AMSL"), upper=(300, "m", "AMSL")))


def test_feet_are_converted_before_altitudes_are_compared():
    below = volume(FIELD, lower=(0, "m", "AMSL"), upper=(500, "m", "AMSL"))
    # 1,640 ft = 499.87 m; 1,641 ft = 500.18 m
    assert conflict(below, volume(FIELD, lower=(1640, "ft", "AMSL"), upper=(3000, "ft", "AMSL")))
    assert not conflict(below, volume(FIELD, lower=(1641, "ft", "AMSL"), upper=(3000, "ft", "AMSL")))
    assert checked(volume(FIELD, lower=(1641, "ft", "AMSL"), upper=(3000, "ft", "AMSL")))[
        0
    ].lower.metres == pytest.approx(500.1768)


def test_a_height_above_ground_may_overlap_any_sea_level_height_the_terrain_allows():
    # 120 m AGL is anything from 120 m (the coast) to 2,920 m AMSL (120 m above Korab's 2,800 m).
    low_drone = volume(FIELD, lower=(0, "m", "AGL"), upper=(120, "m", "AGL"))
    assert conflict(low_drone, volume(FIELD, lower=(2_000, "m", "AMSL"), upper=(2_500, "m", "AMSL")))
    assert conflict(low_drone, volume(FIELD, lower=(2_919, "m", "AMSL"), upper=(3_500, "m", "AMSL")))
    assert not conflict(low_drone, volume(FIELD, lower=(2_920, "m", "AMSL"), upper=(3_500, "m", "AMSL")))


def test_an_ellipsoid_height_is_widened_by_the_geoid():
    # 1,100 m above the WGS84 ellipsoid is 1,045 to 1,070 m above mean sea level here.
    ellipsoid = volume(FIELD, lower=(1_000, "m", "WGS84"), upper=(1_100, "m", "WGS84"))
    assert conflict(ellipsoid, volume(FIELD, lower=(1_069, "m", "AMSL"), upper=(1_200, "m", "AMSL")))
    assert not conflict(ellipsoid, volume(FIELD, lower=(1_070, "m", "AMSL"), upper=(1_200, "m", "AMSL")))
    assert not conflict(ellipsoid, volume(FIELD, lower=(800, "m", "AMSL"), upper=(945, "m", "AMSL")))
    assert conflict(ellipsoid, volume(FIELD, lower=(800, "m", "AMSL"), upper=(946, "m", "AMSL")))


def test_two_heights_above_the_same_ground_that_are_apart_do_not_conflict():
    assert not conflict(
        volume(FIELD, lower=(0, "m", "AGL"), upper=(120, "m", "AGL")),
        volume(FIELD, lower=(200, "m", "AGL"), upper=(300, "m", "AGL")),
    )


def test_time_windows_that_touch_do_not_conflict_and_overlapping_ones_do():
    morning = volume(FIELD, start=START, end=START + timedelta(hours=1))
    assert not conflict(morning, volume(FIELD, start=START + timedelta(hours=1), end=START + timedelta(hours=2)))
    assert conflict(
        morning, volume(FIELD, start=START + timedelta(minutes=59, seconds=59), end=START + timedelta(hours=2))
    )


def test_times_in_other_offsets_are_compared_as_instants():
    morning = volume(FIELD, start=START, end=START + timedelta(hours=1))  # 08:00–09:00 UTC
    assert not conflict(morning, volume(FIELD, start="2027-03-01T10:00:00+01:00", end="2027-03-01T11:00:00+01:00"))
    assert conflict(morning, volume(FIELD, start="2027-03-01T09:59:59+01:00", end="2027-03-01T11:00:00+01:00"))


def test_polygons_that_share_an_edge_do_not_conflict_and_overlapping_ones_do():
    west = box(20.00, 44.00, 20.02, 44.02)
    assert not conflict(volume(west), volume(box(20.02, 44.00, 20.04, 44.02)))
    assert conflict(volume(west), volume(box(20.0199, 44.00, 20.04, 44.02)))
    assert not conflict(volume(west), volume(box(20.03, 44.00, 20.05, 44.02)))


def test_a_circle_and_a_polygon_conflict_when_the_circle_reaches_into_it():
    west = box(20.00, 44.00, 20.02, 44.02)
    centre_east = (20.03, 44.01)  # 0.01° east of the box's eastern edge: about 800 m at 44° N, measured below
    edge_distance = borders.project(west).distance(borders.project(centre_east))
    assert conflict(volume(west), volume(circle(*centre_east, edge_distance + 5)))
    assert not conflict(volume(west), volume(circle(*centre_east, edge_distance - 5)))


# clean_volumes: what it refuses -----------------------------------------------------------------------

BOWTIE = {"type": "Polygon", "coordinates": [[[20.0, 44.0], [20.1, 44.1], [20.1, 44.0], [20.0, 44.1], [20.0, 44.0]]]}


@pytest.mark.parametrize(
    "raw, key, message",
    [
        (volume(BOWTIE), "volumes[0].area", "The polygon is not valid: Self-intersection"),
        (
            volume(lower=(120, "m", "AGL"), upper=(120, "m", "AGL")),
            "volumes[0].altitude_upper",
            "The upper altitude must lie above the lower one.",
        ),
        (
            volume(lower=(121, "m", "AGL"), upper=(120, "m", "AGL")),
            "volumes[0].altitude_upper",
            "The upper altitude must lie above the lower one.",
        ),
        (
            volume(lower=(3_000, "m", "AMSL"), upper=(200, "m", "AGL")),
            "volumes[0].altitude_upper",
            "The upper altitude must lie above the lower one.",
        ),
        (
            volume(lower=(-501, "m", "AMSL")),
            "volumes[0].altitude_lower",
            "The altitude lies between −500 m and 20,000 m.",
        ),
        (
            volume(upper=(65_617, "ft", "AMSL")),
            "volumes[0].altitude_upper",
            "The altitude lies between −500 m and 20,000 m.",
        ),
        (volume(upper=(120, "yd", "AMSL")), "volumes[0].altitude_upper", "The altitude's unit is one of m, ft."),
        (
            volume(upper=(120, "m", "QNH")),
            "volumes[0].altitude_upper",
            "The altitude's reference is one of AGL, AMSL, WGS84.",
        ),
        (volume(upper=(True, "m", "AMSL")), "volumes[0].altitude_upper", "The altitude's value is a number."),
        (volume(start=START, end=START), "volumes[0].end", "A volume must end after it starts."),
        (volume(start=START, end=START - timedelta(seconds=1)), "volumes[0].end", "A volume must end after it starts."),
        (volume(start=NOW - timedelta(hours=2), end=NOW), "volumes[0].end", "This volume has already ended."),
        (
            volume(start=START, end=START + timedelta(days=31, seconds=1)),
            "volumes[0].end",
            "A volume lasts at most 31 days",
        ),
        (
            volume(start="2027-03-01T08:00:00", end="2027-03-01T10:00:00Z"),
            "volumes[0].start",
            "A time is given in RFC 3339 with its offset",
        ),
        (
            volume(start="2027-03-01", end="2027-03-01T10:00:00Z"),
            "volumes[0].start",
            "A time is given in RFC 3339 with its offset",
        ),
        (
            volume(start="next Tuesday", end="2027-03-01T10:00:00Z"),
            "volumes[0].start",
            "A time is given in RFC 3339 with its offset",
        ),
        (
            volume(circle(20.0, 44.0, 0)),
            "volumes[0].area",
            "Circle: radius_m is a number of metres above 0 and at most 200,000.",
        ),
        (
            volume(circle(20.0, 44.0, 200_000.1)),
            "volumes[0].area",
            "Circle: radius_m is a number of metres above 0 and at most 200,000.",
        ),
        (
            volume(circle(20.0, 44.0, 1_000), polygon=FIELD),
            "volumes[0].area",
            'A volume has either a "polygon" (GeoJSON) or a "circle"',
        ),
        (
            {k: v for k, v in volume().items() if k != "polygon"},
            "volumes[0].area",
            'A volume has either a "polygon" (GeoJSON) or a "circle"',
        ),
        (
            volume({"type": "Polygon", "coordinates": [[[20.0, 44.0], [20.1, 44.0], [20.0, 44.0]]]}),
            "volumes[0].area",
            "at least four positions",
        ),
    ],
    ids=[
        "self-crossing polygon",
        "upper equal to lower",
        "upper below lower",
        "upper above ground below a sea-level lower",
        "below -500 m",
        "above 20,000 m in feet",
        "unknown unit",
        "unknown reference",
        "a boolean height",
        "end equal to start",
        "end before start",
        "already ended",
        "longer than 31 days",
        "time without offset",
        "a date only",
        "not a time",
        "radius 0",
        "radius over the maximum",
        "both polygon and circle",
        "neither",
        "a ring too short",
    ],
)
def test_it_refuses_a_volume_that_cannot_be_used(raw, key, message):
    errors = refusal([raw])
    assert list(errors) == [key]
    assert errors[key][0].startswith(message) or message in errors[key][0]


@pytest.mark.parametrize(
    "raw",
    [
        volume(lower=(-500, "m", "AMSL"), upper=(0, "m", "AMSL")),
        volume(upper=(65_616, "ft", "AMSL")),  # 19,999.8 m
        volume(lower=(100, "m", "AGL"), upper=(200, "m", "AMSL")),  # 100 m AGL may be 100 m AMSL: not refused
        volume(start=START, end=START + timedelta(days=31)),
        volume(start=NOW - timedelta(hours=1), end=NOW + timedelta(seconds=1)),  # still flying: late, not refused
        volume(circle(20.0, 44.0, 200_000)),
        volume(circle(20.0, 44.0, 0.5)),
    ],
    ids=[
        "-500 m",
        "65,616 ft",
        "AGL lower under an AMSL upper",
        "31 days",
        "ends a second from now",
        "radius 200 km",
        "radius half a metre",
    ],
)
def test_it_accepts_a_volume_at_the_edge_of_each_limit(raw):
    assert len(checked(raw)) == 1


def test_twenty_volumes_are_accepted_and_twenty_one_are_not():
    assert len(checked(*[volume() for _ in range(20)])) == 20
    assert refusal([volume() for _ in range(21)]) == {"volumes": ["At most 20 volumes per flight."]}


def test_a_flight_has_at_least_one_volume():
    assert refusal([]) == {"volumes": ["Give at least one volume."]}
    assert refusal(None) == {"volumes": ["Give at least one volume."]}


def test_every_bad_volume_is_named_with_its_index():
    errors = refusal([volume(), volume(BOWTIE), "not an object", volume(start=START, end=START)])
    assert sorted(errors) == ["volumes[1].area", "volumes[2]", "volumes[3].end"]


def test_an_impossible_date_is_refused_like_any_bad_time():
    errors = refusal([volume(start="2027-02-30T08:00:00Z", end="2027-03-01T10:00:00Z")])
    assert list(errors) == ["volumes[0].start"]
