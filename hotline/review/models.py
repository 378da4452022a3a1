"""The period reports the commission issues: kept, listed and downloadable by reviewers.

The PDF is stored under the data folder's uploads (MEDIA_ROOT, files 0600 like attachments), named by
its SHA-256, the value recorded in the audit log entry `review.report_generated`.
"""

from django.db import models
from django.utils import timezone


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly"  # a calendar month: one a month, issued by beat on the 1st
    QUARTERLY = "quarterly", "Quarterly"  # a calendar quarter: one a quarter, issued from the reports page
    ON_DEMAND = "on_demand", "On demand"  # any period a reviewer asked for (GET /review/report.pdf)


def report_path(report, filename: str) -> str:
    # The stored name is the content's hash: no user-chosen path ever reaches the file system.
    return f"reports/{report.sha256[:2]}/{report.sha256}.pdf"


class PeriodReport(models.Model):
    """One generated report of real traffic over [since, until), with its EXERCISE section."""

    since = models.DateTimeField()
    until = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    generated_at = models.DateTimeField()
    generated_by_label = models.CharField(max_length=150)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    file = models.FileField(upload_to=report_path, max_length=200)
    audit_seq = models.BigIntegerField(null=True, blank=True, help_text="The review.report_generated entry.")

    class Meta:
        ordering = ["-since", "-generated_at"]
        constraints = [
            # The beat's monthly run is idempotent by this: a second run finds the report, a concurrent
            # one fails here and returns the first (hotline.review.report.generate_report).
            models.UniqueConstraint(
                fields=["kind", "since"],
                condition=models.Q(kind__in=["monthly", "quarterly"]),
                name="review_one_issued_report_per_period",
                violation_error_message="This period's report has already been issued.",
            ),
            models.CheckConstraint(
                condition=models.Q(until__gt=models.F("since")),
                name="review_report_period_not_empty",
                violation_error_message="A report's period must end after it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} report {self.since:%Y-%m-%d}–{self.until:%Y-%m-%d}"

    @property
    def file_name(self) -> str:
        """The name the download is given: hotline-report-2026-11.pdf, or the period's dates."""
        zone = timezone.get_default_timezone()  # the figures' months are the service's local months
        since, until = timezone.localtime(self.since, zone), timezone.localtime(self.until, zone)
        if self.kind == ReportKind.MONTHLY:
            return f"hotline-report-{since:%Y-%m}.pdf"
        if self.kind == ReportKind.QUARTERLY:
            return f"hotline-report-{since:%Y}-Q{(since.month - 1) // 3 + 1}.pdf"
        return f"hotline-report-{since:%Y%m%d}-{until:%Y%m%d}-{self.pk}.pdf"
