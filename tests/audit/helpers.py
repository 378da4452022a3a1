"""Tampering with the audit table the way an operator with database access could: triggers dropped."""

import importlib
from contextlib import contextmanager

from django.db import connection

from hotline.audit.log import entry_bytes
from hotline.audit.merkle import leaf_hash

TRIGGERS = {
    "postgresql": [
        "DROP TRIGGER audit_entry_append_only ON audit_entry",
        "DROP TRIGGER audit_entry_no_truncate ON audit_entry",
    ],
    "sqlite": ["DROP TRIGGER audit_entry_no_update", "DROP TRIGGER audit_entry_no_delete"],
}


migration = importlib.import_module("hotline.audit.migrations.0001_initial")


def drop_triggers() -> None:
    """Inside the test's transaction, so the triggers come back when it rolls back."""
    with connection.cursor() as cursor:
        for statement in TRIGGERS[connection.vendor]:
            cursor.execute(statement)


def execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rehash_from(seq: int) -> None:
    """Recompute the chain from `seq` on, as a careful forger would, so the chain alone looks intact."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT leaf_hash FROM audit_entry WHERE seq = %s", [seq - 1])
        previous = bytes(cursor.fetchone()[0])
        cursor.execute("SELECT seq, body FROM audit_entry WHERE seq >= %s ORDER BY seq", [seq])
        for current, body in cursor.fetchall():
            leaf = leaf_hash(entry_bytes(current, previous, body))
            cursor.execute(
                "UPDATE audit_entry SET prev_hash = %s, leaf_hash = %s WHERE seq = %s", [previous, leaf, current]
            )
            previous = leaf


def restore_triggers() -> None:
    statements = {"postgresql": migration.POSTGRESQL, "sqlite": migration.SQLITE}[connection.vendor]
    with connection.cursor() as cursor:
        for statement in statements:
            if "TRIGGER" in statement and "CREATE FUNCTION" not in statement:
                cursor.execute(statement, None)


@contextmanager
def tampering_undone_from(first_seq: int):
    """For tests that must commit (several processes read the table): the audit table is not flushed
    between tests, so the entries from `first_seq` on are put back as they were, with the triggers."""
    columns = "seq, recorded_at, actor, organisation, action, body, prev_hash, leaf_hash"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM audit_entry WHERE seq >= %s ORDER BY seq", [first_seq])
        saved = cursor.fetchall()
    drop_triggers()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_entry WHERE seq >= %s", [first_seq])
            cursor.executemany(f"INSERT INTO audit_entry ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", saved)
        restore_triggers()
