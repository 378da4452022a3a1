"""Small named helpers that build incidents through the actions, as the console and the API do."""

import threading

from django.db import connection
from django.utils import timezone

from incidents.actions import do_report_incident, resolve_recipients


def report(
    by,
    to=("HR-MOD",),
    *,
    tlp="AMBER",
    severity="high",
    category="drone",
    exercise=False,
    title="Drone over the border crossing",
):
    return do_report_incident(
        by,
        recipients=resolve_recipients(to, by.organisation),
        title=title,
        summary="Seen from the Batrovci crossing at 03:10.",
        category=category,
        severity=severity,
        tlp=tlp,
        occurred_at=timezone.now(),
        exercise=exercise,
    )


def elsewhere(work):
    """Run `work` (actions, as another console or an API client would) in a thread of its own and
    return its result. Not in the test's thread: once a browser test ran, Playwright's event loop
    lives there, and the push after commit (async_to_sync) cannot run beside it."""
    results, errors = [], []

    def run():
        try:
            results.append(work())
        except BaseException as error:  # handed to the test below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results[0]
