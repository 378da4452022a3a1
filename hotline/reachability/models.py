"""The reachability checks that test every party's 24/7 points of contact, and each organisation's answer.

The tables keep the names they had when these models lived in accounts (`db_table`); migration
reachability 0001 took them over without touching the database. Audit entries name the rows as they
always have (`audit_label`, read by hotline.audit.log.describe_target), so a reviewer follows one check
across that move.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Organisation
from hotline.reachability.choices import CheckAnswerMethod, CheckResponseState

# The window a reachability check may give (HOTLINE_CHECK_WINDOW_MINUTES is held to the same range).
CHECK_WINDOW_MINUTES_MIN = 5
CHECK_WINDOW_MINUTES_MAX = 1440


class ReachabilityCheck(models.Model):
    """One round of the 24/7 reachability test (the "ping test" of the OSCE and UN points-of-contact
    directories): the commission asks every checked organisation to answer within `window_minutes`.

    Started by a commission administrator (`started_by`) or by the schedule (`scheduled_for` is then the
    schedule's slot, unique: one slot makes at most one check, however often the beat task runs).
    """

    reference = models.CharField(
        max_length=20, unique=True, help_text="CHK-2026-11-24; a second check that day gets -2."
    )
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_by_label = models.CharField(max_length=150, help_text="The person's username, or “schedule”.")
    scheduled_for = models.DateTimeField(
        null=True, blank=True, help_text="The schedule's slot (UTC); empty when started by hand."
    )
    window_minutes = models.PositiveIntegerField(help_text="How long each organisation has to answer.")

    audit_label = "accounts.reachabilitycheck"

    class Meta:
        db_table = "accounts_reachabilitycheck"
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheduled_for"],
                name="reachability_check_once_per_slot",
                violation_error_message="A check was already started for this slot of the schedule.",
            ),
            models.CheckConstraint(
                condition=Q(window_minutes__gte=CHECK_WINDOW_MINUTES_MIN, window_minutes__lte=CHECK_WINDOW_MINUTES_MAX),
                name="reachability_check_window_range",
                violation_error_message=(
                    f"The window is {CHECK_WINDOW_MINUTES_MIN} to {CHECK_WINDOW_MINUTES_MAX} minutes."
                ),
            ),
        ]
        indexes = [
            # The history page and the figures: the latest checks first.
            models.Index(fields=["started_at"], name="reachability_check_started"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_scheduled(self) -> bool:
        return self.scheduled_for is not None

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)

    @property
    def due_at(self) -> datetime:
        return self.started_at + self.window


class CheckResponse(models.Model):
    """One organisation's answer to one reachability check: pending until someone answers it.

    Written as pending when the check starts (the shape of incidents.Acknowledgement), so "what waits on
    us" is one indexed query and answering is a conditional update that cannot happen twice.
    """

    reachability_check = models.ForeignKey(ReachabilityCheck, on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="check_responses")
    due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_by_label = models.CharField(max_length=150, blank=True)
    method = models.CharField(max_length=8, choices=CheckAnswerMethod.choices, blank=True)

    audit_label = "accounts.checkresponse"

    class Meta:
        db_table = "accounts_checkresponse"
        ordering = ["organisation__party__position", "organisation__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["reachability_check", "organisation"],
                name="check_response_once_per_organisation",
                violation_error_message="This organisation already has a response to this check.",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, method="") | Q(acknowledged_at__isnull=False) & ~Q(method=""),
                name="check_response_has_method_once_given",
                violation_error_message="An answer given says how it was given.",
            ),
        ]
        indexes = [
            # The checks page's "waiting for your answer" and the figures of one organisation.
            models.Index(fields=["organisation", "acknowledged_at"], name="check_response_by_organisation"),
        ]

    def __str__(self):
        return f"{self.reachability_check} answer of {self.organisation.code}"

    @property
    def is_pending(self) -> bool:
        return self.acknowledged_at is None

    @property
    def started_at(self) -> datetime:
        return self.reachability_check.started_at

    @property
    def time_to_answer(self) -> timedelta | None:
        return None if self.acknowledged_at is None else self.acknowledged_at - self.reachability_check.started_at

    def state_at(self, now: datetime) -> str:
        if self.acknowledged_at is not None:
            return CheckResponseState.ANSWERED if self.acknowledged_at <= self.due_at else CheckResponseState.LATE
        return CheckResponseState.PENDING if now < self.due_at else CheckResponseState.MISSED
