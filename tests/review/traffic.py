"""A month of traffic with exact times, made through the real actions (November 2026, CET = UTC+1), for the
known-answer tests of the compliance figures. What each figure must then be is worked out by hand in
test_figures.py from the times below.

RS-CERT → HR-CERT, real traffic (policies of `policies()`: acknowledgement deadline 5 min critical, 15 min
high, 60 min medium; then supervisors 10 min later, the head 20 min later, repeats every 15 min):
  A  3 Nov 10:00 UTC high      acknowledged 10:02 console        120 s  on time  (day)
  B  3 Nov 10:05 UTC request for assistance in A, reply by 12:05; acknowledged 10:07 by link 120 s on time;
                               HR-CERT replies in the thread at 10:35 (1,800 s, within the reply clock)
  C 10 Nov 22:30 UTC critical  acknowledged 22:50 API            1,200 s late (23:30 local: night);
                               paged level 0, 1, 2
  D 20 Nov 08:00 UTC high      never acknowledged; paged level 0, 1 (console and HR-CERT's webhook,
                               which refuses: one failed delivery), 2, 3, and level 3 once repeated
  E 24 Nov 13:00 UTC medium    acknowledged 13:30 by phone (recorded by the supervisor) 1,800 s on time
Drill: F 12 Nov 09:00 UTC high EXERCISE, acknowledged 09:20 console, 1,200 s late; paged level 0, 1.
Reachability: CHK on 25 Nov 10:00 UTC, 30 min window: HR-CERT answers at 10:10 (600 s); HR-MOD never.
Notifications: RS-MOD notifies an exercise on 26 Nov 09:00 UTC starting 26 Dec 09:00 (42 days' notice
required: 12 days late); HR-MOD acknowledges it at 10:00 (3,600 s); RS-MOD amends it on 27 Nov 09:00 and
HR-MOD does not acknowledge the amendment.
"""

from datetime import UTC, datetime

import time_machine
from django.test import override_settings

from accounts.choices import ContactMethod
from accounts.models import ContactPoint
from hotline.escalation.choices import Target
from hotline.escalation.engine import tick
from hotline.escalation.sending import send_due
from hotline.reachability.actions import do_answer_check, do_start_check
from incidents.actions import do_acknowledge, do_post_message
from incidents.choices import AckMethod, MessageKind
from incidents.notifications.actions import do_acknowledge_exercise, do_amend_exercise, do_notify_exercise
from tests.accounts.world import person
from tests.escalation.world import paging_world, save_policy
from tests.incidents.reports import report
from tests.notifications.test_api import NORTH_OF_BACKA_PALANKA

MONTH_START = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # 1 Nov 00:00 CET
MONTH_END = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 1 Dec 00:00 CET
AFTER = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # when the figures are read


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def policies() -> None:
    for severity, deadline in (("critical", 300), ("high", 900), ("medium", 3600)):
        on_duty = {"console": 0, "webhook": 0} if severity == "high" else {"console": 0}
        save_policy(
            severity,
            [
                {"after_s": 0, "targets": [Target.ORGANISATION], "methods": {"console": 0}},
                {"after_s": deadline, "targets": [Target.ON_DUTY], "methods": on_duty},
                {"after_s": deadline + 600, "targets": [Target.SUPERVISORS], "methods": {"console": 0}},
                {"after_s": deadline + 1200, "targets": [Target.HEAD], "methods": {"console": 0}},
            ],
            repeat_every_s=900,
            repeat_count=None,
        )


def _at(moment: datetime, work):
    with time_machine.travel(moment, tick=False):
        return work()


def _tick(moment: datetime, receivers) -> None:
    with time_machine.travel(moment, tick=False), override_settings(**receivers.settings()):
        tick()
        send_due()


def build_month(receivers) -> dict:
    """Everything above; returns the incidents by letter."""
    paging_world(receivers)
    receivers.http.fail(status=410, path_prefix="/hooks/")  # HR-CERT's gateway refuses every page
    policies()
    rs, hr = person("rs-cert-duty"), person("hr-cert-duty")
    made = {}

    made["A"] = _at(at(3, 10), lambda: report(rs, to=("HR-CERT",), severity="high", category="cyber"))
    _tick(at(3, 10, 0, 1), receivers)
    _at(at(3, 10, 2), lambda: do_acknowledge(hr, made["A"], message_number=1, method=AckMethod.CONSOLE))
    request = _at(
        at(3, 10, 5),
        lambda: do_post_message(
            rs, made["A"], kind=MessageKind.REQUEST_FOR_ASSISTANCE, body="Please send the logs.", reply_by=at(3, 12, 5)
        ),
    )
    _tick(at(3, 10, 5, 1), receivers)
    _at(at(3, 10, 7), lambda: do_acknowledge(hr, made["A"], message_number=request.number, method=AckMethod.LINK))
    _at(at(3, 10, 35), lambda: do_post_message(hr, made["A"], kind=MessageKind.NOTE, body="Logs attached."))

    made["C"] = _at(at(10, 22, 30), lambda: report(rs, to=("HR-CERT",), severity="critical", category="cyber"))
    for moment in (at(10, 22, 30, 1), at(10, 22, 35, 1), at(10, 22, 45, 1)):
        _tick(moment, receivers)
    _at(at(10, 22, 50), lambda: do_acknowledge(hr, made["C"], message_number=1, method=AckMethod.API))

    made["F"] = _at(at(12, 9), lambda: report(rs, to=("HR-CERT",), severity="high", exercise=True))
    for moment in (at(12, 9, 0, 1), at(12, 9, 15, 1)):
        _tick(moment, receivers)
    _at(at(12, 9, 20), lambda: do_acknowledge(hr, made["F"], message_number=1, method=AckMethod.CONSOLE))

    made["D"] = _at(at(20, 8), lambda: report(rs, to=("HR-CERT",), severity="high", category="border_incident"))
    for moment in (at(20, 8, 0, 1), at(20, 8, 15, 1), at(20, 8, 25, 1), at(20, 8, 35, 1), at(20, 8, 50, 1)):
        _tick(moment, receivers)

    made["E"] = _at(at(24, 13), lambda: report(rs, to=("HR-CERT",), severity="medium"))
    _tick(at(24, 13, 0, 1), receivers)
    supervisor = person("hr-cert-supervisor")
    _at(
        at(24, 13, 30),
        lambda: do_acknowledge(hr, made["E"], message_number=1, method=AckMethod.PHONE, recorded_by=supervisor),
    )

    check = _at(at(25, 10), lambda: do_start_check(person("wbc-sec-admin"), window_minutes=30))
    response = check.responses.get(organisation__code="HR-CERT")
    _at(at(25, 10, 10), lambda: do_answer_check(hr, response, method="console"))
    made["check"] = check

    exercise = {
        "designation": "Danube Shield",
        "exercise_type": "field_training",
        "purpose": "River crossing and defence of bridges.",
        "starts_at": datetime(2026, 12, 26, 9, tzinfo=UTC),
        "ends_at": datetime(2026, 12, 30, 9, tzinfo=UTC),
        "area": NORTH_OF_BACKA_PALANKA,
        "place_names": "Bačka Palanka",
        "command_level": "brigade",
        "troops": 2400,
        "battle_tanks": 12,
        "armoured_combat_vehicles": 40,
    }
    made["exercise"] = _at(at(26, 9), lambda: do_notify_exercise(person("rs-mod-duty"), exercise))
    _at(at(26, 10), lambda: do_acknowledge_exercise(person("hr-mod-duty"), made["exercise"]))
    _at(
        at(27, 9),
        lambda: do_amend_exercise(
            person("rs-mod-duty"), made["exercise"], {"troops": 2600}, reason="A second battalion joins."
        ),
    )
    return made


def hr_cert_webhooks() -> int:
    return ContactPoint.objects.filter(organisation__code="HR-CERT", method=ContactMethod.WEBHOOK).count()
