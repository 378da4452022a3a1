"""Who takes part and how to reach them: parties, organisations, people, contact points, duty shifts and
API keys. The reachability checks that test the 24/7 points of contact are an app of their own
(hotline.reachability)."""

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from rest_framework_api_key.models import AbstractAPIKey

from accounts.choices import (
    SECRETARIAT_SCOPES,
    ApiScope,
    ContactMethod,
    Language,
    OrganisationKind,
    PartyKind,
    Role,
    ShiftKind,
    Theme,
)

DEFAULT_TIME_ZONE = "Europe/Belgrade"
ORGANISATION_CODE = RegexValidator(r"^[A-Z]{2,5}-[A-Z]{2,6}$", "Use the form RS-CERT: party code, hyphen, unit.")
PHONE_NUMBER = re.compile(r"^\+[1-9]\d{6,14}$")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def validate_time_zone(value: str) -> None:
    if value and value not in available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Belgrade.")


def validate_languages(value) -> None:
    if not isinstance(value, list) or any(code not in Language.values for code in value):
        raise ValidationError(f"Languages must be a list of: {', '.join(Language.values)}.")


class Party(models.Model):
    """A participant of the commission (a state or Kosovo*), the commission secretariat, or an observer.

    `code` is the project's fixed identifier (AL, BA, HR, XK, ME, MK, RS, WBC, OSCE, EU).
    """

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100, help_text="As shown everywhere, e.g. “Kosovo*”.")
    kind = models.CharField(max_length=16, choices=PartyKind.choices)
    designation_note = models.TextField(blank=True, help_text="A footnote shown wherever the name appears.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "parties"

    def __str__(self):
        return self.name


class OrganisationQuerySet(models.QuerySet):
    def commission(self):
        """The commission secretariat's organisations: its duty desk is paged at the last level, and it
        hears of every failed page and every reachability check."""
        return self.filter(kind=OrganisationKind.SECRETARIAT)


class Organisation(models.Model):
    """A CERT, a defence crisis centre, the commission secretariat or an observer body of one party."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="organisations")
    code = models.CharField(max_length=12, unique=True, validators=[ORGANISATION_CODE])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone])
    languages = models.JSONField(default=list, blank=True, validators=[validate_languages])

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["party__position", "party__name", "code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_commission(self) -> bool:
        return self.kind == OrganisationKind.SECRETARIAT


class User(AbstractUser):
    """A person who uses the console: a duty officer, supervisor, head, reviewer or administrator of one
    organisation."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
        help_text="Empty only for technical superusers made with createsuperuser.",
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.DUTY_OFFICER)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +381115550100.")
    language = models.CharField(max_length=3, choices=Language.choices, default=Language.ENGLISH)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="IANA name such as Europe/Belgrade; empty: the organisation's zone.",
    )
    theme = models.CharField(max_length=8, choices=Theme.choices, default=Theme.AUTO)

    class Meta:
        db_table = "accounts_user"

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def zone_name(self) -> str:
        """The zone the console shows this person's times in: their own, else their organisation's (each
        party's capital), else the deployment's (a superuser without an organisation)."""
        if self.time_zone:
            return self.time_zone
        if self.organisation_id:
            return self.organisation.time_zone
        return settings.TIME_ZONE

    def clean(self):
        super().clean()
        if self.phone and not PHONE_NUMBER.match(self.phone):
            raise ValidationError({"phone": "Use the international form, e.g. +381115550100."})


class ContactPoint(models.Model):
    """One way to reach an organisation at any hour: its console, an e-mail box, a phone, SMS or a webhook."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contact_points")
    method = models.CharField(max_length=10, choices=ContactMethod.choices)
    address = models.CharField(max_length=300, blank=True, help_text="E-mail, +E.164 number or https URL.")
    priority = models.PositiveSmallIntegerField(default=1, help_text="1 is tried first.")
    languages = models.JSONField(default=list, blank=True, validators=[validate_languages])
    notes = models.CharField(max_length=500, blank=True)
    last_verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__code", "priority", "method"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "method", "address"],
                name="contact_point_unique_address",
                violation_error_message="This organisation already has this contact address.",
            ),
        ]

    def __str__(self):
        return f"{self.organisation.code} {self.get_method_display()} {self.address}".strip()

    def clean(self):
        super().clean()
        self.address = self.address.strip()
        if self.method in (ContactMethod.PHONE, ContactMethod.SMS):
            self.address = re.sub(r"[\s().-]", "", self.address)
            if not PHONE_NUMBER.match(self.address):
                raise ValidationError({"address": "Use the international form, e.g. +381115550100."})
        elif self.method == ContactMethod.EMAIL:
            EmailValidator(message="Enter a valid e-mail address.")(self.address)
        elif self.method == ContactMethod.WEBHOOK:
            validate_webhook_url(self.address)


def validate_webhook_url(url: str) -> None:
    """Webhooks carry pages: HTTPS only, except to this machine (local gateways and test receivers)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    raise ValidationError({"address": "Use an https:// address (plain http only to this machine)."})


class DutyShift(models.Model):
    """A person on duty for their organisation from `starts_at` to `ends_at` (UTC), as primary or backup.

    Shifts of one kind never overlap within an organisation; `accounts.actions` enforces it under a lock
    on the organisation row. An override is a shift that replaced part of others.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shifts")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shifts")
    kind = models.CharField(max_length=8, choices=ShiftKind.choices, default=ShiftKind.PRIMARY)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_override = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="duty_shift_ends_after_start",
                violation_error_message="A shift must end after it starts.",
            ),
        ]
        indexes = [
            # accounts.duty.on_duty and the roster week view: shifts of one organisation around a time.
            models.Index(fields=["organisation", "kind", "starts_at", "ends_at"], name="duty_shift_org_time"),
        ]

    def __str__(self):
        return (
            f"{self.organisation.code} {self.kind} {self.person} "
            f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} UTC"
        )


class ApiKey(AbstractAPIKey):
    """A machine client's key (SIEM, MISP, ticketing): belongs to one organisation, has scopes, can expire
    and be revoked. Only a hash is stored; the key is shown once, at creation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_keys")
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"

    def __str__(self):
        return f"{self.organisation.code} {self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


def scopes_for(organisation) -> list[str]:
    """Every scope a key of `organisation` may hold."""
    if organisation.kind == OrganisationKind.SECRETARIAT:
        return list(ApiScope.values)
    return [scope for scope in ApiScope.values if scope not in SECRETARIAT_SCOPES]


def validate_scopes(value, organisation=None) -> None:
    if not isinstance(value, list) or not value or any(scope not in ApiScope.values for scope in value):
        raise ValidationError(f"Choose one or more of: {', '.join(ApiScope.values)}.")
    reserved = sorted(set(value) & SECRETARIAT_SCOPES)
    if reserved and organisation is not None and organisation.kind != OrganisationKind.SECRETARIAT:
        raise ValidationError(f"Only keys of the commission secretariat may have {', '.join(reserved)}.")
