"""A few demo incidents, so that the demo's consoles show a live thread from the first minute.
Loaded with the directory's demo data by `hotline demo` (demo mode only), through the actions."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from incidents.actions import do_acknowledge, do_post_message, do_report_incident, resolve_recipients
from incidents.choices import MessageKind

DEMO_INCIDENTS = [
    # reporter, recipients, category, severity, TLP, exercise, title, summary, hours ago
    (
        "rs-mod-duty",
        ["HR-MOD"],
        "drone",
        "high",
        "AMBER",
        False,
        "Unidentified drone over the Bačka Palanka–Ilok bridge",
        "A small quadcopter crossed the Danube from the west at 02:40 and hovered over the bridge for 12 minutes. Not ours. Is it yours?",
        3,
    ),
    (
        "al-cert-duty",
        ["ME-CERT", "MK-CERT"],
        "cyber",
        "medium",
        "GREEN",
        False,
        "DDoS on government portals from a shared botnet",
        "e-Albania saw 40 Gbit/s of UDP reflection from 09:00; the same source ranges appear in your sector. Indicators follow.",
        20,
    ),
    (
        "ba-mod-duty",
        ["HR", "RS"],
        "airspace_violation",
        "critical",
        "AMBER",
        True,
        "Simulated airspace violation near Brčko (drill VIGILANT BRIDGE)",
        "Exercise traffic: a simulated light aircraft enters from the north at 1,500 ft. Please acknowledge as you would a real report.",
        1,
    ),
]


@transaction.atomic
def load_demo_incidents() -> None:
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("demo incidents load only in demo mode")
    people = {person.username: person for person in User.objects.select_related("organisation")}
    for reporter, recipients, category, severity, tlp, exercise, title, summary, hours_ago in DEMO_INCIDENTS:
        by = people[reporter]
        incident = do_report_incident(
            by, recipients=resolve_recipients(recipients, by.organisation), title=title, summary=summary, category=category,
            severity=severity, tlp=tlp, exercise=exercise, occurred_at=timezone.now() - timedelta(hours=hours_ago),
        )  # fmt: skip
        if category == "cyber":
            counterpart = people["me-cert-duty"]
            do_acknowledge(counterpart, incident)
            do_post_message(
                counterpart,
                incident,
                kind=MessageKind.INFORMATION,
                body="Seen here too since 09:20; blocking the /24s you listed.",
            )
        if category == "drone":
            do_post_message(
                by,
                incident,
                kind=MessageKind.REQUEST_FOR_ASSISTANCE,
                body="Please check your radar track for 02:30–03:00 and tell us if you had a flight there.",
            )
