"""The console alert in a real browser: a page reaches the duty officer's console with its reference and
a sound, and acknowledging from the alert stops the escalation; a repeat replaces the alert, a
colleague's acknowledgement removes it, and a page that could not be delivered warns the sender."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hotline.escalation.choices import TimerState
from hotline.escalation.engine import tick
from hotline.escalation.models import Timer
from hotline.escalation.sending import send_due
from incidents.actions import do_acknowledge
from incidents.models import Acknowledgement
from tests.accounts.world import build_demo_world, person
from tests.conftest import PASSWORD, sign_in
from tests.incidents.reports import elsewhere, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def officer(username: str):
    user = person(username)
    user.set_password(PASSWORD)
    user.save()
    return user


def critical_report_to_croatia():
    incident = elsewhere(
        lambda: report(person("rs-mod-duty"), ["HR-MOD"], severity="critical", title="Drone over the Vukovar bridge")
    )
    return incident, Timer.objects.get(recipient__code="HR-MOD", clock="ack")


def test_it_alerts_the_duty_officer_with_a_sound_and_stops_paging_when_acknowledged_from_the_alert(
    asgi_server, browser_context
):
    build_demo_world()
    browser_context.grant_permissions(
        ["notifications"], origin=asgi_server.url
    )  # as if "Enable desktop alerts" was clicked
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("hr-mod-duty"))
    incident, timer = critical_report_to_croatia()

    elsewhere(lambda: tick())

    alert = page.get_by_role("alertdialog")
    expect(alert).to_be_visible()
    expect(alert.get_by_test_id("alert-reference")).to_have_text(f"{incident.reference} #1")
    expect(alert).to_contain_text("Critical")
    expect(alert).to_contain_text("HR-MOD must acknowledge")
    expect(alert.get_by_test_id("alert-countdown")).to_have_text(re.compile(r"due in 0[45]:\d\d"))
    page.wait_for_function("window.Hotline.alerts.soundsPlayed >= 1")
    expect(page.get_by_test_id("escalation-alerts")).not_to_have_attribute("data-sounds-played", "0")
    assert page.evaluate("window.Hotline.alerts.notificationsShown") == 1

    alert.get_by_role("button", name="Acknowledge", exact=True).click()

    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_test_id("escalation-notes")).to_contain_text(
        f"{incident.reference} #1 acknowledged for HR-MOD: paging has stopped."
    )
    given = Acknowledgement.objects.select_related("acknowledged_by").get(
        message__incident=incident, organisation__code="HR-MOD"
    )
    assert (
        given.acknowledged_at is not None
        and given.method == "console"
        and given.acknowledged_by.username == "hr-mod-duty"
    )
    timer.refresh_from_db()
    assert timer.state == TimerState.ACKNOWLEDGED


def test_it_replaces_the_alert_on_a_repeat_keeps_it_across_pages_and_removes_it_when_a_colleague_acknowledges(
    asgi_server, browser_context
):
    build_demo_world()
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("hr-mod-duty"))  # on the home page, with its waiting panel
    incident, timer = critical_report_to_croatia()
    elsewhere(lambda: tick(now=timer.started_at))
    expect(page.get_by_role("alertdialog")).to_contain_text("Escalation level 0.")
    expect(page.get_by_test_id("waiting-row")).to_contain_text(f"{incident.reference} #1")  # the panel reloaded live

    elsewhere(lambda: tick(now=timer.started_at + timedelta(minutes=5)))  # the deadline passed: level 1

    expect(page.get_by_role("alertdialog")).to_contain_text("Escalation level 1.")
    expect(page.get_by_role("alertdialog")).to_have_count(1)
    page.get_by_role("link", name="Incidents", exact=True).click()
    expect(page.get_by_role("alertdialog")).to_contain_text(f"{incident.reference} #1")  # still there on the next page
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")

    elsewhere(lambda: do_acknowledge(person("hr-mod-supervisor"), incident))

    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_test_id("escalation-notes")).to_contain_text(
        f"{incident.reference} #1 was acknowledged by hr-mod-supervisor (Console)"
    )


def test_it_warns_the_sender_of_a_page_that_could_not_be_delivered(asgi_server, browser_context):
    build_demo_world()
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("rs-mod-duty"))
    incident, timer = critical_report_to_croatia()
    at_deadline = timer.started_at + timedelta(minutes=5)
    elsewhere(
        lambda: [tick(now=at_deadline), tick(now=at_deadline)]
    )  # levels 0 and 1: the e-mail to the on-duty officer waits
    expect(page.get_by_role("alertdialog")).to_have_count(0)  # pages are for the recipient; the sender is told of them

    elsewhere(lambda: send_due(now=at_deadline + timedelta(hours=1)))  # nobody sent it in time

    warning = page.get_by_test_id("delivery-failed")
    expect(warning).to_contain_text("E-mail to ")
    expect(warning).to_contain_text("(HR-MOD) failed: not sent before its sending deadline")
