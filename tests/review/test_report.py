"""The period report: a PDF of real figures computed from real traffic, its SHA-256 in the audit log, the
letters of the region's languages, and the beat's monthly report issued once."""

import hashlib
import io
import os
import re
import stat
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.choices import PartyKind
from accounts.models import Organisation, Party
from hotline.audit.checkpoints import do_publish_checkpoint
from hotline.audit.models import AuditEntry
from hotline.review.figures import Period
from hotline.review.models import PeriodReport, ReportKind
from hotline.review.report import generate_report, render_pdf
from hotline.review.tasks import issue_monthly_report, monthly_report
from incidents.actions import do_acknowledge
from tests.accounts.world import build_demo_world, person
from tests.incidents.reports import report as report_incident
from tests.review import sample_figures
from tests.review.traffic import MONTH_END, MONTH_START

CROATIAN = "Središnji centar — čćđšž ČĆĐŠŽ"
CYRILLIC = "Министарство одбране — Ђурђевдан"


def text_of(content: bytes) -> str:
    """The PDF's text with every run of white space one space: a name wrapped in its cell reads on."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.fixture
def traffic(db):
    """RS-MOD reports three incidents to HR-MOD; HR-MOD acknowledges two in time, one stays open; one
    EXERCISE incident goes to HR-MOD too and is acknowledged. The organisations' names use the region's
    letters."""
    build_demo_world()
    Organisation.objects.filter(code="HR-MOD").update(name=CROATIAN)
    Organisation.objects.filter(code="RS-MOD").update(name=CYRILLIC)
    sender, receiver = person("rs-mod-duty"), person("hr-mod-duty")
    incidents = [report_incident(sender, title=f"Secret title {n}") for n in range(3)]
    do_acknowledge(receiver, incidents[0])
    do_acknowledge(receiver, incidents[1])
    do_acknowledge(receiver, report_incident(sender, exercise=True, title="Drill title"))
    do_publish_checkpoint()
    return incidents


def today() -> tuple[datetime, datetime]:
    now = timezone.now()
    return now - timedelta(hours=1), now + timedelta(hours=1)


def test_the_report_holds_the_real_figures_per_party_and_the_exercise_apart(traffic):
    since, until = today()
    report = generate_report(since, until, ReportKind.ON_DEMAND, "wbc-sec-reviewer")
    text = text_of(report.file.read())
    assert "Hotline period report" in text
    real, exercise = text.split("EXERCISE traffic Drill traffic")
    for party in Party.objects.filter(kind=PartyKind.MEMBER):
        assert f"Real traffic: {party.code} — {party.name}" in real
        assert f"EXERCISE: {party.code} — {party.name}" in exercise
    # HR-MOD owed 3 acknowledgements of real traffic, 2 within the deadline (67 %), 1 open; the columns:
    # owed, in time, p50, p90, open.
    assert re.search(rf"HR-MOD — {CROATIAN} 3 67% \S+ s \S+ s 1 ", real), real
    # The EXERCISE section counts the drill alone: 1 owed, 1 in time, none open.
    assert re.search(rf"HR-MOD — {CROATIAN} 1 100% \S+ s \S+ s 0 ", exercise)
    # The open acknowledgement is a notable item, by its reference alone.
    notable = real[real.index("Notable items") :]
    assert re.search(rf"Acknowledgement not given {traffic[2].reference}\b.* HR-MOD RS-MOD ", notable), notable
    assert traffic[0].reference not in notable
    assert "Secret title" not in text and "Drill title" not in text  # figures, never content


def test_the_sha256_in_the_audit_log_is_the_file_s(traffic):
    since, until = today()
    report = generate_report(since, until, ReportKind.ON_DEMAND, "wbc-sec-reviewer")
    content = report.file.read()
    entry = AuditEntry.objects.get(action="review.report_generated")
    details = entry.content["details"]
    assert details["sha256"] == hashlib.sha256(content).hexdigest() == report.sha256
    assert details["size"] == len(content) == report.size
    assert details["report"] == report.pk and report.audit_seq == entry.seq
    assert details["period"] == {"since": since.isoformat(), "until": until.isoformat()}
    assert stat.S_IMODE(os.stat(report.file.path).st_mode) == 0o600


def test_the_report_states_the_audit_log_it_was_checked_against(traffic):
    since, until = today()
    size = AuditEntry.objects.count()
    text = text_of(generate_report(since, until, ReportKind.ON_DEMAND, "system").file.read())
    assert re.search(rf"Entries {size}\b", text)
    assert f"{size} entries, signed" in text
    assert "the chain holds and extends every signed checkpoint" in text
    assert "How a party checks this report" in text


def test_the_region_s_letters_survive_in_the_pdf(traffic):
    since, until = today()
    text = text_of(generate_report(since, until, ReportKind.ON_DEMAND, "system").file.read())
    assert CROATIAN in text
    assert CYRILLIC in text


def test_the_same_figures_draw_the_same_bytes():
    generated = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)
    arguments = (sample_figures.figures(), sample_figures.months(), sample_figures.AUDIT_STATE, sample_figures.NOTABLE)
    first = render_pdf(*arguments, exercise_figures=sample_figures.figures(True), generated_at=generated)
    again = render_pdf(*arguments, exercise_figures=sample_figures.figures(True), generated_at=generated)
    later = render_pdf(*arguments, exercise_figures=sample_figures.figures(True), generated_at=generated + timedelta(1))
    assert first == again != later


def test_notable_items_show_metadata_only():
    text = text_of(render_pdf(sample_figures.figures(), [], sample_figures.AUDIT_STATE, sample_figures.NOTABLE))
    assert "Late acknowledgement HL-2026-00012 #3 HR-CERT RS-MOD" in text
    assert "45 min" in text
    assert "Missed check CHK-2026-0044 RS-MOD" in text


def test_the_beat_issues_one_report_a_month_even_when_run_twice(db):
    build_demo_world()
    december = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)
    first = issue_monthly_report(december)
    second = issue_monthly_report(december + timedelta(hours=1))
    november = Period.month(2026, 11)
    assert first.pk == second.pk
    assert (first.kind, first.since, first.until) == (ReportKind.MONTHLY, november.since, november.until)
    assert first.file_name == "hotline-report-2026-11.pdf"
    assert "November 2026" in text_of(first.file.read())
    assert PeriodReport.objects.count() == 1
    assert AuditEntry.objects.filter(action="review.report_generated").count() == 1


def test_the_beat_task_reports_the_month_before_now(db, settings):
    assert settings.CELERY_BEAT_SCHEDULE["review-monthly-report"]["task"] == monthly_report.name
    build_demo_world()
    monthly_report()
    monthly_report()
    last_month = Period.preset("last_month")
    assert list(PeriodReport.objects.values_list("kind", "since")) == [(ReportKind.MONTHLY, last_month.since)]


def test_the_known_answer_month_reads_the_same_in_the_pdf(db, month):
    """tests/review/traffic.py's November through the report: the figures test_figures.py asserts, as the
    report prints them (owed, in time, p50, p90, open, level 3, failed deliveries, replies in time, checks
    answered, checks missed, exercises on time, flights on time)."""
    report = generate_report(MONTH_START, MONTH_END, ReportKind.MONTHLY, "wbc-sec-reviewer")
    text = text_of(report.file.read())
    real = text.split("EXERCISE traffic Drill traffic")[0]
    assert "Hotline period report November 2026" in text
    assert "HR-CERT — Croatia — National CERT 5 60% 2 min 30 min 1 1 1 100% 100% 0 — —" in real
    assert "HR total 5 60% 2 min 30 min 1 1 1 100% 50% 1 — —" in real
    assert "RS — Serbia 0 — — — 0 0 0 — 0% 2 0% —" in real, "RS-MOD's exercise was notified late"
    assert month["C"].title not in text and month["D"].title not in text
