"""The drone-flight pages of the console: the live list and its map, the form with its check of who
will be notified, one flight with its acknowledgements and state, and the border geometry the maps
draw. People sign in as they do in the console: password, then the authenticator's code."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_PASSWORD
from hotline.audit.models import AuditEntry
from incidents.notifications import borders
from incidents.notifications.actions import do_acknowledge_flight, do_change_flight_state, do_notify_flight
from incidents.notifications.models import DroneFlight
from tests.accounts.world import build_demo_world, person
from tests.conftest import current_code, enrol_authenticator

# Straddles the Danube between Bačka Palanka (Serbia) and Ilok (Croatia): it enters Croatia.
ACROSS_THE_DANUBE = {
    "type": "Polygon",
    "coordinates": [[[19.35, 45.20], [19.42, 45.20], [19.42, 45.27], [19.35, 45.27], [19.35, 45.20]]],
}
# Near Novi Sad, 35 km from Croatia: within nobody's 25 km buffer.
NEAR_NOVI_SAD = {"lon": 19.8451, "lat": 45.2671, "radius_m": 2000}


@pytest.fixture
def world(db):
    build_demo_world()


def signed_in(username: str) -> Client:
    """A console session of `username`, through the login page and the second factor."""
    user = person(username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrol_authenticator(user)
    client = Client()
    client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    client.post("/otp/verify/", {"token": current_code(device)})
    assert client.get("/").status_code == 200, f"{username} could not sign in"
    return client


def volume(area=ACROSS_THE_DANUBE, *, starts_in=timedelta(days=4), hours=3, lower=0, upper=120) -> dict:
    start = timezone.now() + starts_in
    shape = {"circle": area} if "radius_m" in area else {"polygon": area}
    return {
        **shape,
        "altitude_lower": {"value": lower, "unit": "m", "reference": "AGL"},
        "altitude_upper": {"value": upper, "unit": "m", "reference": "AGL"},
        "start": start,
        "end": start + timedelta(hours=hours),
    }


def notify(by="rs-mod-duty", *volumes, purpose="Survey of the river banks after the floods") -> DroneFlight:
    """A flight notified through the real action."""
    return do_notify_flight(
        person(by),
        purpose=purpose,
        volumes=list(volumes) or [volume()],
        aircraft={
            "type": "DJI Matrice 350",
            "category": "mini",
            "armed": False,
            "mtom_kg": Decimal("9.2"),
            "remote_id": "1581F5FKD229400",
        },
    )


def refusals(what: str) -> int:
    return sum(entry.content["details"]["what"] == what for entry in AuditEntry.objects.filter(action="access.refused"))


def text(response) -> str:
    return response.content.decode()


def row_of(page: str, flight: DroneFlight) -> str:
    found = re.search(rf'<tr class="flight"[^>]*data-testid="flight-{flight.reference}">.*?</tr>', page, re.S)
    assert found, f"{flight.reference} is not listed"
    return found.group(0)


def local_minute(when, username: str) -> str:
    """A time as the person types it into a datetime-local field, in their own time zone."""
    zone = ZoneInfo(person(username).time_zone or settings.TIME_ZONE)
    return timezone.localtime(when, zone).strftime("%Y-%m-%dT%H:%M")


def flight_form(username="rs-mod-duty", *rows, **overrides) -> dict:
    """The form as a person fills it: the aircraft, and one row per volume (dicts of row fields)."""
    start = timezone.now() + timedelta(days=4)
    default_row = {
        "geometry": json.dumps(ACROSS_THE_DANUBE),
        "lower_value": "0",
        "lower_unit": "m",
        "lower_reference": "AGL",
        "upper_value": "120",
        "upper_unit": "m",
        "upper_reference": "AGL",
        "start": local_minute(start, username),
        "end": local_minute(start + timedelta(hours=3), username),
    }
    rows = rows or ({},)
    data = {
        "aircraft_type": "DJI Matrice 350",
        "aircraft_category": "mini",
        "mtom_kg": "9.2",
        "remote_id": "1581F5FKD229400",
        "purpose": "Survey of the river banks after the floods",
        "volumes-TOTAL_FORMS": str(len(rows)),
        "volumes-INITIAL_FORMS": "0",
        "volumes-MIN_NUM_FORMS": "1",
        "volumes-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        data.update({f"volumes-{index}-{field}": value for field, value in {**default_row, **row}.items()})
    return {**data, **overrides}


# --- who sees what ----------------------------------------------------------------------------------


def test_the_operator_the_recipients_parties_and_the_commission_see_the_flight_and_a_party_not_concerned_does_not(
    world,
):
    flight = notify()
    for username in ("rs-mod-duty", "rs-cert-duty", "hr-mod-duty", "hr-cert-duty", "wbc-sec-duty"):
        client = signed_in(username)
        assert f'data-testid="flight-{flight.reference}"' in text(client.get("/notifications/drone-flights/")), username
        assert client.get(f"/notifications/drone-flights/{flight.reference}/").status_code == 200, username
    for username in ("al-mod-duty", "osce-cpc-duty"):
        client = signed_in(username)
        assert flight.reference not in text(client.get("/notifications/drone-flights/")), username
        assert client.get(f"/notifications/drone-flights/{flight.reference}/").status_code == 404, username


def test_the_list_shows_neighbours_the_cross_border_badge_lateness_and_the_acknowledgement_waiting_on_us(world):
    late = notify("rs-mod-duty", volume(starts_in=timedelta(hours=2)))
    page = text(signed_in("hr-mod-duty").get("/notifications/drone-flights/"))
    row = row_of(page, late)
    assert "RS-MOD" in row and "DJI Matrice 350" in row and "Class I mini (2–20 kg)" in row and "9.2 kg" in row
    assert "HR 0.0 km" in row and "CROSS-BORDER HR" in row
    assert re.search(r"late by 7[01] h", row)
    assert f'action="/notifications/drone-flights/{late.reference}/acknowledge/"' in row and "Acknowledge" in row
    assert 'class="countdown" data-due="' in row
    assert "data-notification-map" in page and 'data-borders-url="/notifications/borders.geojson"' in page
    volumes = json.loads(
        re.search(r'<script id="flight-volumes" type="application/json">(.*?)</script>', page, re.S).group(1)
    )
    assert volumes == [
        {
            "id": f"{late.reference}/1",
            "geometry": ACROSS_THE_DANUBE,
            "state": "planned",
            "highlight": False,
            "label": f"{late.reference} volume 1 · RS-MOD · Planned",
        }
    ]

    operator_row = row_of(text(signed_in("rs-mod-duty").get("/notifications/drone-flights/")), late)
    assert "Acknowledge</button>" not in operator_row and "0/2 acknowledged" in operator_row


def test_completed_and_cancelled_flights_leave_the_map_and_the_list_unless_asked_for(world):
    done = notify()
    do_change_flight_state(person("rs-mod-duty"), done, "cancelled")
    flying = notify()
    client = signed_in("hr-mod-duty")
    page = text(client.get("/notifications/drone-flights/"))
    assert flying.reference in page and done.reference not in page
    everything = text(client.get("/notifications/drone-flights/?all=1"))
    assert flying.reference in everything and f'data-testid="flight-{done.reference}"' in everything
    assert '"state": "cancelled"' in everything


def test_overlapping_flights_warn_of_each_other(world):
    first = notify("rs-mod-duty")
    second = notify("hr-mod-duty")
    page = text(signed_in("wbc-sec-duty").get("/notifications/drone-flights/"))
    assert f"conflicts with {first.reference}" in row_of(page, second)
    assert f"conflicts with {second.reference}" in row_of(page, first)
    detail = text(signed_in("hr-mod-duty").get(f"/notifications/drone-flights/{second.reference}/"))
    conflicts = detail.split('data-testid="conflicts"')[1].split("</section>")[0]
    assert (
        f'<a href="/notifications/drone-flights/{first.reference}/">{first.reference}</a>' in conflicts
        and "RS-MOD" in conflicts
    )


# --- filing -----------------------------------------------------------------------------------------


def test_a_duty_officer_files_a_flight_across_the_danube_and_croatia_becomes_a_cross_border_recipient(world):
    client = signed_in("rs-mod-duty")
    assert 'data-editor="#id_volumes-0-geometry"' in text(client.get("/notifications/drone-flights/new/"))
    response = client.post("/notifications/drone-flights/new/", flight_form())
    flight = DroneFlight.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notifications/drone-flights/{flight.reference}/"
    assert (
        flight.organisation.code == "RS-MOD"
        and flight.crosses_into == ["HR"]
        and flight.purpose == "Survey of the river banks after the floods"
    )
    recipients = {a.organisation.code: a for a in flight.acknowledgements.select_related("organisation")}
    assert set(recipients) == {"HR-MOD", "WBC-SEC"}
    assert recipients["HR-MOD"].cross_border and recipients["HR-MOD"].distance_m == 0
    assert not recipients["WBC-SEC"].cross_border
    [row] = flight.volumes.all()
    assert row.polygon == ACROSS_THE_DANUBE and (row.upper_value, row.upper_unit, row.upper_reference) == (
        120,
        "m",
        "AGL",
    )
    page = text(client.get(response["Location"]))
    assert f"{flight.reference} notified to HR-MOD, WBC-SEC." in page
    assert "CROSS-BORDER HR" in page and "0 m AGL – 120 m AGL" in page


def test_the_times_are_read_in_the_persons_time_zone(world):
    officer = person("rs-mod-duty")
    officer.time_zone = "Asia/Tokyo"
    officer.save(update_fields=["time_zone"])
    start = (timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    signed_in("rs-mod-duty").post(
        "/notifications/drone-flights/new/",
        flight_form(
            "rs-mod-duty",
            {
                "start": local_minute(start, "rs-mod-duty"),
                "end": local_minute(start + timedelta(hours=1), "rs-mod-duty"),
            },
        ),
    )
    assert DroneFlight.objects.get().starts_at == start


def test_a_refused_form_keeps_everything_typed_and_says_what_is_wrong_beside_the_volume(world):
    client = signed_in("rs-mod-duty")
    near_novi_sad = json.dumps(NEAR_NOVI_SAD)
    response = client.post(
        "/notifications/drone-flights/new/",
        flight_form(
            "rs-mod-duty",
            {},
            {
                "geometry": near_novi_sad,
                "lower_value": "400",
                "upper_value": "300",
                "upper_unit": "ft",
                "upper_reference": "AMSL",
            },
            aircraft_type="Bayraktar Mini",
        ),
    )
    page = text(response)
    assert response.status_code == 400 and not DroneFlight.objects.exists()
    second = page.split('data-testid="volume-2"')[1].split("</fieldset>")[0]
    assert "The upper altitude must lie above the lower one." in second
    first = page.split('data-testid="volume-1"')[1].split('data-testid="volume-2"')[0]
    assert "The upper altitude must lie above the lower one." not in first
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert "Volume 2, upper altitude: The upper altitude must lie above the lower one." in summary
    assert 'value="Bayraktar Mini"' in page and "Survey of the river banks after the floods" in page
    assert "{&quot;lon&quot;: 19.8451, &quot;lat&quot;: 45.2671, &quot;radius_m&quot;: 2000}" in second
    assert '<option value="ft" selected>' in second and '<option value="AMSL" selected>' in second


def test_the_form_refuses_what_is_not_geojson_and_a_blank_first_volume(world):
    client = signed_in("rs-mod-duty")
    page = text(client.post("/notifications/drone-flights/new/", flight_form("rs-mod-duty", {"geometry": "{not json"})))
    assert "The area must be one GeoJSON Polygon or a circle" in page and "line 1, column 2" in page
    point = '{"type": "Point", "coordinates": [19.4, 45.2]}'
    page = text(client.post("/notifications/drone-flights/new/", flight_form("rs-mod-duty", {"geometry": point})))
    assert "The area must be one GeoJSON Polygon or a circle, e.g." in page
    page = text(
        client.post(
            "/notifications/drone-flights/new/", flight_form("rs-mod-duty", {"geometry": "", "start": "", "end": ""})
        )
    )
    # Beside each field, and once more in the summary above the form.
    assert page.count("This field is required.") == 6
    assert "There are 3 problems" in page and "Volume 1, area (GeoJSON Polygon or circle): This field" in page
    assert not DroneFlight.objects.exists()


def test_another_volume_is_added_keeping_what_was_typed_and_a_blank_added_volume_is_ignored(world):
    client = signed_in("rs-mod-duty")
    response = client.post(
        "/notifications/drone-flights/new/", {**flight_form(aircraft_type="Kept as typed"), "add_volume": "1"}
    )
    page = text(response)
    assert response.status_code == 200 and not DroneFlight.objects.exists()
    assert 'data-testid="volume-2"' in page and 'name="volumes-TOTAL_FORMS" value="2"' in page
    assert 'value="Kept as typed"' in page and 'class="error"' not in page
    blank_second = {f"volumes-1-{field}": "" for field in ("geometry", "lower_value", "upper_value", "start", "end")}
    blank_second.update({f"volumes-1-{bound}_unit": "m" for bound in ("lower", "upper")})
    blank_second.update({f"volumes-1-{bound}_reference": "AGL" for bound in ("lower", "upper")})
    response = client.post(
        "/notifications/drone-flights/new/", {**flight_form(), "volumes-TOTAL_FORMS": "2", **blank_second}
    )
    assert response.status_code == 302 and DroneFlight.objects.get().volumes.count() == 1


def test_the_check_shows_who_will_be_notified_before_anything_is_filed(world):
    client = signed_in("rs-mod-duty")
    page = text(
        client.post(
            "/notifications/drone-flights/preview/",
            flight_form("rs-mod-duty", {}, {"geometry": json.dumps(NEAR_NOVI_SAD)}),
        )
    )
    assert 'data-party="HR"' in page and "HR — 0.0 km" in page and "CROSS-BORDER" in page
    assert re.search(r'data-testid="preview-recipients">HR-MOD, WBC-SEC<', page)
    assert "within the 25.0 km buffer" in page and "On time (notice period 72 h)" in page
    assert f"{borders.COMMITTED_LABEL}@" in page
    assert not DroneFlight.objects.exists()

    late = client.post(
        "/notifications/drone-flights/preview/",
        flight_form(
            "rs-mod-duty",
            {
                "geometry": json.dumps(NEAR_NOVI_SAD),
                "start": local_minute(timezone.now() + timedelta(hours=10), "rs-mod-duty"),
                "end": local_minute(timezone.now() + timedelta(hours=12), "rs-mod-duty"),
            },
        ),
    )
    assert "No other party's border lies within the 25.0 km buffer." in text(late)
    assert re.search(r"late by 6[23] h: the notice period is 72 h", text(late))
    assert re.search(r'data-testid="preview-recipients">WBC-SEC<', text(late))

    refused = text(
        client.post(
            "/notifications/drone-flights/preview/",
            flight_form("rs-mod-duty", {"lower_value": "500", "upper_value": "100"}),
        )
    )
    assert "Volume 1, upper altitude: The upper altitude must lie above the lower one." in refused


def test_only_those_who_may_file_get_the_form_and_the_check_and_each_refusal_is_recorded(world):
    for username in ("wbc-sec-duty", "wbc-sec-reviewer"):
        client = signed_in(username)
        assert client.get("/notifications/drone-flights/new/").status_code == 403
        assert client.post("/notifications/drone-flights/new/", flight_form()).status_code == 403
        assert client.post("/notifications/drone-flights/preview/", flight_form()).status_code == 403
    assert refusals("file drone-flight notifications") == 6
    assert not DroneFlight.objects.exists()
    assert "Notify a drone flight" not in text(signed_in("wbc-sec-admin").get("/notifications/drone-flights/"))


# --- one flight -------------------------------------------------------------------------------------


def test_the_detail_shows_the_aircraft_volumes_neighbours_and_each_recipients_acknowledgement(world):
    flight = notify("rs-mod-duty", volume(), volume(NEAR_NOVI_SAD, upper=400))
    page = text(signed_in("hr-mod-duty").get(f"/notifications/drone-flights/{flight.reference}/"))
    assert 'data-fit="volumes"' in page and f'"id": "{flight.reference}/2"' in page
    assert "DJI Matrice 350 · Class I mini (2–20 kg) · MTOM 9.2 kg · unarmed · Remote ID 1581F5FKD229400" in page
    assert "0 m AGL – 400 m AGL" in page and "circle of 2000 m" in page
    assert 'data-party="HR">HR 0.0 km<' in page
    assert 'data-testid="crossing-HR">not acknowledged yet<' in page
    recipients = page.split('data-testid="acknowledgements"')[1].split("</ul>")[0]
    assert (
        'data-organisation="HR-MOD" data-state="pending"' in recipients
        and 'data-organisation="WBC-SEC" data-state="pending"' in recipients
    )
    assert recipients.count('class="countdown" data-due="') == 2
    assert "Acknowledge for HR-MOD" in page
    assert 'data-testid="state-actions"' not in page  # only the operator changes the state


def test_activation_is_refused_until_croatia_acknowledges_then_allowed(world):
    flight = notify()
    serbia = signed_in("rs-mod-duty")
    detail = f"/notifications/drone-flights/{flight.reference}/"
    page = text(serbia.get(detail))
    assert re.search(r'data-testid="state-activated" disabled', page) and 'data-testid="state-cancelled">' in page
    assert "HR-MOD must acknowledge first" in page

    response = serbia.post(f"{detail}state/", {"state": "activated"}, follow=True)
    assert "HR-MOD must acknowledge before the flight is activated." in text(response)
    flight.refresh_from_db()
    assert flight.state == "planned"

    croatia = signed_in("hr-mod-duty")
    response = croatia.post(f"{detail}acknowledge/", {"next": "/notifications/drone-flights/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/drone-flights/"
    assert f"{flight.reference} acknowledged for HR-MOD." in text(croatia.get("/notifications/drone-flights/"))
    again = text(croatia.post(f"{detail}acknowledge/", follow=True))
    assert f"{flight.reference} does not wait for HR-MOD&#x27;s acknowledgement." in again

    page = text(serbia.get(detail))
    assert 'data-testid="crossing-HR">acknowledged<' in page and 'data-organisation="HR-MOD" data-state="given"' in page
    assert re.search(r'data-testid="state-activated">Activate<', page)
    response = serbia.post(f"{detail}state/", {"state": "activated"}, follow=True)
    assert f"{flight.reference} is now activated." in text(response)
    flight.refresh_from_db()
    assert flight.state == "activated"
    page = text(response)
    assert (
        'data-testid="state-completed"' in page
        and 'data-testid="state-non_conforming"' in page
        and 'data-testid="state-activated"' not in page
    )


def test_a_non_conforming_flight_needs_its_deviation_report(world):
    flight = notify("rs-mod-duty", volume(NEAR_NOVI_SAD))  # enters nobody's territory: no acknowledgement to wait for
    serbia = signed_in("rs-mod-duty")
    detail = f"/notifications/drone-flights/{flight.reference}/"
    serbia.post(f"{detail}state/", {"state": "activated"})
    page = text(serbia.post(f"{detail}state/", {"state": "non_conforming"}, follow=True))
    assert "Say how the flight deviates from what was notified." in page
    assert 'name="deviation_report"' in page
    page = text(
        serbia.post(
            f"{detail}state/",
            {"state": "non_conforming", "deviation_report": "Drifted 400 m east in a gust."},
            follow=True,
        )
    )
    assert "is now non-conforming" in page and "Drifted 400 m east in a gust." in page
    page = text(serbia.post(f"{detail}state/", {"state": "cancelled"}, follow=True))
    assert "A non-conforming flight cannot become cancelled" in page


def test_only_the_operator_changes_the_state_and_only_recipients_acknowledge(world):
    flight = notify()
    detail = f"/notifications/drone-flights/{flight.reference}/"
    assert signed_in("hr-mod-duty").post(f"{detail}state/", {"state": "cancelled"}).status_code == 403
    assert signed_in("al-mod-duty").post(f"{detail}acknowledge/").status_code == 404
    assert "does not wait for RS-MOD" in text(signed_in("rs-mod-duty").post(f"{detail}acknowledge/", follow=True))
    flight.refresh_from_db()
    assert flight.state == "planned" and not flight.acknowledgements.filter(acknowledged_at__isnull=False).exists()
    assert refusals("change this flight's state") == 1


def test_the_operator_sees_the_recipients_acknowledgements_as_they_come(world):
    flight = notify()
    do_acknowledge_flight(person("wbc-sec-duty"), flight)
    page = text(signed_in("rs-mod-duty").get(f"/notifications/drone-flights/{flight.reference}/"))
    assert re.search(
        r'data-organisation="WBC-SEC" data-state="given".*?acknowledged .*? by wbc-sec-duty \(Console\)', page, re.S
    )
    assert 'data-organisation="HR-MOD" data-state="pending"' in page
    assert "Acknowledge for" not in page


# --- the border geometry ----------------------------------------------------------------------------


def synthetic_boundaries() -> bytes:
    """Serbia and Croatia as two squares meeting on the meridian 19.2° E, and nothing else."""

    def feature(code, west, east):
        ring = [[west, 45.0], [east, 45.0], [east, 45.6], [west, 45.6], [west, 45.0]]
        return {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}

    return json.dumps(
        {"type": "FeatureCollection", "features": [feature("HR", 18.6, 19.2), feature("RS", 19.2, 19.8)]}
    ).encode()


def test_the_borders_are_the_committed_data_with_their_version_for_signed_in_people_only(world):
    client = signed_in("hr-mod-duty")
    response = client.get("/notifications/borders.geojson")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection" and collection["version"] == borders.committed().version
    properties = {feature["properties"]["code"]: feature["properties"] for feature in collection["features"]}
    assert set(borders.PARTY_CODES) < set(properties) <= set(borders.KNOWN_CODES)
    assert properties["HR"]["name"] == "Croatia" and properties["HR"]["is_party"] is True
    assert properties["XK"]["is_party"] is True and properties["HU"]["is_party"] is False
    committed = json.loads(borders.COMMITTED_FILE.read_text())
    assert [f["geometry"] for f in collection["features"]] == [f["geometry"] for f in committed["features"]]
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert client.get("/notifications/borders.geojson", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert Client().get("/notifications/borders.geojson").status_code == 302  # to the login page


def test_a_loaded_boundary_version_changes_what_the_maps_are_given(world):
    client = signed_in("rs-mod-duty")
    before = client.get("/notifications/borders.geojson")
    version = borders.do_load_boundaries(
        synthetic_boundaries(), label="WBC-2027-1", source="Commission agreement 2027/1", loaded_by="wbc-sec-admin"
    )
    after = client.get("/notifications/borders.geojson", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    collection = json.loads(after.content)
    assert collection["version"] == f"WBC-2027-1@{version.sha256[:12]}"
    assert [
        (f["properties"]["code"], f["properties"]["name"], f["properties"]["is_party"]) for f in collection["features"]
    ] == [
        ("HR", "HR", True),
        ("RS", "RS", True),
    ]
    # What is filed from now on is computed with it, and says so.
    page = text(client.post("/notifications/drone-flights/preview/", flight_form()))
    assert f"WBC-2027-1@{version.sha256[:12]}" in page


# --- what no textarea may hold -------------------------------------------------------------------------

HOSTILE_GEOMETRIES = {
    "[" * 100_000: "nested more than 64 deep",
    '{"lon": ' + "1" * 5_000 + ', "lat": 45, "radius_m": 100}': "longer than",
    '{"lon": -170, "lat": -52, "radius_m": 1000}': "outside the region",
}


@pytest.mark.parametrize("geometry", HOSTILE_GEOMETRIES, ids=["deep", "5000-digits", "antipode"])
def test_a_geometry_too_deep_with_an_absurd_number_or_outside_the_region_is_refused_by_the_check_and_the_form(
    world, geometry
):
    client = signed_in("rs-mod-duty")
    for path, status in (("/notifications/drone-flights/preview/", 200), ("/notifications/drone-flights/new/", 400)):
        response = client.post(path, flight_form("rs-mod-duty", {"geometry": geometry}))
        assert response.status_code == status and HOSTILE_GEOMETRIES[geometry] in text(response), path
    assert not DroneFlight.objects.exists()
