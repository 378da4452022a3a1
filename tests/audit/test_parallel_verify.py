"""A large log is verified as two halves in two processes; the verdict is the same as in one."""

import pytest
from django.db import transaction

from hotline.audit import verify
from hotline.audit.log import record
from hotline.audit.merkle import leaf_hash, root_hash
from hotline.audit.signing import Checkpoint
from tests.audit.helpers import execute, tampering_undone_from


@pytest.fixture
def large_log(transactional_db, monkeypatch):
    monkeypatch.setattr(verify, "PARALLEL_FROM", 10)
    start = verify.log_size()
    with transaction.atomic():
        for number in range(37):
            record("test.parallel", details={"number": number})
    return start + 37


def test_two_processes_give_the_same_root_and_checkpoint_verdicts_as_one(large_log):
    leaves = verify.read_chain(verify.Verdict())
    checkpoints = [Checkpoint("hotline/audit", size, root_hash(leaves[:size])) for size in (1, 20, 32, 33, large_log)]
    alone = verify.verify_log(checkpoints, workers=1)
    together = verify.verify_log(checkpoints, workers=2)
    assert alone.ok and together.ok
    assert (together.tree_size, together.root, together.checked_checkpoints) == (
        alone.tree_size,
        alone.root,
        alone.checked_checkpoints,
    )
    wrong = Checkpoint("hotline/audit", 35, leaf_hash(b"not the root"))
    assert not verify.verify_log([wrong], workers=2).ok


def test_two_processes_name_the_first_bad_entry_in_either_half_and_at_the_seam(large_log):
    left = verify.largest_power_of_two_below(large_log)
    with tampering_undone_from(left):
        execute(
            "UPDATE audit_entry SET body = replace(body, 'test.parallel', 'test.changed') WHERE seq = %s",
            [large_log - 2],
        )
        assert verify.verify_log(workers=2).first_bad_entry == large_log - 2
        execute("DELETE FROM audit_entry WHERE seq = %s", [left])
        assert verify.verify_log(workers=2).first_bad_entry == left
    assert verify.verify_log(workers=2).ok
