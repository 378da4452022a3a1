"""The period report as PDF, for the commission's meetings: drawn with fpdf2 (pip alone installs it; no
system libraries, unlike WeasyPrint), in DejaVu Sans (vendored in fonts/, with its licence) so that
č ć đ š ž and Cyrillic print.

Rules:
- figures only, never content: the notable items are metadata (kind, reference, organisation, times);
  no title, summary or message text ever reaches this module;
- real traffic and EXERCISE traffic are never mixed: the report covers real traffic, and EXERCISE traffic
  has a section of its own;
- the charts are charts.py's SVG strings, the same drawing as the console's;
- deterministic: the same input gives the same bytes, the creation date being the generation time given,
  so the SHA-256 recorded in the audit log identifies one document.
"""

import hashlib
import io
import logging
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from hotline.audit.checkpoints import stored_checkpoints
from hotline.audit.log import record
from hotline.audit.models import AuditCheckpoint
from hotline.audit.verify import verify_log
from hotline.formats import zone_label
from hotline.review import charts
from hotline.review import figures as review_figures
from hotline.review.figures import main_figures
from hotline.review.models import PeriodReport, ReportKind

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu Sans"  # the name charts.py's font-family asks for first, so fpdf2's SVG text uses it

# The main figures as the tables show them: (MAIN key, column heading, kind of value).
MAIN_COLUMNS = (
    ("owed", "Owed", "count"),
    ("within_deadline_share", "In time", "share"),
    ("ack_p50_s", "Ack p50", "duration"),
    ("ack_p90_s", "Ack p90", "duration"),
    ("open", "Open", "count"),
    ("reached_level_3", "Level 3", "count"),
    ("deliveries_failed", "Failed deliveries", "count"),
    ("reply_share", "Replies in time", "share"),
    ("reachability_share", "Checks answered", "share"),
    ("checks_missed", "Checks missed", "count"),
    ("exercise_on_time_share", "Exercises on time", "share"),
    ("flights_on_time_share", "Flights on time", "share"),
)
# What the 12-month trend draws.
TREND_ROWS = (
    ("within_deadline_share", "Acknowledged within the deadline", "share"),
    ("ack_p50_s", "Time to acknowledge, p50", "duration"),
    ("reachability_share", "Checks answered within the window", "share"),
    ("exercise_on_time_share", "Exercises notified on time", "share"),
    ("flights_on_time_share", "Drone flights notified on time", "share"),
)
# The notable items' figures (hotline.review.figures.NOTABLE_FIGURES) as the report names them.
NOTABLE_LABELS = {
    "acknowledgements.late": "Late acknowledgement",
    "acknowledgements.open": "Acknowledgement not given",
    "reachability.missed": "Missed check",
    "exercises.late": "Late exercise notification",
    "flights.late": "Late drone flight notification",
    "cross_border.after_activation": "Cross-border flight acknowledged after activation",
}
NOTABLE_LIMIT = 200  # a longer list is cut, and the report says how many were left out

HEADING = FontFace(emphasis="BOLD", fill_color=(230, 235, 241))
EXERCISE_HEADING = FontFace(emphasis="BOLD", fill_color=(255, 244, 206))


def duration_text(seconds: int | None) -> str:
    """Whole seconds in the largest units that read well: "45 s", "12 min", "3 h 05 min", "2 d 4 h"."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def value_text(value, kind: str) -> str:
    if kind == "share":
        return charts.share_text(value)
    if kind == "duration":
        return duration_text(value)
    return charts.count_text(value)


def parse_time(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def time_text(value) -> str:
    """In the service's time zone, each time with its own abbreviation (CET in winter, CEST in summer)."""
    moment = parse_time(value)
    return (
        "—"
        if moment is None
        else timezone.localtime(moment, timezone.get_default_timezone()).strftime("%d %b %Y %H:%M %Z")
    )


def period_label(since: datetime, until: datetime) -> str:
    """ "November 2026" or "1 Oct 2026 – 31 Dec 2026", as the console names the period."""
    return review_figures.Period(since=since, until=until).label


class ReportDocument(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.report_title = title
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(14, 14, 14)

    def footer(self):
        self.set_y(-11)
        self.set_font(FAMILY, size=7)
        self.set_text_color(91, 100, 112)
        self.cell(0, 5, f"{self.report_title} · page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: int = 14):
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self.set_font(FAMILY, size=9)

    def paragraph(self, text: str, size: int = 9):
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def caption(self, text: str):
        if self.get_y() > self.h - 45:
            self.add_page()
        self.set_font(FAMILY, "B", 8.5)
        self.multi_cell(0, 4.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def svg(self, svg: str, width: float):
        """Draw one of charts.py's drawings `width` mm wide at the cursor, and move below it."""
        if self.get_y() > self.h - 45:
            self.add_page()
        top = self.get_y()
        info = self.image(io.BytesIO(svg.encode()), x=self.l_margin, y=top, w=width)
        self.set_y(top + info.rendered_height + 2)


def _main_table(pdf: ReportDocument, rows: list[tuple[str, dict]], heading=HEADING):
    """One row a party or organisation: its name, then the main figures."""
    pdf.set_font(FAMILY, size=7.5)
    widths = (44, *[19] * len(MAIN_COLUMNS))
    with pdf.table(
        col_widths=widths, headings_style=heading, line_height=4.2, text_align=("LEFT", *["RIGHT"] * 12)
    ) as table:
        header = table.row()
        header.cell("")
        for _, title, _ in MAIN_COLUMNS:
            header.cell(title)
        for name, main in rows:
            row = table.row()
            row.cell(name)
            for key, _, kind in MAIN_COLUMNS:
                row.cell(value_text(main.get(key), kind))
    pdf.ln(2)


def _party_rows(figures: dict) -> list[tuple[str, dict]]:
    rows = [(f"{party['party']} — {party['name']}", main_figures(party["totals"])) for party in figures["parties"]]
    median = (figures.get("region") or {}).get("median")
    if median:
        rows.append(("Regional median", median))
    return rows


def _charts(pdf: ReportDocument, figures: dict, label: str):
    parties = figures["parties"]
    mains = [(party["party"], main_figures(party["totals"])) for party in parties]
    most = max((main.get("open") or 0 for _, main in mains), default=0)
    drawings = [
        ("Acknowledged within the deadline", [(code, main["within_deadline_share"], 1) for code, main in mains], True),
        ("Acknowledgements still open", [(code, main.get("open"), most) for code, main in mains], False),
    ]
    if any(main.get("reachability_share") is not None for _, main in mains):
        drawings.insert(
            1,
            (
                "Reachability checks answered within the window",
                [(code, main["reachability_share"], 1) for code, main in mains],
                True,
            ),
        )
    for caption, rows, share in drawings:
        pdf.caption(f"{label}: {caption.lower()}, by party")
        pdf.svg(charts.bars(rows, title=f"{label}: {caption.lower()}, by party", share=share), 110)


def _traffic(pdf: ReportDocument, figures: dict, label: str, heading=HEADING):
    """The summary by party, its charts, then one table a party (its organisations and its totals)."""
    pdf.heading(f"{label}: the parties")
    _main_table(pdf, _party_rows(figures), heading)
    _charts(pdf, figures, label)
    for party in figures["parties"]:
        pdf.heading(f"{label}: {party['party']} — {party['name']}", 11)
        rows = [
            (f"{organisation['organisation']} — {organisation['name']}", main_figures(organisation))
            for organisation in party["organisations"]
        ]
        rows.append((f"{party['party']} total", main_figures(party["totals"])))
        _main_table(pdf, rows, heading)


def _trend(pdf: ReportDocument, months: list[dict]):
    """hotline.review.figures.trend's points: the regional median of each main figure, then each party's
    share acknowledged within the deadline, month by month with a sparkline."""
    pdf.heading("The last 12 months (real traffic)")
    if not months:
        pdf.paragraph("No months to show.")
        return
    names = [month["month"] for month in months]
    rows = [
        (f"{title} (regional median)", [month["region"].get(key) for month in months], kind)
        for key, title, kind in TREND_ROWS
    ]
    for code in months[-1]["parties"]:
        values = [(month["parties"].get(code) or {}).get("within_deadline_share") for month in months]
        rows.append((f"{code}: acknowledged within the deadline", values, "share"))
    pdf.set_font(FAMILY, size=7)
    month_width = min(14.0, (pdf.epw - 62 - 34) / len(months))
    with pdf.table(
        col_widths=(62, 34, *[month_width] * len(months)),
        headings_style=HEADING,
        line_height=4,
        text_align=("LEFT", "CENTER", *["RIGHT"] * len(months)),
        width=62 + 34 + month_width * len(months),
        align="LEFT",
    ) as table:
        header = table.row()
        header.cell("Figure")
        header.cell("Trend")
        for name in names:
            header.cell(name)
        for title, values, kind in rows:
            row = table.row()
            row.cell(title)
            drawn = charts.sparkline(values, title=title, labels=names, share=kind == "share")
            row.cell(img=io.BytesIO(drawn.encode()), img_fill_width=True)
            for value in values:
                row.cell(value_text(value, kind))
    pdf.ln(2)


def _notable(pdf: ReportDocument, notable: list[dict]):
    pdf.heading("Notable items")
    pdf.paragraph(
        "Late acknowledgements, missed reachability checks and late notifications of the period (real "
        "traffic). Metadata only: what was late, its reference, the organisation, and when."
    )
    if not notable:
        pdf.paragraph("None in this period.")
        return
    pdf.set_font(FAMILY, size=7.5)
    with pdf.table(
        col_widths=(46, 40, 26, 26, 38, 38, 38, 22),
        headings_style=HEADING,
        line_height=4.2,
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"),
    ) as table:
        header = table.row()
        for title in ("Kind", "Reference", "Organisation", "Counterpart", "At", "Due", "Done", "Late by"):
            header.cell(title)
        for item in notable[:NOTABLE_LIMIT]:
            row = table.row()
            row.cell(NOTABLE_LABELS.get(item.get("figure", ""), item.get("kind", "")))
            row.cell(str(item.get("reference", "")))
            row.cell(str(item.get("organisation", "")))
            row.cell(str(item.get("counterpart", "")))
            row.cell(time_text(item.get("started_at")))
            row.cell(time_text(item.get("due_at")))
            row.cell(time_text(item.get("done_at")) if item.get("done_at") else "not done")
            row.cell(duration_text(item.get("late_by_s")))
    if len(notable) > NOTABLE_LIMIT:
        pdf.paragraph(f"{len(notable) - NOTABLE_LIMIT} more items are left out; the console lists them all.")
    pdf.ln(2)


def _audit(pdf: ReportDocument, audit_state: dict):
    pdf.heading("The audit log")
    checkpoint = audit_state.get("checkpoint")
    rows = [
        ("Entries", charts.count_text(audit_state.get("tree_size"))),
        ("Root hash", audit_state.get("root") or "—"),
        (
            "Signed checkpoint checked against",
            f"{checkpoint['size']} entries, signed {time_text(checkpoint.get('signed_at'))}, root {checkpoint['root']}"
            if checkpoint
            else "none yet",
        ),
        ("Verified at", time_text(audit_state.get("verified_at"))),
        (
            "Verification result",
            "the chain holds and extends every signed checkpoint"
            if audit_state.get("ok")
            else f"CHAIN BROKEN: {audit_state.get('problem') or 'see the audit log page'}",
        ),
    ]
    pdf.set_font(FAMILY, size=8)
    with pdf.table(col_widths=(60, 209), first_row_as_headings=False, line_height=4.5) as table:
        for name, value in rows:
            row = table.row()
            row.cell(name, style=FontFace(emphasis="BOLD"))
            row.cell(value)
    pdf.ln(3)
    pdf.heading("How a party checks this report", 11)
    pdf.paragraph(
        "1. Compute the SHA-256 of this PDF file as you received it, e.g. `sha256sum report.pdf` "
        "(Linux), `shasum -a 256 report.pdf` (macOS) or `Get-FileHash report.pdf` (Windows).\n"
        "2. Find the audit log entry `review.report_generated` of this report: the commission's reviewers "
        "see it on the console's audit log page (choose the action review.report_generated) and on the "
        "review's Reports page, which names each report's entry; the secretariat exports the log with its "
        "inclusion proofs (`manage.py export_audit`), checkable offline. The entry's details name the "
        "period, the report's number, its size and its sha256.\n"
        "3. The two SHA-256 values must be equal. The entry is part of the hash-chained log whose signed "
        "checkpoints every party can keep (GET /api/v1/audit/checkpoints/, the console's Audit → "
        "Checkpoints): the log cannot be rewritten to name another file without breaking the chain "
        "against them."
    )


def render_pdf(
    figures: dict,
    months: list[dict],
    audit_state: dict,
    notable: list[dict],
    *,
    exercise_figures: dict | None = None,
    generated_at: datetime | None = None,
    generated_by: str = "system",
) -> bytes:
    """The report for the period of `figures` (hotline.review.figures.compute, real traffic), with the
    12-month trend `months`, the audit log's state and the notable items; `exercise_figures` (the same
    period's EXERCISE traffic) adds the EXERCISE section. Returns the PDF's bytes."""
    # fpdf2 logs each SVG element it does not draw (<title>: the console reads it, paper does not), and
    # fontTools a hundred lines of its font subsetting: neither says anything about the report.
    quiet = [logging.getLogger(name) for name in ("fpdf.svg", "fontTools")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.ERROR)
    try:
        return _render(figures, months, audit_state, notable, exercise_figures, generated_at, generated_by)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)


def _render(figures, months, audit_state, notable, exercise_figures, generated_at, generated_by) -> bytes:
    since, until = parse_time(figures["since"]), parse_time(figures["until"])
    generated_at = (generated_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    label = period_label(since, until)
    title = f"Hotline period report — {label}"
    pdf = ReportDocument(title)
    pdf.set_title(title)
    pdf.set_author("Hotline — the commission secretariat")
    pdf.set_creator("Hotline")
    pdf.set_producer("Hotline (fpdf2)")
    pdf.set_creation_date(generated_at)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 20)
    pdf.cell(0, 11, "Hotline period report", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(0, 8, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.paragraph(
        f"Period: from {time_text(since)} (inclusive) to {time_text(until)} (exclusive). "
        f"Generated {time_text(generated_at)} by {generated_by}. Times are the commission's local time "
        f"({zone_label()}).\n"
        "The figures count real traffic. EXERCISE traffic is counted apart, in its own section, and never "
        "mixed with real traffic. Shares are rounded to whole per cent; percentiles are nearest-rank; "
        "a dash means there was nothing to measure."
    )
    _traffic(pdf, figures, "Real traffic")
    _trend(pdf, months)
    _notable(pdf, notable)
    if exercise_figures is not None:
        pdf.add_page()
        pdf.heading("EXERCISE traffic", 16)
        pdf.paragraph(
            "Drill traffic of the same period, counted apart from real traffic. Reachability checks and "
            "notifications are not drills, so their columns are empty here."
        )
        _traffic(pdf, exercise_figures, "EXERCISE", EXERCISE_HEADING)
    _audit(pdf, audit_state)
    return bytes(pdf.output())


# --- generating, storing and recording a report ----------------------------------------------------------


def audit_state() -> dict:
    """The whole log verified against every signed checkpoint, as the report states it: its size, root,
    the newest checkpoint it was checked against and the result."""
    verdict = verify_log(stored_checkpoints())
    newest = max(verdict.checked_checkpoints, default=None)
    checkpoint = AuditCheckpoint.objects.filter(tree_size=newest).first() if newest else None
    return {
        "tree_size": verdict.tree_size,
        "root": verdict.root.hex(),
        "checkpoint": {
            "size": checkpoint.tree_size,
            "root": bytes(checkpoint.root_hash).hex(),
            "signed_at": checkpoint.created_at.isoformat(),
        }
        if checkpoint
        else None,
        "verified_at": timezone.now().isoformat(),
        "ok": verdict.ok,
        "problem": verdict.problem,
    }


def _issued(since: datetime, kind: str) -> PeriodReport | None:
    if kind == ReportKind.ON_DEMAND:
        return None
    return PeriodReport.objects.filter(kind=kind, since=since).first()


def generate_report(since: datetime, until: datetime, kind: str, by_label: str, actor=None) -> PeriodReport:
    """Compute the period's figures (real and EXERCISE), the 12-month trend, the notable items and the
    audit log's state; draw the PDF; store it; record `review.report_generated` with its SHA-256 in the
    same transaction as the report's row.

    Monthly and quarterly reports are issued once a period: asked again (beat's second run, the form
    sent twice, two at once), the one issued is returned and nothing new is written."""
    if until <= since:
        raise ValueError("A report's period must end after it starts.")
    existing = _issued(since, kind)
    if existing is not None:
        return existing
    real = review_figures.Period(since=since, until=until, exercise=False)
    drill = review_figures.Period(since=since, until=until, exercise=True)
    generated_at = timezone.now().replace(microsecond=0)
    content = render_pdf(
        review_figures.compute(real),
        review_figures.trend(until=until, exercise=False, months=12),
        audit_state(),
        review_figures.notable(real),
        exercise_figures=review_figures.compute(drill),
        generated_at=generated_at,
        generated_by=by_label,
    )
    digest = hashlib.sha256(content).hexdigest()
    report = PeriodReport(
        since=since,
        until=until,
        kind=kind,
        generated_at=generated_at,
        generated_by_label=by_label,
        sha256=digest,
        size=len(content),
    )
    report.file.save("report.pdf", ContentFile(content), save=False)  # named by models.report_path
    try:
        with transaction.atomic():
            report.save()
            entry = record(
                "review.report_generated",
                actor=actor,
                target=report,
                details={
                    "period": {"since": since.isoformat(), "until": until.isoformat()},
                    "kind": kind,
                    "report": report.pk,
                    "sha256": digest,
                    "size": len(content),
                },
            )
            PeriodReport.objects.filter(pk=report.pk).update(audit_seq=entry.seq)
            report.audit_seq = entry.seq
    except IntegrityError:
        # Issued by a concurrent run a moment ago: that one stands. (The storage never overwrites: this
        # run's file has a name of its own, whatever its bytes.)
        report.file.delete(save=False)
        issued = _issued(since, kind)
        if issued is None:
            raise
        return issued
    except BaseException:
        report.file.delete(save=False)  # no row names it
        raise
    return report
