"""A supervisor fills a gap in the roster, and the directory shows the new duty officer."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.choices import ShiftKind
from accounts.models import DutyShift, User
from tests.accounts.world import build_demo_world, organisation
from tests.conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_adds_a_shift_and_the_directory_shows_the_new_duty_officer(asgi_server, browser_context, tmp_path):
    build_demo_world()
    crisis_centre = organisation("RS-MOD")
    now = timezone.now()
    cancelled = DutyShift.objects.get(
        organisation=crisis_centre, kind=ShiftKind.PRIMARY, starts_at__lte=now, ends_at__gt=now
    )
    cancelled.delete()  # the officer on duty fell ill: nobody is rostered now
    supervisor = User.objects.get(username="rs-mod-supervisor")
    supervisor.set_password(PASSWORD)
    supervisor.save()
    head = User.objects.get(username="rs-mod-head")

    page = browser_context.new_page()
    sign_in(page, asgi_server, supervisor)
    page.get_by_role("link", name="Rosters").click()
    page.get_by_role("link", name="My organisation: RS-MOD").click()
    expect(page.get_by_test_id("roster-gaps")).to_be_visible()
    page.get_by_role("link", name="Add a shift").click()

    zone = crisis_centre.zone
    # Not before the cancelled shift began: just after 08:00 or 20:00 that would overlap the shift before it.
    start = timezone.localtime(max(now - timedelta(minutes=5), cancelled.starts_at), zone)
    end = timezone.localtime(cancelled.ends_at, zone)
    page.get_by_label("Person").select_option(label=str(head))
    page.get_by_label("Kind").select_option("primary")
    page.get_by_label("Start date").fill(start.date().isoformat())
    page.get_by_label("Start time").fill(start.strftime("%H:%M"))
    page.get_by_label("End date").fill(end.date().isoformat())
    page.get_by_label("End time").fill(end.strftime("%H:%M"))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Shift added.")).to_be_visible()
    expect(page.get_by_test_id("roster-gaps")).to_have_count(0)

    page.get_by_role("link", name="Directory").click()
    row = page.locator('tr[data-organisation="RS-MOD"]')
    expect(row.get_by_test_id("on-duty-primary")).to_have_text(str(head))
    expect(page.get_by_test_id("designation-notes")).to_contain_text("UNSCR 1244/1999")
    page.screenshot(path=str(tmp_path / "directory.png"), full_page=True)
