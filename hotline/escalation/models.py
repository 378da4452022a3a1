"""Escalation: policies, timers, pages and their deliveries.

The database is the source of truth (DESIGN.md "Escalation without lost or doubled pages"): a timer row
says what fires next and when; a page is written once per (timer, level, repeat) and its deliveries once
per (page, method, address), both under unique constraints, so a second page for one step cannot exist.
Timers watch any acknowledgeable subject by (kind, id): this app imports nothing of the apps that use it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.choices import ContactMethod
from accounts.models import ContactPoint, Organisation, Party
from hotline.escalation.choices import Clock, DeliveryStatus, Severity, TimerState
from hotline.escalation.policy import Policy


class EscalationPolicy(models.Model):
    """The policy for one severity, or the commission's override of it for one pair of parties
    (`party_a` and `party_b` are kept in code order, so a pair has one row whichever way it is named)."""

    severity = models.CharField(max_length=10, choices=Severity.choices)
    party_a = models.ForeignKey(Party, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    party_b = models.ForeignKey(Party, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    levels = models.JSONField()
    repeat_every_s = models.PositiveIntegerField()
    repeat_count = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: until acknowledged.")
    reply_within_s = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["severity", "party_a__code", "party_b__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["severity"],
                condition=Q(party_a__isnull=True),
                name="escalation_policy_one_default_per_severity",
                violation_error_message="There is already a default policy for this severity.",
            ),
            models.UniqueConstraint(
                fields=["severity", "party_a", "party_b"],
                name="escalation_policy_one_per_pair",
                violation_error_message="There is already a policy for this severity and pair of parties.",
            ),
            models.CheckConstraint(
                condition=Q(party_a__isnull=True, party_b__isnull=True)
                | Q(party_a__isnull=False, party_b__isnull=False),
                name="escalation_policy_pair_whole",
                violation_error_message="An override names two parties.",
            ),
        ]

    def __str__(self):
        pair = f" for {self.party_a.code}–{self.party_b.code}" if self.party_a_id else ""
        return f"{self.get_severity_display()} policy{pair}"

    @property
    def key(self) -> str:
        """How the API and the console name it: `critical`, or `critical/AL+RS` for an override."""
        return self.severity + (f"/{self.party_a.code}+{self.party_b.code}" if self.party_a_id else "")

    def as_policy(self) -> Policy:
        return Policy(
            severity=self.severity,
            levels=self.levels,
            repeat_every_s=self.repeat_every_s,
            repeat_count=self.repeat_count,
            reply_within_s=self.reply_within_s,
            source=self.key,
        )


class Timer(models.Model):
    """One clock running for one subject and one recipient organisation: what fires next, and when."""

    subject_kind = models.CharField(max_length=40, help_text="Registered in hotline.escalation.subjects.")
    subject_id = models.BigIntegerField()
    clock = models.CharField(max_length=8, choices=Clock.choices, default=Clock.ACKNOWLEDGEMENT)
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sender = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    exercise = models.BooleanField(default=False)
    policy = models.JSONField(help_text="A snapshot of the policy taken when the timer started.")
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(help_text="When the first escalation beyond the immediate alert fires.")
    level = models.PositiveSmallIntegerField(default=0, help_text="The level that fires next.")
    repeat = models.PositiveIntegerField(default=0, help_text="Of the last level: how many times it has been repeated.")
    next_fire_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=TimerState.choices, default=TimerState.RUNNING)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "clock"],
                name="timer_one_per_subject_clock",
                violation_error_message="This subject already has this clock running.",
            ),
            models.CheckConstraint(
                condition=Q(state=TimerState.RUNNING, next_fire_at__isnull=False) | ~Q(state=TimerState.RUNNING),
                name="timer_running_has_next_fire",
                violation_error_message="A running timer knows when it fires next.",
            ),
        ]
        indexes = [
            # engine.tick(): running timers whose time has come, oldest first.
            models.Index(fields=["next_fire_at"], condition=Q(state=TimerState.RUNNING), name="timer_due"),
            # The waiting panel: what runs against (recipient) or for (sender) an organisation.
            models.Index(fields=["recipient", "state"], name="timer_by_recipient"),
            models.Index(fields=["sender", "state"], name="timer_by_sender"),
            # The compliance figures: the clocks started in a period.
            models.Index(fields=["started_at"], name="timer_started_at"),
        ]

    def __str__(self):
        return f"{self.subject_kind}:{self.subject_id} {self.clock} → {self.recipient.code} ({self.state})"

    def as_policy(self) -> Policy:
        return Policy.from_snapshot(self.policy)


class Page(models.Model):
    """One level (or repeat) of one timer fired: whom it paged is in its deliveries."""

    timer = models.ForeignKey(Timer, on_delete=models.CASCADE, related_name="pages")
    level = models.PositiveSmallIntegerField()
    repeat = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(help_text="When it should have fired; created_at minus this is the engine's lag.")
    created_at = models.DateTimeField(auto_now_add=True)
    targets = models.JSONField(default=list, help_text="The level's targets, as configured.")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["timer", "level", "repeat"],
                name="page_once_per_step",
                violation_error_message="This step of the escalation has already paged.",
            ),
        ]

    def __str__(self):
        return f"page {self.pk} level {self.level}.{self.repeat} of {self.timer}"

    @property
    def idempotency_key(self) -> str:
        return f"hotline-page-{self.pk}"


class Delivery(models.Model):
    """Sending one page by one method to one address, with its attempts."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="deliveries")
    method = models.CharField(max_length=10, choices=ContactMethod.choices)
    address = models.CharField(max_length=300)
    label = models.CharField(max_length=200, help_text="Whom it reaches, as shown on the timeline.")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_point = models.ForeignKey(ContactPoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    send_after = models.DateTimeField()
    send_before = models.DateTimeField(help_text="The sending deadline: after it, a delivery not yet sent has failed.")
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A sender's lease: after it, another may retry."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    link_used_at = models.DateTimeField(
        null=True, blank=True, help_text="When its acknowledgement link was used (once)."
    )

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["page", "method", "address"],
                name="delivery_once_per_address",
                violation_error_message="This page already goes to this address by this method.",
            ),
        ]
        indexes = [
            # sending.send_due(): deliveries whose next attempt has come.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                name="delivery_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} to {self.label} ({self.status})"
