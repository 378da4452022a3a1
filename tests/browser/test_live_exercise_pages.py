"""Exercise pages follow the live channel by themselves (issue 15, "live where it says live"): an
acknowledgement given elsewhere appears on the notification's page and in the list without a reload
and without a "reload" notice; a part the reader is writing in is left as it is, and only then does the
page say that something changed."""

import pytest
from playwright.sync_api import expect

from incidents.notifications.actions import do_acknowledge_exercise
from tests.accounts.world import build_demo_world, person
from tests.browser.test_escalation_alert import officer
from tests.conftest import sign_in
from tests.incidents.reports import elsewhere
from tests.notifications.test_console_exercises import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_acknowledgement_given_elsewhere_appears_on_the_open_page_without_a_reload(asgi_server, browser_context):
    build_demo_world()
    notification = elsewhere(lambda: notify())
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("hr-mod-duty"))
    page.goto(f"{asgi_server.url}/notifications/exercises/{notification.reference}/")
    page.evaluate("window.loadedOnce = true")  # gone if the page loads again
    montenegro = page.locator('[data-testid="ack"][data-organisation="ME-MOD"]')
    expect(montenegro).to_have_attribute("data-state", "pending")

    elsewhere(lambda: do_acknowledge_exercise(person("me-mod-duty"), notification))

    expect(montenegro).to_have_attribute("data-state", "given")
    assert page.evaluate("window.loadedOnce === true"), "the part was swapped, the page not reloaded"
    expect(page.get_by_test_id("live-notice")).to_be_hidden()


def test_a_part_the_reader_is_writing_in_is_kept_and_the_page_says_what_changed(asgi_server, browser_context):
    build_demo_world()
    notification = elsewhere(lambda: notify())
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer("rs-mod-duty"))  # its author: the invitations part has its form
    page.goto(f"{asgi_server.url}/notifications/exercises/{notification.reference}/")
    typed = page.get_by_test_id("invitation-form").get_by_label("Reporting point")
    typed.fill("Knin barracks, 07:00")

    elsewhere(lambda: do_acknowledge_exercise(person("me-mod-duty"), notification))

    expect(page.locator('[data-testid="ack"][data-organisation="ME-MOD"]')).to_have_attribute("data-state", "given")
    expect(typed).to_have_value("Knin barracks, 07:00")
    expect(page.get_by_test_id("live-notice")).to_contain_text("while you were writing here; your text is kept")
