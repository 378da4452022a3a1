"""Paging transports, one class each, in one registry (STYLE.md: the only place that talks SMTP or HTTP).

`send()` raises TransportError(message, permanent=…): a permanent error is not retried (a refused
address), a temporary one is, with back-off. The console transport writes its alert as an event in the
tick's own transaction, so it cannot be lost or sent twice.
"""

import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

from accounts.choices import ContactMethod
from hotline.escalation.page_texts import page_text_for
from hotline.escalation.subjects import subject_type
from hotline.escalation.timeline import alert_fields


class TransportError(Exception):
    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.message = message[:480]
        self.permanent = permanent


class Transport:
    method = ""
    in_transaction = False  # True: delivered as an event written with the page (see ConsoleTransport.alert)

    def available(self) -> bool:
        return True

    def send(self, delivery, text) -> None:
        raise NotImplementedError


class ConsoleTransport(Transport):
    """An alert in every open console of the recipient organisation (WebSocket push, browser
    notification, sound), with an Acknowledge button; the event is stored, so a console that connects
    later catches up on it."""

    method = ContactMethod.CONSOLE
    in_transaction = True

    def alert(self, delivery, timer, page, summary=None) -> tuple:
        """The alert as an event for the outbox — (kind, subject, payload, audience) — written by the tick
        with the page; the sender's consoles get it too, for their waiting panel."""
        summary = summary or subject_type(timer.subject_kind).summarise([timer.subject_id]).get(timer.subject_id)
        text = page_text_for(delivery, page, timer, summary)
        payload = {
            "page": text.as_json()
            # The title and the first lines whatever the TLP: the event goes only to the consoles of the
            # recipient and the sender, who both read the subject (never to a transport that leaves).
            | alert_fields(timer, summary)
            | {
                "timer": timer.pk,
                "clock": timer.clock,
                "recipient_id": timer.recipient_id,
                "path": text.url,
                "acknowledge_url": "",
            }
        }
        return "page", f"timer:{timer.pk}", payload, [timer.recipient_id, timer.sender_id]


class EmailTransport(Transport):
    method = ContactMethod.EMAIL

    def available(self) -> bool:
        # The console backend only logs: without an SMTP host (outside the demo), e-mail pages nobody.
        return settings.EMAIL_BACKEND != "django.core.mail.backends.console.EmailBackend"

    def send(self, delivery, text) -> None:
        lines = [
            f"{text.reference} ({text.what}) awaits {text.recipient}'s {text.awaited}.",
            f"Severity: {text.severity.upper()}   TLP:{text.tlp}   Deadline: {text.deadline:%Y-%m-%d %H:%M} UTC",
            f"Escalation level {text.level}" + (f", repeat {text.repeat}" if text.repeat else ""),
        ]
        if text.exercise:
            lines.insert(0, "EXERCISE EXERCISE EXERCISE")
        if text.title:
            lines.append(f"Title: {text.title}")
        else:
            lines.append(f"The content is TLP:{text.tlp}: read it in the console.")
        lines.append(f"Open: {text.url}")
        if text.acknowledge_url:
            lines.append(f"Acknowledge (one use, no sign-in needed): {text.acknowledge_url}")
        message = EmailMessage(
            subject=text.subject_line,
            body="\n".join(lines) + "\n",
            to=[delivery.address],
            headers={
                "Message-ID": f"<{text.idempotency_key}.{delivery.pk}@hotline>",
                "X-Hotline-Page": text.idempotency_key,
            },
        )
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise TransportError(f"recipient refused: {error.recipients}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as error:
            raise TransportError(f"SMTP: {type(error).__name__}: {error}") from None


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex; receivers recompute it and compare in constant time."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post_json(url: str, payload: dict, headers: dict) -> None:
    """POST a signed JSON page; 2xx is sent, 4xx (but 408 and 429) permanent, anything else retried."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Hotline-Pager/1",
            "X-Hotline-Timestamp": timestamp,
            "X-Hotline-Signature": f"t={timestamp},v1={signature(settings.HOTLINE_WEBHOOK_SECRET, timestamp, body)}",
            **headers,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ESCALATION_HTTP_TIMEOUT_S) as response:
            response.read(1024)
    except urllib.error.HTTPError as error:
        raise TransportError(
            f"HTTP {error.code} from {url}", permanent=400 <= error.code < 500 and error.code not in (408, 429)
        ) from None
    except (urllib.error.URLError, OSError) as error:
        raise TransportError(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from None


class WebhookTransport(Transport):
    """The generic way into SMS, voice and chat gateways: the page as JSON, signed, with the page id as
    the idempotency key so that a receiver drops a repeat."""

    method = ContactMethod.WEBHOOK

    def send(self, delivery, text) -> None:
        post_json(
            delivery.address, {"type": "hotline.page", **text.as_json()}, {"Idempotency-Key": text.idempotency_key}
        )


class SmsTransport(Transport):
    """SMS through an HTTP gateway (HOTLINE_SMS_GATEWAY_URL): {"to", "text", "reference"}, signed like a
    webhook. Without a gateway, no SMS delivery is made."""

    method = ContactMethod.SMS

    def available(self) -> bool:
        return bool(settings.HOTLINE_SMS_GATEWAY_URL)

    def send(self, delivery, text) -> None:
        headers = {"Idempotency-Key": f"{text.idempotency_key}-{delivery.pk}"}
        if settings.HOTLINE_SMS_GATEWAY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.HOTLINE_SMS_GATEWAY_TOKEN}"
        post_json(
            settings.HOTLINE_SMS_GATEWAY_URL,
            {"to": delivery.address, "text": text.short_text[:459], "reference": text.idempotency_key},
            headers,
        )


TRANSPORTS: dict[str, Transport] = {
    transport.method: transport
    for transport in (ConsoleTransport(), EmailTransport(), WebhookTransport(), SmsTransport())
}


def transport_for(method: str) -> Transport:
    return TRANSPORTS[method]
