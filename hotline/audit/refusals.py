"""A refused access, recorded: the one `refuse()` every access check calls.

It lives in the audit app because all it needs is the log (DESIGN.md: a refused access is a
security-relevant action). Every refusal is the entry `access.refused` with `details.what` (what the
caller may not do) and, where the caller names one, the target; the exception it returns says the same
words, "You may not <what>.", so the person or client reads what the reviewer reads.

An object a caller may not see answers 404, as if it did not exist; `not_found()` records that attempt
(`access.not_found`, with what was asked for and the id or reference asked, never content), one entry per
attempt, for authenticated callers only. A probe cannot be told from a typo, so an id that does not exist
is recorded too. Unauthenticated traffic never reaches the access functions' lookups with a caller worth
naming, and must not be able to grow the log.

Refusals of unauthenticated traffic (unknown API keys) go through `record_bounded()`: at most one entry
per key (prefix and client address) per AUDIT_REFUSAL_WINDOW_SECONDS, the refusals not written counted in
Redis, logged, and carried as `repeats` in the next entry for that key.
"""

import functools
import logging

import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from hotline.audit.log import record

log = logging.getLogger("hotline.audit")
BOUND_KEY = "hotline:audit:bounded:{action}:{key}"
# How long a count of refusals not written waits for the next entry before it is dropped.
REPEATS_TTL_SECONDS = 24 * 3600


def refuse(caller, what: str, target=None, *, details: dict | None = None, refusal=PermissionDenied) -> Exception:
    """Record that `caller` may not do `what` (to `target`) and return the exception to raise.

    `details` adds keys beside `what` (incidents name their reference); `refusal` is the exception class,
    for an API that answers with its own error code."""
    record("access.refused", actor=caller, target=target, details={"what": what, **(details or {})})
    return refusal(f"You may not {what}.")


# A reference comes from the URL; keep what the log holds of it small (record() refuses details over 4 KB).
MAX_REFERENCE_CHARACTERS = 64


def not_found(caller, what: str, reference, message: str) -> Http404:
    """Record that `caller` asked for the `what` (e.g. "incident") named `reference` and may not see it, or
    that there is none; return the 404 to raise. Only authenticated callers are recorded."""
    if getattr(caller, "is_authenticated", False):
        record(
            "access.not_found",
            actor=caller,
            details={"what": what, "reference": str(reference)[:MAX_REFERENCE_CHARACTERS]},
        )
    return Http404(message)


@functools.cache
def _redis(url: str) -> redis.Redis:
    # One client (and connection pool) per process: under a flood of refusals this is the hot path.
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def record_bounded(action: str, *, key: str, organisation: str = "", details: dict) -> bool:
    """Append `action` unless an entry for the same `key` was appended within the window; True if it was.

    Steps: claim the window for `key` (SET NX with expiry); if it is taken, count the refusal (INCR) and
    log it; else take the count of those not written (GET and DEL in one transaction) into `repeats`.
    Without Redis every refusal is written: a trace is worth more than the bound during an outage."""
    client = _redis(settings.REDIS_URL)
    gate = BOUND_KEY.format(action=action, key=key)
    counter = f"{gate}:repeats"
    try:
        if not client.set(gate, 1, nx=True, ex=settings.AUDIT_REFUSAL_WINDOW_SECONDS):
            repeats, _ = client.pipeline().incr(counter).expire(counter, REPEATS_TTL_SECONDS).execute()
            log.info("refusal not recorded again", extra={"action": action, "key": key, "repeats": repeats})
            return False
        repeats, _ = client.pipeline().get(counter).delete(counter).execute()
    except redis.RedisError:
        log.warning("refusal recorded without its bound: Redis is unreachable", extra={"action": action})
        repeats = None
    record(action, organisation=organisation, details={**details, **({"repeats": int(repeats)} if repeats else {})})
    return True
