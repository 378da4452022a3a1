from django.db import models


class CheckAnswerMethod(models.TextChoices):
    """How an organisation answered a reachability check (the same words as an incident's acknowledgement)."""

    CONSOLE = "console", "Console"
    API = "api", "API"
    LINK = "link", "Link in a page"
    PHONE = "phone", "Phoned in"


class CheckResponseState(models.TextChoices):
    """Where one organisation's answer to a check stands (derived, never stored)."""

    PENDING = "pending", "Waiting, within the window"
    ANSWERED = "answered", "Answered within the window"
    LATE = "late", "Answered after the window"
    MISSED = "missed", "Not answered, window closed"
