"""Demo notifications, so that the demo's maps and calendar are not empty: two exercises (one amended
and partly acknowledged, one notified late with an observation invitation) and two drone flights (one
crossing the Danube into Croatia, one near Kaçanik within the buffer of Kosovo*). Through the actions.
Loaded after the directory's and the incidents' demo data by `hotline demo` (demo mode only)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from incidents.notifications.actions import (
    do_acknowledge_exercise,
    do_acknowledge_flight,
    do_amend_exercise,
    do_invite_observers,
    do_notify_exercise,
    do_notify_flight,
)  # fmt: skip


def _square(west: float, south: float, east: float, north: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def _at(days: int, hour: int) -> datetime:
    day = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return day


@transaction.atomic
def load_demo_notifications() -> None:
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("demo notifications load only in demo mode")
    people = {person.username: person for person in User.objects.select_related("organisation")}
    skadar = do_notify_exercise(people["me-mod-duty"], {
        "designation": "ADRIATIC SHIELD 2027", "exercise_type": "field_training", "command_level": "battalion",
        "purpose": "Coastal defence and evacuation drill around Lake Skadar.", "starts_at": _at(50, 6), "ends_at": _at(54, 18),
        "area": _square(19.05, 42.20, 19.25, 42.35), "place_names": "Virpazar, Rijeka Crnojevića", "troops": 450,
        "helicopters": 4, "foreign_forces": "none",
    })  # fmt: skip
    do_amend_exercise(
        people["me-mod-duty"], skadar, {"troops": 520, "armoured_combat_vehicles": 12}, reason="A second company joins."
    )
    do_acknowledge_exercise(people["al-mod-duty"], skadar)
    velebit = do_notify_exercise(people["hr-mod-duty"], {
        "designation": "VELEBIT 27", "exercise_type": "live_firing", "command_level": "brigade", "live_fire": True,
        "purpose": "Brigade live-firing exercise at the Slunj range.", "starts_at": _at(30, 7), "ends_at": _at(35, 17),
        "area": _square(15.45, 45.05, 15.70, 45.20), "place_names": "Slunj training area", "troops": 1800, "battle_tanks": 14,
        "armoured_combat_vehicles": 40, "artillery": 18,
    })  # fmt: skip
    do_invite_observers(
        people["hr-mod-duty"], velebit, starts_at=_at(33, 8), ends_at=_at(33, 16), reporting_point="Slunj barracks gate, 07:30",
        observers_per_party=2, reply_by=_at(20, 12), details="Transport from Zagreb airport is provided.",
    )  # fmt: skip
    danube = do_notify_flight(
        people["rs-mod-duty"], purpose="Survey of the Danube banks after flooding",
        aircraft={"type": "Vrabac", "category": "mini", "armed": False, "mtom_kg": 8.5, "remote_id": "RS-VRB-0042"},
        volumes=[{"polygon": _square(19.33, 45.21, 19.41, 45.26), "start": _at(5, 8).isoformat(), "end": _at(5, 12).isoformat(),
                  "altitude_lower": {"value": 0, "unit": "m", "reference": "AGL"},
                  "altitude_upper": {"value": 400, "unit": "ft", "reference": "AGL"}}],
    )  # fmt: skip
    do_acknowledge_flight(people["wbc-sec-duty"], danube)
    do_notify_flight(
        people["mk-mod-duty"], purpose="Border surveillance, Kaçanik gorge approaches",
        aircraft={"type": "Orbiter 3", "category": "small", "armed": False, "mtom_kg": 30, "remote_id": ""},
        volumes=[{"circle": {"lon": 21.36, "lat": 42.12, "radius_m": 3000}, "start": _at(2, 9).isoformat(), "end": _at(2, 15).isoformat(),
                  "altitude_lower": {"value": 0, "unit": "m", "reference": "AGL"},
                  "altitude_upper": {"value": 1200, "unit": "m", "reference": "AMSL"}}],
    )  # fmt: skip
