"""Alarms that do not depend on being there (issue 15): a console opened after a page was sent raises
its alert at once, with what the recipient needs to decide, focus on Acknowledge (Enter acknowledges),
the count in the tab title; on a phone the alert and the link in a page's e-mail acknowledge without
horizontal scrolling; "Acknowledge and reply" lands on the composer; snooze and mute hold; and the
sender's escalation timeline moves by itself."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from hotline.escalation.engine import tick
from hotline.escalation.models import Timer
from hotline.escalation.sending import send_due
from incidents.actions import do_acknowledge, do_post_message
from incidents.models import Acknowledgement
from tests.accounts.world import build_demo_world, person
from tests.browser.test_escalation_alert import officer
from tests.conftest import sign_in
from tests.incidents.reports import elsewhere, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"http://[^/\s]+(/ack/[^/\s]+/)")


def waiting_report(severity="critical", title="Drone over the Vukovar bridge", to=("HR-MOD", "ME-MOD")):
    return elsewhere(lambda: report(person("rs-mod-duty"), list(to), severity=severity, title=title))


def acknowledged(incident, code="HR-MOD"):
    return Acknowledgement.objects.get(message__incident=incident, organisation__code=code).acknowledged_at is not None


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_console_opened_later_raises_the_alert_on_load_and_enter_acknowledges_it(asgi_server, browser_context):
    build_demo_world()
    critical = waiting_report()
    waiting_report(severity="high", title="Second drone")  # high: alerted too, below the critical one
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("hr-mod-duty"))

    alerts = page.get_by_role("alertdialog")
    expect(alerts).to_have_count(2)
    top = alerts.first
    expect(top.get_by_test_id("alert-reference")).to_have_text(f"{critical.reference} #1")  # most urgent first
    expect(top.get_by_test_id("alert-severity")).to_have_text("Critical")
    expect(top.get_by_test_id("alert-from")).to_contain_text("From RS-MOD")
    expect(top.get_by_test_id("alert-title")).to_have_text("Drone over the Vukovar bridge")
    expect(top).to_contain_text("HR-MOD must acknowledge this information. Also told: ME-MOD.")
    deadline = top.get_by_test_id("alert-deadline")
    # The time alone when the deadline falls today in the officer's zone, else with its date (near midnight).
    due = timezone.localtime(
        datetime.fromisoformat(deadline.get_attribute("datetime")), ZoneInfo(person("hr-mod-duty").zone_name)
    )
    day = "" if due.date() == timezone.localtime(timezone.now(), due.tzinfo).date() else f"{due:%d %b} "
    expect(deadline).to_have_text(re.compile(rf"^{day}\d\d:\d\d CES?T · \d\d:\d\d UTC$"))
    expect(page).to_have_title(re.compile(r"^\(2\) "))
    assert page.evaluate("document.querySelector('link[rel~=icon]').href").startswith("data:image/png")
    sign_out, card = page.get_by_role("button", name="Sign out").bounding_box(), top.bounding_box()
    assert card["y"] > sign_out["y"] + sign_out["height"], "the alert does not cover Sign out"
    expect(top.get_by_role("button", name="Acknowledge", exact=True)).to_be_focused()

    page.keyboard.press("Enter")  # one key press

    expect(alerts).to_have_count(1)
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    expect(page.get_by_test_id("escalation-notes").get_by_role("link", name="Reply in the thread")).to_be_visible()
    assert acknowledged(critical)
    expect(alerts.first.get_by_role("button", name="Acknowledge", exact=True)).to_be_focused()  # the next one


def test_a_more_urgent_alert_arriving_takes_the_focus_the_console_had_given_the_open_one(asgi_server, browser_context):
    build_demo_world()
    waiting_report(severity="high", title="Second drone")
    elsewhere(lambda: tick())  # the high one is paged before the console opens
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("hr-mod-duty"))
    alerts = page.get_by_role("alertdialog")
    expect(alerts.first.get_by_role("button", name="Acknowledge", exact=True)).to_be_focused()

    critical = waiting_report()
    elsewhere(lambda: tick())

    expect(alerts).to_have_count(2)
    expect(alerts.first.get_by_test_id("alert-reference")).to_have_text(f"{critical.reference} #1")
    expect(alerts.first.get_by_role("button", name="Acknowledge", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(alerts).to_have_count(1)
    assert acknowledged(critical), "Enter acknowledged the most urgent alert, the one on top"


def test_a_phone_acknowledges_from_the_alert_without_scrolling_sideways(asgi_server, chromium):
    build_demo_world()
    incident = waiting_report()
    context = chromium.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/Belgrade")
    page = context.new_page()
    sign_in(page, asgi_server, officer("hr-mod-duty"))
    page.goto(asgi_server.url + "/incidents/")

    alert = page.get_by_role("alertdialog")
    button = alert.get_by_role("button", name="Acknowledge", exact=True)
    expect(button).to_be_in_viewport(ratio=1)
    expect(alert.get_by_role("link", name="Open")).to_be_in_viewport(ratio=1)
    box = alert.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["y"] + box["height"] <= PHONE["height"]
    assert no_horizontal_scroll(page)
    button.click()

    expect(page.get_by_role("alertdialog")).to_have_count(0)
    assert acknowledged(incident)
    context.close()


def test_a_phone_acknowledges_from_the_link_in_a_page_email(asgi_server, chromium):
    build_demo_world()
    incident = waiting_report()
    timer = Timer.objects.get(recipient__code="HR-MOD")
    for minutes in (0, 5):  # levels 0 and 1: the on-duty officer and the supervisors, each mailed a link of their own
        elsewhere(lambda at=timer.started_at + timedelta(minutes=minutes): [tick(now=at), send_due(now=at)])
    links = [LINK.search(sent.body) for sent in mail.outbox if sent.to[0].endswith("@hr-mod.example")]
    path = next(found.group(1) for found in links if found)
    context = chromium.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/Belgrade")
    page = context.new_page()  # not signed in: the link is the credential

    page.goto(asgi_server.url + path)
    expect(page.get_by_test_id("link-severity")).to_have_text("Critical")
    expect(page.get_by_test_id("link-deadline")).to_contain_text("UTC")
    button = page.get_by_role("button", name="Acknowledge")
    expect(button).to_be_in_viewport(ratio=1)
    assert button.bounding_box()["height"] >= 48 and no_horizontal_scroll(page)
    button.click()

    expect(page.get_by_test_id("acknowledgement-link").get_by_role("status")).to_contain_text("Paging has stopped")
    assert no_horizontal_scroll(page) and acknowledged(incident)
    context.close()


def test_acknowledge_and_reply_lands_on_the_thread_with_the_composer_focused(asgi_server, browser_context):
    build_demo_world()
    incident = waiting_report()
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("hr-mod-duty"))

    page.get_by_role("alertdialog").get_by_role("button", name="Acknowledge and reply").click()

    expect(page).to_have_url(re.compile(rf"/incidents/{incident.reference}/#composer$"))
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    assert acknowledged(incident)


def test_snoozed_alerts_stay_away_until_their_time_and_a_muted_critical_alert_does_not_repeat(
    asgi_server, browser_context
):
    build_demo_world()
    waiting_report()
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("hr-mod-duty"))
    alert = page.get_by_role("alertdialog")
    expect(alert).to_have_count(1)
    page.wait_for_function("window.Hotline.alerts.soundsPlayed >= 1")

    page.get_by_role("button", name="Mute for 5 minutes").click()
    expect(page.get_by_test_id("alert-mute")).to_contain_text(re.compile(r"Sound muted until \d\d:\d\d"))
    before = page.evaluate("window.Hotline.alerts.soundsPlayed")
    page.evaluate("window.Hotline.alerts.repeatNow()")
    assert page.evaluate("window.Hotline.alerts.soundsPlayed") == before, "muted: no repeat"
    page.get_by_role("button", name="Unmute").click()
    page.evaluate("window.Hotline.alerts.repeatNow()")
    page.wait_for_function(f"window.Hotline.alerts.soundsPlayed > {before}")

    alert.get_by_role("button", name="Snooze 10 min").click()
    expect(alert).to_have_count(0)
    page.reload()
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    page.evaluate("window.Hotline.alerts.recheckNow()")
    expect(alert).to_have_count(0)  # snoozed, also after a reload

    page.evaluate("""() => {  // ten minutes later
        const key = Object.keys(localStorage).find((name) => name.startsWith("hotline.escalation.snoozed."));
        const all = JSON.parse(localStorage.getItem(key));
        Object.values(all).forEach((snooze) => { snooze.until = Date.now() - 1; });
        localStorage.setItem(key, JSON.stringify(all));
        window.Hotline.alerts.recheckNow();
    }""")
    expect(alert).to_have_count(1)


def test_the_senders_timeline_moves_by_itself_when_the_recipient_is_paged_and_acknowledges(
    asgi_server, browser_context
):
    build_demo_world()
    incident = waiting_report(to=("HR-MOD",))
    timer = Timer.objects.get(recipient__code="HR-MOD")
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("rs-mod-duty"))
    page.goto(f"{asgi_server.url}/incidents/{incident.reference}/")
    timeline = page.get_by_test_id("escalation-timeline")
    expect(timeline).to_contain_text("Not paged yet.")
    page.evaluate("window.notReloaded = true")

    elsewhere(lambda: tick(now=timer.started_at))

    expect(timeline.get_by_test_id("page")).to_have_text("level 0")
    expect(timeline).not_to_contain_text("Not paged yet.")

    elsewhere(lambda: do_acknowledge(person("hr-mod-duty"), incident))

    expect(timeline.get_by_test_id("timer-state")).to_have_text("acknowledged")
    assert page.evaluate("window.notReloaded === true")


def test_an_alert_does_not_take_the_focus_from_someone_typing_and_alt_shift_a_reaches_it(asgi_server, browser_context):
    build_demo_world()
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("hr-mod-duty"))
    page.goto(asgi_server.url + "/incidents/new/")
    title = page.get_by_label("Title")
    title.fill("Half a sentence")

    incident = waiting_report()
    elsewhere(lambda: tick())  # the page arrives live

    expect(page.get_by_role("alertdialog")).to_be_visible()
    expect(page.get_by_test_id("alert-typing-hint")).to_contain_text("Alt+Shift+A")
    expect(title).to_be_focused()
    page.keyboard.press("Alt+Shift+A")
    page.keyboard.press("Enter")  # two key presses

    expect(page.get_by_role("alertdialog")).to_have_count(0)
    assert acknowledged(incident)
    expect(title).to_be_focused()  # back where it was
    expect(title).to_have_value("Half a sentence")


def test_a_message_posted_while_the_page_is_open_gets_its_timeline_with_its_first_page(asgi_server, browser_context):
    build_demo_world()
    incident = waiting_report(to=("HR-MOD",))
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("rs-mod-duty"))
    page.goto(f"{asgi_server.url}/incidents/{incident.reference}/")

    elsewhere(lambda: do_post_message(person("rs-mod-duty"), incident, kind="note", body="Now two.", requires_ack=True))
    second = page.locator("#message-2")
    expect(second).to_contain_text("Now two.")
    elsewhere(lambda: tick(now=Timer.objects.filter(recipient__code="HR-MOD").latest("pk").started_at))

    expect(second.get_by_test_id("escalation-timer")).to_have_attribute("data-organisation", "HR-MOD")
    expect(second.get_by_test_id("page")).to_have_text("level 0")
