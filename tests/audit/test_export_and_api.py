"""Exports are checkable offline with nothing but Python; the API gives reviewers the chain's status and
every party the checkpoints."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope
from hotline.audit.checkpoints import do_publish_checkpoint
from hotline.audit.log import record
from hotline.audit.merkle import root_hash, verify_consistency
from hotline.audit.models import AuditEntry
from hotline.audit.signing import open_checkpoint, verifier_key
from tests.accounts.world import build_demo_world, organisation, person
from tests.audit.helpers import drop_triggers, execute
from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "verify_audit_export.py"


def export_to(path) -> None:
    out = StringIO()
    call_command("export_audit", stdout=out)
    path.write_text(out.getvalue())


def check_offline(path, key: str) -> subprocess.CompletedProcess:
    # -I: isolated, no site-packages: the script must need nothing but Python itself.
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), str(path), key], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def entries(db):
    for number in range(25):
        record("test.action", details={"number": number})


def test_an_export_verifies_offline_with_only_python(entries, tmp_path):
    export_to(tmp_path / "audit.jsonl")
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    header = json.loads(lines[0])
    assert header["tree_size"] == 26  # the export itself is recorded first
    result = check_offline(tmp_path / "audit.jsonl", verifier_key())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: 26 entries")


def test_a_changed_export_is_refused_naming_the_entry(entries, tmp_path):
    export_to(tmp_path / "audit.jsonl")
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    entry = json.loads(lines[8])
    entry["body"] = entry["body"].replace('"number":7', '"number":70')
    lines[8] = json.dumps(entry)
    (tmp_path / "audit.jsonl").write_text("\n".join(lines) + "\n")
    result = check_offline(tmp_path / "audit.jsonl", verifier_key())
    assert result.returncode == 1 and f"entry {entry['seq']}" in result.stdout


def test_an_export_signed_by_another_key_is_refused(entries, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    export_to(tmp_path / "audit.jsonl")
    other = verifier_key(Ed25519PrivateKey.generate())
    result = check_offline(tmp_path / "audit.jsonl", other)
    assert result.returncode != 0 and "not signed by this verifier key" in result.stderr


@pytest.fixture
def world(db, client, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    return client


def test_a_reviewer_gets_the_chain_status(world):
    record("test.action")
    world.force_login(person("wbc-sec-reviewer"))
    body = world.get("/api/v1/audit/verify/").json()
    assert body["ok"] is True and body["tree_size"] == AuditEntry.objects.count() and body["first_bad_entry"] is None


def test_the_api_names_the_first_bad_entry(world):
    for _ in range(3):
        record("test.action")
    drop_triggers()
    execute("UPDATE audit_entry SET body = replace(body, 'test.action', 'test.other') WHERE seq = 2")
    world.force_login(person("wbc-sec-reviewer"))
    body = world.get("/api/v1/audit/verify/").json()
    assert (body["ok"], body["first_bad_entry"]) == (False, 2)


def test_a_duty_officer_may_not_verify_and_the_refusal_is_recorded(world):
    world.force_login(person("rs-mod-duty"))
    response = world.get("/api/v1/audit/verify/")
    assert (response.status_code, response.json()["code"]) == (403, "audit_access_refused")
    assert AuditEntry.objects.first().action == "access.refused"


def test_every_party_reads_the_checkpoints_and_can_check_them(world):
    record("test.action")
    do_publish_checkpoint()
    world.force_login(person("xk-mod-duty"))
    body = world.get("/api/v1/audit/checkpoints/").json()
    latest = body["checkpoints"][0]
    assert open_checkpoint(latest["note"], body["verifier_key"]).size == latest["tree_size"]


def test_a_key_with_the_audit_scope_gets_checkpoints_and_consistency_proofs(world):
    _, secret = do_create_api_key(organisation=organisation("HR-CERT"), name="notary", scopes=[ApiScope.AUDIT_READ])
    for _ in range(6):
        record("test.action")
    world.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {secret}"
    leaves = [bytes(leaf) for leaf in AuditEntry.objects.order_by("seq").values_list("leaf_hash", flat=True)]
    size = len(leaves)
    proof = world.get(f"/api/v1/audit/consistency/?first=3&second={size}").json()["proof"]
    assert verify_consistency(3, size, root_hash(leaves[:3]), root_hash(leaves), [bytes.fromhex(p) for p in proof])
    assert world.get("/api/v1/audit/consistency/?first=9&second=2").status_code == 400


def test_a_key_without_the_audit_scope_is_refused(world):
    _, secret = do_create_api_key(organisation=organisation("HR-CERT"), name="siem", scopes=[ApiScope.DIRECTORY_READ])
    world.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {secret}"
    assert world.get("/api/v1/audit/checkpoints/").status_code == 403


def test_the_log_page_is_for_reviewers_and_the_checkpoints_page_for_everyone(world):
    record("login.failed", details={"username": "nobody"})
    world.force_login(person("wbc-sec-reviewer"))
    page = world.get("/audit/log/?action=login.failed").content.decode()
    assert "Chain verified" in page and "login.failed" in page
    world.force_login(person("me-cert-duty"))
    assert world.get("/audit/log/").status_code == 403
    assert 'data-testid="verifier-key"' in world.get("/audit/checkpoints/").content.decode()
