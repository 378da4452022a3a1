"""The audit log page: the chain verified incrementally, the action chosen from the known ones, delivery
attempts collapsed."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.audit.actions import DELIVERY_ATTEMPT, KNOWN_ACTIONS
from hotline.audit.checkpoints import do_publish_checkpoint
from hotline.audit.incremental import verify_since_last
from hotline.audit.log import record
from hotline.audit.merkle import root_hash
from hotline.audit.models import AuditEntry, AuditVerification
from hotline.audit.tasks import publish_checkpoint
from hotline.audit.verify import verify_log
from tests.accounts.world import build_demo_world, person
from tests.audit.helpers import drop_triggers, execute, rehash_from

ROOT = Path(__file__).resolve().parents[2]


def add(count: int, action: str = "test.action") -> None:
    for number in range(count):
        record(action, details={"number": number})


def leaves() -> list[bytes]:
    return [bytes(leaf) for leaf in AuditEntry.objects.order_by("seq").values_list("leaf_hash", flat=True)]


def test_only_the_entries_added_since_the_last_verification_are_read(db):
    add(10)
    first = verify_since_last()
    assert (first.ok, first.tree_size, first.entries_read) == (True, 10, 10)
    add(3)
    with CaptureQueriesContext(connection) as queries:
        second = verify_since_last()
    bodies_read = [query["sql"] for query in queries if "SELECT seq, prev_hash, body" in query["sql"]]
    # Entry 10 alone (the seam with the verified part), then the three new ones.
    assert [sql.split("WHERE ")[1] for sql in bodies_read] == [
        "seq >= 10 AND seq <= 10 ORDER BY seq",
        "seq >= 11 AND seq <= 13 ORDER BY seq",
    ]
    assert (second.ok, second.tree_size, second.entries_read) == (True, 13, 3)
    assert second.root == root_hash(leaves()) == verify_log().root
    assert verify_since_last().entries_read == 0


def test_the_new_entries_are_checked_against_the_newest_signed_checkpoint(db):
    add(5)
    verify_since_last()
    add(2)
    do_publish_checkpoint()  # of 7 entries
    add(4)
    status = verify_since_last()
    assert (status.ok, status.tree_size, status.checkpoint_size, status.entries_read) == (True, 11, 7, 6)
    assert AuditVerification.objects.get().checkpoint_size == 7


def test_a_changed_entry_after_the_last_verification_turns_the_status_red(db):
    add(10)
    verify_since_last()
    add(3)
    drop_triggers()
    execute("UPDATE audit_entry SET body = replace(body, '\"number\":1', '\"number\":9') WHERE seq = 12")
    status = verify_since_last()
    assert (status.ok, status.first_bad_entry) == (False, 12)
    assert AuditVerification.objects.get().tree_size == 10  # a failure does not move the state on


def test_a_history_rewritten_after_the_last_verification_is_caught_at_its_seam(db):
    add(10)
    verify_since_last()
    drop_triggers()
    execute("UPDATE audit_entry SET body = replace(body, '\"number\":4', '\"number\":40') WHERE seq = 5")
    rehash_from(5)
    status = verify_since_last()
    assert not status.ok and "rewritten after it was verified" in status.problem


def test_the_beat_moves_the_verified_state_on_after_publishing_a_checkpoint(db):
    add(4)
    publish_checkpoint()
    state = AuditVerification.objects.get()
    assert (state.tree_size, state.checkpoint_size) == (4, 4)


def test_an_entry_before_the_verified_size_changed_alone_is_left_to_the_full_verification(db):
    add(10)
    verify_since_last()
    drop_triggers()
    execute("UPDATE audit_entry SET body = replace(body, '\"number\":2', '\"number\":20') WHERE seq = 3")
    # The page covered entry 3 already and reads only what came after; the full verification (the
    # command, the API, every checkpoint publication) catches it.
    assert verify_since_last().ok
    assert verify_log().first_bad_entry == 3


@pytest.fixture
def reviewer(db, client, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    client.force_login(person("wbc-sec-reviewer"))
    return client


def test_the_page_says_up_to_which_entry_and_when_the_chain_was_verified(reviewer):
    do_publish_checkpoint()
    size = AuditEntry.objects.count()
    page = reviewer.get("/audit/log/").content.decode()
    state = AuditVerification.objects.get()
    assert state.tree_size == size
    assert f"Chain verified up to entry {size} at " in page
    assert f"{state.verified_at:%H:%M} UTC" in page and f"checked against checkpoint {size}" in page


def test_a_tampered_new_entry_makes_the_page_red(reviewer):
    reviewer.get("/audit/log/")
    add(2)
    drop_triggers()
    last = AuditEntry.objects.first().seq
    execute("UPDATE audit_entry SET body = replace(body, 'test.action', 'test.other') WHERE seq = %s", [last])
    page = reviewer.get("/audit/log/").content.decode()
    assert f"CHAIN BROKEN at entry {last}" in page


def test_the_action_filter_is_a_choice_grouped_by_kind(reviewer):
    record("login.failed", details={"username": "nobody"})
    record("incident.reported", details={"incident": "HL-1"})
    page = reviewer.get("/audit/log/").content.decode()
    select = re.search(r'<select name="action".*?</select>', page, re.S).group(0)
    assert '<option value="" selected>any</option>' in select
    incident_group = re.search(r'<optgroup label="incident\.\*">(.*?)</optgroup>', select, re.S).group(1)
    assert 'value="incident.acknowledged"' in incident_group and "exercise." not in incident_group
    for kind in ("exercise.*", "access.*", "api_key.*", "escalation.*"):
        assert f'<optgroup label="{kind}">' in select
    chosen = reviewer.get("/audit/log/?action=login.failed").content.decode()
    assert "nobody" in chosen and "HL-1" not in chosen


def test_an_unknown_action_is_refused_with_a_readable_message(reviewer):
    response = reviewer.get("/audit/log/?action=drop.tables")
    assert response.status_code == 400
    assert "drop.tables is not an action the log records" in response.content.decode()


def test_every_action_the_code_records_is_in_the_filter():
    pattern = re.compile(r'(?:record|record_bounded|Entry)\(\s*"([a-z_]+(?:\.[a-z_]+)?)"')
    found = set()
    for folder in ("hotline", "accounts", "incidents"):
        for path in (ROOT / folder).rglob("*.py"):
            found.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert found and found <= set(KNOWN_ACTIONS), sorted(found - set(KNOWN_ACTIONS))


def deliveries(page: int, count: int) -> None:
    for attempt in range(1, count + 1):
        record(DELIVERY_ATTEMPT, details={"page": page, "method": "sms", "attempt": attempt, "outcome": "failed"})


def table(response) -> str:
    return re.search(r'<table class="grid" data-testid="audit-entries">.*?</table>', response.content.decode(), re.S)[0]


def test_delivery_attempts_are_hidden_by_default_and_collapsed_per_page_when_shown(reviewer):
    deliveries(7, 3)
    deliveries(8, 1)
    record("incident.acknowledged", details={"incident": "HL-2"})
    hidden = table(reviewer.get("/audit/log/"))
    assert DELIVERY_ATTEMPT not in hidden and "HL-2" in hidden
    shown = table(reviewer.get("/audit/log/?show_deliveries=on"))
    assert shown.count('data-testid="delivery-group"') == 1
    group = re.search(r'data-testid="delivery-group">.*?</details>', shown, re.S)[0]
    assert "3 delivery attempts for page 7" in group and group.count("<li>") == 3
    assert (
        shown.count(f'<td><code class="action">{DELIVERY_ATTEMPT}</code></td>') == 1
    )  # page 8's single attempt: a plain row
    only = table(reviewer.get(f"/audit/log/?action={DELIVERY_ATTEMPT}"))
    assert "3 delivery attempts for page 7" in only and "HL-2" not in only
