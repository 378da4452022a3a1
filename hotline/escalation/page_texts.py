"""What a page says, built once for every transport: reference, severity, deadline and links; the title
only where TLP allows it to leave the product (DESIGN.md: content above TLP:GREEN never appears in
e-mail, SMS or webhook bodies)."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from hotline.escalation.choices import Clock
from hotline.escalation.models import Delivery, Page, Timer
from hotline.escalation.subjects import Summary, subject_type

SHAREABLE_TLP = {"CLEAR", "GREEN"}
LINK_SALT = "hotline.escalation.acknowledgement-link"
LINK_MAX_AGE_S = 7 * 24 * 3600


@dataclass(frozen=True)
class PageText:
    page_id: int
    idempotency_key: str
    reference: str
    what: str
    severity: str
    tlp: str
    title: str  # empty unless the TLP lets it leave the product
    recipient: str
    level: int
    repeat: int
    deadline: datetime
    exercise: bool
    url: str
    acknowledge_url: str  # a signed single-use link, or empty
    awaited: str = "acknowledgement"  # or "reply": what the recipient owes

    @property
    def subject_line(self) -> str:
        drill = "[EXERCISE] " if self.exercise else ""
        return f"{drill}Hotline {self.severity.upper()}: {self.reference} awaits {self.recipient}'s {self.awaited}"

    @property
    def short_text(self) -> str:
        """For SMS: what, how urgent, by when, and where to answer."""
        drill = "EXERCISE " if self.exercise else ""
        link = self.acknowledge_url or self.url
        return (
            f"{drill}HOTLINE {self.severity.upper()} {self.reference}: {self.what} awaits {self.recipient} "
            f"{self.awaited}, due {self.deadline:%H:%M} UTC. {link}"
        )

    def as_json(self) -> dict:
        return {
            "page": self.page_id,
            "idempotency_key": self.idempotency_key,
            "reference": self.reference,
            "what": self.what,
            "severity": self.severity,
            "tlp": self.tlp,
            "title": self.title,
            "recipient": self.recipient,
            "level": self.level,
            "repeat": self.repeat,
            "deadline": self.deadline.isoformat(),
            "exercise": self.exercise,
            "url": self.url,
            "acknowledge_url": self.acknowledge_url,
            "awaited": self.awaited,
        }


def absolute(path: str) -> str:
    return settings.HOTLINE_BASE_URL.rstrip("/") + path


def link_token(delivery: Delivery) -> str:
    return signing.dumps({"delivery": delivery.pk}, salt=LINK_SALT, compress=True)


def delivery_of_token(token: str) -> int:
    """The delivery a link was made for; signing.BadSignature (or SignatureExpired) when it is not ours."""
    return int(signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE_S)["delivery"])


def may_acknowledge_by_link(delivery: Delivery, timer: Timer) -> bool:
    """Links go to people of the organisation that must acknowledge, never to the commission desk (who
    is told, and cannot acknowledge on another's behalf) nor to shared mailboxes (no person to record)."""
    return (
        timer.clock == Clock.ACKNOWLEDGEMENT
        and delivery.person is not None
        and delivery.person.organisation_id == timer.recipient_id
    )


def page_text_for(delivery: Delivery, page: Page, timer: Timer, summary: Summary | None = None) -> PageText:
    summary = summary or subject_type(timer.subject_kind).summarise([timer.subject_id])[timer.subject_id]
    acknowledge_url = ""
    if may_acknowledge_by_link(delivery, timer):
        acknowledge_url = absolute(reverse("escalation:link", args=[link_token(delivery)]))
    return PageText(
        page_id=page.pk,
        idempotency_key=page.idempotency_key,
        reference=summary.reference,
        what=summary.what,
        severity=timer.severity,
        tlp=summary.tlp,
        title=summary.title if summary.tlp in SHAREABLE_TLP else "",
        recipient=timer.recipient.code,
        level=page.level,
        repeat=page.repeat,
        deadline=timer.deadline,
        exercise=timer.exercise,
        url=absolute(summary.path),
        acknowledge_url=acknowledge_url,
        awaited="reply" if timer.clock == Clock.REPLY else "acknowledgement",
    )
