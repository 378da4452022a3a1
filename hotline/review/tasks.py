"""Beat's task: on the 1st of each month, issue the report of the month before (idempotent)."""

from celery import shared_task
from django.utils import timezone

from hotline.review.figures import Period
from hotline.review.models import ReportKind
from hotline.review.report import generate_report


def issue_monthly_report(now=None):
    """The previous month's report; a second run (beat restarted, the task retried) returns the one
    issued, by the unique constraint on (kind, since)."""
    period = Period.preset("last_month", now or timezone.now())
    return generate_report(period.since, period.until, ReportKind.MONTHLY, "system")


@shared_task(name="hotline.review.issue_monthly_report", ignore_result=True)
def monthly_report() -> None:
    issue_monthly_report()
