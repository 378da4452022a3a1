"""One lock that puts audited and published writes in commit order.

Audit entries and outbox events get numbers (`seq`, `id`) as they are written, but readers trust those
numbers to follow commit order: the chain links each entry to the one before, and a console that saw
event 11 asks only for events after 11. On PostgreSQL two transactions may take numbers 10 and 11 and
commit 11 first; a reader in between would skip 10 for ever. So every transaction that appends to the
audit log or the outbox first takes this transaction-scoped advisory lock, held until it commits:
numbers are handed out in commit order. (Re-entrant: taking it twice in a transaction is free.)
SQLite needs nothing: its IMMEDIATE transactions already hold the database's one write lock.
"""

from django.db import connection

COMMIT_ORDER_LOCK_KEY = 0x484C_4155  # any fixed number ("HLAU")
# The largest id a row can have (a bigint): an id from a URL beyond it is no row, and must not reach the
# database (SQLite cannot even be asked).
LARGEST_ID = 2**63 - 1


def lock_commit_order(cursor=None) -> None:
    if connection.vendor != "postgresql":
        return
    if cursor is None:
        with connection.cursor() as own_cursor:
            own_cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COMMIT_ORDER_LOCK_KEY])
    else:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COMMIT_ORDER_LOCK_KEY])
