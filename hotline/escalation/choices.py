from django.db import models


class Severity(models.TextChoices):
    """How urgent something is; each severity has its escalation policy. Incidents use the same scale."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Target(models.TextChoices):
    """Whom a level of a policy pages, resolved when the level fires (so the roster of that moment counts)."""

    ORGANISATION = "organisation", "The recipient organisation (console and its own contact points)"
    ON_DUTY = "on_duty", "The on-duty officer"
    SUPERVISORS = "supervisors", "The supervisors"
    HEAD = "head", "The head of organisation"
    COMMISSION_DESK = "commission_desk", "The commission duty desk"
    CONTACT_POINTS = "contact_points", "Named contact points"


class Clock(models.TextChoices):
    ACKNOWLEDGEMENT = "ack", "Acknowledgement"
    REPLY = "reply", "Substantive reply"


class TimerState(models.TextChoices):
    RUNNING = "running", "Running"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    EXHAUSTED = "exhausted", "Every level paged"
    CANCELLED = "cancelled", "Cancelled"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Not sent: acknowledged before"
