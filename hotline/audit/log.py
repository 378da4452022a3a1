"""record(): append one entry to the audit log, in the caller's transaction.

Steps: take the log's lock (a transaction-scoped advisory lock on PostgreSQL; SQLite's IMMEDIATE
transactions already hold the one write lock), read the last entry, write the next one with the last
one's hash in it. The lock is held until the caller commits, so entries of concurrent transactions form
one chain without gaps, in commit order; a rolled-back transaction leaves no entry and no gap.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from hotline.audit.merkle import leaf_hash
from hotline.audit.models import ActorKind, AuditEntry
from hotline.db import lock_commit_order

GENESIS_HASH = bytes(32)
MAX_DETAILS_CHARACTERS = 4096
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: 27 characters


def entry_bytes(seq: int, prev_hash: bytes, body: str) -> bytes:
    """What a leaf hashes: the position, the predecessor's hash and the canonical body."""
    return seq.to_bytes(8, "big") + prev_hash + body.encode()


def canonical_body(
    *, time: datetime, actor: str, actor_kind: str, organisation: str, action: str, target: str, details: dict
) -> str:
    """Sorted keys, no spaces, UTF-8: the same content always gives the same bytes. Because the keys are
    sorted, a body always begins with its action and actor, which lets verification compare the index
    columns without parsing it (see hotline.audit.verify)."""
    content = {
        "time": time.astimezone(UTC).strftime(TIME_FORMAT),
        "actor": actor,
        "actor_kind": actor_kind,
        "organisation": organisation,
        "action": action,
        "object": target,
        "details": details,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def describe_actor(actor) -> tuple[str, str, str]:
    """(label, kind, organisation code) of a person, an API client or the system (None)."""
    if actor is None:
        return "system", ActorKind.SYSTEM, ""
    organisation = getattr(actor, "organisation", None)
    code = organisation.code if organisation is not None else ""
    if getattr(actor, "api_key", None) is not None:
        return actor.username, ActorKind.API_KEY, code
    return actor.username, ActorKind.PERSON, code


def describe_target(target) -> str:
    """A model instance as `app_label.model:pk`. A model that moved to another app names itself as it was
    recorded before (its `audit_label`), so that one object keeps one name across the log."""
    if target is None:
        return ""
    if isinstance(target, str):
        return target
    return f"{getattr(target, 'audit_label', None) or target._meta.label_lower}:{target.pk}"


def record(
    action: str, *, actor=None, organisation: str | None = None, target=None, details: dict | None = None
) -> AuditEntry:
    """Append an entry for `action` (e.g. "api_key.created") by `actor` (a person, an API client, or None
    for the system). `details` is a small JSON object; it must never hold content above TLP:GREEN."""
    return record_many([Entry(action, actor=actor, organisation=organisation, target=target, details=details)])[0]


@dataclass
class Entry:
    """One entry to append (see record())."""

    action: str
    actor: object = None
    organisation: str | None = None
    target: object = None
    details: dict | None = None


def record_many(entries: list[Entry]) -> list[AuditEntry]:
    """Append several entries in one locked step, in order: one lock, one read of the last entry and
    one batch of inserts for all of them (the escalation engine records a whole tick's pages so)."""
    prepared = []
    for entry in entries:
        details = entry.details or {}
        # Checked before the transaction is touched, so a refusal leaves the caller's transaction usable.
        if len(json.dumps(details, default=str)) > MAX_DETAILS_CHARACTERS:
            raise ValueError("audit details are limited to 4 KB: record references, not content")
        label, kind, actor_organisation = describe_actor(entry.actor)
        organisation = entry.organisation if entry.organisation is not None else actor_organisation
        prepared.append((entry.action, label, kind, organisation, describe_target(entry.target), details))
    if not prepared:
        return []
    written = []
    # No savepoint of its own: it adds a round trip to every action, and an error here fails the
    # caller's transaction anyway, as it should.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        lock_commit_order(cursor)
        cursor.execute("SELECT seq, leaf_hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        last = cursor.fetchone()
        seq, prev_hash = (last[0], bytes(last[1])) if last else (0, GENESIS_HASH)
        now = timezone.now()
        rows = []
        for action, label, kind, organisation, target, details in prepared:
            seq += 1
            body = canonical_body(
                time=now,
                actor=label,
                actor_kind=kind,
                organisation=organisation,
                action=action,
                target=target,
                details=details,
            )
            leaf = leaf_hash(entry_bytes(seq, prev_hash, body))
            rows.append(
                [seq, connection.ops.adapt_datetimefield_value(now), label, organisation, action, body, prev_hash, leaf]
            )
            written.append(
                AuditEntry(
                    seq=seq,
                    recorded_at=now,
                    actor=label,
                    organisation=organisation,
                    action=action,
                    body=body,
                    prev_hash=prev_hash,
                    leaf_hash=leaf,
                )
            )
            prev_hash = leaf
        cursor.executemany(
            "INSERT INTO audit_entry (seq, recorded_at, actor, organisation, action, body, prev_hash, leaf_hash)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    return written
