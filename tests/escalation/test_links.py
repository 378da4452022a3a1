"""The signed single-use link in an e-mail page: acknowledges as the person it was sent to, without
signing in, once; it is never sent to those who cannot acknowledge."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from hotline.audit.models import AuditEntry
from hotline.escalation.choices import TimerState
from hotline.escalation.engine import tick
from hotline.escalation.models import Timer
from hotline.escalation.sending import send_due
from incidents.models import Acknowledgement
from tests.accounts.world import build_demo_world, person
from tests.incidents.reports import report

pytestmark = pytest.mark.django_db
LINK = re.compile(r"(http://\S+/ack/[^/\s]+/)")


@pytest.fixture
def paged():
    """A CRITICAL incident from RS-MOD to HR-MOD, escalated to the head and the commission desk (level
    3), with every e-mail of it sent."""
    build_demo_world()
    incident = report(person("rs-mod-duty"), to=("HR-MOD",), severity="critical", tlp="AMBER")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    for minutes in (0, 5, 15, 30):
        tick(now=timer.started_at + timedelta(minutes=minutes))
        send_due(now=timer.started_at + timedelta(minutes=minutes))
    return incident, timer


def mail_to(address: str):
    """Every page mailed to `address`, in sending order. From 20:00 to 08:00 Belgrade time the demo's
    supervisor is also the officer on duty, so level 1 mails them too."""
    return [message for message in mail.outbox if address in message.to]


def test_a_link_acknowledges_as_its_person_without_signing_in_and_only_once(paged):
    incident, timer = paged
    supervisor_mail = mail_to("supervisor@hr-mod.example")[-1]  # the supervisors' level (see mail_to)
    link = LINK.search(supervisor_mail.body).group(1).replace("http://127.0.0.1:8000", "")
    anonymous = Client()

    page = anonymous.get(link)
    assert page.status_code == 200 and b"Acknowledge" in page.content
    assert Acknowledgement.objects.get(message__incident=incident).acknowledged_at is None, (
        "looking is not acknowledging"
    )

    done = anonymous.post(link)
    assert done.status_code == 200 and b"Paging has stopped" in done.content
    acknowledgement = Acknowledgement.objects.get(message__incident=incident)
    assert (acknowledgement.method, acknowledgement.acknowledged_by.username) == ("link", "hr-mod-supervisor")
    timer.refresh_from_db()
    assert timer.state == TimerState.ACKNOWLEDGED
    assert AuditEntry.objects.filter(action="escalation.link_used", actor="hr-mod-supervisor").exists()

    again = anonymous.post(link)
    assert again.status_code == 409 and b"already used" in again.content


def test_a_tampered_or_foreign_link_acknowledges_nothing(paged):
    incident, _ = paged
    supervisor_mail = mail_to("supervisor@hr-mod.example")[-1]  # the supervisors' level (see mail_to)
    link = LINK.search(supervisor_mail.body).group(1).replace("http://127.0.0.1:8000", "")
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    assert Client().get(tampered).status_code == 404
    assert Client().post(tampered).status_code == 409
    assert Client().post("/ack/not-a-token/").status_code == 409
    assert Acknowledgement.objects.get(message__incident=incident).acknowledged_at is None


def test_the_commission_desk_is_told_but_gets_no_link(paged):
    desk_mail = mail_to("duty@wbc-sec.example") + mail_to("supervisor@wbc-sec.example")
    assert desk_mail, "the commission duty desk is paged at level 3"
    assert all("/ack/" not in message.body for message in desk_mail)
    assert all("/ack/" in message.body for message in mail_to("head@hr-mod.example"))
