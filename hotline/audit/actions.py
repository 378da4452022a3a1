"""The actions the apps record, grouped by kind, for the audit log's action filter.

The audit app sits below every feature app (see the import contracts in pyproject.toml), so it cannot
ask them: this list is collected from the code's record(...) calls. An action missing here is still
recorded and shown; only the filter cannot pick it (tests/audit/test_log_page.py checks the list
against the code)."""

KNOWN_ACTIONS = (
    "access.not_found",
    "access.refused",
    "api.rate_limited",
    "api_key.created",
    "api_key.refused",
    "api_key.revoked",
    "audit.exported",
    "auth.locked_out",
    "auth.unlocked",
    "boundaries.loaded",
    "calendar_feed.revoked",
    "contact_point.changed",
    "contact_point.created",
    "contact_point.deleted",
    "contact_point.verified",
    "demo.loaded",
    "drone_flight.acknowledged",
    "drone_flight.conflict_found",
    "drone_flight.notified",
    "drone_flight.state_changed",
    "escalation.delivery_attempted",
    "escalation.link_used",
    "escalation.paged",
    "escalation.policy_changed",
    "escalation.policy_removed",
    "exercise.acknowledged",
    "exercise.amended",
    "exercise.cancelled",
    "exercise.invitation_answered",
    "exercise.notified",
    "exercise.observers_invited",
    "incident.acknowledged",
    "incident.attachment_added",
    "incident.attachment_downloaded",
    "incident.exported",
    "incident.message_posted",
    "incident.red_read",
    "incident.reported",
    "incident.status_changed",
    "incident.tlp_changed",
    "incident.updated",
    "login",
    "login.failed",
    "logout",
    "notification_policy.changed",
    "organisation.changed",
    "organisation.created",
    "organisation.deleted",
    "party.changed",
    "party.created",
    "party.deleted",
    "reachability.check_answered",
    "reachability.check_started",
    "review.exported",
    "review.opened",
    "review.report_downloaded",
    "review.report_generated",
    "review.timeline_exported",
    "review.timeline_opened",
    "roster.override_added",
    "roster.shift_changed",
    "roster.shift_created",
    "roster.shift_deleted",
    "roster.shifts_swapped",
    "second_factor.enrolled",
    "second_factor.failed",
    "second_factor.verified",
    "user.changed",
    "user.created",
    "user.deleted",
)

# Entries that say "a delivery was tried": many per page, collapsed on the log page.
DELIVERY_ATTEMPT = "escalation.delivery_attempted"


def kind_of(action: str) -> str:
    return action.split(".", 1)[0] if "." in action else "login"


def grouped_choices() -> list:
    """Django choices: "any" first, then one optgroup per kind (incident, exercise, access, …)."""
    groups: dict[str, list] = {}
    for action in sorted(KNOWN_ACTIONS):
        groups.setdefault(kind_of(action), []).append((action, action))
    return [("", "any"), *((f"{kind}.*", choices) for kind, choices in sorted(groups.items()))]
