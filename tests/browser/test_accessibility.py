"""axe-core over the console's main pages, as a duty officer at a desk (1440×900), on a phone (390×844)
and at night (the dark theme): no critical and no serious violation on any of them. The Croatian duty
officer signs in through the real login (both steps checked), a CRITICAL report from Serbia pages HR-MOD
so its alert stays open on every page after, and the demo's exercises and flights fill their pages; the
commission administrator then enrols a second factor, opens the audit log and creates an API key. One
browser context per run, pages in sequence; every violation is collected, then all are reported."""

import re

import pytest
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hotline.escalation.engine import tick
from hotline.reachability.actions import do_start_check
from incidents.notifications.demo import load_demo_notifications
from incidents.notifications.models import DroneFlight, ExerciseNotification
from tests.accounts.world import build_demo_world, person
from tests.browser.accessibility import blocking, described, violations
from tests.conftest import PASSWORD, current_code, enrol_authenticator
from tests.incidents.reports import elsewhere, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
RUNS = {
    "desk": {"viewport": DESK, "color_scheme": "light"},
    "phone": {"viewport": PHONE, "color_scheme": "light", "is_mobile": True, "has_touch": True},
    "night": {"viewport": DESK, "color_scheme": "dark"},
}


def notifications_of_the_demo() -> None:
    with override_settings(DEMO_MODE=True):
        load_demo_notifications()


def the_situation() -> dict:
    """The demo world with its exercises and flights, and a CRITICAL drone report from RS-MOD to HR-MOD
    (its page comes later, once the console is open): the paths of the pages that show them."""
    elsewhere(build_demo_world)
    elsewhere(notifications_of_the_demo)
    for username in ("hr-mod-duty", "wbc-sec-admin"):
        officer = person(username)
        officer.set_password(PASSWORD)
        officer.save()
    enrol_authenticator(person("hr-mod-duty"))  # the administrator enrols on the page, which is checked
    check = elsewhere(lambda: do_start_check(person("wbc-sec-admin")))
    incident = elsewhere(
        lambda: report(person("rs-mod-duty"), ["HR-MOD"], severity="critical", title="Drone over the Vukovar bridge")
    )
    exercise = ExerciseNotification.objects.get(organisation__code="HR-MOD")  # VELEBIT 27, with an invitation
    flight = DroneFlight.objects.get(organisation__code="RS-MOD")  # across the Danube into Croatia
    return {
        "reference": incident.reference,
        "incident": f"/incidents/{incident.reference}/",
        "exercise": f"/notifications/exercises/{exercise.reference}/",
        "flight": f"/notifications/drone-flights/{flight.reference}/",
        "check": f"/checks/{check.reference}/",
    }


def settled(page) -> None:
    """The page as a person sees it once it has loaded: live (where it has the live channel), and no
    panel still loading."""
    page.wait_for_function(
        """() => {
            const live = document.getElementById("live-indicator");
            return (!live || live.dataset.state === "live") && !document.querySelector(".htmx-request");
        }"""
    )


@pytest.mark.parametrize("run", RUNS)
def test_the_main_pages_have_no_critical_or_serious_accessibility_violation(asgi_server, chromium, run):
    paths = the_situation()
    context = chromium.new_context(locale="en-GB", timezone_id="Europe/Belgrade", **RUNS[run])
    context.set_default_timeout(10_000)
    page = context.new_page()
    found = []

    def check(where: str) -> None:
        found.extend(described(f"[{run}] {where}", blocking(violations(page))))

    def visit(path: str) -> None:
        page.goto(asgi_server.url + path)
        settled(page)
        check(path)

    def sign_in(username: str) -> None:
        """Through the login page, then the second factor: the code of an enrolled authenticator, or
        enrolment first (the page with the QR code) for someone who has none yet."""
        page.goto(asgi_server.url + "/login/")
        check("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Six-digit code").wait_for()
        check(page.url.removeprefix(asgi_server.url).split("?")[0])
        device = TOTPDevice.objects.filter(user__username=username).get()
        page.get_by_label("Six-digit code").fill(current_code(device))
        page.get_by_role("button", name=re.compile("^(Verify|Confirm)$")).click()
        settled(page)

    try:
        sign_in("hr-mod-duty")
        elsewhere(
            lambda: tick()
        )  # the CRITICAL report pages HR-MOD (and the demo's notifications page it too): the alerts open and stay
        expect(page.get_by_role("alertdialog").filter(has_text=paths["reference"])).to_be_visible()
        settled(page)
        check("/ (home, with the alert open)")
        for path in (
            "/incidents/",
            paths["incident"],
            "/incidents/new/",
            "/waiting/",
            "/directory/",
            "/directory/HR-MOD/",
            "/rosters/",
            "/rosters/HR-MOD/",
            "/notifications/exercises/",
            "/notifications/exercises/new/",
            paths["exercise"],
            "/notifications/drone-flights/",
            "/notifications/drone-flights/new/",
            paths["flight"],
            "/notifications/calendar/",
            "/notifications/policy/",
            "/checks/",
            paths["check"],
            "/audit/checkpoints/",
            "/incidents/HL-2026-99999/",  # no such incident: the error page
        ):
            visit(path)
        context.clear_cookies()  # the audit log and the keys are the commission administrator's
        sign_in("wbc-sec-admin")
        visit("/audit/log/")
        visit("/keys/HR-MOD/")
        page.get_by_label("Name").fill("MISP sync")
        page.get_by_label("Read incidents and events").check()
        page.get_by_label("Name").press("Enter")  # by keyboard: on a phone the scopes' columns cover the button
        expect(page.get_by_test_id("new-api-key")).to_be_visible()
        settled(page)
        check("/keys/HR-MOD/ (a key created)")

    finally:
        context.close()

    if found:
        pytest.fail(f"{len(found)} critical or serious accessibility violations:\n" + "\n".join(found), pytrace=False)
