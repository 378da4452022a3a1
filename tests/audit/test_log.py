"""Every action is recorded in its own transaction; the table refuses change; tampering is found and the
first bad entry named."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope
from hotline.audit.checkpoints import do_publish_checkpoint, stored_checkpoints
from hotline.audit.log import record
from hotline.audit.models import AuditCheckpoint, AuditEntry
from hotline.audit.signing import NoteError, open_checkpoint, verifier_key
from hotline.audit.verify import verify_log
from tests.accounts.world import build_demo_world, organisation, person
from tests.audit.helpers import drop_triggers, execute, rehash_from
from tests.conftest import PASSWORD


@pytest.fixture
def log(db):
    for number in range(1, 11):
        record("test.action", details={"number": number})
    return list(AuditEntry.objects.order_by("seq"))


def last_actions(count: int) -> list[str]:
    return [entry.action for entry in AuditEntry.objects.order_by("-seq")[:count]][::-1]


def test_an_action_and_its_entry_commit_together(db):
    build_demo_world()
    key, _ = do_create_api_key(
        organisation=organisation("RS-CERT"),
        name="MISP",
        scopes=[ApiScope.DIRECTORY_READ],
        actor=person("rs-cert-supervisor"),
    )
    entry = AuditEntry.objects.first()
    assert (entry.action, entry.actor, entry.organisation) == ("api_key.created", "rs-cert-supervisor", "RS-CERT")
    assert entry.content["details"]["name"] == "MISP" and key.prefix in entry.content["object"]


def test_a_rolled_back_action_leaves_no_entry_and_no_gap(log):
    with pytest.raises(RuntimeError), transaction.atomic():
        record("test.doomed")
        raise RuntimeError("the action failed after recording")
    record("test.after")
    assert [e.seq for e in AuditEntry.objects.order_by("seq")] == list(range(1, 12))
    assert verify_log().ok


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_entry SET action = 'x' WHERE seq = 3", "DELETE FROM audit_entry WHERE seq = 3"]
)
def test_the_database_refuses_to_change_or_delete_an_entry(log, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(statement)
    assert AuditEntry.objects.get(seq=3).action == "test.action"


def test_sign_in_failed_sign_in_and_sign_out_are_recorded(client, db):
    build_demo_world()
    user = person("hr-mod-duty")
    user.set_password(PASSWORD)
    user.save()
    client.post("/login/", {"username": "hr-mod-duty", "password": "wrong"})
    client.post("/login/", {"username": "hr-mod-duty", "password": PASSWORD})
    client.post("/logout/")
    assert last_actions(3) == ["login.failed", "login", "logout"]
    assert "wrong" not in AuditEntry.objects.get(action="login.failed").body


def test_a_refused_change_is_recorded(client, db, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    client.force_login(person("hr-mod-duty"))
    assert (
        client.post("/directory/RS-MOD/contact-points/new/", {"method": "email", "address": "x@y.example"}).status_code
        == 403
    )
    entry = AuditEntry.objects.first()
    assert (entry.action, entry.actor, entry.content["details"]["target"]) == (
        "access.refused",
        "hr-mod-duty",
        "RS-MOD",
    )


def test_an_intact_log_verifies(log):
    verdict = verify_log()
    assert verdict.ok and verdict.tree_size == 10 and verdict.first_bad_entry is None


def test_a_changed_entry_is_named(log):
    drop_triggers()
    execute("UPDATE audit_entry SET body = replace(body, '\"number\":4', '\"number\":40') WHERE seq = 4")
    verdict = verify_log()
    assert (verdict.ok, verdict.first_bad_entry) == (False, 4)
    assert "changed" in verdict.problem


def test_a_deleted_entry_is_named(log):
    drop_triggers()
    execute("DELETE FROM audit_entry WHERE seq = 6")
    assert verify_log().first_bad_entry == 6


def test_an_inserted_entry_is_named(log):
    drop_triggers()
    execute("UPDATE audit_entry SET seq = seq + 100 WHERE seq >= 5")  # make room, as a forger must
    execute("UPDATE audit_entry SET seq = seq - 99 WHERE seq >= 105")
    forged = log[4]
    execute(
        "INSERT INTO audit_entry (seq, recorded_at, actor, organisation, action, body, prev_hash, leaf_hash) "
        "VALUES (5, %s, 'system', '', 'test.forged', %s, %s, %s)",
        [
            forged.recorded_at,
            forged.body.replace("test.action", "test.forged"),
            bytes(log[3].leaf_hash),
            bytes(forged.leaf_hash),
        ],
    )
    assert verify_log().first_bad_entry == 5


def test_reordered_entries_are_named(log):
    drop_triggers()
    execute("UPDATE audit_entry SET seq = 1000 WHERE seq = 7")
    execute("UPDATE audit_entry SET seq = 7 WHERE seq = 8")
    execute("UPDATE audit_entry SET seq = 8 WHERE seq = 1000")
    assert verify_log().first_bad_entry == 7


def test_an_index_column_that_disagrees_with_the_signed_content_is_named(log):
    drop_triggers()
    execute("UPDATE audit_entry SET actor = 'someone-else' WHERE seq = 2")
    assert verify_log().first_bad_entry == 2


def test_a_history_rewritten_with_fresh_hashes_no_longer_extends_a_partys_checkpoint(log, tmp_path):
    kept_by_a_party = do_publish_checkpoint().note
    (tmp_path / "checkpoint.txt").write_text(kept_by_a_party)
    record("test.later")
    drop_triggers()
    execute("UPDATE audit_entry SET body = replace(body, '\"number\":2', '\"number\":20') WHERE seq = 2")
    rehash_from(2)
    assert verify_log().ok  # the chain alone cannot tell...
    verdict = verify_log([open_checkpoint(kept_by_a_party, verifier_key())])
    assert (
        not verdict.ok and "no longer extends the checkpoint of 10 entries" in verdict.problem
    )  # ...the checkpoint can
    with pytest.raises(SystemExit) as exit_status:
        call_command(
            "verify_audit", "--checkpoint", str(tmp_path / "checkpoint.txt"), stdout=StringIO(), stderr=StringIO()
        )
    assert exit_status.value.code == 1


def test_a_log_cut_short_is_caught_by_its_checkpoint(log):
    do_publish_checkpoint()
    drop_triggers()
    execute("DELETE FROM audit_entry WHERE seq >= 9")
    verdict = verify_log(stored_checkpoints())
    assert not verdict.ok and verdict.first_bad_entry == 9 and "removed" in verdict.problem


def test_the_command_says_ok_for_an_intact_log_and_names_the_first_bad_entry_otherwise(log):
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith("ok: 10 entries")
    drop_triggers()
    execute("UPDATE audit_entry SET body = replace(body, 'test.action', 'test.other') WHERE seq = 3")
    err = StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert exit_status.value.code == 1 and "first bad entry: 3" in err.getvalue()


def test_a_checkpoint_is_signed_in_the_signed_note_form_and_a_changed_one_is_refused(log):
    note = do_publish_checkpoint().note
    lines = note.split("\n")
    assert lines[1] == "10" and lines[3] == "" and lines[4].startswith("\u2014 hotline/audit ")
    assert open_checkpoint(note, verifier_key()).size == 10
    with pytest.raises(NoteError, match="does not verify"):
        open_checkpoint(note.replace("\n10\n", "\n11\n"), verifier_key())
    assert do_publish_checkpoint().pk == AuditCheckpoint.objects.get().pk  # nothing new: the same checkpoint


def test_no_checkpoint_is_signed_over_a_broken_chain(log):
    from hotline.audit.checkpoints import ChainBroken

    drop_triggers()
    execute("DELETE FROM audit_entry WHERE seq = 2")
    with pytest.raises(ChainBroken):
        do_publish_checkpoint()
    assert not AuditCheckpoint.objects.exists()


def test_details_hold_references_not_content(db):
    with pytest.raises(ValueError, match="4 KB"):
        record("test.too_big", details={"body": "x" * 5000})
    entry = record("test.small", details={"when": "2026-11-25"})
    assert json.loads(entry.body)["details"] == {"when": "2026-11-25"}
