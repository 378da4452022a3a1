"""The known-answer test of the compliance figures: a month of traffic with exact times (tests/review/
traffic.py says what happened when), and every figure worked out by hand from it."""

import pytest

from hotline.review.figures import Period, compute, items, main_figures, notable, trend
from tests.review.traffic import AFTER, MONTH_END, MONTH_START, hr_cert_webhooks

pytestmark = pytest.mark.django_db

NOVEMBER = Period(MONTH_START, MONTH_END)
NOVEMBER_DRILLS = Period(MONTH_START, MONTH_END, exercise=True)


def organisation(figures: dict, code: str) -> dict:
    party = next(p for p in figures["parties"] if p["party"] == code.split("-")[0])
    return next(o for o in party["organisations"] if o["organisation"] == code)


def party(figures: dict, code: str) -> dict:
    return next(p for p in figures["parties"] if p["party"] == code)["totals"]


def test_acknowledgements_of_real_traffic(month):
    figures = compute(NOVEMBER, now=AFTER)
    acks = organisation(figures, "HR-CERT")["acknowledgements"]
    assert acks["owed"] == 5 and acks["given"] == 4 and acks["open"] == 1
    assert acks["within_deadline"] == 3 and acks["late"] == 1 and acks["within_deadline_share"] == 0.6
    # 120, 120, 1200, 1800: nearest rank, p50 the 2nd, p90 the 4th
    assert acks["time_to_acknowledge_s"] == {"p50": 120, "p90": 1800, "max": 1800}
    assert acks["by_method"] == {"console": 1, "api": 1, "link": 1, "phone": 1}
    assert acks["by_severity"] == {
        "critical": {"owed": 1, "given": 1, "within_deadline": 0, "p50_s": 1200},
        "high": {"owed": 3, "given": 2, "within_deadline": 2, "p50_s": 120},
        "medium": {"owed": 1, "given": 1, "within_deadline": 1, "p50_s": 1800},
        "low": {"owed": 0, "given": 0, "within_deadline": 0, "p50_s": None},
    }
    assert acks["by_time_of_day"] == {
        "night": {"owed": 1, "within_deadline": 0, "p50_s": 1200},  # C at 23:30 local
        "day": {"owed": 4, "within_deadline": 3, "p50_s": 120},
    }
    assert party(figures, "HR")["acknowledgements"] == acks, "HR-MOD owed no incident acknowledgement"
    assert organisation(figures, "RS-CERT")["acknowledgements"]["owed"] == 0, "the sender owes nothing"


def test_escalation_deliveries_and_replies(month):
    figures = compute(NOVEMBER, now=AFTER)
    hr_cert = organisation(figures, "HR-CERT")
    webhooks = hr_cert_webhooks()
    assert webhooks >= 1
    assert hr_cert["escalation"] == {
        "timers": 6,  # A, B, C, D, E and the reachability check
        "reached_level_1": 2,  # C, D
        "reached_level_2": 2,
        "reached_level_3": 1,  # D
        "repeats": 2,  # D at 08:50, and once more at the next tick after that (24 Nov), not a burst
        "pages": 12,  # A 1, B 1, C 3, D 6, E 1
        "deliveries": {"console": 12, "email": 0, "sms": 0, "webhook": webhooks},
    }
    assert hr_cert["deliveries_failed"] == {"console": 0, "email": 0, "sms": 0, "webhook": webhooks}
    assert hr_cert["replies"] == {
        "owed": 1,
        "within_clock": 1,
        "within_clock_share": 1.0,
        "late": 0,
        "open": 0,
        "time_to_reply_s": {"p50": 1800, "p90": 1800},
    }


def test_reachability_and_notifications(month):
    figures = compute(NOVEMBER, now=AFTER)
    assert organisation(figures, "HR-CERT")["reachability"] == {
        "checks": 1,
        "within_window": 1,
        "within_window_share": 1.0,
        "late": 0,
        "missed": 0,
        "pending": 0,
        "time_to_answer_s": {"p50": 600, "p90": 600},
    }
    assert organisation(figures, "HR-MOD")["reachability"]["missed"] == 1
    hr = party(figures, "HR")["reachability"]
    assert (hr["checks"], hr["within_window"], hr["missed"], hr["within_window_share"]) == (2, 1, 1, 0.5)

    exercises = organisation(figures, "RS-MOD")["notifications"]["exercises"]
    assert exercises == {
        "notified": 1,
        "on_time": 0,
        "on_time_share": 0.0,
        "late_by_s": {"median": 12 * 86400, "worst": 12 * 86400},
        "amendments": 1,
        "cancellations": 0,
    }
    versions = organisation(figures, "HR-MOD")["notifications"]["version_acknowledgements"]
    assert versions == {"owed": 2, "given": 1, "given_share": 0.5, "time_s": {"p50": 3600, "p90": 3600}}


def test_drill_traffic_is_kept_apart(month):
    real = organisation(compute(NOVEMBER, now=AFTER), "HR-CERT")
    drills = compute(NOVEMBER_DRILLS, now=AFTER)
    hr_cert = organisation(drills, "HR-CERT")
    acks = hr_cert["acknowledgements"]
    assert (acks["owed"], acks["given"], acks["within_deadline"], acks["late"]) == (1, 1, 0, 1)
    assert acks["time_to_acknowledge_s"] == {"p50": 1200, "p90": 1200, "max": 1200}
    assert hr_cert["escalation"]["timers"] == 1 and hr_cert["escalation"]["reached_level_1"] == 1
    assert hr_cert["escalation"]["pages"] == 2
    assert hr_cert["reachability"] is None and hr_cert["notifications"] is None, "checks and notices are not drills"
    assert real["acknowledgements"]["owed"] == 5, "the drill is not in the real figures"


def test_items_behind_a_figure_name_the_things_without_content(month):
    period = NOVEMBER
    [late] = items(period, "acknowledgements.late", organisation_code="HR-CERT", now=AFTER)
    assert late["reference"] == f"{month['C'].reference} #1" and late["late_by_s"] == 900
    assert late["method"] == "api" and late["counterpart"] == "RS-CERT" and late["severity"] == "critical"
    assert month["C"].title not in str(late), "metadata only"
    [still_open] = items(period, "acknowledgements.open", organisation_code="HR-CERT", now=AFTER)
    assert still_open["reference"] == f"{month['D'].reference} #1"
    [top] = items(period, "escalation.reached_level_3", organisation_code="HR-CERT", now=AFTER)
    assert top["reference"] == f"{month['D'].reference} #1" and top["level"] == 3
    assert len(items(period, "escalation.reached_level_2", party_code="HR", now=AFTER)) == 2
    assert [row["method"] for row in items(period, "deliveries.failed", organisation_code="HR-CERT", now=AFTER)] == [
        "webhook"
    ] * hr_cert_webhooks()
    [missed] = items(period, "reachability.missed", organisation_code="HR-MOD", now=AFTER)
    assert missed["reference"] == month["check"].reference
    [late_exercise] = items(period, "exercises.late", party_code="RS", now=AFTER)
    assert late_exercise["late_by_s"] == 12 * 86400
    assert items(NOVEMBER_DRILLS, "reachability.missed", now=AFTER) == []

    listed = notable(period, now=AFTER)
    assert {row["figure"] for row in listed} >= {"acknowledgements.late", "reachability.missed", "exercises.late"}


def test_the_trend_gives_the_main_figures_month_by_month(month):
    points = trend(until=AFTER, months=2)
    assert [point["month"] for point in points] == ["2026-11", "2026-12"]
    november = points[0]["parties"]["HR"]
    assert november["owed"] == 5 and november["within_deadline_share"] == 0.6 and november["reached_level_3"] == 1
    assert points[1]["parties"]["HR"]["owed"] == 0


def test_the_regional_median_is_over_organisations(month):
    figures = compute(NOVEMBER, now=AFTER)
    median = figures["region"]["median"]
    # Only HR-CERT owed acknowledgements; every other organisation owed none: the median owes none.
    assert median["owed"] == 0
    # Shares exist only where something was owed: HR-CERT's 0.6 is the only one.
    assert median["within_deadline_share"] == 0.6


def test_the_trend_in_one_pass_agrees_with_each_month_computed_on_its_own(month):
    november = next(point for point in trend(until=AFTER, months=3) if point["month"] == "2026-11")
    whole = compute(NOVEMBER, now=AFTER)
    assert november["parties"] == {party["party"]: main_figures(party["totals"]) for party in whole["parties"]}
    assert november["region"] == whole["region"]["median"]
    drills = next(point for point in trend(until=AFTER, exercise=True, months=2) if point["month"] == "2026-11")
    assert drills["parties"]["HR"]["owed"] == 1 and drills["parties"]["HR"]["reachability_share"] is None
