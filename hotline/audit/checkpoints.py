"""Publishing signed checkpoints: the log's size and root, signed, kept by every party."""

import logging

from django.db import IntegrityError, transaction

from hotline.audit.models import AuditCheckpoint
from hotline.audit.signing import Checkpoint, open_checkpoint, sign_checkpoint, verifier_key
from hotline.audit.verify import Verdict, verify_log

log = logging.getLogger("hotline.audit")


class ChainBroken(RuntimeError):
    def __init__(self, verdict: Verdict):
        super().__init__(verdict.problem)
        self.verdict = verdict


def stored_checkpoints() -> list[Checkpoint]:
    """Our own published checkpoints, each re-checked against the deployment's key."""
    key = verifier_key()
    return [open_checkpoint(note, key) for note in AuditCheckpoint.objects.values_list("note", flat=True)]


def do_publish_checkpoint() -> AuditCheckpoint | None:
    """Verify the log (never sign a broken one), then sign and store a checkpoint of its current size.
    Returns the checkpoint of the current size (new or existing), or None for an empty log."""
    verdict = verify_log(stored_checkpoints())
    if not verdict.ok:
        log.error(
            "audit chain broken: no checkpoint signed",
            extra={"first_bad_entry": verdict.first_bad_entry, "problem": verdict.problem},
        )
        raise ChainBroken(verdict)
    if verdict.tree_size == 0:
        return None
    existing = AuditCheckpoint.objects.filter(tree_size=verdict.tree_size).first()
    if existing is not None:
        return existing
    note = sign_checkpoint(verdict.tree_size, verdict.root)
    try:
        with transaction.atomic():
            checkpoint = AuditCheckpoint.objects.create(tree_size=verdict.tree_size, root_hash=verdict.root, note=note)
    except IntegrityError:  # published by a concurrent run a moment ago
        return AuditCheckpoint.objects.get(tree_size=verdict.tree_size)
    log.info("audit checkpoint published", extra={"tree_size": checkpoint.tree_size, "root": verdict.root.hex()})
    return checkpoint
