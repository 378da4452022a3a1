"""The period reports in the console, for reviewers: the list with the generate form, a report of any
period on demand, and the download of a kept report. Every PDF sent is recorded in the audit log
(`review.report_downloaded`), every refusal too (`access.refused`).

A calendar month or quarter that has ended is the commission's issued report of that period: asked for
again, the issued one is sent (the same bytes, the same SHA-256 every party compares); any other period
is an on-demand report, generated anew each time.
"""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from hotline.audit.log import record
from hotline.review.access import sees_every_party
from hotline.review.figures import Period, period_from
from hotline.review.models import PeriodReport, ReportKind
from hotline.review.report import generate_report, period_label

QUARTERS_LISTED = 8


class BadPeriod(ValueError):
    pass


def requested_period(query) -> tuple[datetime, datetime]:
    """month=YYYY-MM, quarter=YYYY-Qn, or since/until/preset as the compliance API reads them (months
    and dates in the service's time zone, as the figures count them); nothing asked: last month."""
    if query.get("month"):
        text = query["month"].strip()
        if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit() or not 1 <= int(text[5:]) <= 12:
            raise BadPeriod(f"month must be YYYY-MM (2026-11); {text!r} is not.")
        period = Period.month(int(text[:4]), int(text[5:]))
        return period.since, period.until
    if query.get("quarter"):
        text = query["quarter"].strip().upper()
        if len(text) != 7 or text[4:6] != "-Q" or not text[:4].isdigit() or text[6] not in "1234":
            raise BadPeriod(f"quarter must be YYYY-Qn (2026-Q4); {text!r} is not.")
        year, first = int(text[:4]), 3 * int(text[6]) - 2
        return Period.month(year, first).since, Period.month(year, first + 2).until
    if not any(query.get(name) for name in ("since", "until", "preset")):
        period = Period.preset("last_month")
    else:
        try:
            period = period_from(query)  # the API's reading: RFC 3339 times, or dates (an end date counts whole)
        except ValueError as problem:
            raise BadPeriod(str(problem)) from None
    return period.since, period.until


def kind_of_period(since: datetime, until: datetime) -> str:
    """An ended calendar month or quarter is issued once; anything else is on demand."""
    if until > timezone.now():
        return ReportKind.ON_DEMAND
    local = timezone.localtime(since, timezone.get_default_timezone())
    month = Period.month(local.year, local.month)
    if since == month.since and until == month.until:
        return ReportKind.MONTHLY
    if local.month % 3 == 1 and since == month.since and until == Period.month(local.year, local.month + 2).until:
        return ReportKind.QUARTERLY
    return ReportKind.ON_DEMAND


def _require_reviewer(request, what: str) -> None:
    if not sees_every_party(request.user):
        record("access.refused", actor=request.user, details={"what": what})
        raise PermissionDenied("The period reports are for the commission's reviewers.")


def _send(request, report: PeriodReport) -> FileResponse:
    record(
        "review.report_downloaded",
        actor=request.user,
        target=report,
        details={"report": report.pk, "sha256": report.sha256},
    )
    response = FileResponse(
        report.file.open("rb"), as_attachment=True, filename=report.file_name, content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store"
    return response


def _month_value(moment: datetime) -> str:
    return f"{timezone.localtime(moment, timezone.get_default_timezone()):%Y-%m}"


def _recent_quarters(now: datetime) -> list[tuple[str, str]]:
    now = timezone.localtime(now, timezone.get_default_timezone())
    year, quarter = now.year, (now.month - 1) // 3  # the last quarter that has ended
    choices = []
    for _ in range(QUARTERS_LISTED):
        if quarter == 0:
            year, quarter = year - 1, 4
        choices.append((f"{year}-Q{quarter}", f"Q{quarter} {year}"))
        quarter -= 1
    return choices


@login_required
def reports(request):
    _require_reviewer(request, "list the period reports")
    now = timezone.now()
    return render(
        request,
        "review/reports.html",
        {
            "reports": [
                {"report": report, "label": period_label(report.since, report.until)}
                for report in PeriodReport.objects.all()[:200]
            ],
            "last_month": _month_value(Period.preset("last_month", now).since),
            "quarters": _recent_quarters(now),
        },
    )


@login_required
def report_pdf(request):
    _require_reviewer(request, "generate a period report")
    try:
        since, until = requested_period(request.GET)
    except BadPeriod as problem:
        return render(
            request,
            "console/error.html",
            {"status": 400, "title": "This period cannot be reported", "message": str(problem)},
            status=400,
        )
    report = generate_report(since, until, kind_of_period(since, until), request.user.username, actor=request.user)
    return _send(request, report)


@login_required
def download(request, pk: int):
    _require_reviewer(request, "download a period report")
    return _send(request, get_object_or_404(PeriodReport, pk=pk))
