"""Drone-flight notifications at real places, through the real actions in the demo world: who receives
them and at what distance, the cross-border acknowledgement that activation waits for, the flight's
states and clocks, deconfliction between operators, who sees a flight, and a new boundary file
changing what is computed for the next flight (and nothing of the last one).

Distances are not hard-coded: each is what borders.distance_to_border measures on the active data,
so these tests hold the rules and the recipients to the geometry, and tests/incidents/test_borders.py
holds the geometry to the map.
"""

import json
import math
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from hotline.audit.models import AuditEntry
from hotline.escalation.choices import Severity, TimerState
from hotline.escalation.engine import tick
from hotline.escalation.models import Timer
from hotline.realtime.outbox import events_after
from incidents.notifications import borders
from incidents.notifications.actions import NotAwaited, do_acknowledge_flight, do_change_flight_state, do_notify_flight
from incidents.notifications.models import DroneConflict, DroneFlight
from incidents.notifications.payloads import conflicts_of, flight_payload, with_flight_details
from incidents.notifications.timers import FLIGHT_KIND
from incidents.notifications.visibility import access_flight, visible_flights
from tests.accounts.world import build_demo_world, organisation, person

# The flights' places (WGS84 lon, lat)
ACROSS_THE_DANUBE = {
    "type": "Polygon",
    "coordinates": [[[19.35, 45.20], [19.42, 45.20], [19.42, 45.27], [19.35, 45.27], [19.35, 45.20]]],
}
NEAR_THE_DANUBE = (19.45, 45.30)  # Serbia, a few km north of the river
VIRPAZAR = (19.0917, 42.2458)  # Montenegro, at Lake Skadar
SHKODER = (19.5126, 42.0683)  # Albania, at Lake Skadar
SKOPJE = (21.4254, 41.9981)  # North Macedonia
KACANIK = (21.2589, 42.2319)  # Kosovo*
KRAGUJEVAC = (20.9, 44.0)  # deep in Serbia

AIRCRAFT = {"type": "Orbiter 3", "category": "small", "armed": False, "mtom_kg": 30, "remote_id": "1596A-0042"}
# quad_segs=16: a circle is drawn as a 64-sided polygon inside it, whose sides lie up to r(1 − cos π/64)
# inside the circle.
POLYGON_INSET = 1 - math.cos(math.pi / 64)


@pytest.fixture
def world(db):
    build_demo_world()


def circle(lon: float, lat: float, radius_m: float) -> dict:
    return {"lon": lon, "lat": lat, "radius_m": radius_m}


def box(west: float, south: float, east: float, north: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def volume(area, *, lower=(0, "AGL"), upper=(120, "AGL"), start=None, hours: float = 2) -> dict:
    start = start or timezone.now().replace(microsecond=0) + timedelta(days=4)
    return {
        ("circle" if "radius_m" in area else "polygon"): area,
        "altitude_lower": {"value": lower[0], "unit": "m", "reference": lower[1]},
        "altitude_upper": {"value": upper[0], "unit": "m", "reference": upper[1]},
        "start": start.isoformat(),
        "end": (start + timedelta(hours=hours)).isoformat(),
    }


def fly(area, by: str = "rs-mod-duty", **volume_fields) -> DroneFlight:
    return do_notify_flight(
        person(by),
        aircraft=AIRCRAFT,
        purpose="Surveillance of the river crossing",
        volumes=[volume(area, **volume_fields)],
    )


def recipients(flight) -> list[tuple]:
    """(organisation, distance, cross-border) of each recipient, in code order."""
    return list(flight.acknowledgements.values_list("organisation__code", "distance_m", "cross_border"))


def measured(area, party: str) -> float:
    return round(borders.distance_to_border(area, party), 1)


def payload(flight) -> dict:
    flight = with_flight_details(DroneFlight.objects.filter(pk=flight.pk)).get()
    return flight_payload(flight, conflicts_of([flight], flight.organisation)[flight.pk])  # as its operator reads it


def events_about(flight, code: str) -> list[dict]:
    return [
        event
        for event in events_after(organisation(code).pk, 0)
        if event.get("drone_flight", {}).get("id") == flight.pk
    ]


def timers_of(flight) -> dict[str, Timer]:
    ids = list(flight.acknowledgements.values_list("pk", flat=True))
    return {
        timer.recipient.code: timer
        for timer in Timer.objects.filter(subject_kind=FLIGHT_KIND, subject_id__in=ids).select_related("recipient")
    }


# Recipients at real borders ---------------------------------------------------------------------------


def test_a_flight_across_the_danube_needs_croatias_acknowledgement(world):
    flight = fly(ACROSS_THE_DANUBE)
    assert flight.crosses_into == ["HR"]
    assert flight.neighbours == [{"party": "HR", "distance_m": 0.0}]
    assert recipients(flight) == [("HR-MOD", 0.0, True), ("WBC-SEC", None, False)]
    assert payload(flight)["awaiting_cross_border"] == ["HR-MOD"]
    assert flight.boundary_version == borders.active().version and flight.policy["drone_buffer_m"] == 25_000
    assert flight.reference == f"DF-{timezone.now().year}-00001"


def test_a_circle_near_the_danube_reaches_croatia_at_its_measured_distance(world):
    area = circle(*NEAR_THE_DANUBE, 1_000)
    flight = fly(area)
    [(code, distance)] = [(item["party"], item["distance_m"]) for item in flight.neighbours]
    assert code == "HR" and flight.crosses_into == []
    assert distance == measured(area, "HR")
    from_the_centre = borders.distance_to_border(NEAR_THE_DANUBE, "HR") - 1_000
    assert abs(distance - from_the_centre) <= 1_000 * POLYGON_INSET + 0.05
    assert recipients(flight) == [("HR-MOD", distance, False), ("WBC-SEC", None, False)]


@pytest.mark.parametrize(
    "by, centre, expected",
    [
        ("me-mod-duty", VIRPAZAR, ["AL"]),
        ("al-mod-duty", SHKODER, ["ME"]),
        ("mk-mod-duty", SKOPJE, ["XK"]),
        ("xk-mod-duty", KACANIK, ["MK", "RS"]),
    ],
    ids=["Montenegro at Lake Skadar", "Albania at Lake Skadar", "North Macedonia at Skopje", "Kosovo* at Kaçanik"],
)
def test_flights_near_a_border_reach_the_neighbour_from_either_side(world, by, centre, expected):
    area = circle(*centre, 1_000)
    flight = fly(area, by=by)
    assert [item["party"] for item in flight.neighbours] == expected
    for item in flight.neighbours:
        assert item["distance_m"] == measured(area, item["party"]) < 25_000
    assert flight.crosses_into == []
    assert [code for code, _, _ in recipients(flight)] == sorted([f"{party}-MOD" for party in expected] + ["WBC-SEC"])


def test_a_flight_deep_in_serbia_goes_to_the_commission_only(world):
    flight = fly(circle(*KRAGUJEVAC, 5_000))
    assert flight.neighbours == [] and flight.crosses_into == []
    assert recipients(flight) == [("WBC-SEC", None, False)]


def test_a_late_flight_is_flagged_in_hours(world):
    flight = fly(circle(*KRAGUJEVAC, 5_000), start=timezone.now() + timedelta(hours=70, minutes=30))
    assert 1.5 * 3600 < flight.late_by_s <= 1.5 * 3600 + 60
    assert payload(flight)["late_by_text"] == "late by 2 h"
    assert fly(circle(*KRAGUJEVAC, 5_000)).late_by_s is None  # four days ahead


def test_the_flight_notification_is_audited_with_its_geometry_and_recipients(world):
    flight = fly(ACROSS_THE_DANUBE)
    [entry] = AuditEntry.objects.filter(action="drone_flight.notified")
    details = entry.content["details"]
    assert (entry.actor, details["flight"], details["crosses_into"], details["recipients"]) == (
        "rs-mod-duty",
        flight.reference,
        ["HR"],
        ["HR-MOD", "WBC-SEC"],
    )
    assert details["boundary_version"] == flight.boundary_version
    assert "river crossing" not in entry.body  # the purpose stays out of the log


# Acknowledgement, activation and the flight's states --------------------------------------------------


def test_activation_waits_for_the_party_a_volume_enters(world):
    flight = fly(ACROSS_THE_DANUBE)
    operator = person("rs-mod-duty")
    with pytest.raises(ValidationError, match="HR-MOD must acknowledge before the flight is activated"):
        do_change_flight_state(operator, flight, "activated")
    do_acknowledge_flight(person("hr-mod-duty"), flight)
    assert (
        do_change_flight_state(operator, flight, "activated").state == "activated"
    )  # the commission's acknowledgement is not needed
    assert payload(flight)["awaiting_cross_border"] == []


def test_a_flight_that_enters_no_other_territory_activates_at_once(world):
    flight = fly(circle(*NEAR_THE_DANUBE, 1_000))
    assert do_change_flight_state(person("rs-mod-duty"), flight, "activated").state == "activated"


def test_an_acknowledgement_is_given_once_and_only_by_a_recipient(world):
    flight = fly(ACROSS_THE_DANUBE)
    acknowledgement = do_acknowledge_flight(person("hr-mod-duty"), flight)
    assert (acknowledgement.organisation.code, acknowledgement.cross_border, acknowledgement.acknowledged_by_label) == (
        "HR-MOD",
        True,
        "hr-mod-duty",
    )
    with pytest.raises(NotAwaited):
        do_acknowledge_flight(person("hr-mod-supervisor"), flight)
    with pytest.raises(NotAwaited):
        do_acknowledge_flight(person("hr-cert-duty"), flight)
    assert AuditEntry.objects.filter(action="drone_flight.acknowledged").count() == 1


@pytest.mark.parametrize(
    "path",
    [
        ["activated", "completed"],
        ["activated", "non_conforming", "activated", "completed"],
        ["activated", "non_conforming", "completed"],
        ["cancelled"],
    ],
    ids=lambda path: " → ".join(path),
)
def test_a_flight_moves_through_the_states_allowed(world, path):
    flight = fly(circle(*NEAR_THE_DANUBE, 1_000))
    for state in path:
        flight = do_change_flight_state(
            person("rs-mod-duty"), flight, state, deviation_report="Drifted 300 m east in a gust."
        )
        assert flight.state == state
    assert [
        entry.content["details"]["to"]
        for entry in AuditEntry.objects.filter(action="drone_flight.state_changed").order_by("seq")
    ] == path


@pytest.mark.parametrize(
    "path, refused",
    [
        ([], "completed"),
        ([], "non_conforming"),
        (["activated"], "planned"),
        (["activated"], "cancelled"),
        (["activated", "completed"], "activated"),
        (["cancelled"], "activated"),
        (["cancelled"], "planned"),
        ([], "landed"),
    ],
    ids=[
        "planned → completed",
        "planned → non-conforming",
        "activated → planned",
        "activated → cancelled",
        "completed → activated",
        "cancelled → activated",
        "cancelled → planned",
        "an unknown state",
    ],
)
def test_a_flight_cannot_skip_or_go_back(world, path, refused):
    flight = fly(circle(*NEAR_THE_DANUBE, 1_000))
    operator = person("rs-mod-duty")
    for state in path:
        flight = do_change_flight_state(operator, flight, state)
    with pytest.raises(ValidationError, match="cannot become|The state is one of"):
        do_change_flight_state(operator, flight, refused, deviation_report="Anything.")
    flight.refresh_from_db()
    assert flight.state == (path[-1] if path else "planned")


def test_a_non_conforming_flight_says_how_it_deviates(world):
    flight = fly(circle(*NEAR_THE_DANUBE, 1_000))
    operator = person("rs-mod-duty")
    do_change_flight_state(operator, flight, "activated")
    with pytest.raises(ValidationError, match="Say how the flight deviates"):
        do_change_flight_state(operator, flight, "non_conforming", deviation_report="  ")
    flight = do_change_flight_state(
        operator, flight, "non_conforming", deviation_report="Lost link for 40 s; drifted 300 m east."
    )
    assert payload(flight)["deviation_report"] == "Lost link for 40 s; drifted 300 m east."


def test_each_recipient_is_paged_at_its_urgency(world):
    flight = fly(ACROSS_THE_DANUBE)
    timers = timers_of(flight)
    assert {code: timer.severity for code, timer in timers.items()} == {
        "HR-MOD": Severity.HIGH,
        "WBC-SEC": Severity.MEDIUM,
    }
    assert timers["HR-MOD"].deadline - timers["HR-MOD"].started_at == timedelta(minutes=15)
    assert timers["WBC-SEC"].deadline - timers["WBC-SEC"].started_at == timedelta(hours=1)
    do_acknowledge_flight(person("hr-mod-duty"), flight)
    timers["HR-MOD"].refresh_from_db()
    assert timers["HR-MOD"].state == TimerState.ACKNOWLEDGED


def test_cancelling_a_flight_stops_every_clock(world):
    flight = fly(ACROSS_THE_DANUBE)
    started = timers_of(flight)["HR-MOD"].started_at
    do_change_flight_state(person("rs-mod-duty"), flight, "cancelled")
    assert {code: (timer.state, timer.stopped_by_label) for code, timer in timers_of(flight).items()} == {
        "HR-MOD": (TimerState.CANCELLED, f"{flight.reference} cancelled"),
        "WBC-SEC": (TimerState.CANCELLED, f"{flight.reference} cancelled"),
    }
    assert tick(now=started + timedelta(hours=2)) == 0


def test_completing_a_flight_stops_the_clocks_still_running(world):
    flight = fly(ACROSS_THE_DANUBE)
    operator = person("rs-mod-duty")
    do_acknowledge_flight(person("hr-mod-duty"), flight)
    do_change_flight_state(operator, flight, "activated")
    do_change_flight_state(operator, flight, "completed")
    assert {code: timer.state for code, timer in timers_of(flight).items()} == {
        "HR-MOD": TimerState.ACKNOWLEDGED,
        "WBC-SEC": TimerState.CANCELLED,
    }
    assert tick(now=timezone.now() + timedelta(hours=2)) == 0


# Deconfliction ----------------------------------------------------------------------------------------

SERBIAN_BANK = box(19.38, 45.24, 19.45, 45.28)  # over Bačka Palanka and the river
CROATIAN_BANK = box(19.36, 45.21, 19.43, 45.26)  # over Ilok and the river: overlaps the Serbian box


def test_two_operators_whose_volumes_overlap_are_both_warned(world):
    start = timezone.now().replace(microsecond=0) + timedelta(days=4)
    serbian = fly(SERBIAN_BANK, lower=(100, "AMSL"), upper=(300, "AMSL"), start=start)
    croatian = fly(
        CROATIAN_BANK, by="hr-mod-duty", lower=(250, "AMSL"), upper=(400, "AMSL"), start=start + timedelta(hours=1)
    )
    [found] = DroneConflict.objects.select_related("first__flight", "second__flight")
    assert {found.first.flight, found.second.flight} == {serbian, croatian}
    for operator, own, other in (("RS-MOD", serbian, croatian), ("HR-MOD", croatian, serbian)):
        [warning] = [event for event in events_about(own, operator) if event["type"] == "drone_flight.conflict"]
        assert [item["flight"] for item in warning["drone_flight"]["conflicts_with"]] == [other.reference], operator
    assert [item["flight"] for item in payload(serbian)["conflicts_with"]] == [croatian.reference]
    [entry] = AuditEntry.objects.filter(action="drone_flight.conflict_found")
    assert entry.content["details"]["flights"] == sorted([serbian.reference, croatian.reference])


def test_a_party_told_of_one_flight_is_not_told_of_its_conflict_with_a_flight_it_may_not_see(world):
    start = timezone.now().replace(microsecond=0) + timedelta(days=4)
    serbian = fly(box(19.30, 45.25, 20.60, 45.35), start=start)  # from the Danube at Croatia's border to Zrenjanin
    bosnian = fly(circle(20.50, 45.30, 2_000), by="ba-mod-duty", start=start)  # over Zrenjanin, 90 km from Croatia
    assert "HR" in [item["party"] for item in serbian.neighbours]
    assert "HR" not in [item["party"] for item in bosnian.neighbours]
    assert [item["flight"] for item in payload(serbian)["conflicts_with"]] == [
        bosnian.reference
    ]  # the operator is warned
    assert conflicts_of([serbian], organisation("HR-MOD"))[serbian.pk] == []
    assert conflicts_of([bosnian], organisation("BA-MOD"))[bosnian.pk] != []  # and so is the other operator
    told_croatia = json.dumps(events_after(organisation("HR-MOD").pk, 0))
    assert serbian.reference in told_croatia and bosnian.reference not in told_croatia


@pytest.mark.parametrize(
    "croatian_volume",
    [
        {"lower": (300, "AMSL"), "upper": (500, "AMSL")},  # altitude: starts where the Serbian one ends
        {
            "lower": (100, "AMSL"),
            "upper": (300, "AMSL"),
            "delay": timedelta(hours=2),
        },  # time: starts as the Serbian one lands
    ],
    ids=["altitude bands that touch", "time windows that touch"],
)
def test_volumes_that_only_touch_raise_no_warning(world, croatian_volume):
    start = timezone.now().replace(microsecond=0) + timedelta(days=4)
    serbian = fly(SERBIAN_BANK, lower=(100, "AMSL"), upper=(300, "AMSL"), start=start, hours=2)
    delay = croatian_volume.pop("delay", timedelta(0))
    croatian = fly(CROATIAN_BANK, by="hr-mod-duty", start=start + delay, hours=2, **croatian_volume)
    assert not DroneConflict.objects.exists()
    assert payload(serbian)["conflicts_with"] == [] and payload(croatian)["conflicts_with"] == []
    assert not [
        event for event in events_after(organisation("RS-MOD").pk, 0) if event["type"] == "drone_flight.conflict"
    ]


def test_areas_that_share_only_an_edge_raise_no_warning(world):
    start = timezone.now().replace(microsecond=0) + timedelta(days=4)
    fly(box(19.38, 45.24, 19.45, 45.28), start=start)
    fly(box(19.38, 45.20, 19.45, 45.24), by="hr-mod-duty", start=start)
    assert not DroneConflict.objects.exists()


def test_a_cancelled_flight_conflicts_with_nothing(world):
    start = timezone.now().replace(microsecond=0) + timedelta(days=4)
    serbian = fly(SERBIAN_BANK, start=start)
    do_change_flight_state(person("rs-mod-duty"), serbian, "cancelled")
    fly(CROATIAN_BANK, by="hr-mod-duty", start=start)
    assert not DroneConflict.objects.exists()


# Who sees a flight --------------------------------------------------------------------------------------


def test_only_the_concerned_parties_and_the_commission_see_a_flight_and_are_told(world):
    flight = fly(ACROSS_THE_DANUBE)
    concerned = {"RS", "HR", "WBC"}
    for member in Organisation.objects.select_related("party"):
        someone = member.people.first()
        expected = member.party.code in concerned and member.kind != OrganisationKind.OBSERVER
        assert visible_flights(someone).filter(pk=flight.pk).exists() == expected, member.code
        assert bool(events_about(flight, member.code)) == expected, member.code
    with pytest.raises(Http404):
        access_flight(person("ba-mod-duty"), flight.reference)
    assert access_flight(person("hr-cert-duty"), flight.reference) == flight


def test_a_flight_deep_inside_a_party_is_seen_by_nobody_else(world):
    flight = fly(circle(*KRAGUJEVAC, 5_000))
    assert not visible_flights(person("hr-mod-duty")).filter(pk=flight.pk).exists()
    assert events_about(flight, "HR-MOD") == []
    assert visible_flights(person("wbc-sec-duty")).filter(pk=flight.pk).exists()


# A new boundary file --------------------------------------------------------------------------------------


def croatia_moved_west(degrees: float) -> bytes:
    """The committed boundaries with Croatia's whole outline moved `degrees` of longitude west."""
    collection = json.loads(borders.COMMITTED_FILE.read_text())

    def shift(coordinates):
        if isinstance(coordinates[0], int | float):
            return [coordinates[0] - degrees, *coordinates[1:]]
        return [shift(part) for part in coordinates]

    for feature in collection["features"]:
        if feature["properties"]["code"] == "HR":
            feature["geometry"]["coordinates"] = shift(feature["geometry"]["coordinates"])
    return json.dumps(collection).encode()


def test_replacing_the_boundary_file_changes_what_the_next_flight_computes(world):
    before = fly(ACROSS_THE_DANUBE)
    near_before = fly(circle(*NEAR_THE_DANUBE, 1_000))

    loaded = borders.do_load_boundaries(
        croatia_moved_west(0.1), label="WBC-2027-1", source="Test: Croatia 0.1° west", loaded_by="wbc-sec-admin"
    )
    after = fly(ACROSS_THE_DANUBE)
    near_after = fly(circle(*NEAR_THE_DANUBE, 1_000))

    assert after.boundary_version == f"WBC-2027-1@{loaded.sha256[:12]}" != before.boundary_version
    assert (before.crosses_into, after.crosses_into) == (["HR"], [])
    [moved] = after.neighbours
    assert moved["party"] == "HR" and moved["distance_m"] == measured(ACROSS_THE_DANUBE, "HR") > 1_000
    assert recipients(after) == [("HR-MOD", moved["distance_m"], False), ("WBC-SEC", None, False)]
    assert near_after.neighbours[0]["distance_m"] > near_before.neighbours[0]["distance_m"] + 5_000
    # What was notified keeps what it was computed with.
    before.refresh_from_db()
    assert (before.crosses_into, before.neighbours[0]["distance_m"]) == (["HR"], 0.0)
    assert before.boundary_version.startswith("natural-earth-10m@")
    # The moved line no longer runs through the river: the new flight activates without Croatia.
    assert do_change_flight_state(person("rs-mod-duty"), after, "activated").state == "activated"


def test_an_area_far_from_every_party_is_refused_as_probably_swapped_coordinates(world):
    belgrade_swapped = circle(44.82, 20.46, 2_000)  # [latitude, longitude] of Belgrade: the Arabian Peninsula
    with pytest.raises(ValidationError) as refused:
        fly(belgrade_swapped)
    assert "were they swapped" in refused.value.message_dict["volumes[0].area"][0]
    assert DroneFlight.objects.count() == 0


@pytest.mark.parametrize(
    "bad_area",
    [
        box(19.40, 45.30, 19.42, 10**400),  # a number no float holds
        {"type": "Polygon", "coordinates": [[[19.40, 45.30, 10**400], [19.42, 45.30], [19.42, 45.32], [19.40, 45.30]]]},
    ],
)
def test_numbers_too_large_for_arithmetic_are_refused_not_crashed_on(world, bad_area):
    with pytest.raises(ValidationError):
        fly(bad_area)


def test_an_altitude_too_large_for_a_float_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        fly(circle(19.45, 45.30, 1_000), upper=(10**400, "AGL"))
    assert "volumes[0].altitude_upper" in refused.value.message_dict
