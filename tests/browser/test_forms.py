"""Forms that help (issue 15): the report form opens with title, severity and an empty category; sent
empty it lists every problem at the top, each a link to its field; each problem goes as its field is
filled; recipients are found with a filter; the location is placed on the map."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from tests.accounts.world import build_demo_world
from tests.browser.test_escalation_alert import officer
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_report_form(page, asgi_server):
    build_demo_world()
    sign_in(page, asgi_server, officer("rs-mod-duty"))
    page.goto(asgi_server.url + "/incidents/new/")


def test_the_report_form_lists_every_problem_clears_each_when_fixed_and_files_the_point_on_the_map(
    asgi_server, browser_context
):
    page = browser_context.new_page()
    open_report_form(page, asgi_server)
    expect(page.get_by_label("Category")).to_have_value("")
    page.get_by_role("button", name="Report").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There are 4 problems")
    expect(summary.get_by_role("link")).to_have_text(
        [re.compile(r"^Title: "), re.compile(r"^Category: "), re.compile(r"^Summary: "), re.compile(r"^Recipients: ")]
    )
    summary.get_by_role("link", name=re.compile("^Category")).click()
    expect(page.get_by_label("Category")).to_be_focused()

    page.get_by_label("Title").fill("Drone over the Batrovci crossing")
    expect(page.get_by_test_id("field-error-title")).to_have_count(0)
    expect(summary.get_by_role("heading")).to_have_text("There are 3 problems")
    page.get_by_label("Category").select_option("drone")
    page.get_by_label("Summary").fill("Seen at 03:10, heading west.")

    organisations = page.locator("[data-recipient]:visible")
    page.get_by_test_id("recipient-filter").fill("croatia")
    expect(organisations).to_have_count(2)
    expect(organisations.filter(has_text="HR-MOD")).to_have_count(1)
    page.get_by_label(re.compile(r"\bHR-MOD — ")).check()
    expect(summary).to_have_count(0)
    expect(page.locator(".field.invalid")).to_have_count(0)

    page.get_by_test_id("map-place-point").click()
    map_box = page.get_by_test_id("location-map").bounding_box()
    page.mouse.click(map_box["x"] + map_box["width"] / 2, map_box["y"] + map_box["height"] / 2)
    expect(page.get_by_label("Location (GeoJSON, optional)")).to_have_value(re.compile(r'^\{"type":"Point"'))
    page.get_by_role("button", name="Report").click()

    expect(page).to_have_url(re.compile(r"/incidents/HL-\d{4}-\d{5}/$"))
    incident = Incident.objects.get()
    assert incident.category == "drone" and incident.location["type"] == "Point"
    assert list(incident.recipients.values_list("code", flat=True)) == ["HR-MOD"]


def test_on_a_phone_the_report_form_with_its_errors_fits_the_width_and_takes_typed_coordinates(
    asgi_server, browser_context
):
    page = browser_context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    open_report_form(page, asgi_server)
    page.get_by_role("button", name="Report").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Coordinates read from a phone are typed rather than drawn.
    page.get_by_test_id("map-coordinates").fill("19.25, 45.1")
    page.get_by_test_id("map-coordinates").press("Enter")
    expect(page.get_by_label("Location (GeoJSON, optional)")).to_have_value(
        '{"type":"Point","coordinates":[19.25,45.1]}'
    )
    expect(page).to_have_url(re.compile(r"/incidents/new/$"))


def test_the_exercise_check_lists_every_problem_and_no_stale_error_stays_beside_a_filled_field(
    asgi_server, browser_context
):
    build_demo_world()
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("rs-mod-duty"))
    page.goto(asgi_server.url + "/notifications/exercises/new/")
    page.get_by_role("button", name="Notify", exact=True).click()
    summary = page.get_by_test_id("error-summary")
    expect(summary.get_by_role("link").filter(has_text="Designation: This field is required.")).to_have_count(1)

    page.get_by_label("Designation").fill("Sava Shield 2027")
    expect(page.get_by_test_id("field-error-designation")).to_have_count(0)
    expect(summary.get_by_role("link").filter(has_text="Designation")).to_have_count(0)
    page.get_by_label("Type:", exact=True).select_option("live_firing")
    page.get_by_label(re.compile(r"^Starts")).fill("2027-03-10T08:00")
    page.get_by_label(re.compile(r"^Ends")).fill("2027-03-09T08:00")
    page.get_by_label("Area (GeoJSON Polygon)").fill('{"type": "Polygon"} x')
    page.get_by_test_id("check").click()

    problems = page.get_by_test_id("assessment").locator("p.error")
    expect(problems).to_contain_text(
        [
            "Purpose: This field is required.",
            "Ends (CET/CEST): The exercise must end after it starts.",
            re.compile(r"^Area \(GeoJSON Polygon\): The area must be one GeoJSON Polygon.*something after the end"),
            "Command level: This field is required.",
            "Live fire: A live-firing exercise has live fire: tick it.",
        ]
    )
    expect(page.get_by_test_id("field-error-designation")).to_have_count(0)
