"""A commission reviewer opens the review for last month, downloads its table, drills into a party and
into the items behind one of its figures, and downloads the month's period report (PDF); each page on a
wide screen and on a phone, in the day and the night theme.

The month of traffic is tests/review/traffic.py's November 2026; the whole test runs as of 2 December
2026 (the clock moves on from there), so "last month" is that November whatever the day it runs."""

import csv
import hashlib
import re

import pytest
import time_machine
from playwright.sync_api import expect

from hotline.audit.models import AuditEntry
from tests.browser.accessibility import blocking, described, violations
from tests.browser.test_escalation_alert import officer
from tests.conftest import sign_in
from tests.escalation.conftest import receivers  # noqa: F401 (a fixture)
from tests.incidents.reports import elsewhere
from tests.review.traffic import AFTER, build_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def november(receivers):  # noqa: F811
    with time_machine.travel(AFTER, tick=True):
        # In a thread of its own, as the other browser tests make their traffic (tests/incidents/reports.py).
        yield elsewhere(lambda: build_month(receivers))


def test_a_reviewer_opens_last_month_drills_into_a_party_and_its_late_acknowledgements(
    november, asgi_server, chromium, tmp_path
):
    reviewer = officer("wbc-sec-reviewer")
    context = chromium.new_context(viewport=WIDE, locale="en-GB", timezone_id="Europe/Zagreb", accept_downloads=True)
    try:
        page = context.new_page()
        sign_in(page, asgi_server, reviewer)
        # The secretariat owes an acknowledgement of the month's exercise amendment: its console alert is
        # snoozed, so that it covers none of the review (and none of the screenshots).
        page.get_by_role("button", name="Snooze 10 min").click()
        page.get_by_role("navigation", name="Sections").get_by_role("link", name="Review").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Commission review")

        page.get_by_role("combobox", name="Period").select_option("last_month")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_test_id("period-label")).to_have_text("November 2026")
        croatia = page.get_by_test_id("row-HR")
        expect(croatia.locator('[data-figure="within_deadline_share"]')).to_have_text("60 %")
        expect(croatia.locator('[data-figure="ack_p90_s"]')).to_have_text("30 min")
        expect(page.get_by_test_id("row-median")).to_contain_text("Regional median")
        shots(page, tmp_path, "dashboard")

        with page.expect_download() as download:
            page.get_by_test_id("download-csv").click()
        rows = {row["code"]: row for row in csv.DictReader(open(download.value.path(), encoding="utf-8"))}
        assert rows["HR"]["owed"] == "5" and rows["HR"]["within_deadline_share"] == "0.6"

        # Exercise traffic is a switch away, and back.
        page.get_by_test_id("traffic-switch").get_by_role("link", name="EXERCISE traffic").click()
        expect(page.get_by_test_id("period-label")).to_have_text("November 2026 · EXERCISE traffic")
        expect(croatia.locator('[data-figure="owed"]')).to_have_text("1")
        page.get_by_test_id("traffic-switch").get_by_role("link", name="Real traffic").click()

        croatia.get_by_role("link", name="Croatia").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Croatia")
        expect(page.get_by_test_id("period-label")).to_have_text("November 2026")
        hr_cert = page.get_by_test_id("row-HR-CERT")
        expect(hr_cert.locator('[data-figure="within_deadline_share"]')).to_have_text("60 %")
        expect(page.get_by_test_id("table-by_method")).to_contain_text("Phone")
        shots(page, tmp_path, "party")

        hr_cert.locator('[data-figure="within_deadline_share"] a').click()
        expect(page.get_by_test_id("items-heading")).to_contain_text("Acknowledgements given late: 1")
        expect(page.get_by_test_id("item")).to_contain_text(f"{november['C'].reference} #1")
        expect(page.get_by_test_id("item")).to_contain_text("15 min")
        expect(page).to_have_url(re.compile(r"/review/items/\?figure=acknowledgements\.late&organisation=HR-CERT&"))
        shots(page, tmp_path, "items")
        # Back to the dashboard of the same month, and its period report: the PDF the commission issues,
        # whose SHA-256 the audit log holds (hotline/review/report_views.py).
        page.locator(".breadcrumbs").get_by_role("link", name="Review").click()
        expect(page.get_by_test_id("period-label")).to_have_text("November 2026")
        with page.expect_download(timeout=120_000) as download:
            page.get_by_test_id("report-pdf").click()
        pdf = open(download.value.path(), "rb").read()
        assert pdf.startswith(b"%PDF")
        # The log outlives the test database's flushes between browser tests: the newest entry is this one.
        generated = AuditEntry.objects.filter(action="review.report_generated").order_by("-seq").first()
        assert generated.content["details"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    finally:
        context.close()


def shots(page, folder, name: str) -> None:
    """The page wide and on a phone, light and dark, with no critical or serious accessibility violation
    (axe-core) in either theme; nothing wider than the phone but the tables, which scroll in their card."""
    for size, viewport in (("wide", WIDE), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=str(folder / f"review-{name}-{size}-{scheme}.png"), full_page=True)
            if size == "wide":
                found = blocking(violations(page))
                assert not found, "\n".join(described(f"{name} ({scheme})", found))
        if size == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    page.set_viewport_size(WIDE)
    page.emulate_media(color_scheme="light")
