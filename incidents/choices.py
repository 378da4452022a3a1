from django.db import models

from hotline.escalation.choices import Severity  # noqa: F401  (one scale for incidents and policies)


class Category(models.TextChoices):
    CYBER = "cyber", "Cyber attack"
    DRONE = "drone", "Drone"
    AIRSPACE_VIOLATION = "airspace_violation", "Airspace violation"
    BORDER_INCIDENT = "border_incident", "Border incident"
    OTHER = "other", "Other"


class Tlp(models.TextChoices):
    """FIRST TLP 2.0, stored and sent as its label."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


# Only the named recipients (and the originator) ever see these; the commission sees their metadata.
RESTRICTED_TLP = {Tlp.AMBER_STRICT, Tlp.RED}
# What observers may read: what may be shared with the whole community.
COMMUNITY_TLP = {Tlp.CLEAR, Tlp.GREEN}


class Status(models.TextChoices):
    OPEN = "open", "Open"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class MessageKind(models.TextChoices):
    NOTE = "note", "Note"
    REQUEST_FOR_ASSISTANCE = "request_for_assistance", "Request for assistance"
    INFORMATION = "information", "Information"
    STATUS_CHANGE = "status_change", "Status change"
    SYSTEM = "system", "System"


# Kinds a person or a client may post; the others are written by the actions themselves.
POSTABLE_KINDS = [MessageKind.NOTE, MessageKind.REQUEST_FOR_ASSISTANCE, MessageKind.INFORMATION]


class AckMethod(models.TextChoices):
    CONSOLE = "console", "Console"
    API = "api", "API"
    LINK = "link", "Link in a page"
    PHONE = "phone", "Phoned in"
