"""The reports' pages: reviewers list, generate and download; nobody else opens any of them; a bad period
is a page that says what is wrong; every PDF sent is in the audit log."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.demo import USERNAME_SUFFIX
from accounts.models import Organisation, User
from hotline.audit.models import AuditEntry
from hotline.review.figures import Period
from hotline.review.models import PeriodReport, ReportKind
from hotline.review.report import generate_report
from tests.accounts.world import build_demo_world, person
from tests.conftest import make_user


@pytest.fixture
def world(db, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def kept_report() -> PeriodReport:
    now = timezone.now()
    return generate_report(now - timedelta(days=1), now, ReportKind.ON_DEMAND, "wbc-sec-reviewer")


def test_a_duty_officer_is_refused_every_report_page(world):
    report = kept_report()
    officer = signed_in("hr-mod-duty")
    refusals = AuditEntry.objects.filter(action="access.refused").count()
    for path in ("/review/reports/", "/review/report.pdf", f"/review/reports/{report.pk}.pdf"):
        response = officer.get(path)
        assert response.status_code == 403, path
        assert b"%PDF" not in body(response)
    assert AuditEntry.objects.filter(action="access.refused").count() == refusals + 3
    assert PeriodReport.objects.count() == 1  # the refused generation made nothing


def test_only_the_commission_s_reviewers_and_administrators_open_the_reports(world):
    report = kept_report()
    allowed = set()
    for code in ("HR-MOD", "RS-CERT", "WBC-SEC", "OSCE-CPC"):
        for role in Role.values:
            username = f"{code.lower()}-{USERNAME_SUFFIX[role]}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = make_user(username, organisation=Organisation.objects.get(code=code), role=role)
            client = Client()
            client.force_login(user)
            answers = {
                client.get(path).status_code for path in ("/review/reports/", f"/review/reports/{report.pk}.pdf")
            }
            assert answers in ({200}, {403}), (username, answers)
            if answers == {200}:
                allowed.add(username)
    assert allowed == {"wbc-sec-reviewer", "wbc-sec-admin"}


def test_a_reviewer_generates_a_period_s_report_and_downloads_it(world):
    reviewer = signed_in("wbc-sec-reviewer")
    response = reviewer.get("/review/report.pdf?since=2026-11-01&until=2026-11-15")  # 1 to 15 November
    content = body(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    report = PeriodReport.objects.get()
    assert response["Content-Disposition"] == f'attachment; filename="{report.file_name}"'
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == report.sha256
    assert report.kind == ReportKind.ON_DEMAND and report.generated_by_label == "wbc-sec-reviewer"
    assert (report.since, report.until) == (Period.month(2026, 11).since, Period.month(2026, 11).since + timedelta(15))
    listing = reviewer.get("/review/reports/").content.decode()
    assert report.sha256 in listing and f"/review/reports/{report.pk}.pdf" in listing
    assert f"#{report.audit_seq}" in listing
    again = reviewer.get(f"/review/reports/{report.pk}.pdf")
    assert body(again) == content and again["Cache-Control"] == "no-store"
    downloads = AuditEntry.objects.filter(action="review.report_downloaded")
    assert [entry.content["details"] for entry in downloads] == [{"report": report.pk, "sha256": report.sha256}] * 2
    assert {entry.actor for entry in downloads} == {"wbc-sec-reviewer"}


def test_an_ended_month_is_issued_once_and_sent_again_when_asked_again(world):
    reviewer = signed_in("wbc-sec-reviewer")
    first = body(reviewer.get("/review/report.pdf?month=2026-10"))
    second = body(reviewer.get("/review/report.pdf?since=2026-10-01&until=2026-10-31"))
    assert first == second
    report = PeriodReport.objects.get()
    assert (report.kind, report.file_name) == (ReportKind.MONTHLY, "hotline-report-2026-10.pdf")
    quarter = reviewer.get("/review/report.pdf?quarter=2026-Q3")
    assert quarter.status_code == 200
    assert PeriodReport.objects.get(kind=ReportKind.QUARTERLY).file_name == "hotline-report-2026-Q3.pdf"
    assert AuditEntry.objects.filter(action="review.report_generated").count() == 2


def test_the_reports_page_offers_last_month_and_the_ended_quarters(world):
    page = signed_in("wbc-sec-reviewer").get("/review/reports/").content.decode()
    last_month = timezone.localtime(Period.preset("last_month").since, timezone.get_default_timezone())
    assert f'name="month" value="{last_month:%Y-%m}"' in page
    assert len(re.findall(r'<option value="\d{4}-Q[1-4]">', page)) == 8
    assert "No report yet." in page


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("since=yesterday&until=2026-12-01", "since: give a date (2026-11-01) or a time with its offset"),
        ("since=2026-11-01T00:00:00&until=2026-12-01", "since: A time is given in RFC 3339 with its offset"),
        ("since=2026-02-30&until=2026-03-01", "since: give a date"),
        ("since=2026-12-01&until=2026-11-01", "The period must end after it starts."),
        ("preset=next_year", "Unknown period"),
        ("since=2024-01-01&until=2026-01-01", "A period is at most 400 days."),
        ("month=2026-13", "month must be YYYY-MM"),
        ("quarter=2026-Q5", "quarter must be YYYY-Qn"),
    ],
)
def test_a_bad_period_is_a_page_that_says_what_is_wrong(world, query, said):
    response = signed_in("wbc-sec-reviewer").get(f"/review/report.pdf?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "This period cannot be reported" in page and said in page
    assert not PeriodReport.objects.exists()


def test_an_rfc_3339_period_with_an_offset_is_read_as_given(world):
    response = signed_in("wbc-sec-reviewer").get(
        "/review/report.pdf", {"since": "2026-11-01T08:00:00+01:00", "until": "2026-11-01T20:00:00Z"}
    )
    assert response.status_code == 200
    report = PeriodReport.objects.get()
    assert (report.since.isoformat(), report.until.isoformat()) == (
        "2026-11-01T07:00:00+00:00",
        "2026-11-01T20:00:00+00:00",
    )
