"""A figures dict in hotline.review.figures' shape, written by hand, for tests of the drawing alone (the
report tests that need the database compute theirs from real traffic)."""


def organisation_figures(code: str, name: str, *, owed: int, within: int, open_: int, exercise: bool = False) -> dict:
    share = round(within / owed, 4) if owed else None
    return {
        "organisation": code,
        "name": name,
        "kind": "cert",
        "acknowledgements": {
            "owed": owed,
            "given": owed - open_,
            "within_deadline": within,
            "within_deadline_share": share,
            "late": owed - open_ - within,
            "open": open_,
            "time_to_acknowledge_s": {"p50": 120, "p90": 600, "max": 900},
            "by_method": {"console": owed - open_, "api": 0, "link": 0, "phone": 0},
            "by_severity": {},
            "by_time_of_day": {},
        },
        "escalation": {
            "timers": owed,
            "reached_level_1": 1,
            "reached_level_2": 0,
            "reached_level_3": 0,
            "repeats": 0,
            "pages": 2,
            "deliveries": {"console": 2, "email": 1, "sms": 0, "webhook": 0},
        },
        "deliveries_failed": {"console": 0, "email": 1, "sms": 0, "webhook": 0},
        "replies": {"owed": 0, "within_clock": 0, "within_clock_share": None, "open": 0, "time_to_reply_s": {}},
        "reachability": None
        if exercise
        else {
            "checks": 4,
            "within_window": 3,
            "within_window_share": 0.75,
            "late": 0,
            "missed": 1,
            "time_to_answer_s": {"p50": 300, "p90": 900},
        },
        "notifications": None
        if exercise
        else {
            "exercises": {"notified": 2, "on_time": 1, "on_time_share": 0.5},
            "drone_flights": {"notified": 0, "on_time": 0, "on_time_share": None},
        },
    }


def figures(exercise: bool = False) -> dict:
    hr = organisation_figures("HR-CERT", "Nacionalni CERT — čćđšž", owed=12, within=10, open_=1, exercise=exercise)
    rs = organisation_figures("RS-MOD", "Министарство одбране", owed=4, within=4, open_=0, exercise=exercise)
    return {
        "since": "2026-11-01T00:00:00+01:00",
        "until": "2026-12-01T00:00:00+01:00",
        "exercise": exercise,
        "computed_at": "2026-12-01T00:00:05Z",
        "parties": [
            {
                "party": "HR",
                "name": "Croatia",
                "totals": {k: v for k, v in hr.items() if k != "organisation"},
                "organisations": [hr],
            },
            {
                "party": "RS",
                "name": "Serbia",
                "totals": {k: v for k, v in rs.items() if k != "organisation"},
                "organisations": [rs],
            },
        ],  # fmt: skip
        "region": {"median": None},
    }


def months() -> list[dict]:
    """hotline.review.figures.trend's shape: a regional median and each party's main figures a month."""
    shares = [0.5, 0.6, None, 0.7, 0.9, 0.8, 0.85, 0.9, 0.75, 0.8, 0.95, 0.8333]
    points = []
    for index, share in enumerate(shares):
        main = {
            "within_deadline_share": share,
            "ack_p50_s": 120 if share else None,
            "reachability_share": 0.75,
            "exercise_on_time_share": None,
            "flights_on_time_share": 1.0,
        }
        month = f"{2025 + (index + 11) // 12}-{(index + 11) % 12 + 1:02d}"
        points.append(
            {"month": month, "parties": {"HR": main, "RS": {**main, "within_deadline_share": 1.0}}, "region": main}
        )
    return points  # fmt: skip


AUDIT_STATE = {
    "tree_size": 1234,
    "root": "ab" * 32,
    "checkpoint": {"size": 1200, "root": "cd" * 32, "signed_at": "2026-11-30T23:00:00Z"},
    "verified_at": "2026-12-01T00:00:02Z",
    "ok": True,
    "problem": "",
}

NOTABLE = [
    {"figure": "acknowledgements.late", "kind": "acknowledgement", "reference": "HL-2026-00012 #3",
     "organisation": "HR-CERT", "counterpart": "RS-MOD",
     "started_at": "2026-11-03T10:00:00Z", "due_at": "2026-11-03T10:15:00Z", "done_at": "2026-11-03T11:00:00Z",
     "late_by_s": 2700},
    {"figure": "reachability.missed", "kind": "check", "reference": "CHK-2026-0044", "organisation": "RS-MOD",
     "counterpart": "",
     "started_at": "2026-11-10T09:00:00Z", "due_at": "2026-11-10T11:00:00Z", "done_at": None, "late_by_s": None},
]  # fmt: skip
