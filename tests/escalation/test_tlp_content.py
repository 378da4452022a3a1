"""Content above TLP:GREEN never leaves the product in a page (DESIGN.md, "TLP"): e-mails, webhooks and
SMS carry the reference, the severity and a link, never the title, the summary or a message's body.

Sent for real, in this process, to the fake SMTP server, webhook and SMS gateway: every target of a
level (the organisation's own mailbox and phone, the on-duty officer, supervisors, head, the commission
desk) by every method.
"""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from hotline.escalation.choices import Target
from hotline.escalation.engine import tick
from hotline.escalation.models import Page
from hotline.escalation.sending import send_due
from incidents.actions import do_post_message, do_report_incident, resolve_recipients
from incidents.choices import MessageKind
from incidents.models import Acknowledgement
from tests.accounts.world import person
from tests.escalation.world import EVERY_METHOD, one_page_policy, paging_world

pytestmark = pytest.mark.django_db

EVERYONE = [Target.ORGANISATION, Target.ON_DUTY, Target.SUPERVISORS, Target.HEAD, Target.COMMISSION_DESK]
RESTRICTED = ["AMBER", "AMBER+STRICT", "RED"]


def secrets_of(tlp: str) -> dict[str, str]:
    """Words that appear nowhere else: if one reaches a receiver, content leaked."""
    word = tlp.lower().replace("+", "-")
    return {
        "title": f"Zlatibor relay compromised {word} title",
        "summary": f"Operator credentials for the Zlatibor relay were seen on a {word} summary forum.",
        "body": f"Indicators for the {word} body: 203.0.113.77 and the Kestrel-9 implant.",
    }


@pytest.fixture
def paged(receivers):
    """One incident per TLP, reported to HR-CERT a minute ago with a follow-up message that needs an
    acknowledgement too; every page sent."""
    paging_world(receivers)
    one_page_policy("critical", EVERY_METHOD, targets=EVERYONE)
    reporter = person("rs-cert-duty")
    incidents = {}
    with time_machine.travel(timezone.now() - timedelta(minutes=1), tick=False):
        for tlp in [*RESTRICTED, "GREEN"]:
            words = secrets_of(tlp)
            incident = do_report_incident(
                reporter,
                recipients=resolve_recipients(["HR-CERT"], reporter.organisation),
                title=words["title"],
                summary=words["summary"],
                category="cyber",
                severity="critical",
                tlp=tlp,
                occurred_at=timezone.now(),
            )
            do_post_message(reporter, incident, kind=MessageKind.INFORMATION, body=words["body"], requires_ack=True)
            incidents[tlp] = incident
    with override_settings(**receivers.settings()):
        assert tick() == 2 * len(incidents)
        send_due()
    return incidents


def receptions_of(receivers, incident) -> list[tuple[str, str]]:
    """(channel, what a reader sees) of everything received about `incident`."""
    acknowledgements = Acknowledgement.objects.filter(message__incident=incident).values_list("pk", flat=True)
    keys = {page.idempotency_key for page in Page.objects.filter(timer__subject_id__in=acknowledgements)}
    found = [("e-mail", mail.text) for mail in receivers.mails() if mail.page_key in keys]
    found += [("webhook", hook.text) for hook in receivers.webhooks() if hook.idempotency_key in keys]
    found += [("SMS", sms.text) for sms in receivers.sms() if sms.json["reference"] in keys]
    return found


@pytest.mark.parametrize("tlp", RESTRICTED)
def test_it_pages_with_the_reference_severity_and_a_link_but_never_the_content(paged, receivers, tlp):
    incident = paged[tlp]
    received = receptions_of(receivers, incident)
    assert {channel for channel, _ in received} == {"e-mail", "webhook", "SMS"}
    for channel, text in received:
        for part, words in secrets_of(tlp).items():
            assert words not in text, f"the {part} of a TLP:{tlp} incident reached a receiver by {channel}"
        assert incident.reference in text, channel
        assert "critical" in text.lower(), channel
        assert settings.HOTLINE_BASE_URL + "/" in text, f"no link by {channel}"


def test_a_green_incident_may_name_its_title(paged, receivers):
    received = receptions_of(receivers, paged["GREEN"])
    title = secrets_of("GREEN")["title"]
    assert [channel for channel, text in received if title in text and channel == "e-mail"]
    assert [channel for channel, text in received if title in text and channel == "webhook"]
