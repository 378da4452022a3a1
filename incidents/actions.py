"""Every change to incidents goes through one of these functions (STYLE.md: actions own writes).

Each runs in one transaction with its audit entries and its outbox events, so the change, its record
and what consoles are told commit together or not at all. Access is checked by the caller (views and
API views ask incidents.access first, outside the transaction, so that a refusal stays recorded).
Audit details carry references and labels, never titles or bodies: the log is kept at TLP:GREEN.
"""

import hashlib
import logging
import mimetypes
from datetime import datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import Max, Prefetch, prefetch_related_objects
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from hotline.audit.log import record
from hotline.db import lock_commit_order
from hotline.escalation.engine import severity_policy
from hotline.escalation.subjects import acknowledged_by_label
from hotline.realtime.outbox import publish_many
from incidents import timers
from incidents.access import require_tlp_change
from incidents.choices import AckMethod, MessageKind, Status, Tlp
from incidents.models import Acknowledgement, Attachment, Incident, IncidentRecipient, Message, attachment_path
from incidents.payloads import acknowledgement_payload, incident_payload, message_payload
from incidents.stix import ImportedIncident
from incidents.visibility import Sight, audiences

log = logging.getLogger("hotline.incidents")


def _author(caller) -> tuple:
    """(the person or None for an API key, the label shown and recorded, the organisation)."""
    person = caller if getattr(caller, "api_key", None) is None else None
    return person, caller.username, caller.organisation


def _publish(kind: str, incident: Incident, build) -> None:
    """One event per audience: `build(content)` makes the payload with or without the content."""
    publish_many(
        [
            (
                kind,
                f"incident:{incident.pk}",
                {"exercise": incident.exercise, **build(sight is Sight.CONTENT)},
                organisation_ids,
            )
            for sight, organisation_ids in audiences(incident).items()
        ]
    )


def _participants(incident: Incident) -> list[Organisation]:
    return [incident.originator, *incident.recipients.all()]


def _post(
    incident: Incident, *, caller, kind: str, body: str, requires_ack: bool, reply_by: datetime | None = None
) -> Message:
    """Append a message to the thread (the incident row is locked by the caller) with a pending
    acknowledgement for every other taking-part organisation when it needs one."""
    person, label, organisation = _author(caller)
    number = (incident.messages.aggregate(last=Max("number"))["last"] or 0) + 1
    message = Message(
        incident=incident,
        number=number,
        kind=kind,
        organisation=organisation,
        author=person,
        author_label=label,
        body=body,
        requires_ack=requires_ack,
        reply_by=reply_by,
    )
    # The foreign keys come from rows this transaction holds; checking them again costs a query each.
    message.full_clean(exclude=["incident", "organisation", "author"], validate_constraints=False)
    message.save()
    if requires_ack:
        # Each recipient's deadline is its escalation policy's (the commission may set one per pair of parties).
        others = [other for other in _participants(incident) if other.pk != organisation.pk]
        policies = {other.pk: timers.deadline_policy(incident, organisation, other) for other in others}
        acknowledgements = Acknowledgement.objects.bulk_create(
            Acknowledgement(
                message=message, organisation=other, due_at=message.created_at + policies[other.pk].acknowledge_within
            )
            for other in others
        )
        timers.watch(incident, message, acknowledgements, policies)
    Incident.objects.filter(pk=incident.pk).update(updated_at=message.created_at)
    incident.updated_at = message.created_at
    return message


def _with_acknowledgements(message: Message) -> Message:
    """Load the message's acknowledgements once for every audience's payload."""
    prefetch_related_objects(
        [message], Prefetch("acknowledgements", queryset=Acknowledgement.objects.select_related("organisation"))
    )
    return message


def _publish_message(incident: Incident, message: Message) -> None:
    _with_acknowledgements(message)
    _publish(
        "message.created",
        incident,
        lambda content: {
            "incident": incident_payload(incident, content=content),
            "message": message_payload(message, content=content),
        },
    )


def _locked(incident: Incident) -> Incident:
    """The incident's row, locked for this transaction: its thread is numbered one message at a time.
    Only that row (not the joined organisation and party), and not against a key-share lock: a transaction
    holding the commit-order lock that writes a row referring to them (an incident of the same originator,
    a page) checks that reference at commit, and would wait on us while we wait for its lock: a deadlock."""
    return (
        Incident.objects.select_for_update(of=("self",), no_key=True)
        .select_related("originator__party")
        .prefetch_related("recipients")
        .get(pk=incident.pk)
    )


def resolve_recipients(codes, originator: Organisation) -> list[Organisation]:
    """Organisations named by code (`HR-CERT`) or by party (`HR`: all of the party's organisations).
    Refuses unknown codes, observers, and a list that leaves nobody but the reporter."""
    wanted, unknown, observers = {}, [], []
    for code in dict.fromkeys(str(code).strip().upper() for code in codes):
        by_code = Organisation.objects.filter(code=code).select_related("party")
        found = list(by_code) or list(Organisation.objects.filter(party__code=code).select_related("party"))
        if not found:
            unknown.append(code)
        elif any(organisation.kind == OrganisationKind.OBSERVER for organisation in found):
            observers.append(code)  # observers read what the TLP lets them; they are not counterparts
        for organisation in found:
            wanted[organisation.pk] = organisation
    if unknown:
        raise ValidationError({"recipients": f"Unknown organisation or party: {', '.join(unknown)}."})
    if observers:
        raise ValidationError({"recipients": f"Observers cannot be recipients: {', '.join(observers)}."})
    wanted.pop(originator.pk, None)
    if not wanted:
        raise ValidationError({"recipients": "Name at least one organisation or party other than your own."})
    return sorted(wanted.values(), key=lambda organisation: organisation.code)


@transaction.atomic
def do_report_incident(
    caller,
    *,
    recipients: list[Organisation],
    title: str,
    summary: str,
    category: str,
    severity: str,
    tlp: str,
    occurred_at: datetime,
    exercise: bool = False,
    location: dict | None = None,
) -> Incident:
    """Steps: take the commit-order lock (so the yearly number is allocated once), number the incident,
    write it with its recipients, open its thread with the report itself as message 1, which every
    recipient must acknowledge; record it; tell every audience."""
    person, label, organisation = _author(caller)
    lock_commit_order()
    year = timezone.now().year
    number = (Incident.objects.filter(year=year).aggregate(last=Max("number"))["last"] or 0) + 1
    incident = Incident(
        year=year,
        number=number,
        category=category,
        severity=severity,
        tlp=tlp,
        exercise=exercise,
        originator=organisation,
        title=title,
        summary=summary,
        occurred_at=occurred_at,
        location=location,
        reported_by=person,
        reported_by_label=label,
    )
    incident.full_clean()
    incident.save()
    IncidentRecipient.objects.bulk_create(
        IncidentRecipient(incident=incident, organisation=recipient) for recipient in recipients
    )
    message = _post(incident, caller=caller, kind=MessageKind.INFORMATION, body=summary, requires_ack=True)
    _with_acknowledgements(message)
    record(
        "incident.reported",
        actor=caller,
        target=incident,
        details={
            "incident": incident.reference,
            "category": category,
            "severity": severity,
            "tlp": tlp,
            "exercise": exercise,
            "recipients": [recipient.code for recipient in recipients],
        },
    )
    _publish(
        "incident.created",
        incident,
        lambda content: {
            "incident": incident_payload(incident, content=content),
            "message": message_payload(message, content=content),
        },
    )
    log.info(
        "incident reported", extra={"actor": label, "incident": incident.reference, "tlp": tlp, "exercise": exercise}
    )
    return incident


@transaction.atomic
def do_post_message(
    caller, incident: Incident, *, kind: str, body: str, requires_ack: bool = False, reply_by: datetime | None = None
) -> Message:
    """A request for assistance always needs an acknowledgement and has a reply-by deadline (48 h
    unless its author sets one)."""
    incident = _locked(incident)
    if kind == MessageKind.REQUEST_FOR_ASSISTANCE:
        requires_ack = True
        reply_by = reply_by or timezone.now() + timedelta(seconds=severity_policy(incident.severity).reply_within_s)
        if reply_by <= timezone.now():
            raise ValidationError({"reply_by": "The reply-by deadline must lie in the future."})
    elif reply_by is not None:
        raise ValidationError({"reply_by": "Only a request for assistance has a reply-by deadline."})
    message = _post(incident, caller=caller, kind=kind, body=body, requires_ack=requires_ack, reply_by=reply_by)
    timers.stop_reply_clocks(incident, message.organisation, by_label=caller.username)
    record(
        "incident.message_posted",
        actor=caller,
        target=message,
        details={
            "incident": incident.reference,
            "message": message.number,
            "kind": kind,
            "requires_ack": requires_ack,
        },
    )
    _publish_message(incident, message)
    log.info(
        "message posted",
        extra={"actor": caller.username, "incident": incident.reference, "message_number": message.number},
    )
    return message


class NotAwaited(ValidationError):
    """The message does not wait on the caller's organisation (it never did, or it is acknowledged)."""


@transaction.atomic
def do_acknowledge(
    caller, incident: Incident, *, message_number: int | None = None, method: str = AckMethod.CONSOLE, recorded_by=None
) -> list[Acknowledgement]:
    """Acknowledge one message, or every message that waits on the caller's organisation. A conditional
    update: two officers clicking at once acknowledge once; the second gets an empty list (or, for one
    named message, NotAwaited). The escalation of what is acknowledged stops in the same transaction.
    `recorded_by`: the supervisor who took an acknowledgement by phone (method PHONE) for `caller`."""
    person, label, organisation = _author(caller)
    label = acknowledged_by_label(label, recorded_by)
    pending = Acknowledgement.objects.filter(
        message__incident=incident, organisation=organisation, acknowledged_at__isnull=True
    )
    if message_number is not None:
        pending = pending.filter(message__number=message_number)
    chosen = list(pending.select_for_update().values_list("pk", flat=True))
    now = timezone.now()
    given = Acknowledgement.objects.filter(pk__in=chosen, acknowledged_at__isnull=True).update(
        acknowledged_at=now,
        acknowledged_by=person,
        acknowledged_by_label=label,
        method=method,
    )
    if message_number is not None and given == 0:
        raise NotAwaited(
            {"message": f"Message {message_number} does not wait for {organisation.code}'s acknowledgement."}
        )
    acknowledgements = list(
        Acknowledgement.objects.filter(pk__in=chosen, acknowledged_at=now).select_related(
            "message__incident", "organisation"
        )
    )
    timers.stop_acknowledged(acknowledgements, by_label=label)
    for acknowledgement in acknowledgements:
        message = _with_acknowledgements(acknowledgement.message)
        record(
            "incident.acknowledged",
            actor=recorded_by or caller,
            target=message,
            details={
                "incident": incident.reference,
                "message": message.number,
                "method": method,
                "late": now > acknowledgement.due_at,
                **({"on_behalf_of": caller.username} if recorded_by else {}),
            },
        )
        _publish(
            "ack.recorded",
            incident,
            lambda content, message=message, acknowledgement=acknowledgement: {
                "incident": incident_payload(incident, content=content),
                "message": message_payload(message, content=content),
                "acknowledgement": acknowledgement_payload(acknowledgement),
            },
        )
    if acknowledgements:
        log.info(
            "acknowledged",
            extra={
                "actor": label,
                "incident": incident.reference,
                "messages": [a.message.number for a in acknowledgements],
            },
        )
    return acknowledgements


def _change(caller, incident: Incident, field: str, value: str, action: str, text: str) -> Incident:
    incident = _locked(incident)
    before = getattr(incident, field)
    if before == value:
        return incident
    setattr(incident, field, value)
    incident.full_clean()
    incident.save(update_fields=[field, "updated_at"])
    message = _post(
        incident,
        caller=caller,
        kind=MessageKind.STATUS_CHANGE,
        body=text.format(before=before, after=value),
        requires_ack=False,
    )
    record(action, actor=caller, target=incident, details={"incident": incident.reference, "from": before, "to": value})
    _publish("incident.updated", incident, lambda content: {"incident": incident_payload(incident, content=content)})
    _publish_message(incident, message)
    log.info(action, extra={"actor": caller.username, "incident": incident.reference, "from": before, "to": value})
    return incident


@transaction.atomic
def do_change_status(caller, incident: Incident, status: str) -> Incident:
    if status not in Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if status in (Status.RESOLVED, Status.CLOSED):
        timers.cancel_all(incident, by_label=caller.username)
    return _change(
        caller, incident, "status", status, "incident.status_changed", "Status changed from {before} to {after}."
    )


def do_change_tlp(caller, incident: Incident, tlp: str) -> Incident:
    """Changing the TLP changes who sees the content from now on: lowering it opens the content to the
    commission (and observers for CLEAR/GREEN); raising it withholds what follows.

    Only the originator changes it (incidents.access): the views ask first; this is the last guard, before
    the transaction so that a refusal stays recorded when the action is called on its own."""
    require_tlp_change(caller, incident)
    if tlp not in Tlp.values:
        raise ValidationError({"tlp": f"Unknown TLP label {tlp!r}."})
    with transaction.atomic():
        return _change(
            caller, incident, "tlp", tlp, "incident.tlp_changed", "TLP changed from TLP:{before} to TLP:{after}."
        )


@transaction.atomic
def do_change_incident(caller, incident: Incident, *, status: str | None = None, tlp: str | None = None) -> Incident:
    """The status, the TLP or both, in one transaction: both changes are made or neither."""
    if status is not None:
        incident = do_change_status(caller, incident, status)
    if tlp is not None:
        incident = do_change_tlp(caller, incident, tlp)
    return incident


def _checked_upload(upload: UploadedFile) -> tuple[str, str]:
    """(the file name to keep, its content type), or ValidationError for a file we do not take."""
    name = PurePath(upload.name or "attachment").name[:200] or "attachment"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in settings.ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            {
                "file": (
                    f"Files of type .{extension or '(none)'} are not accepted; "
                    f"accepted: {', '.join(settings.ATTACHMENT_EXTENSIONS)}."
                )
            }
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"file": f"The file is {upload.size:,} bytes; the limit is {settings.ATTACHMENT_MAX_BYTES:,}."}
        )
    if upload.size == 0:
        raise ValidationError({"file": "The file is empty."})
    # The type is taken from the extension we allowed, never from what the client claims.
    return name, mimetypes.guess_type(name)[0] or "application/octet-stream"


@transaction.atomic
def do_add_attachment(
    caller, incident: Incident, upload: UploadedFile, *, message_number: int | None = None
) -> Attachment:
    name, content_type = _checked_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    incident = _locked(incident)
    _, label, organisation = _author(caller)
    linked = incident.messages.filter(number=message_number).first() if message_number else None
    if message_number and linked is None:
        raise ValidationError({"message": f"Message {message_number} is not in this thread."})
    attachment = Attachment(
        incident=incident,
        message=linked,
        filename=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        organisation=organisation,
        uploaded_by_label=label,
    )
    # Stored by content: the same file twice is one file on disk, and a file left by a transaction that
    # rolled back is only ever reused for the same content, never shown without its row.
    path = attachment_path(attachment, name)
    if not default_storage.exists(path):
        default_storage.save(path, upload)
    attachment.file.name = path
    attachment.save()
    message = _post(
        incident,
        caller=caller,
        kind=MessageKind.SYSTEM,
        body=f"Attached {name} ({upload.size:,} bytes, SHA-256 {attachment.sha256}).",
        requires_ack=False,
    )
    record(
        "incident.attachment_added",
        actor=caller,
        target=attachment,
        details={
            "incident": incident.reference,
            "attachment": attachment.pk,
            "sha256": attachment.sha256,
            "size": attachment.size,
        },
    )
    _publish_message(incident, message)
    return attachment


@transaction.atomic
def do_import_stix_incident(
    caller,
    imported: ImportedIncident,
    *,
    recipients: list[Organisation],
    severity: str,
    exercise: bool,
    bundle: bytes,
) -> Incident:
    """Report the incident read from a STIX bundle (incidents.stix.import_bundle) and, when the bundle
    holds more than the incident keeps, attach it byte for byte as `bundle.json`: both or neither."""
    incident = do_report_incident(
        caller,
        recipients=recipients,
        title=imported.title,
        summary=imported.summary,
        category=imported.category,
        severity=severity,
        tlp=imported.tlp,
        occurred_at=imported.occurred_at,
        exercise=imported.exercise or exercise,
        location=imported.location,
    )
    if imported.keep_bundle_as_attachment:
        do_add_attachment(caller, incident, SimpleUploadedFile("bundle.json", bundle, content_type="application/json"))
    return incident


def note_attachment_download(caller, attachment: Attachment) -> None:
    record(
        "incident.attachment_downloaded",
        actor=caller,
        target=attachment,
        details={
            "incident": attachment.incident.reference,
            "attachment": attachment.pk,
            "sha256": attachment.sha256,
        },
    )


def note_export(caller, incident: Incident, form: str) -> None:
    record("incident.exported", actor=caller, target=incident, details={"incident": incident.reference, "form": form})


def note_read(caller, incident: Incident) -> None:
    """Reading a RED incident's content is recorded each time (DESIGN.md: Audit)."""
    if incident.tlp == Tlp.RED:
        record("incident.red_read", actor=caller, target=incident, details={"incident": incident.reference})
