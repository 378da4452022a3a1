"""Exercise notifications, observation invitations, drone flights and the notification policy through
the API: real database, real actions, the demo world and API keys of its organisations.

Places: a square north of Bačka Palanka lies in Serbia 4.6 km from Croatia; a square astride the Danube
between Bačka Palanka and Ilok enters Croatia; a circle at 19.45° E 45.30° N lies in Serbia 7 km from
Croatia; around 20.9° E 44.0° N (Šumadija) no other party lies within 25 km.
"""

import math
from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import ApiScope
from hotline.audit.models import AuditEntry
from incidents.geojson import MAX_POLYGON_VERTICES
from incidents.notifications.models import DroneFlight, ExerciseNotification, NotificationPolicy, ObservationReply
from tests.incidents.conftest import make_key_client

EXERCISES = "/api/v1/exercise-notifications/"
FLIGHTS = "/api/v1/drone-flights/"
POLICY = "/api/v1/notification-policy/"
NOTIFICATIONS = (ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_WRITE)


def square(west: float, south: float, east: float, north: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


NORTH_OF_BACKA_PALANKA = square(19.40, 45.28, 19.55, 45.36)
ACROSS_THE_DANUBE_AT_ILOK = square(19.35, 45.20, 19.42, 45.27)
SUMADIJA = square(20.85, 43.95, 20.95, 44.05)
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[19.40, 45.28], [19.55, 45.36], [19.55, 45.28], [19.40, 45.36], [19.40, 45.28]]],
}
NEAR_CROATIA = {"lon": 19.45, "lat": 45.30, "radius_m": 2000}
DEEP_IN_SERBIA = {"lon": 20.9, "lat": 44.0, "radius_m": 2000}


def key(owner: str, scopes=NOTIFICATIONS):
    """A client with a new API key of `owner` (both notification scopes unless `scopes` says otherwise)."""
    return make_key_client(owner, scopes)


def at(days: float = 0, hours: float = 0) -> str:
    return (timezone.now() + timedelta(days=days, hours=hours)).isoformat()


def exercise(**overrides) -> dict:
    """A brigade exercise near the Croatian border, notified 60 days ahead (the notice period is 42)."""
    return {
        "designation": "Danube Shield",
        "exercise_type": "field_training",
        "purpose": "River crossing and defence of bridges.",
        "starts_at": at(days=60),
        "ends_at": at(days=64),
        "area": NORTH_OF_BACKA_PALANKA,
        "place_names": "Bačka Palanka",
        "command_level": "brigade",
        "troops": 2400,
        "battle_tanks": 12,
        "armoured_combat_vehicles": 40,
        **overrides,
    }


def volume(
    area: dict | None = None,
    *,
    polygon: dict | None = None,
    lower=(0, "m", "AGL"),
    upper=(1500, "ft", "AMSL"),
    start: str | None = None,
    end: str | None = None,
) -> dict:
    shape = {"polygon": polygon} if polygon is not None else {"circle": area or NEAR_CROATIA}
    return {
        **shape,
        "altitude_lower": dict(zip(("value", "unit", "reference"), lower, strict=True)),
        "altitude_upper": dict(zip(("value", "unit", "reference"), upper, strict=True)),
        "start": start or at(days=4),
        "end": end or at(days=4, hours=4),
    }


def flight(*volumes, **overrides) -> dict:
    """The request of DESIGN.md's example: a TB2 (category as air forces write it), 4 days ahead."""
    return {
        "aircraft": {
            "type": "Bayraktar TB2",
            "category": "MALE",
            "armed": False,
            "mtom_kg": 650,
            "remote_id": "RS-TB2-0007",
        },
        "purpose": "border surveillance",
        "volumes": list(volumes) or [volume()],
        **overrides,
    }


def notified(by: str = "RS-MOD", **overrides) -> dict:
    response = key(by).post(EXERCISES, exercise(**overrides))
    assert response.status_code == 201, response.json()
    return response.json()


def filed(by: str = "RS-MOD", *volumes) -> dict:
    response = key(by).post(FLIGHTS, flight(*volumes))
    assert response.status_code == 201, response.json()
    return response.json()


def refused_fields(response) -> dict:
    assert (response.status_code, response.json()["code"]) == (400, "invalid"), response.json()
    return response.json()["fields"]


# --- exercises ---------------------------------------------------------------------------------------


def test_a_crisis_centre_notifies_an_exercise_and_every_other_party_and_the_commission_receive_it(api_world):
    response = key("RS-MOD").post(EXERCISES, exercise())
    assert response.status_code == 201, response.json()
    notice = response.json()
    assert response["Location"] == f"{EXERCISES}{notice['id']}/"
    assert (notice["reference"], notice["organisation"], notice["party"]) == (
        f"EX-{timezone.now().year}-0001",
        "RS-MOD",
        "RS",
    )
    assert (notice["state"], notice["version"], notice["late_by"], notice["late_by_text"]) == ("notified", 1, None, "")
    assert notice["recipients"] == ["AL-MOD", "BA-MOD", "HR-MOD", "ME-MOD", "MK-MOD", "WBC-SEC", "XK-MOD"]
    assert [reason["code"] for reason in notice["notifiable_reasons"]] == ["troops", "troops_near_border"]
    assert [border["party"] for border in notice["near_borders"]] == ["HR"]
    assert notice["area"] == NORTH_OF_BACKA_PALANKA
    assert key("HR-MOD").get(f"{EXERCISES}{notice['id']}/").json() == notice


def test_a_notice_given_after_the_notice_period_began_says_how_late_it_is(api_world):
    notice = notified(starts_at=at(days=10, hours=12), ends_at=at(days=12))  # 31.5 days into the 42
    assert notice["late_by_text"] == "late by 32 days"
    assert 31.5 * 86400 <= notice["late_by"] < 31.6 * 86400


def test_missing_fields_are_named_under_the_invalid_code(api_world):
    body = exercise(exercise_type="parade", command_level="platoon", troops=-1)
    for name in ("designation", "purpose", "starts_at", "area"):
        del body[name]
    fields = refused_fields(key("RS-MOD").post(EXERCISES, body))
    assert set(fields) == {"designation", "purpose", "starts_at", "area", "exercise_type", "command_level", "troops"}
    assert ExerciseNotification.objects.count() == 0


def test_a_self_crossing_area_is_refused(api_world):
    fields = refused_fields(key("RS-MOD").post(EXERCISES, exercise(area=BOWTIE)))
    assert "not valid" in fields["area"][0]
    assert ExerciseNotification.objects.count() == 0


def test_figures_that_disagree_and_an_end_before_the_start_are_refused_by_the_rules(api_world):
    fields = refused_fields(
        key("RS-MOD").post(EXERCISES, exercise(exercise_type="live_firing", starts_at=at(days=60), ends_at=at(days=59)))
    )
    assert set(fields) == {"live_fire", "ends_at"}


def test_the_commission_receives_exercises_but_may_not_file_them(api_world):
    response = key("WBC-SEC").post(EXERCISES, exercise())
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert AuditEntry.objects.filter(action="access.refused", body__contains="file exercise notifications").exists()


def test_observers_see_no_exercises_and_the_commission_sees_them_all(api_world):
    notice = notified()
    osce = key("OSCE-CPC")
    assert osce.get(EXERCISES).json()["results"] == []
    hidden = osce.get(f"{EXERCISES}{notice['id']}/")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert [item["reference"] for item in key("WBC-SEC").get(EXERCISES).json()["results"]] == [notice["reference"]]
    assert [item["reference"] for item in key("ME-CERT").get(EXERCISES).json()["results"]] == [notice["reference"]]


def test_the_list_filters_by_party_state_and_dates(api_world):
    serbian = notified("RS-MOD", starts_at=at(days=60), ends_at=at(days=64))
    croatian = notified("HR-MOD", area=square(18.60, 45.45, 18.75, 45.55), starts_at=at(days=90), ends_at=at(days=91))
    assert key("HR-MOD").post(f"{EXERCISES}{croatian['id']}/cancel/", {"reason": "Flood relief."}).status_code == 201
    client = key("BA-MOD")

    def listed(**query) -> list[str]:
        response = client.get(EXERCISES, query)
        assert response.status_code == 200, response.json()
        return [item["reference"] for item in response.json()["results"]]

    assert listed() == [croatian["reference"], serbian["reference"]]
    assert listed(party="hr") == [croatian["reference"]]
    assert listed(state="notified") == [serbian["reference"]]
    assert listed(state="cancelled") == [croatian["reference"]]
    day_61, day_80 = (
        (timezone.now() + timedelta(days=61)).date().isoformat(),
        (timezone.now() + timedelta(days=80)).date().isoformat(),
    )
    assert listed(**{"from": day_61, "to": day_80}) == [serbian["reference"]]
    assert listed(**{"from": at(days=65)}) == [croatian["reference"]]
    assert listed(to=at(days=30)) == []
    for refused in ({"party": "XX"}, {"state": "over"}, {"from": "2026-13-01"}, {"to": "next week"}):
        assert set(refused_fields(client.get(EXERCISES, refused))) == set(refused)


def test_the_notifier_amends_and_the_new_version_says_what_changed(api_world):
    notice = notified()
    change = {
        "starts_at": at(days=61),
        "ends_at": at(days=65),
        "troops": 1200,
        "reason": "Flooding on the training area.",
    }
    response = key("RS-MOD").post(f"{EXERCISES}{notice['id']}/amend/", change)
    assert response.status_code == 201, response.json()
    amended = response.json()
    assert (amended["version"], amended["troops"], amended["battle_tanks"]) == (2, 1200, 12)
    assert [reason["code"] for reason in amended["notifiable_reasons"]] == ["troops_near_border"]
    [notice_version, amendment] = amended["versions"]
    assert (amendment["kind"], amendment["reason"]) == ("amendment", "Flooding on the training area.")
    assert {change["field"] for change in amendment["changes"]} == {"starts_at", "ends_at", "troops"}
    assert notice_version["changes"] == []


def test_an_amendment_needs_a_reason_and_a_change_and_only_the_notifier_makes_it(api_world):
    notice = notified()
    path = f"{EXERCISES}{notice['id']}/amend/"
    assert set(refused_fields(key("RS-MOD").post(path, {"troops": 1000}))) == {"reason"}
    assert set(refused_fields(key("RS-MOD").post(path, {"troops": 2400, "reason": "Recount."}))) == {"notification"}
    assert set(refused_fields(key("RS-MOD").post(path, {"troops": "many", "reason": "Recount."}))) == {"troops"}
    response = key("HR-MOD").post(path, {"troops": 1000, "reason": "Ours now."})
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert key("RS-CERT").post(path, {"troops": 1000, "reason": "Same party, but not the notifier."}).status_code == 403


def test_a_recipient_acknowledges_through_the_api_and_a_second_acknowledgement_finds_nothing_waiting(api_world):
    notice = notified()
    hr = key("HR-MOD")
    path = f"{EXERCISES}{notice['id']}/acknowledge/"
    response = hr.post(path, {})
    assert response.status_code == 200, response.json()
    [given] = [ack for ack in response.json()["acknowledgements"] if ack["organisation"] == "HR-MOD"]
    assert (given["method"], given["acknowledged_by"]) == ("api", f"api-key:{hr.key.prefix}")
    again = hr.post(path, {})
    assert (again.status_code, again.json()["code"]) == (409, "not_awaiting_acknowledgement")
    # HR-CERT sees a field exercise but does not receive it: nothing waits on it.
    assert key("HR-CERT").post(path, {}).status_code == 409


def test_acknowledging_up_to_a_version_leaves_the_newer_one_waiting(api_world):
    notice = notified()
    key("RS-MOD").post(f"{EXERCISES}{notice['id']}/amend/", {"troops": 1000, "reason": "Fewer units."})
    response = key("HR-MOD").post(f"{EXERCISES}{notice['id']}/acknowledge/", {"version": 1})
    assert response.status_code == 200, response.json()
    waiting = {
        version["number"]: [
            a["acknowledged_at"] is not None for a in version["acknowledgements"] if a["organisation"] == "HR-MOD"
        ]
        for version in response.json()["versions"]
    }
    assert waiting == {1: [True], 2: [False]}
    assert set(refused_fields(key("HR-MOD").post(f"{EXERCISES}{notice['id']}/acknowledge/", {"version": 0}))) == {
        "version"
    }


def test_a_cancelled_exercise_cannot_change_any_more(api_world):
    notice = notified()
    rs = key("RS-MOD")
    response = rs.post(f"{EXERCISES}{notice['id']}/cancel/", {"reason": "Forces needed for flood relief."})
    assert response.status_code == 201, response.json()
    assert (response.json()["state"], response.json()["versions"][-1]["kind"]) == ("cancelled", "cancellation")
    assert set(refused_fields(rs.post(f"{EXERCISES}{notice['id']}/amend/", {"troops": 1, "reason": "Too late."}))) == {
        "notification"
    }
    assert set(refused_fields(rs.post(f"{EXERCISES}{notice['id']}/cancel/", {}))) == {"reason"}


def test_the_notifier_invites_observers_and_an_invited_party_accepts_within_the_numbers(api_world):
    notice = notified()
    invitation = {
        "starts_at": at(days=62),
        "ends_at": at(days=63),
        "reporting_point": "Barracks gate, 07:30",
        "observers_per_party": 2,
        "reply_by": at(days=30),
    }
    response = key("RS-MOD").post(f"{EXERCISES}{notice['id']}/invitations/", invitation)
    assert response.status_code == 201, response.json()
    reply_path = f"/api/v1/exercise-invitations/{response.json()['id']}/reply/"
    hr = key("HR-MOD")
    three = {"answer": "accepted", "observers": ["Col. Ana Kovač", "Maj. Ivan Horvat", "Capt. Luka Babić"]}
    fields = refused_fields(hr.post(reply_path, three))
    assert "At most 2 observers" in fields["observers"][0]
    response = hr.post(reply_path, {"answer": "accepted", "observers": ["Col. Ana Kovač", "Maj. Ivan Horvat"]})
    assert response.status_code == 200, response.json()
    assert [(r["organisation"], r["answer"], r["observers"]) for r in response.json()["replies"]] == [
        ("HR-MOD", "accepted", ["Col. Ana Kovač", "Maj. Ivan Horvat"])
    ]
    assert (
        key("RS-MOD").get(f"{EXERCISES}{notice['id']}/").json()["invitations"][0]["replies"][0]["organisation"]
        == "HR-MOD"
    )


def test_an_invitation_reply_after_the_reply_by_date_is_refused(api_world):
    notice = notified()
    invitation = (
        key("RS-MOD")
        .post(
            f"{EXERCISES}{notice['id']}/invitations/",
            {
                "starts_at": at(days=62),
                "ends_at": at(days=63),
                "reporting_point": "Barracks gate",
                "observers_per_party": 2,
                "reply_by": at(days=30),
            },
        )
        .json()
    )
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        fields = refused_fields(
            key("HR-MOD").post(f"/api/v1/exercise-invitations/{invitation['id']}/reply/", {"answer": "declined"})
        )
    assert "Replies were due by" in fields["invitation"][0]
    assert ObservationReply.objects.count() == 0


def test_only_invited_organisations_answer_and_observers_cannot_find_the_invitation(api_world):
    notice = notified()
    invitation = (
        key("RS-MOD")
        .post(
            f"{EXERCISES}{notice['id']}/invitations/",
            {
                "starts_at": at(days=62),
                "ends_at": at(days=63),
                "reporting_point": "Barracks gate",
                "observers_per_party": 2,
                "reply_by": at(days=30),
            },
        )
        .json()
    )
    path = f"/api/v1/exercise-invitations/{invitation['id']}/reply/"
    assert key("WBC-SEC").post(path, {"answer": "declined"}).json()["code"] == "permission_denied"
    assert key("OSCE-CPC").post(path, {"answer": "declined"}).status_code == 404
    assert key("HR-MOD").post("/api/v1/exercise-invitations/99999/reply/", {"answer": "declined"}).status_code == 404
    assert set(refused_fields(key("HR-MOD").post(path, {"answer": "maybe"}))) == {"answer"}


def test_an_invitation_whose_replies_are_due_in_the_past_is_refused(api_world):
    notice = notified()
    fields = refused_fields(
        key("RS-MOD").post(
            f"{EXERCISES}{notice['id']}/invitations/",
            {
                "starts_at": at(days=62),
                "ends_at": at(days=63),
                "reporting_point": "Barracks gate",
                "observers_per_party": 2,
                "reply_by": at(days=-1),
            },
        )
    )
    assert set(fields) == {"reply_by"}


def test_assessing_an_exercise_says_why_it_is_notifiable_and_files_nothing(api_world):
    rs = key("RS-MOD")
    before = AuditEntry.objects.count()
    response = rs.post(
        f"{EXERCISES}assess/",
        {
            "exercise_type": "field_training",
            "starts_at": at(days=10, hours=12),
            "area": NORTH_OF_BACKA_PALANKA,
            "troops": 2400,
        },
    )
    assert response.status_code == 200, response.json()
    assessment = response.json()
    assert (assessment["notifiable"], [r["code"] for r in assessment["notifiable_reasons"]]) == (
        True,
        ["troops", "troops_near_border"],
    )
    assert assessment["late_by_text"] == "late by 32 days"
    assert [border["party"] for border in assessment["near_borders"]] == ["HR"]
    assert assessment["boundary_version"]
    assert (ExerciseNotification.objects.count(), AuditEntry.objects.count()) == (0, before)
    quiet = rs.post(
        f"{EXERCISES}assess/",
        {"exercise_type": "command_post", "starts_at": at(days=60), "area": SUMADIJA, "troops": 200},
    )
    assert (quiet.json()["notifiable"], quiet.json()["near_borders"], quiet.json()["late_by"]) == (False, [], None)


# --- drone flights -----------------------------------------------------------------------------------


def test_a_flight_filed_as_in_the_design_goes_to_the_party_within_the_buffer_and_the_commission(api_world):
    response = key("RS-MOD").post(FLIGHTS, flight())
    assert response.status_code == 201, response.json()
    notice = response.json()
    assert response["Location"] == f"{FLIGHTS}{notice['id']}/"
    assert (notice["reference"], notice["state"], notice["late_by"]) == (
        f"DF-{timezone.now().year}-00001",
        "planned",
        None,
    )
    assert notice["aircraft"] == {
        "type": "Bayraktar TB2",
        "category": "male",
        "armed": False,
        "mtom_kg": 650.0,
        "remote_id": "RS-TB2-0007",
    }
    [croatia] = notice["neighbours_within_buffer"]
    assert croatia["party"] == "HR" and 6_000 < croatia["distance_m"] < 8_000
    assert (notice["crosses_into"], notice["conflicts_with"], notice["awaiting_cross_border"]) == ([], [], [])
    assert (notice["recipients"], notice["buffer_m"]) == (["HR-MOD", "WBC-SEC"], 25_000)
    assert notice["volumes"][0]["circle"] == NEAR_CROATIA
    assert notice["volumes"][0]["altitude_upper"] == {"value": 1500.0, "unit": "ft", "reference": "AMSL"}


def test_a_flight_into_croatia_is_activated_only_after_hr_mod_acknowledges(api_world):
    notice = filed("RS-MOD", volume(polygon=ACROSS_THE_DANUBE_AT_ILOK))
    assert (notice["crosses_into"], notice["awaiting_cross_border"]) == (["HR"], ["HR-MOD"])
    rs, state = key("RS-MOD"), f"{FLIGHTS}{notice['id']}/state/"
    fields = refused_fields(rs.post(state, {"state": "activated"}))
    assert "HR-MOD" in fields["state"][0]
    acknowledged = key("HR-MOD").post(f"{FLIGHTS}{notice['id']}/acknowledge/", {})
    assert acknowledged.status_code == 200, acknowledged.json()
    assert acknowledged.json()["awaiting_cross_border"] == []
    assert rs.post(state, {"state": "activated"}).json()["state"] == "activated"
    drifting = rs.post(state, {"state": "non_conforming", "deviation_report": "Drifted 800 m east in strong wind."})
    assert (drifting.json()["state"], drifting.json()["deviation_report"]) == (
        "non_conforming",
        "Drifted 800 m east in strong wind.",
    )
    assert rs.post(state, {"state": "completed"}).json()["state"] == "completed"


def test_refused_volumes_keep_their_keys(api_world):
    body = flight(
        volume(polygon=BOWTIE),
        volume(lower=(1000, "m", "AMSL"), upper=(500, "m", "AMSL")),
        volume(start=at(days=4), end=at(days=3)),
        volume(start="2026-13-01T08:00:00Z"),
        volume(upper=(10**400, "m", "AMSL")),
    )
    fields = refused_fields(key("RS-MOD").post(FLIGHTS, body))
    assert set(fields) == {"volumes[3].start", "volumes[4].altitude_upper"}  # what cannot even be read is refused first
    del body["volumes"][3:]
    fields = refused_fields(key("RS-MOD").post(FLIGHTS, body))
    assert set(fields) == {"volumes[0].area", "volumes[1].altitude_upper", "volumes[2].end"}
    assert "not valid" in fields["volumes[0].area"][0]
    assert fields["volumes[1].altitude_upper"] == ["The upper altitude must lie above the lower one."]
    assert fields["volumes[2].end"] == ["A volume must end after it starts."]
    assert set(refused_fields(key("RS-MOD").post(FLIGHTS, flight(volumes=[])))) == {"volumes"}
    assert DroneFlight.objects.count() == 0


def test_a_flight_needs_its_aircraft_and_purpose(api_world):
    body = flight()
    del body["purpose"]
    body["aircraft"] = {"type": "", "category": "blimp", "mtom_kg": -1}
    fields = refused_fields(key("RS-MOD").post(FLIGHTS, body))
    assert set(fields) == {"purpose", "aircraft"}
    assert set(fields["aircraft"]) == {"type", "category", "mtom_kg"}


def test_a_state_the_flight_cannot_reach_is_refused(api_world):
    notice = filed()
    rs, path = key("RS-MOD"), f"{FLIGHTS}{notice['id']}/state/"
    fields = refused_fields(rs.post(path, {"state": "completed"}))
    assert "cannot become completed" in fields["state"][0]
    assert set(refused_fields(rs.post(path, {"state": "planned"}))) == {"state"}
    assert set(refused_fields(rs.post(path, {"state": "landed"}))) == {"state"}
    assert rs.post(path, {"state": "cancelled"}).json()["state"] == "cancelled"
    assert "cannot become activated" in refused_fields(rs.post(path, {"state": "activated"}))["state"][0]


def test_only_the_operator_changes_a_flights_state_and_only_a_recipient_acknowledges_it(api_world):
    notice = filed()
    response = key("HR-MOD").post(f"{FLIGHTS}{notice['id']}/state/", {"state": "cancelled"})
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    # RS-CERT sees its own party's flight but is not a recipient.
    response = key("RS-CERT").post(f"{FLIGHTS}{notice['id']}/acknowledge/", {})
    assert (response.status_code, response.json()["code"]) == (409, "not_awaiting_acknowledgement")
    response = key("WBC-SEC").post(f"{FLIGHTS}{notice['id']}/acknowledge/", {})
    assert response.status_code == 200
    assert [(a["organisation"], a["method"]) for a in response.json()["acknowledgements"] if a["acknowledged_at"]] == [
        ("WBC-SEC", "api")
    ]


def test_a_party_not_within_the_buffer_does_not_learn_of_the_flight(api_world):
    near, deep = filed("RS-MOD"), filed("RS-MOD", volume(DEEP_IN_SERBIA))
    assert (deep["neighbours_within_buffer"], deep["recipients"]) == ([], ["WBC-SEC"])
    hr = key("HR-MOD")
    assert [item["reference"] for item in hr.get(FLIGHTS).json()["results"]] == [near["reference"]]
    hidden = hr.get(f"{FLIGHTS}{deep['id']}/")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert hr.post(f"{FLIGHTS}{deep['id']}/acknowledge/", {}).status_code == 404
    assert key("ME-MOD").get(FLIGHTS).json()["results"] == []
    assert key("ME-MOD").get(f"{FLIGHTS}{near['id']}/").status_code == 404
    assert key("OSCE-CPC").get(FLIGHTS).json()["results"] == []
    every = [deep["reference"], near["reference"]]
    assert [item["reference"] for item in key("WBC-SEC").get(FLIGHTS).json()["results"]] == every
    assert [item["reference"] for item in key("RS-CERT").get(FLIGHTS).json()["results"]] == every


def test_overlapping_flights_are_listed_as_conflicting_for_both_operators(api_world):
    first = filed("RS-MOD")
    second = filed("RS-CERT")
    assert [(c["flight"], c["operator"], c["volume"], c["with_volume"]) for c in second["conflicts_with"]] == [
        (first["reference"], "RS-MOD", 1, 1)
    ]
    listed = {item["reference"]: item["conflicts_with"] for item in key("WBC-SEC").get(FLIGHTS).json()["results"]}
    assert [c["flight"] for c in listed[first["reference"]]] == [second["reference"]]
    assert [c["flight"] for c in listed[second["reference"]]] == [first["reference"]]


def test_the_flight_list_filters_by_state_and_party(api_world):
    planned, cancelled = filed("RS-MOD"), filed("RS-MOD", volume(DEEP_IN_SERBIA))
    key("RS-MOD").post(f"{FLIGHTS}{cancelled['id']}/state/", {"state": "cancelled"})
    commission = key("WBC-SEC")
    assert [item["reference"] for item in commission.get(FLIGHTS, {"state": "planned"}).json()["results"]] == [
        planned["reference"]
    ]
    assert commission.get(FLIGHTS, {"party": "HR"}).json()["results"] == []
    assert len(commission.get(FLIGHTS, {"party": "RS", "from": at(days=3), "to": at(days=5)}).json()["results"]) == 2
    assert commission.get(FLIGHTS, {"from": at(days=5)}).json()["results"] == []


def test_a_retried_flight_notification_gets_the_first_answer_and_files_once(api_world):
    client = key("RS-MOD")
    body = flight()
    first = client.post(FLIGHTS, body, HTTP_IDEMPOTENCY_KEY="flight-0001")
    assert first.status_code == 201
    retry = client.post(FLIGHTS, body, HTTP_IDEMPOTENCY_KEY="flight-0001")
    assert (retry.status_code, retry["Idempotent-Replayed"]) == (201, "true")
    assert retry.json() == first.json()
    assert DroneFlight.objects.count() == 1
    other = client.post(FLIGHTS, flight(purpose="another flight"), HTTP_IDEMPOTENCY_KEY="flight-0001")
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert DroneFlight.objects.count() == 1


def test_assessing_a_flight_names_the_neighbours_and_files_nothing(api_world):
    rs = key("RS-MOD")
    before = AuditEntry.objects.count()
    response = rs.post(
        f"{FLIGHTS}assess/",
        {"volumes": [volume(polygon=ACROSS_THE_DANUBE_AT_ILOK, start=at(hours=10.5), end=at(hours=12))]},
    )
    assert response.status_code == 200, response.json()
    assessment = response.json()
    assert (assessment["crosses_into"], [n["party"] for n in assessment["neighbours_within_buffer"]]) == (
        ["HR"],
        ["HR"],
    )
    assert (assessment["late_by_text"], assessment["buffer_m"]) == ("late by 62 h", 25_000)
    assert (DroneFlight.objects.count(), AuditEntry.objects.count()) == (0, before)
    assert set(
        refused_fields(rs.post(f"{FLIGHTS}assess/", {"volumes": [volume(start=at(days=-2), end=at(days=-1))]}))
    ) == {"volumes[0].end"}
    assert key("WBC-SEC").post(f"{FLIGHTS}assess/", {"volumes": [volume()]}).status_code == 403


def test_a_page_of_either_list_costs_the_same_queries_however_many_notifications_it_holds(api_world):
    commission = key("WBC-SEC")

    def queries() -> tuple[int, int]:
        counted = []
        for path in (EXERCISES, FLIGHTS):
            with CaptureQueriesContext(connection) as captured:
                assert commission.get(path).status_code == 200
            counted.append(len(captured))
        return tuple(counted)

    notified("RS-MOD")
    filed("RS-MOD")
    filed("RS-CERT")  # in conflict with the first
    with_one = queries()
    notice = notified("HR-MOD", area=square(18.60, 45.45, 18.75, 45.55))
    key("HR-MOD").post(f"{EXERCISES}{notice['id']}/amend/", {"troops": 900, "reason": "Fewer units."})
    filed("RS-CERT")  # in conflict with both
    filed("RS-MOD", volume(polygon=ACROSS_THE_DANUBE_AT_ILOK))
    assert queries() == with_one


# --- scopes ------------------------------------------------------------------------------------------


def test_a_read_only_key_reads_but_may_not_file_or_acknowledge(api_world):
    notice = notified()
    reader = key("HR-MOD", scopes=[ApiScope.NOTIFICATIONS_READ])
    assert reader.get(EXERCISES).status_code == 200
    assert reader.get(f"{EXERCISES}{notice['id']}/").status_code == 200
    for path, body in ((EXERCISES, exercise()), (FLIGHTS, flight()), (f"{EXERCISES}{notice['id']}/acknowledge/", {})):
        response = reader.post(path, body)
        assert (response.status_code, response.json()["code"]) == (403, "missing_scope")


def test_a_key_without_the_notifications_read_scope_may_not_read_them(api_world):
    incidents_only = key("HR-MOD", scopes=[ApiScope.INCIDENTS_READ, ApiScope.INCIDENTS_WRITE])
    for path in (EXERCISES, FLIGHTS, POLICY):
        response = incidents_only.get(path)
        assert (response.status_code, response.json()["code"]) == (403, "missing_scope")


# --- the policy --------------------------------------------------------------------------------------


def test_the_policy_shows_the_vienna_document_figures_beside_the_commissions(api_world, api_person_client):
    policy = key("ME-CERT", scopes=[ApiScope.NOTIFICATIONS_READ]).get(POLICY).json()
    assert (policy["troops"], policy["drone_buffer_m"], policy["updated_at"]) == (1500, 25_000, None)
    troops = next(row for row in policy["thresholds"] if row["field"] == "troops")
    assert (troops["commission"], troops["vienna_notification"], troops["vienna_observation"]) == (1500, 9000, 13000)
    airborne = next(row for row in policy["thresholds"] if row["field"] == "airborne_or_amphibious_troops")
    assert (airborne["commission"], airborne["vienna_notification"]) == (None, 3000)
    assert api_person_client("osce-cpc-duty").get(POLICY).json() == policy


def test_a_commission_administrator_changes_the_policy_and_the_next_assessment_follows_it(api_world, api_person_client):
    rs = key("RS-MOD")
    body = {"exercise_type": "field_training", "starts_at": at(days=60), "area": SUMADIJA, "troops": 2400}
    assert rs.post(f"{EXERCISES}assess/", body).json()["notifiable"] is True
    assert [
        n["party"] for n in rs.post(f"{FLIGHTS}assess/", {"volumes": [volume()]}).json()["neighbours_within_buffer"]
    ] == ["HR"]
    admin = api_person_client("wbc-sec-admin")
    policy = admin.get(POLICY).json()
    response = admin.put(POLICY, {**policy, "troops": 3000, "drone_buffer_m": 5000}, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert (response.json()["troops"], response.json()["updated_by"]) == (3000, "wbc-sec-admin")
    assert NotificationPolicy.current().troops == 3000
    assert rs.post(f"{EXERCISES}assess/", body).json()["notifiable"] is False
    assert rs.post(f"{FLIGHTS}assess/", {"volumes": [volume()]}).json()["neighbours_within_buffer"] == []


def test_the_policy_is_refused_to_a_duty_officer_and_to_keys_and_checked_for_range(api_world, api_person_client):
    policy = key("WBC-SEC").get(POLICY).json()
    for client in (api_person_client("rs-mod-duty"), api_person_client("wbc-sec-duty")):
        response = client.put(POLICY, {**policy, "troops": 3000}, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert key("WBC-SEC").put(POLICY, {**policy, "troops": 3000}, content_type="application/json").status_code == 403
    assert NotificationPolicy.current().troops == 1500
    admin = api_person_client("wbc-sec-admin")
    fields = refused_fields(
        admin.put(POLICY, {**policy, "troops": 0, "drone_buffer_m": 500_000}, content_type="application/json")
    )
    assert set(fields) == {"troops", "drone_buffer_m"}
    incomplete = dict(policy)
    del incomplete["border_troops"]
    assert set(refused_fields(admin.put(POLICY, incomplete, content_type="application/json"))) == {"border_troops"}


# --- geometries outside the region ------------------------------------------------------------------

# The antipode of EPSG:3035's centre: projected, it is infinitely far, and every distance to it was 0 m.
ANTIPODE = square(-170.05, -52.05, -169.95, -51.95)


def test_an_exercise_area_at_the_antipode_of_the_projection_is_refused_not_found_next_to_every_party(api_world):
    for path in (EXERCISES, f"{EXERCISES}assess/"):
        fields = refused_fields(key("RS-MOD").post(path, exercise(area=ANTIPODE)))
        assert "outside the region" in fields["area"][0]


def test_a_flight_volume_at_the_antipode_as_a_polygon_or_a_circle_is_refused(api_world):
    for area in ({"polygon": ANTIPODE}, {"circle": {"lon": -170, "lat": -52, "radius_m": 2000}}):
        one = {**volume(), **area}
        if "polygon" in area:
            del one["circle"]
        fields = refused_fields(key("RS-MOD").post(FLIGHTS, flight(one)))
        assert "outside the region" in fields["volumes[0].area"][0]


def test_an_incident_location_at_the_antipode_is_refused(api_world):
    client = make_key_client("RS-CERT", (ApiScope.INCIDENTS_READ, ApiScope.INCIDENTS_WRITE))
    body = {
        "recipients": ["HR-CERT"],
        "title": "Far away",
        "summary": "A place no party is near.",
        "category": "cyber",
        "severity": "high",
        "tlp": "AMBER",
        "occurred_at": at(hours=-1),
        "location": {"type": "Point", "coordinates": [-170, -52]},
    }
    fields = refused_fields(client.post("/api/v1/incidents/", body))
    assert "outside the region" in fields["location"][0]


def ring_of(vertices: int) -> list:
    """A closed ring of `vertices` distinct positions on a small circle near Bačka Palanka."""
    points = [
        [19.39 + 0.05 * math.cos(2 * math.pi * n / vertices), 45.25 + 0.03 * math.sin(2 * math.pi * n / vertices)]
        for n in range(vertices)
    ]
    return [*points, points[0]]


def test_an_area_with_more_vertices_than_the_cap_is_refused_and_says_the_cap(api_world):
    too_many = {"type": "Polygon", "coordinates": [ring_of(MAX_POLYGON_VERTICES)]}  # + the closing one
    fields = refused_fields(key("RS-MOD").post(EXERCISES, exercise(area=too_many)))
    assert f"at most {MAX_POLYGON_VERTICES:,} positions" in fields["area"][0]
    fields = refused_fields(key("RS-MOD").post(FLIGHTS, flight(volume(polygon=too_many))))
    assert f"at most {MAX_POLYGON_VERTICES:,} positions" in fields["volumes[0].area"][0]


def test_an_area_at_the_cap_is_accepted(api_world):
    at_the_cap = {"type": "Polygon", "coordinates": [ring_of(MAX_POLYGON_VERTICES - 1)]}
    response = key("RS-MOD").post(EXERCISES, exercise(area=at_the_cap))
    assert response.status_code == 201, response.json()
