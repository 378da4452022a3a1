"""A drone flight near a border in two real consoles (issue 8, "done when"): a Serbian duty officer
draws the volume across the Danube on the form's map and files it; the Croatian duty officer's open
map and list show it without a reload, and acknowledging it there reaches the operator's page."""

import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from incidents.notifications.models import DroneFlight
from tests.accounts.world import build_demo_world, person
from tests.conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The corners drawn, (lon, lat): a box across the Danube between Bačka Palanka (RS) and Ilok (HR).
CORNERS = [(19.35, 45.20), (19.42, 45.20), (19.42, 45.27), (19.35, 45.27)]


def officer(username: str) -> User:
    user = person(username)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def second_context(chromium):
    context = chromium.new_context(locale="en-GB", timezone_id="Europe/Belgrade")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def planned_volumes(page):
    return page.locator("path.hotline-volume.state-planned")


def local_minute(when, user: User) -> str:
    return timezone.localtime(when, ZoneInfo(user.time_zone or settings.TIME_ZONE)).strftime("%Y-%m-%dT%H:%M")


def draw_polygon(page, corners) -> None:
    """Draw with the map's own tools: Draw polygon, a click on each corner, Finish polygon."""
    map_element = page.get_by_test_id("volume-map")
    expect(map_element).to_have_attribute("data-borders-state", "loaded")
    # Zoomed in on the Danube, so that each click lands where the corner is (after the borders, which
    # would otherwise fit the view to the parties).
    page.evaluate(
        """element => element.hotlineMap.leaflet.setView([45.235, 19.385], 11, {animate: false})""",
        map_element.element_handle(),
    )
    page.get_by_test_id("map-draw-polygon").click()
    for lon, lat in corners:
        point = page.evaluate(
            "([element, lat, lon]) => { const p = element.hotlineMap.leaflet.latLngToContainerPoint([lat, lon]); "
            "return {x: p.x, y: p.y}; }",
            [map_element.element_handle(), lat, lon],
        )
        map_element.click(position=point)
    page.get_by_test_id("map-finish-polygon").click()


def test_a_flight_drawn_across_the_danube_appears_live_on_the_neighbours_map_and_is_acknowledged_there(
    asgi_server, browser_context, second_context
):
    build_demo_world()
    serbian, croatian = officer("rs-mod-duty"), officer("hr-mod-duty")
    croatia, serbia = browser_context.new_page(), second_context.new_page()

    sign_in(croatia, asgi_server, croatian)
    croatia.goto(asgi_server.url + "/notifications/drone-flights/")
    expect(croatia.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(croatia.get_by_test_id("flights-map")).to_have_attribute("data-borders-state", "loaded")
    expect(planned_volumes(croatia)).to_have_count(0)
    croatia.evaluate("window.stillTheSamePage = true")

    sign_in(serbia, asgi_server, serbian)
    serbia.goto(asgi_server.url + "/notifications/drone-flights/new/")
    draw_polygon(serbia, CORNERS)
    drawn = json.loads(serbia.locator("#id_volumes-0-geometry").input_value())
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5
    for (lon, lat), (drawn_lon, drawn_lat) in zip(CORNERS, drawn["coordinates"][0], strict=False):
        assert abs(lon - drawn_lon) < 0.002 and abs(lat - drawn_lat) < 0.002  # within a pixel at this zoom
    start = timezone.now() + timedelta(days=4)
    serbia.get_by_label("Aircraft type").fill("DJI Matrice 350")
    serbia.get_by_label("Category").select_option("mini")
    serbia.get_by_label("Maximum take-off mass (kg)").fill("9.2")
    serbia.get_by_label("Remote ID serial").fill("1581F5FKD229400")
    serbia.get_by_label("Purpose").fill("Survey of the river banks after the floods")
    serbia.get_by_label("Lower altitude").fill("0")
    serbia.get_by_label("Upper altitude").fill("120")
    serbia.get_by_label(re.compile(r"^Start \(")).fill(local_minute(start, serbian))
    serbia.get_by_label(re.compile(r"^End \(")).fill(local_minute(start + timedelta(hours=3), serbian))

    serbia.get_by_role("button", name="Check who will be notified").click()
    preview = serbia.get_by_test_id("flight-preview")
    expect(preview.get_by_test_id("preview-recipients")).to_have_text("HR-MOD, WBC-SEC")
    expect(preview.locator('li[data-party="HR"]')).to_contain_text("CROSS-BORDER")
    assert not DroneFlight.objects.exists()

    serbia.get_by_role("button", name="File the notification").click()
    expect(serbia).to_have_url(re.compile(r"/notifications/drone-flights/DF-\d{4}-\d{5}/$"))
    flight = DroneFlight.objects.get()
    assert flight.crosses_into == ["HR"]
    expect(serbia.get_by_test_id("state-activated")).to_be_disabled()

    # Croatia: the volume appears on the map and the row in the list, with the button, without a reload.
    expect(planned_volumes(croatia)).to_have_count(1)
    row = croatia.get_by_test_id(f"flight-{flight.reference}")
    expect(row).to_contain_text("CROSS-BORDER HR")
    expect(row).to_contain_text("HR 0.0 km")
    expect(row.locator(".countdown")).to_contain_text(re.compile(r"due in \d+:\d\d"))
    assert croatia.evaluate("window.stillTheSamePage") is True

    row.get_by_role("button", name="Acknowledge").click()
    expect(croatia.locator(".messages")).to_contain_text(f"{flight.reference} acknowledged for HR-MOD.")
    expect(croatia.get_by_test_id(f"flight-{flight.reference}").get_by_test_id("acknowledged-count")).to_have_text(
        "1/2 acknowledged"
    )
    given = flight.acknowledgements.get(organisation__code="HR-MOD")
    assert given.acknowledged_at is not None and given.method == "console"

    # Serbia, still on the flight's page: HR-MOD's acknowledgement arrives, and with it the Activate button.
    expect(serbia.locator('.ack[data-organisation="HR-MOD"]')).to_have_attribute("data-state", "given")
    expect(serbia.get_by_test_id("crossing-HR")).to_have_text("acknowledged")
    expect(serbia.get_by_test_id("state-activated")).to_be_enabled()
