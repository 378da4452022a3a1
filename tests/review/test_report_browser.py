"""A reviewer generates last month's report from the reports page, downloads it, and finds its SHA-256 on
the page and in the audit log; on a phone the page fits the screen."""

import hashlib
import os

import pytest
from playwright.sync_api import expect

from accounts.models import User
from hotline.audit.models import AuditEntry
from hotline.review.models import PeriodReport
from tests.accounts.world import build_demo_world
from tests.conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("HOTLINE_SCREENSHOTS")  # a folder: the pages are saved there to look at


def test_a_reviewer_generates_last_month_s_report_and_checks_its_sha256(asgi_server, browser_context, tmp_path):
    build_demo_world()
    reviewer = User.objects.get(username="wbc-sec-reviewer")
    reviewer.set_password(PASSWORD)
    reviewer.save()
    page = browser_context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    sign_in(page, asgi_server, reviewer)
    page.goto(asgi_server.url + "/review/reports/")
    expect(page.get_by_test_id("reports")).to_contain_text("No report yet.")
    # Generating computes the month and its 12-month trend: seconds on SQLite under a loaded CI machine.
    with page.expect_download(timeout=60_000) as download:
        page.get_by_test_id("generate-month").get_by_role("button", name="Generate PDF").click(timeout=60_000)
    content = open(download.value.path(), "rb").read()
    digest = hashlib.sha256(content).hexdigest()
    report = PeriodReport.objects.get()
    assert content.startswith(b"%PDF") and digest == report.sha256
    assert download.value.suggested_filename == report.file_name
    # The newest: the append-only log outlives the flushes between browser tests (another test's report).
    entry = AuditEntry.objects.filter(action="review.report_generated").order_by("-seq").first()
    assert entry.content["details"]["sha256"] == digest
    page.reload()
    expect(page.get_by_test_id("reports")).to_contain_text(digest)
    expect(page.get_by_test_id("reports")).to_contain_text(f"#{entry.seq}")
    assert not problems, problems  # no script or style refused by the content security policy
    folder = SCREENSHOTS or str(tmp_path)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=os.path.join(folder, "reports-wide.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=os.path.join(folder, "reports-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
