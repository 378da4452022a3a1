"""Incident channels in two real consoles: a report reaches the counterpart within a second, its
acknowledgement comes back within a second, and a console cut off misses nothing."""

import re
import time

import pytest
from playwright.sync_api import expect

from accounts.models import User
from incidents.actions import do_post_message
from tests.accounts.world import build_demo_world, person
from tests.conftest import PASSWORD, sign_in
from tests.incidents.reports import elsewhere, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WITHIN_ONE_SECOND = 1000  # ms, the promise of DESIGN.md


def officer(username: str) -> User:
    user = person(username)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def second_context(chromium):
    context = chromium.new_context(locale="en-GB", timezone_id="Europe/Zagreb")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def open_live(page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")


def thread_numbers(page) -> list[int]:
    return page.locator('#thread > li[data-testid="message"]').evaluate_all(
        "items => items.map(item => Number(item.dataset.number))"
    )


def test_a_report_reaches_the_counterpart_and_the_acknowledgement_comes_back_within_a_second(
    asgi_server, browser_context, second_context, tmp_path
):
    build_demo_world()
    serbia, croatia = browser_context.new_page(), second_context.new_page()
    sign_in(serbia, asgi_server, officer("rs-mod-duty"))
    sign_in(croatia, asgi_server, officer("hr-mod-duty"))
    open_live(serbia, asgi_server.url + "/incidents/")
    open_live(croatia, asgi_server.url + "/incidents/")

    serbia.get_by_role("link", name="Report an incident").click()
    serbia.get_by_test_id("recipient-filter").fill("HR-MOD")  # the picker opens the party that matches
    serbia.get_by_label(re.compile(r"\bHR-MOD — ")).check()
    serbia.get_by_label("Title").fill("Unidentified drone over the Danube bridge")
    serbia.get_by_label("Summary").fill("Seen from the Bačka Palanka crossing at 03:10, heading north-west.")
    serbia.get_by_label("Category").select_option("drone")
    serbia.get_by_label("Severity").select_option("high")
    serbia.get_by_label("TLP").select_option("AMBER")
    started = time.monotonic()
    serbia.get_by_role("button", name="Report").click()
    row = croatia.get_by_test_id("incident-row").filter(has_text="Unidentified drone over the Danube bridge")
    expect(row).to_be_visible(timeout=WITHIN_ONE_SECOND)
    reported_latency = time.monotonic() - started
    expect(row.get_by_test_id("tlp")).to_have_text("TLP:AMBER")
    pinned = croatia.get_by_test_id("awaiting-item").filter(has_text="message 1")
    expect(pinned).to_be_visible()
    expect(pinned.get_by_test_id("countdown")).to_contain_text(re.compile(r"due in (14|15):\d\d"))
    expect(serbia).to_have_url(re.compile(r"/incidents/HL-\d{4}-\d{5}/$"))

    row.get_by_role("link").first.click()
    expect(croatia.locator("#message-1")).to_contain_text("Bačka Palanka")
    started = time.monotonic()
    croatia.locator("#message-1").get_by_role("button", name="Acknowledge").click()
    acknowledgement = serbia.locator('#message-1 .ack[data-organisation="HR-MOD"]')
    expect(acknowledgement).to_have_attribute("data-state", "given", timeout=WITHIN_ONE_SECOND)
    acknowledged_latency = time.monotonic() - started
    expect(acknowledgement).to_contain_text("acknowledged")
    expect(acknowledgement).to_contain_text("hr-mod-duty")
    print(
        f"\nreport → counterpart's list: {reported_latency * 1000:.0f} ms; "
        f"acknowledgement → reporter: {acknowledged_latency * 1000:.0f} ms"
    )
    serbia.screenshot(path=str(tmp_path / "reporter.png"), full_page=True)


def test_a_console_cut_off_while_fifty_messages_are_posted_shows_each_once_and_in_order(asgi_server, browser_context):
    build_demo_world()
    serbian_officer = person("rs-mod-duty")
    incident = elsewhere(lambda: report(serbian_officer, ["HR-MOD"]))
    elsewhere(lambda: do_post_message(serbian_officer, incident, kind="note", body="Before the cut."))
    page = browser_context.new_page()
    # Every event the live channel hands to the page, to check that each comes once.
    page.add_init_script(
        "window.eventsShown = []; "
        "document.addEventListener('hotline:event', (e) => window.eventsShown.push(e.detail.id));"
    )
    sign_in(page, asgi_server, officer("hr-mod-duty"))
    open_live(page, asgi_server.url + f"/incidents/{incident.reference}/")
    expect(page.locator('#thread > li[data-testid="message"]')).to_have_count(2)

    # Cut the console off: the network goes away (new connections fail) and the open socket is closed.
    browser_context.set_offline(True)
    page.evaluate("window.Hotline.live.close()")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "offline")
    elsewhere(
        lambda: [
            do_post_message(
                serbian_officer,
                incident,
                kind="note",
                body=f"Update {number} while you were away.",
                requires_ack=number % 10 == 0,
            )
            for number in range(3, 53)
        ]
    )
    page.wait_for_timeout(2500)  # at least one reconnect attempt fails while offline
    assert thread_numbers(page) == [1, 2], "the console was not cut off"
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "offline")

    browser_context.set_offline(False)
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live", timeout=40_000)
    expect(page.locator('#thread > li[data-testid="message"]')).to_have_count(52, timeout=10_000)
    elsewhere(lambda: do_post_message(serbian_officer, incident, kind="note", body="Live again."))
    expect(page.locator('#thread > li[data-testid="message"]')).to_have_count(53)
    assert thread_numbers(page) == list(range(1, 54))
    shown = page.evaluate("window.eventsShown")
    assert len(shown) == len(set(shown)) == 51 and shown == sorted(shown)  # 50 caught up + 1 live, each once
    expect(page.locator("#message-30 .body")).to_have_text("Update 30 while you were away.")
    expect(page.locator("#message-30").get_by_role("button", name="Acknowledge")).to_be_visible()


def test_an_exercise_incident_is_marked_exercise_on_the_list_and_the_incident_page(asgi_server, browser_context):
    build_demo_world()
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("hr-mod-duty"))
    open_live(page, asgi_server.url + "/incidents/")
    serbian_officer = person("rs-mod-duty")
    drill = elsewhere(lambda: report(serbian_officer, ["HR-MOD"], exercise=True, title="Drill: simulated DDoS"))
    row = page.locator(f'tr[data-incident="{drill.reference}"]')
    expect(row.get_by_test_id("exercise-badge")).to_have_text("EXERCISE")  # arrived live
    page.reload()
    expect(row.get_by_test_id("exercise-badge")).to_have_text("EXERCISE")  # and rendered by the server
    row.get_by_role("link", name=drill.reference).click()
    expect(page.get_by_test_id("exercise-banner")).to_be_visible()
    expect(page.get_by_test_id("exercise-banner")).to_contain_text("EXERCISE")
