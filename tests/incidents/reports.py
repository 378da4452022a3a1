"""Small named helpers that build incidents through the actions, as the console and the API do."""

from django.utils import timezone

from incidents.actions import do_report_incident, resolve_recipients


def report(by, to=("HR-MOD",), *, tlp="AMBER", severity="high", category="drone", exercise=False, title="Drone over the border crossing"):
    return do_report_incident(
        by, recipients=resolve_recipients(to, by.organisation), title=title, summary="Seen from the Batrovci crossing at 03:10.",
        category=category, severity=severity, tlp=tlp, occurred_at=timezone.now(), exercise=exercise,
    )  # fmt: skip
