"""A refused access, recorded: the one `refuse()` every access check calls.

It lives in the audit app because all it needs is the log (DESIGN.md: a refused access is a
security-relevant action). Every refusal is the entry `access.refused` with `details.what` (what the
caller may not do) and, where the caller names one, the target; the exception it returns says the same
words, "You may not <what>.", so the person or client reads what the reviewer reads.
"""

from django.core.exceptions import PermissionDenied

from hotline.audit.log import record


def refuse(caller, what: str, target=None, *, details: dict | None = None, refusal=PermissionDenied) -> Exception:
    """Record that `caller` may not do `what` (to `target`) and return the exception to raise.

    `details` adds keys beside `what` (incidents name their reference); `refusal` is the exception class,
    for an API that answers with its own error code."""
    record("access.refused", actor=caller, target=target, details={"what": what, **(details or {})})
    return refusal(f"You may not {what}.")
