"""The escalation clocks of reachability checks: started, stopped and cancelled by the app's actions.

Each pending response (one check, one organisation) runs an acknowledgement clock whose deadline is the
check's window: the commission's policy for LOW severity (or its override for the pair of parties),
moved so that its first paging level fires when the window closes. A missed check then escalates like
any unacknowledged message: the on-duty officer, the supervisors, the head and the commission desk.
The engine knows them only as ("accounts.check_response", response id): the kind is stored in Timer
rows, so it keeps the name it had when checks lived in accounts. What the engine calls back is in
subjects.py.
"""

from datetime import timedelta

from accounts.models import Organisation
from hotline.escalation import engine
from hotline.escalation.choices import Severity, TimerState
from hotline.escalation.models import Timer
from hotline.escalation.policy import Policy
from hotline.reachability.models import CheckResponse, ReachabilityCheck

SUBJECT_KIND = "accounts.check_response"
# A check is routine: the commission tunes how a missed one escalates through its LOW policy.
CHECK_SEVERITY = Severity.LOW


def check_policy(sender: Organisation, recipient: Organisation, window: timedelta) -> Policy:
    return engine.policy_for(CHECK_SEVERITY, sender, recipient).with_deadline(window)


def watch(
    check: ReachabilityCheck, responses: list[CheckResponse], sender: Organisation, policies: dict[int, Policy]
) -> None:
    """Start one clock per response (in the starting transaction)."""
    engine.start_timers(
        [
            engine.Watch(
                subject_kind=SUBJECT_KIND,
                subject_id=response.pk,
                recipient=response.organisation,
                sender=sender,
                severity=CHECK_SEVERITY,
                policy=policies[response.organisation_id],
                started_at=check.started_at,
            )
            for response in responses
        ]
    )


def stop_answered(response: CheckResponse, by_label: str) -> int:
    return engine.stop_timers(SUBJECT_KIND, [response.pk], by_label=by_label)


def cancel_superseded(check: ReachabilityCheck) -> int:
    """A new check supersedes the older ones: their unanswered responses stop paging (they stay missed,
    and may still be answered late). Without this a check missed for a week would page the head and the
    commission desk every quarter of an hour until the next one."""
    # Only what still runs: the unanswered responses of every past check would grow with the years.
    running = Timer.objects.filter(subject_kind=SUBJECT_KIND, state=TimerState.RUNNING).values_list(
        "subject_id", flat=True
    )
    older = set(running) - set(check.responses.values_list("pk", flat=True))
    return engine.stop_timers(
        SUBJECT_KIND, sorted(older), by_label=f"superseded by {check.reference}", state=TimerState.CANCELLED
    )
