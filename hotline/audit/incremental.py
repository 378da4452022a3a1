"""The chain status of the log page, verified incrementally from the last verified state.

Sound because of the log's structure: the state keeps, for the first N entries as they were verified,
the last leaf hash and the Merkle tree's right edge (the roots of the complete subtrees along N's binary
digits). Entry N+1 must name that leaf as its predecessor, so the chain continues from the verified
part; appending the new leaves to the right edge gives the root of any larger size exactly (RFC 9162's
tree), which is compared with every signed checkpoint newer than the state. Only entries after N are
read.

What it does not re-check: entries 1..N after their verification. A forger who rewrites one of them
without touching entry N's leaf is caught by the full verification (`manage.py verify_audit`, the API's
/audit/verify/ and the beat's checkpoint publishing, which verifies the whole log before signing) and
by every party's copy of the signed checkpoints, which vouch for the old roots. Rewriting from entry k
<= N onwards and rehashing changes entry N's leaf, which this check compares on every view.

The state row itself is an ordinary table: whoever can rewrite it can rewrite the log's table too. The
full verification and the parties' checkpoints never read it, so it only ever saves the page work.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.audit.log import GENESIS_HASH
from hotline.audit.merkle import EMPTY_ROOT, node_hash
from hotline.audit.models import AuditCheckpoint, AuditVerification
from hotline.audit.signing import open_checkpoint, verifier_key
from hotline.audit.verify import check_rows, log_size, stored_rows


@dataclass
class PageStatus:
    ok: bool
    tree_size: int  # entries verified
    root: bytes
    verified_at: datetime | None
    checkpoint_size: int | None  # the newest signed checkpoint the log was checked against
    entries_read: int  # how many entries this check read
    first_bad_entry: int | None = None
    problem: str = ""


def _push(edge: list[tuple[int, bytes]], leaf: bytes) -> None:
    edge.append((0, leaf))
    while len(edge) > 1 and edge[-1][0] == edge[-2][0]:
        (height, right), (_, left) = edge.pop(), edge.pop()
        edge.append((height + 1, node_hash(left, right)))


def _root(edge: list[tuple[int, bytes]]) -> bytes:
    if not edge:
        return EMPTY_ROOT
    root = edge[-1][1]
    for _, node in reversed(edge[:-1]):
        root = node_hash(node, root)
    return root


def _edge_of(size: int, packed: bytes) -> list[tuple[int, bytes]]:
    heights = [h for h in reversed(range(size.bit_length())) if size >> h & 1]
    return [(h, packed[i * 32 : (i + 1) * 32]) for i, h in enumerate(heights)]


def _leaf_at(seq: int) -> bytes | None:
    row = next(stored_rows(seq, seq), None)
    return bytes(row[3]) if row else None


def verify_since_last() -> PageStatus:
    """Verify the entries appended since the last verification, against the newest signed checkpoints,
    and move the verified state forward when they hold. A failure leaves the state where it was."""
    state = AuditVerification.objects.filter(pk=1).first()
    size = state.tree_size if state else 0
    last_leaf = bytes(state.last_leaf) if state else GENESIS_HASH
    edge = _edge_of(size, bytes(state.right_edge)) if state else []
    checked = state.checkpoint_size if state else 0

    def status(ok=True, read=0, bad=None, problem=""):
        return PageStatus(
            ok=ok,
            tree_size=size,
            root=_root(edge),
            verified_at=state.verified_at if state else None,
            checkpoint_size=checked or None,
            entries_read=read,
            first_bad_entry=bad,
            problem=problem,
        )

    total = log_size()
    if total < size:
        return status(False, bad=total + 1, problem=f"the log has {total} entries but {size} were verified: removed")
    if size and _leaf_at(size) != last_leaf:
        return status(False, bad=size, problem=f"entry {size} was rewritten after it was verified")
    key = verifier_key()
    newer = [
        open_checkpoint(note, key)
        for note in AuditCheckpoint.objects.filter(tree_size__gt=checked).values_list("note", flat=True)
    ]
    if any(checkpoint.size < size for checkpoint in newer):
        # A checkpoint of a size already passed (published concurrently): its root is inside the
        # verified part, which the right edge cannot reproduce. Start again from the beginning.
        AuditVerification.objects.filter(pk=1).delete()
        return verify_since_last()
    wanted = {checkpoint.size: checkpoint.root for checkpoint in newer}
    if size in wanted:  # signed at the size verified last: its root is the verified root
        if _root(edge) != wanted[size]:
            return status(False, problem=f"the log no longer extends the checkpoint of {size} entries")
        checked = size
    leaves, failure, _ = check_rows(stored_rows(size + 1, total), size + 1, last_leaf)
    for leaf in leaves:
        _push(edge, leaf)
        size += 1
        if size in wanted:
            if _root(edge) != wanted[size]:
                return status(
                    False,
                    len(leaves),
                    problem=f"the log no longer extends the checkpoint of {size} entries: entries were rewritten",
                )
            checked = size
        last_leaf = leaf
    if failure:
        return status(False, len(leaves), *failure)
    if total > size:
        return status(False, len(leaves), size + 1, f"entry {size + 1} is missing")
    if max(wanted, default=0) > size:
        return status(
            False,
            len(leaves),
            size + 1,
            f"the log has {size} entries but a checkpoint vouches for {max(wanted)}: entries were removed",
        )
    fields = {
        "tree_size": size,
        "root_hash": _root(edge),
        "last_leaf": last_leaf,
        "right_edge": b"".join(node for _, node in edge),
        "checkpoint_size": checked,
        "verified_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            current = AuditVerification.objects.select_for_update().filter(pk=1).first()
            if current is None:
                AuditVerification.objects.create(pk=1, **fields)
            elif current.tree_size <= size:  # a concurrent view may have gone further: keep the further state
                AuditVerification.objects.filter(pk=1).update(**fields)
    except IntegrityError:  # a concurrent first view created the row a moment ago; its state is as good
        pass
    state = AuditVerification(pk=1, **fields)  # what this check verified, for the page
    return status(True, len(leaves))
