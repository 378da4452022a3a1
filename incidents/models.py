"""Incidents, their threads, acknowledgements and attachments.

Every write goes through incidents/actions.py; every read that depends on who asks goes through
incidents/visibility.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Organisation
from incidents.choices import AckMethod, Category, MessageKind, Severity, Status, Tlp
from incidents.geojson import validate_location


class Incident(models.Model):
    """Something one organisation reports to its counterparts; the thread of messages hangs on it."""

    year = models.PositiveSmallIntegerField(editable=False)
    number = models.PositiveIntegerField(editable=False, help_text="Counts from 1 each year.")
    category = models.CharField(max_length=20, choices=Category.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    tlp = models.CharField("TLP", max_length=12, choices=Tlp.choices, default=Tlp.AMBER)
    exercise = models.BooleanField(default=False, help_text="A drill: marked EXERCISE everywhere it is shown.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    originator = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reported_incidents")
    recipients = models.ManyToManyField(Organisation, through="IncidentRecipient", related_name="received_incidents")
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=20_000)
    occurred_at = models.DateTimeField()
    location = models.JSONField(
        null=True, blank=True, validators=[validate_location], help_text="GeoJSON Point or Polygon."
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_by_label = models.CharField(max_length=150, help_text="The person's username or the API key's name.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="incident_reference_unique")]
        # The API's "updated since" filter and the console's list order.
        indexes = [models.Index(fields=["updated_at"], name="incident_updated_at")]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"HL-{self.year}-{self.number:05d}"


class IncidentRecipient(models.Model):
    """An organisation the incident was reported to."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "organisation"], name="incident_recipient_once")]
        # visible_incidents(): an organisation's received incidents.
        indexes = [models.Index(fields=["organisation", "incident"], name="recipient_by_organisation")]

    def __str__(self):
        return f"{self.incident} → {self.organisation.code}"


class Message(models.Model):
    """One entry of an incident's thread, numbered from 1 in order."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="messages")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=MessageKind.choices, default=MessageKind.NOTE)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(max_length=150)
    body = models.TextField(max_length=20_000)
    requires_ack = models.BooleanField(default=False)
    reply_by = models.DateTimeField(
        null=True, blank=True, help_text="For a request for assistance: when a substantive reply is due."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["incident", "number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="message_number_unique"),
            models.CheckConstraint(
                condition=Q(reply_by__isnull=True) | Q(kind=MessageKind.REQUEST_FOR_ASSISTANCE),
                name="message_reply_by_only_for_requests",
                violation_error_message="Only a request for assistance has a reply-by deadline.",
            ),
        ]
        # The compliance figures: the messages of a period.
        indexes = [models.Index(fields=["created_at"], name="message_created_at")]

    def __str__(self):
        return f"{self.incident} #{self.number}"


class Acknowledgement(models.Model):
    """A recipient organisation's acknowledgement of one message: pending until someone gives it.
    Written as pending when the message is posted, so "what waits on us" is one indexed query and an
    acknowledgement is a conditional update that cannot be given twice."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="acknowledgements")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="acknowledgements")
    due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_by_label = models.CharField(max_length=150, blank=True)
    method = models.CharField(max_length=8, choices=AckMethod.choices, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "organisation"], name="acknowledgement_once_per_organisation"),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, method="") | Q(acknowledged_at__isnull=False) & ~Q(method=""),
                name="acknowledgement_has_method_once_given",
                violation_error_message="An acknowledgement given says how it was given.",
            ),
        ]
        # The console's pinned list: what still waits on an organisation.
        indexes = [models.Index(fields=["organisation", "acknowledged_at"], name="ack_pending_by_organisation")]

    def __str__(self):
        return f"{self.message} ack by {self.organisation.code}"

    @property
    def is_pending(self) -> bool:
        return self.acknowledged_at is None


def attachment_path(attachment, filename: str) -> str:
    # The stored name is the content's hash: no user-chosen path ever reaches the file system.
    return f"attachments/{attachment.sha256[:2]}/{attachment.sha256}"


class Attachment(models.Model):
    """A file added to an incident, stored under the data directory by its SHA-256."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=200, help_text="The name it was uploaded with, for the download.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_by_label = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.incident} {self.filename}"
