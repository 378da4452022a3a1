"""A commission reviewer opens an incident's timeline from the incident page on a wide screen, reads its
metadata (a RED incident of others: no content) and downloads the CSV; a recipient's supervisor reads the
same timeline, with its content, on a phone. Both pages pass axe-core and the phone's fits its width."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import blocking, violations
from tests.browser.test_escalation_alert import officer
from tests.conftest import sign_in
from tests.escalation.conftest import receivers  # noqa: F401  (a fixture: the fake SMTP and webhook servers)
from tests.incidents.reports import elsewhere
from tests.review.test_incident_timeline import EXPECTED, SECRETS, tell_story, world  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def told(world, receivers, settings):  # noqa: F811  (the fixtures imported above)
    settings.OTP_REQUIRED = True  # signed in through the real login, second factor included
    # In a thread of its own: the actions push after commit, which cannot run beside Playwright's loop.
    return elsewhere(lambda: tell_story(receivers))


def test_a_reviewer_reads_the_timeline_from_the_incident_page_and_downloads_it(asgi_server, chromium, told, tmp_path):
    reviewer = officer("wbc-sec-reviewer")
    context = chromium.new_context(viewport=WIDE, locale="en-GB", timezone_id="Europe/Brussels")
    try:
        page = context.new_page()
        sign_in(page, asgi_server, reviewer)
        page.goto(f"{asgi_server.url}/incidents/{told.reference}/")
        page.get_by_test_id("timeline-link").click()
        expect(page).to_have_url(re.compile(rf"/review/incidents/{told.reference}/timeline/$"))
        expect(page.get_by_test_id("content-withheld")).to_contain_text("content withheld (TLP:RED)")
        expect(page.get_by_test_id("event")).to_have_count(len(EXPECTED))
        expect(page.get_by_test_id("organisation-row").filter(has_text="BA-CERT")).to_contain_text("level 2")
        expect(page.get_by_test_id("event").filter(has_text="failed")).to_contain_text("HR-CERT Webhook")
        for words in SECRETS.values():
            assert words not in page.content()
        assert not blocking(violations(page)), blocking(violations(page))
        page.screenshot(path=str(tmp_path / "timeline-wide.png"), full_page=True)
        with page.expect_download() as download:
            page.get_by_test_id("download-csv").click()
        assert download.value.suggested_filename == f"{told.reference}-timeline.csv"
        text = open(download.value.path(), encoding="utf-8").read()
        assert [row["kind"] for row in csv.DictReader(io.StringIO(text))] == [kind for _, kind, _, _ in EXPECTED]
        assert not [words for words in SECRETS.values() if words in text]
    finally:
        context.close()


def test_a_recipients_supervisor_reads_the_timeline_with_its_content_on_a_phone(asgi_server, chromium, told, tmp_path):
    supervisor = officer("hr-cert-supervisor")
    context = chromium.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/Zagreb")
    try:
        page = context.new_page()
        sign_in(page, asgi_server, supervisor)
        page.goto(f"{asgi_server.url}/review/incidents/{told.reference}/timeline/")
        expect(page.get_by_role("heading", name=SECRETS["title"])).to_be_visible()
        expect(page.get_by_test_id("event").filter(has_text=SECRETS["reply"])).to_have_attribute("data-kind", "reply")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert not blocking(violations(page)), blocking(violations(page))
        page.screenshot(path=str(tmp_path / "timeline-phone.png"), full_page=True)
    finally:
        context.close()
