"""Export of a period as JSON lines with proofs, checkable offline with scripts/verify_audit_export.py.

Line 1 (header): the signed checkpoint the proofs lead to and the verifier key.
Then one line per entry: its position, predecessor's hash, canonical body, leaf hash and inclusion proof.
"""

import json
from collections.abc import Iterator
from datetime import datetime

from hotline.audit.checkpoints import do_publish_checkpoint
from hotline.audit.merkle import inclusion_proof, tree_levels
from hotline.audit.models import AuditEntry
from hotline.audit.signing import verifier_key
from hotline.audit.verify import stored_rows

FORMAT = "hotline-audit-export/1"


def export_lines(since: datetime | None = None, until: datetime | None = None) -> Iterator[str]:
    checkpoint = do_publish_checkpoint()
    size = checkpoint.tree_size if checkpoint else 0
    yield json.dumps(
        {
            "format": FORMAT,
            "tree_size": size,
            "checkpoint": checkpoint.note if checkpoint else "",
            "verifier_key": verifier_key(),
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        }
    )
    if not size:
        return
    leaves = [bytes(leaf) for _, _, _, leaf, *_ in stored_rows()][:size]
    levels = tree_levels(leaves)
    wanted = AuditEntry.objects.filter(seq__lte=size)
    if since:
        wanted = wanted.filter(recorded_at__gte=since)
    if until:
        wanted = wanted.filter(recorded_at__lt=until)
    for seq, prev_hash, body, leaf in (
        wanted.order_by("seq").values_list("seq", "prev_hash", "body", "leaf_hash").iterator()
    ):
        yield json.dumps(
            {
                "seq": seq,
                "prev_hash": bytes(prev_hash).hex(),
                "body": body,
                "leaf_hash": bytes(leaf).hex(),
                "inclusion_proof": [node.hex() for node in inclusion_proof(levels, seq - 1)],
            },
            ensure_ascii=False,
        )
