"""The duty board on a phone (390 × 844): the officer on shift sees until when, who else is on duty with
a phone link, and the critical report waiting on them, titled, without scrolling sideways; a new report
reaches the recent activity live."""

import pytest
from playwright.sync_api import expect

from accounts.duty import on_duty
from tests.accounts.world import build_demo_world, organisation, person
from tests.conftest import PASSWORD, sign_in
from tests.incidents.reports import elsewhere, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_on_a_phone_the_duty_board_shows_my_shift_who_is_on_duty_and_what_waits_titled(asgi_server, chromium):
    build_demo_world()
    officer = on_duty(organisation("HR-MOD")).primary[0].person
    officer.set_password(PASSWORD)
    officer.save()
    elsewhere(lambda: report(person("rs-mod-duty"), ["HR-MOD"], severity="critical", title="Drone over Ilok"))
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="en-GB", timezone_id="Europe/Belgrade"
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, asgi_server, officer)

        expect(page.get_by_role("heading", level=1)).to_contain_text("Duty board")
        expect(page.get_by_test_id("my-shift")).to_contain_text("On shift until")
        expect(page.get_by_test_id("on-duty-now").locator('a[href^="tel:+385"]').first).to_be_visible()
        row = page.get_by_test_id("waiting-row").first
        expect(row.get_by_test_id("waiting-title")).to_have_text("Drone over Ilok")
        row.get_by_role("button", name="Acknowledge").scroll_into_view_if_needed()
        expect(row.get_by_role("button", name="Acknowledge")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        second = elsewhere(lambda: report(person("rs-mod-duty"), ["HR-MOD"], title="A second drone over Ilok"))
        expect(page.get_by_test_id("recent-activity")).to_contain_text(f"reported {second.reference}")  # live
    finally:
        context.close()
