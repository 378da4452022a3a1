"""A TLP:RED incident's content reaches its recipients and nobody else, on every channel (issue 14).

RS-CERT reports a RED incident to HR-CERT whose title, summary, messages, attachment name and location
carry a marker; the thread then lives (a request for assistance, an attachment uploaded in the console,
a message posted with an API key, escalation by console, e-mail, SMS (failing for good, so the desk is
told) and webhook up to the commission desk, an acknowledgement, a status change, the TLP lowered to
AMBER+STRICT and raised again, a commission administrator's refused relabelling). Then every
channel is read as people outside its recipients (another party, another organisation of either party,
the commission's duty desk, reviewer and administrator, an observer): the live pushes of consoles open
throughout and their `resume` from 0, every GET route of the URL configuration (API and console, walked
from the resolver, by outsiders' sessions and API keys), the answers to their writes aimed at the
incident and its timers, the exports (audit log export, STIX, directory CSV and vCard, iCalendar feeds), the
e-mails, SMS and webhooks, and this process's log records at DEBUG (the web server, the engine and the
actions all run in it). None of it may carry the marker.

So that it cannot pass on channels that say nothing: a CLEAR incident from BA-CERT whose content every
one of those viewers may read must show on each content channel for each of them, the RED incident's
reference must reach the commission (pushes, paging, the audit log), and the recipient and the
originator must find the RED marker where content belongs.
"""

import io
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from websockets.exceptions import ConnectionClosed

from accounts.models import Organisation, Party, scopes_for
from hotline.escalation.choices import Target
from hotline.escalation.engine import tick
from hotline.escalation.models import Delivery, Timer
from hotline.escalation.page_texts import link_token
from hotline.escalation.sending import send_due
from incidents.actions import (
    do_acknowledge,
    do_change_status,
    do_change_tlp,
    do_post_message,
)
from incidents.choices import MessageKind, Status, Tlp
from incidents.models import Attachment, Incident
from incidents.notifications.calendar import feed_token
from tests.accounts.world import organisation, person
from tests.escalation.world import EVERY_METHOD, one_page_policy, paging_world
from tests.foundation.test_live_channel import open_channel
from tests.incidents.conftest import make_key_client
from tests.incidents.conftest import report as report_incident
from tests.incidents.reports import elsewhere
from tests.security.test_route_matrix import resolver_routes

MARKER = "Q7RED-k3v9"  # in the RED incident's title, summary, messages and attachment name
RED_LONGITUDE = "19.87654"  # its location's marker
CONTROL = "Q7CLEAR-m2p8"  # in the CLEAR incident every viewer below may read

RECIPIENTS = ["hr-cert-duty", "rs-cert-duty"]  # the named recipient and the originator
OUTSIDERS = {
    "another party": "al-cert-duty",
    "another organisation of the recipient's party": "hr-mod-duty",
    "another organisation of the originator's party": "rs-mod-duty",
    "the commission duty desk": "wbc-sec-duty",
    "a commission reviewer": "wbc-sec-reviewer",
    "a commission administrator": "wbc-sec-admin",
    "an observer": "osce-cpc-duty",
}
# Where the recipients must find the content (the outsiders walk every route).
RECIPIENT_ROUTES = [
    "api/v1/incidents/<int:pk>/",
    "api/v1/incidents/<int:pk>/messages/",
    "api/v1/incidents/<int:pk>/attachments/<int:attachment_id>/",  # its name, in Content-Disposition
    "api/v1/incidents/<int:pk>/stix/",
    "incidents/<str:reference>/",
]
KEYS_OF = ["AL-CERT", "WBC-SEC"]
COMMISSION = {"wbc-sec-duty", "wbc-sec-reviewer", "wbc-sec-admin"}
EVERYONE = [Target.ORGANISATION, Target.ON_DUTY, Target.SUPERVISORS, Target.HEAD, Target.COMMISSION_DESK]
# Routes a GET would change or that hold nothing of any incident: signing out would end the walk's
# session; the sign-in steps and the API description show no data.
NOT_WALKED = {"logout/", "login/", "otp/verify/", "otp/enrol/", "api/schema/", "api/docs/", "api/redoc/"}
QUERIES = {"api/v1/events/": "?after=0"}  # without `after` the feed starts now
# What an outsider tries to write to the RED incident, by the last part of the route.
WRITES = {
    "messages": {"kind": "note", "body": "probe"},
    "status": {"status": "closed"},
    "tlp": {"tlp": "CLEAR"},
    "<int:pk>": {"tlp": "CLEAR"},
    "phone-acknowledgement": {"reason": "probe"},
}
QUIET_S = 0.5  # a console that received nothing for this long has received everything
# The test's own WebSocket client traces the frames it receives (the recipient's included) at DEBUG;
# the fake SMTP server is the outside world. Neither is the service's log.
FOREIGN_LOGGERS = ("websockets.client", "mail.log")


def leaks(text: str) -> list[str]:
    return [marker for marker in (MARKER, RED_LONGITUDE) if marker in text]


# --- the activity ---------------------------------------------------------------------------------------


def report_red_incident() -> Incident:
    incident = report_incident(
        "rs-cert-duty",
        ["HR-CERT"],
        tlp=Tlp.RED,
        title=f"Relay compromised {MARKER} title",
        summary=f"Operator credentials seen {MARKER} summary",
        severity="critical",
        location={"type": "Point", "coordinates": [float(RED_LONGITUDE), 45.2]},
    )
    do_post_message(
        person("rs-cert-duty"), incident, kind=MessageKind.REQUEST_FOR_ASSISTANCE, body=f"Indicators {MARKER} body"
    )
    return incident


def write_through_the_console_and_the_api(incident: Incident) -> None:
    """RED content through HTTP too, so that request handling and its log lines carry it: the originator
    attaches a file in the console, HR-CERT's ticketing system posts a message with its API key."""
    upload = SimpleUploadedFile(f"{MARKER}-indicators.txt", b"203.0.113.77\n")
    attached = signed_in("rs-cert-duty").post(f"/incidents/{incident.reference}/attachments/", {"file": upload})
    assert attached.status_code == 302, attached.status_code
    posted = make_key_client("HR-CERT").post(
        f"/api/v1/incidents/{incident.pk}/messages/", {"kind": MessageKind.NOTE, "body": f"Looking {MARKER} reply"}
    )
    assert posted.status_code == 201, posted.content


def report_control_incident() -> Incident:
    """CLEAR, from BA-CERT to the outsiders' own organisations: content each outsider may read."""
    incident = report_incident(
        "ba-cert-duty",
        ["AL-CERT", "HR-MOD", "RS-MOD"],
        tlp=Tlp.CLEAR,
        title=f"Phishing wave {CONTROL} title",
        summary=f"Mails imitating the tax office {CONTROL} summary",
        severity="low",
    )
    do_post_message(person("ba-cert-duty"), incident, kind=MessageKind.INFORMATION, body=f"Samples {CONTROL} body")
    return incident


def escalate(receivers) -> None:
    """Every due timer fired and every page sent, in this process, to the fake receivers (the policy's
    one level is due a second after each message)."""
    later = timezone.now() + timedelta(seconds=5)
    with override_settings(**receivers.settings()):
        assert tick(later) > 0
        assert send_due(later) > 0


def live_the_thread(incident: Incident) -> None:
    originator, recipient = person("rs-cert-duty"), person("hr-cert-duty")
    assert do_acknowledge(recipient, incident)
    do_change_status(originator, incident, Status.MONITORING)
    do_change_tlp(originator, incident, Tlp.AMBER_STRICT)
    do_change_tlp(originator, incident, Tlp.RED)
    do_post_message(recipient, incident, kind=MessageKind.INFORMATION, body=f"Contained {MARKER} update")


# --- reading every channel --------------------------------------------------------------------------------


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


def frames_until_quiet(channel, timeout: float = 10.0, until: str | None = None) -> list[str]:
    """What the channel receives until it is quiet for QUIET_S (or sends a frame of type `until`)."""
    frames, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            frame = channel.recv(timeout=QUIET_S if until is None else max(0.01, deadline - time.monotonic()))
        except (TimeoutError, ConnectionClosed):
            break
        frames.append(frame)
        if until is not None and json.loads(frame)["type"] == until:
            break
    return frames


@dataclass(frozen=True)
class Aims:
    """What the walk's paths point at: the RED incident, its attachment and a timer, a real paging link."""

    red: Incident
    attachment_id: int
    timer_id: int
    link: str


def concrete(route: str, party: Party, aims: Aims) -> str:
    """A path of `route` aimed at the RED incident (its pk or reference, its attachment, its timer), at the
    recipient organisation's pages, at the caller's own party's calendar feed, at a real paging link."""
    values = {
        "<int:attachment_id>": str(aims.attachment_id),
        "<str:reference>": aims.red.reference if route.startswith("incidents/") else "x",
        "<str:code>": "HR-CERT",
        "<str:username>": "hr-cert-duty",
        "<str:severity>": "critical",
        "<str:pair>": "HR-RS",
        "<int:size>": "1",
    }
    if route.startswith("notifications/calendar/"):
        values["<str:token>"] = feed_token(party)
    elif route.startswith("ack/"):
        values["<str:token>"] = aims.link
    if "/attachments/<int:pk>" in route:
        values["<int:pk>"] = str(aims.attachment_id)
    elif route.startswith(("escalation/timers/", "api/v1/escalation/timers/")):
        values["<int:pk>"] = str(aims.timer_id)
    elif "incidents/<int:pk>" in route:
        values["<int:pk>"] = str(aims.red.pk)
    path = re.sub(r"<[^>]+>", lambda match: values.get(match.group(0), "1"), route)
    return "/" + path + QUERIES.get(route, "")


def answered(response) -> tuple[int, str]:
    """The status, and the headers (a download's file name) and body a client reads."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "".join(f"{name}: {value}\n" for name, value in response.items())
    return response.status_code, headers + body.decode(errors="replace")


def walk_every_get_route(
    client: Client, party: Party, aims: Aims, under: str = "", only=None
) -> dict[str, tuple[int, str]]:
    """(status, headers and body) of a GET of every route of the resolver (under `under`, or `only`
    these) by `client`."""
    answers = {}
    for route in sorted(only or (route for route in resolver_routes() - NOT_WALKED if route.startswith(under))):
        answers[route] = answered(client.get(concrete(route, party, aims)))
    return answers


def write_to_every_incident_route(client: Client, party: Party, aims: Aims) -> dict[str, tuple[int, str]]:
    """The answers to writes aimed at the RED incident and its timer, console and API: an outsider's
    refused (or allowed) write must not answer with the content either."""
    answers = {}
    for route in sorted(resolver_routes()):
        if not re.search(r"incidents/<[^>]+>/|timers/<int:pk>/", route):
            continue
        path = concrete(route, party, aims)
        data = WRITES.get(route.rsplit("/", 2)[-2], {})
        if route.startswith("api/"):
            response = client.generic(
                "PATCH" if route.endswith("<int:pk>/") else "POST",
                path,
                json.dumps(data),
                content_type="application/json",
            )
        else:
            response = client.post(path, data)
        answers[f"{route} written"] = answered(response)
    return answers


def drained(channels: dict) -> dict[str, str]:
    """What each console received until quiet, all read at once (one quiet wait, not one per console)."""
    with ThreadPoolExecutor(len(channels)) as pool:
        frames = dict(zip(channels, pool.map(frames_until_quiet, channels.values()), strict=True))
    return {username: "\n".join(received) for username, received in frames.items()}


def mail_text(mail) -> str:
    return "\n".join([mail.subject, mail.body, *(content for content, _ in getattr(mail, "alternatives", []))])


def log_text(record: logging.LogRecord) -> str:
    """The message and every attribute of a record: a structured log's extras are log lines too."""
    return record.getMessage() + " " + " ".join(f"{key}={value!r}" for key, value in vars(record).items())


# --- the test -----------------------------------------------------------------------------------------------


@pytest.fixture
def console_settings(settings, tmp_path):
    """Sessions made by force_login pass (no second factor to type); uploads go to the test's folder."""
    settings.OTP_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db(transaction=True)
def test_a_red_incidents_marker_reaches_its_recipients_and_no_one_else_on_any_channel(
    asgi_server, receivers, console_settings, caplog, mailoutbox
):
    caplog.set_level(logging.DEBUG)
    paging_world(receivers)
    one_page_policy("critical", EVERY_METHOD, targets=EVERYONE)
    receivers.http.fail(times=None, status=400, path_prefix="/sms")  # failed for good: the desk is told
    viewers = [*RECIPIENTS, *OUTSIDERS.values()]
    with ExitStack() as open_channels:
        channels = {}
        for username in viewers:
            cookie = f"sessionid={signed_in(username).cookies['sessionid'].value}"
            channels[username] = open_channels.enter_context(open_channel(asgi_server, cookie))
            assert json.loads(channels[username].recv(timeout=5))["type"] == "hello", username
        # Actions in a thread of their own, as another console would: they push after commit.
        red = elsewhere(report_red_incident)
        elsewhere(lambda: write_through_the_console_and_the_api(red))
        elsewhere(report_control_incident)
        elsewhere(lambda: escalate(receivers))
        elsewhere(lambda: live_the_thread(red))
        refused = signed_in("wbc-sec-admin").post(f"/incidents/{red.reference}/tlp/", {"tlp": Tlp.CLEAR})
        assert refused.status_code in (403, 404) and Incident.objects.get(pk=red.pk).tlp == Tlp.RED
        pushed = drained(channels)
        resumed = {}
        for username, channel in channels.items():
            channel.send(json.dumps({"type": "resume", "after": 0}))
            resumed[username] = "\n".join(frames_until_quiet(channel, until="resumed"))

    delivery = Delivery.objects.filter(page__timer__recipient__code="HR-CERT", person__isnull=False).first()
    timer = Timer.objects.filter(recipient__code="HR-CERT").first()
    aims = Aims(red, Attachment.objects.get(incident=red).pk, timer.pk, link_token(delivery))
    answers = {
        username: walk_every_get_route(
            signed_in(username),
            person(username).organisation.party,
            aims,
            only=RECIPIENT_ROUTES if username in RECIPIENTS else None,
        )
        for username in viewers
    }
    # API keys of outsiders' organisations (a SIEM of another party, the commission's): every API route.
    for code in KEYS_OF:
        key_client = make_key_client(code, scopes=scopes_for(Organisation.objects.get(code=code)))
        answers[f"{code}'s API key"] = walk_every_get_route(key_client, organisation(code).party, aims, under="api/")
    # Last, as they may change the incident: every outsider's writes to it.
    for username in OUTSIDERS.values():
        client, party = signed_in(username), person(username).organisation.party
        answers[username] |= write_to_every_incident_route(client, party, aims)
    assert Incident.objects.get(pk=red.pk).tlp == Tlp.RED
    audit_export = io.StringIO()
    call_command("export_audit", stdout=audit_export)

    found = []  # (channel, viewer, text) of everything anyone outside the recipients got
    for username in [*OUTSIDERS.values(), *(f"{code}'s API key" for code in KEYS_OF)]:
        found += [(f"/{route} ({status})", username, body) for route, (status, body) in answers[username].items()]
    for username in OUTSIDERS.values():
        found += [("live push", username, pushed[username]), ("resume from 0", username, resumed[username])]
    found.append(("the refused relabelling", "wbc-sec-admin", answered(refused)[1]))
    found.append(("the audit export", "the export's reader", audit_export.getvalue()))
    found += [("e-mail to " + ", ".join(mail.recipients), "its reader", mail.text) for mail in receivers.mails()]
    found += [(f"e-mail sent by Django to {mail.to}", "its reader", mail_text(mail)) for mail in mailoutbox]
    found += [("SMS", "its reader", sms.text) for sms in receivers.sms()]
    found += [("webhook " + hook.path, "its reader", hook.text) for hook in receivers.webhooks()]
    found += [
        (f"log {record.name}", "an operator", log_text(record))
        for record in caplog.records
        if not record.name.startswith(FOREIGN_LOGGERS)
    ]
    leaked = [f"{channel} as {viewer}: {leaks(text)}" for channel, viewer, text in found if leaks(text)]
    assert not leaked, "the RED incident's content reached people outside its recipients:\n" + "\n".join(leaked)

    # Each channel really carried something to each outsider: content they may read, the RED reference.
    for username in OUTSIDERS.values():
        for what, text in [
            ("live push", pushed[username]),
            ("resume", resumed[username]),
            ("API list", answers[username]["api/v1/incidents/"][1]),
            ("API events", answers[username]["api/v1/events/"][1]),
            ("console list", answers[username]["incidents/"][1]),
        ]:
            assert CONTROL in text, f"{username} got no readable content by {what}: the check says nothing"
        calendar_status, calendar = answers[username]["notifications/calendar/<str:token>.ics"]
        assert calendar_status == 200 and "BEGIN:VCALENDAR" in calendar, username
    for code in KEYS_OF:
        for route in ["api/v1/incidents/", "api/v1/events/"]:
            assert CONTROL in answers[f"{code}'s API key"][route][1], (code, route)
    for username in COMMISSION:
        assert "delivery.failed" in pushed[username], username
        assert red.reference in pushed[username] and red.reference in resumed[username], username
        assert red.reference in answers[username]["api/v1/incidents/"][1], username
    assert red.reference in answers["wbc-sec-reviewer"]["audit/log/"][1]
    assert red.reference in audit_export.getvalue()
    for stream in ("directory/export.csv", "directory/export.vcf"):
        assert "HR-CERT" in answers["al-cert-duty"][stream][1].upper(), stream
    commission_mails = [mail for mail in receivers.mails() if any("@wbc-sec." in to for to in mail.recipients)]
    assert commission_mails and all(red.reference in mail.text for mail in commission_mails)
    for sent in [receivers.sms(), receivers.webhooks()]:
        assert any(red.reference in request.text for request in sent)
    assert any(red.reference in log_text(record) for record in caplog.records)

    # The recipients find the content where it belongs (so the markers are where the test looks).
    for username in RECIPIENTS:
        assert MARKER in pushed[username] and MARKER in resumed[username], username
        for route in RECIPIENT_ROUTES:
            status, body = answers[username][route]
            assert status == 200 and MARKER in body, (username, route, status)
        assert RED_LONGITUDE in answers[username]["api/v1/incidents/<int:pk>/"][1], username
