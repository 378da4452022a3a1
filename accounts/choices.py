from django.db import models


class PartyKind(models.TextChoices):
    MEMBER = "member", "Participant"
    SECRETARIAT = "secretariat", "Commission secretariat"
    OBSERVER = "observer", "Observer"


class OrganisationKind(models.TextChoices):
    CERT = "cert", "National CERT"
    CRISIS_CENTRE = "crisis_centre", "Defence crisis centre"
    SECRETARIAT = "secretariat", "Commission secretariat"
    OBSERVER = "observer", "Observer"


class Role(models.TextChoices):
    DUTY_OFFICER = "duty_officer", "Duty officer"
    SUPERVISOR = "supervisor", "Supervisor"
    HEAD = "head", "Head of organisation"
    REVIEWER = "reviewer", "Reviewer"
    ADMINISTRATOR = "administrator", "Administrator"


class ContactMethod(models.TextChoices):
    CONSOLE = "console", "Console"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    SMS = "sms", "SMS"
    WEBHOOK = "webhook", "Webhook"


class Theme(models.TextChoices):
    """The console's colours: the browser's choice (prefers-color-scheme), or always light or dark."""

    AUTO = "auto", "Auto"
    LIGHT = "light", "Light"
    DARK = "dark", "Dark"


class ShiftKind(models.TextChoices):
    PRIMARY = "primary", "Primary"
    BACKUP = "backup", "Backup"


class Language(models.TextChoices):
    """The working languages of the parties and the commission (ISO 639-1)."""

    ENGLISH = "en", "English"
    ALBANIAN = "sq", "Albanian"
    BOSNIAN = "bs", "Bosnian"
    CROATIAN = "hr", "Croatian"
    MONTENEGRIN = "cnr", "Montenegrin"
    MACEDONIAN = "mk", "Macedonian"
    SERBIAN = "sr", "Serbian"
    FRENCH = "fr", "French"
    GERMAN = "de", "German"


class ApiScope(models.TextChoices):
    """What an API key may do; each endpoint names the scope it needs."""

    DIRECTORY_READ = "directory:read", "Read the directory"
    INCIDENTS_READ = "incidents:read", "Read incidents and events"
    INCIDENTS_WRITE = "incidents:write", "Report incidents, post messages, acknowledge"
    NOTIFICATIONS_READ = "notifications:read", "Read exercise and drone-flight notifications"
    NOTIFICATIONS_WRITE = "notifications:write", "File exercise and drone-flight notifications"
    AUDIT_READ = "audit:read", "Read checkpoints and the audit log's status"
    CHECKS_READ = "checks:read", "Read reachability checks and their figures"
    CHECKS_ANSWER = "checks:answer", "Answer reachability checks sent to the organisation"
    COMPLIANCE_READ = "compliance:read", "Read every party's compliance figures (commission secretariat only)"


# Scopes only a key of the commission secretariat may hold: they read every party's figures.
SECRETARIAT_SCOPES = {ApiScope.COMPLIANCE_READ}


# Kosovo takes part without prejudice to status (DESIGN.md): wherever its name is shown, so is this.
KOSOVO_DESIGNATION_NOTE = (
    "This designation is without prejudice to positions on status, and is in line with UNSCR 1244/1999 "
    "and the ICJ Opinion on the Kosovo declaration of independence."
)
