"""The review's console pages: the dashboard of a period, one party's organisations, and the items behind
a figure. Each page is also a download (`?format=csv` or `?format=json`), built from the same rows the
page shows, so a table and its file never disagree.

Who sees what (hotline.review.access):
- commission reviewers and administrators see every party;
- supervisors and heads of a member organisation see their own organisation's figures beside the
  regional median, and no other party by name: their dashboard has their row and the median's, another
  party's page is refused (403), and the items are only their own organisation's;
- everyone else (duty officers, observers, the secretariat's desk) is refused (403).
Opening a page is audited (`review.opened`: period, exercise, page), so is each download
(`review.exported`: table, format, period). The figures hold no content; an item shows its incident's
title only where incidents/visibility.py lets the viewer read the incident's content.
"""

import csv
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Organisation, Party
from accounts.views import designation_notes
from hotline.audit.log import record
from hotline.audit.refusals import refuse
from hotline.formats import iso_time, spreadsheet_cell
from hotline.review import access, charts
from hotline.review.figures import ITEM_FIGURES, Period, compute, items, main_figures, trend
from hotline.review.forms import PeriodForm
from incidents.models import Incident
from incidents.visibility import visible_incidents

FORMATS = ("html", "csv", "json")
# The period report (hotline/review/report_views.py), linked by path.
REPORT = "/review/report.pdf"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # count, share, duration, text, time
    figure: str = ""  # the items behind it (figures.ITEM_FIGURES), if any
    short: str = ""  # the heading under its group on the dashboard
    group: str = ""


def _main(key, label, kind, figure, group, short) -> Column:
    return Column(key, label, kind, figure, short, group)


# The main figures (figures.main_figures), one dashboard row each, under the headings of their group.
MAIN = [
    _main("owed", "Acknowledgements owed", "count", "", "Acknowledgements", "Owed"),
    _main(
        "within_deadline_share",
        "Acknowledged within the deadline",
        "share",
        "acknowledgements.late",
        "Acknowledgements",
        "Within the deadline",
    ),
    _main("ack_p50_s", "Time to acknowledge, median", "duration", "", "Acknowledgements", "Median time"),
    _main("ack_p90_s", "Time to acknowledge, p90", "duration", "", "Acknowledgements", "p90 time"),
    _main("open", "Acknowledgements still open", "count", "acknowledgements.open", "Acknowledgements", "Still open"),
    _main("reached_level_3", "Escalated to level 3", "count", "escalation.reached_level_3", "Escalation", "Level 3"),
    _main("deliveries_failed", "Failed deliveries", "count", "deliveries.failed", "Escalation", "Failed deliveries"),
    _main("reply_share", "Replies within the reply clock", "share", "replies.late", "Replies", "Within the clock"),
    _main(
        "reachability_share",
        "Checks answered within the window",
        "share",
        "reachability.late",
        "Reachability",
        "In the window",
    ),
    _main("checks_missed", "Checks missed", "count", "reachability.missed", "Reachability", "Missed"),
    _main(
        "exercise_on_time_share",
        "Exercises notified on time",
        "share",
        "exercises.late",
        "Notifications",
        "Exercises on time",
    ),
    _main(
        "flights_on_time_share",
        "Drone flights notified on time",
        "share",
        "flights.late",
        "Notifications",
        "Flights on time",
    ),
]
# The dashboard's upper heading row: (group, how many columns it spans).
MAIN_GROUPS = [
    (group, sum(1 for column in MAIN if column.group == group))
    for group in dict.fromkeys(column.group for column in MAIN)
]


ITEM_COLUMNS = [
    Column("kind", "Kind", "text"),
    Column("reference", "Reference", "text"),
    Column("organisation", "Organisation", "text"),
    Column("counterpart", "Counterpart", "text"),
    Column("severity", "Severity", "text"),
    Column("tlp", "TLP", "text"),
    Column("started_at", "Started", "time"),
    Column("due_at", "Due", "time"),
    Column("done_at", "Done", "time"),
    Column("late_by_s", "Late by", "duration"),
    Column("method", "Method", "text"),
    Column("level", "Level", "count"),
    Column("title", "Incident title", "text"),
]


def _figure(path: str, label: str, kind: str = "count", figure: str = "") -> Column:
    return Column(path, label, kind, figure)


SEVERITIES = ("critical", "high", "medium", "low")
METHODS = ("console", "email", "sms", "webhook")

# Every figure of an organisation (shape of figures.compute), table by table, for the party page.
PARTY_TABLES = [
    (
        "acknowledgements",
        "Acknowledgements",
        [
            _figure("acknowledgements.owed", "Owed"),
            _figure("acknowledgements.given", "Given"),
            _figure(
                "acknowledgements.within_deadline", "Within the deadline", figure="acknowledgements.within_deadline"
            ),
            _figure("acknowledgements.within_deadline_share", "Share within the deadline", "share"),
            _figure("acknowledgements.late", "Late", figure="acknowledgements.late"),
            _figure("acknowledgements.open", "Still open", figure="acknowledgements.open"),
            _figure("acknowledgements.time_to_acknowledge_s.p50", "Time to acknowledge, median", "duration"),
            _figure("acknowledgements.time_to_acknowledge_s.p90", "Time to acknowledge, p90", "duration"),
            _figure("acknowledgements.time_to_acknowledge_s.max", "Time to acknowledge, longest", "duration"),
        ],
    ),
    (
        "by_method",
        "Acknowledged by",
        [
            _figure(f"acknowledgements.by_method.{method}", label)
            for method, label in (("console", "Console"), ("api", "API"), ("link", "Link"), ("phone", "Phone"))
        ],
    ),
    (
        "by_severity",
        "Acknowledgements by severity",
        [
            column
            for severity in SEVERITIES
            for column in (
                _figure(f"acknowledgements.by_severity.{severity}.owed", f"{severity.upper()}: owed"),
                _figure(f"acknowledgements.by_severity.{severity}.given", f"{severity.upper()}: given"),
                _figure(
                    f"acknowledgements.by_severity.{severity}.within_deadline",
                    f"{severity.upper()}: within the deadline",
                ),
                _figure(f"acknowledgements.by_severity.{severity}.p50_s", f"{severity.upper()}: median", "duration"),
            )
        ],
    ),
    (
        "by_time_of_day",
        "Acknowledgements by time of day (night 22:00–06:00 local)",
        [
            column
            for part, label in (("night", "Night"), ("day", "Day"))
            for column in (
                _figure(f"acknowledgements.by_time_of_day.{part}.owed", f"{label}: owed"),
                _figure(f"acknowledgements.by_time_of_day.{part}.within_deadline", f"{label}: within the deadline"),
                _figure(f"acknowledgements.by_time_of_day.{part}.p50_s", f"{label}: median", "duration"),
            )
        ],
    ),
    (
        "escalation",
        "Escalation",
        [
            _figure("escalation.timers", "Timers started"),
            *(
                _figure(
                    f"escalation.reached_level_{level}",
                    f"Reached level {level}",
                    figure=f"escalation.reached_level_{level}",
                )
                for level in (1, 2, 3)
            ),
            _figure("escalation.repeats", "Repeats of the last level"),
            _figure("escalation.pages", "Pages"),
            *(_figure(f"escalation.deliveries.{method}", f"Deliveries: {method}") for method in METHODS),
            *(
                _figure(f"deliveries_failed.{method}", f"Failed deliveries: {method}", figure="deliveries.failed")
                for method in METHODS
            ),
        ],
    ),
    (
        "replies",
        "Requests for assistance",
        [
            _figure("replies.owed", "Replies owed"),
            _figure("replies.within_clock", "Within the reply clock"),
            _figure("replies.within_clock_share", "Share within the reply clock", "share", "replies.late"),
            _figure("replies.late", "Given late", figure="replies.late"),
            _figure("replies.open", "Still owed", figure="replies.open"),
            _figure("replies.time_to_reply_s.p50", "Time to reply, median", "duration"),
            _figure("replies.time_to_reply_s.p90", "Time to reply, p90", "duration"),
        ],
    ),
    (
        "reachability",
        "Reachability checks",
        [
            _figure("reachability.checks", "Checks"),
            _figure("reachability.within_window", "Answered within the window"),
            _figure("reachability.within_window_share", "Share within the window", "share"),
            _figure("reachability.late", "Answered late", figure="reachability.late"),
            _figure("reachability.missed", "Missed", figure="reachability.missed"),
            _figure("reachability.pending", "Window still open"),
            _figure("reachability.time_to_answer_s.p50", "Time to answer, median", "duration"),
            _figure("reachability.time_to_answer_s.p90", "Time to answer, p90", "duration"),
        ],
    ),
    (
        "notifications",
        "Notifications",
        [
            _figure("notifications.exercises.notified", "Exercises notified"),
            _figure("notifications.exercises.on_time", "Exercises on time"),
            _figure("notifications.exercises.on_time_share", "Share on time", "share", "exercises.late"),
            _figure("notifications.exercises.late_by_s.median", "Lateness, median", "duration"),
            _figure("notifications.exercises.late_by_s.worst", "Lateness, worst", "duration"),
            _figure("notifications.exercises.amendments", "Amendments"),
            _figure("notifications.exercises.cancellations", "Cancellations"),
            _figure("notifications.observation_invitations.invited", "Observation invitations"),
            _figure("notifications.observation_invitations.answered", "Invitations answered"),
            _figure("notifications.observation_invitations.answered_share", "Share answered", "share"),
            _figure("notifications.drone_flights.notified", "Drone flights notified"),
            _figure("notifications.drone_flights.on_time", "Flights on time"),
            _figure("notifications.drone_flights.on_time_share", "Share on time", "share", "flights.late"),
            _figure("notifications.cross_border.owed", "Cross-border flights"),
            _figure("notifications.cross_border.before_activation", "Acknowledged before activation"),
            _figure(
                "notifications.cross_border.before_activation_share",
                "Share before activation",
                "share",
                "cross_border.after_activation",
            ),
            _figure("notifications.version_acknowledgements.owed", "Versions to acknowledge"),
            _figure("notifications.version_acknowledgements.given", "Versions acknowledged"),
            _figure(
                "notifications.version_acknowledgements.given_share", "Share acknowledged", "share", "versions.open"
            ),
            _figure("notifications.version_acknowledgements.time_s.p50", "Time to acknowledge, median", "duration"),
            _figure("notifications.version_acknowledgements.time_s.p90", "Time to acknowledge, p90", "duration"),
        ],
    ),
]


def shown(value, kind: str) -> str:
    """A figure as the page prints it: "83.3 %", "2 min 5 s", "—" for nothing to measure."""
    if value is None:
        return "—"
    if kind == "share":
        return f"{value * 100:.1f}".removesuffix(".0") + " %"
    if kind == "duration":
        return duration_text(int(value))
    if isinstance(value, float):  # a median of counts
        return f"{value:g}"
    return str(value)


def duration_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    if seconds < 86400:
        hours, rest = divmod(seconds, 3600)
        return f"{hours} h {rest // 60:02d} min" if rest // 60 else f"{hours} h"
    days, rest = divmod(seconds, 86400)
    return f"{days} d {rest // 3600} h" if rest // 3600 else f"{days} d"


class BadRequest(Exception):
    """A query the page cannot answer: the page shows why, with status 400."""


# --- who looks ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Every party (organisation None), or one member organisation's own figures beside the median."""

    organisation: Organisation | None

    @property
    def every_party(self) -> bool:
        return self.organisation is None


def _viewer(request) -> Viewer:
    if access.sees_every_party(request.user):
        return Viewer(None)
    organisation = access.own_organisation(request.user)
    if organisation is None:
        raise refuse(request.user, "open the commission's review")
    return Viewer(organisation)


# --- the period and the downloads ------------------------------------------------------------------------


def _format(request) -> str:
    chosen = request.GET.get("format", "html")
    if chosen not in FORMATS:
        raise BadRequest(f"{chosen[:20]} is not a download the review offers: csv or json.")
    return chosen


def period_text(period: Period) -> str:
    return f"{iso_time(period.since)}/{iso_time(period.until)}"


def period_query(period: Period) -> dict:
    """The query string that names exactly `period` (the pages' links keep its instants, not its preset)."""
    return {"since": iso_time(period.since), "until": iso_time(period.until), "exercise": str(period.exercise).lower()}


def _download(request, period: Period, table: str, chosen: str, columns: list[Column], rows: list[dict], extra=None):
    record(
        "review.exported",
        actor=request.user,
        details={"table": table, "format": chosen, "period": period_text(period), "exercise": period.exercise},
    )
    traffic = "exercise" if period.exercise else "real"
    name = f"hotline-review-{table.replace(':', '-')}-{period.since:%Y%m%d}-{period.until:%Y%m%d}-{traffic}"
    if chosen == "json":
        body = {
            "table": table,
            "since": iso_time(period.since),
            "until": iso_time(period.until),
            "exercise": period.exercise,
            **(extra or {}),
            "rows": rows,
        }
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow([column.key for column in columns])
    for row in rows:
        writer.writerow([spreadsheet_cell(row.get(column.key)) for column in columns])
    return response


def _page(period: Period, where: dict | None = None) -> dict:
    """What every page's period form, traffic switch and download links need."""
    query = {**(where or {}), **period_query(period)}
    return {
        "period": period,
        "query": urlencode(query),
        "keep": list((where or {}).items()),
        "switch": {
            "real": urlencode({**query, "exercise": "false"}),
            "exercise": urlencode({**query, "exercise": "true"}),
        },
    }


def _opened(request, period: Period, page: str) -> None:
    record(
        "review.opened",
        actor=request.user,
        details={"period": period_text(period), "exercise": period.exercise, "page": page},
    )


def _refused_page(request, template: str, context: dict, message: str):
    return render(request, template, {**context, "problem": message}, status=400)


def _read_period(request) -> PeriodForm:
    return PeriodForm(request.GET)  # bound even when empty: no period is the default preset


# --- the pages -----------------------------------------------------------------------------------------


def _cell_link(figure: str, period: Period, **where) -> str:
    if not figure:
        return ""
    return reverse("review:items") + "?" + urlencode({"figure": figure, **where, **period_query(period)})


def _main_row(kind: str, code: str, name: str, main: dict, period: Period, where: dict) -> dict:
    """One row of main figures, with where each figure's items are."""
    return {
        "row": kind,
        "code": code,
        "name": name,
        **{column.key: main.get(column.key) for column in MAIN},
        "cells": [
            {
                "column": column,
                "value": main.get(column.key),
                "text": shown(main.get(column.key), column.kind),
                "link": _cell_link(column.figure, period, **where) if where else "",
            }
            for column in MAIN
        ],
    }


def _own(figures: dict, organisation: Organisation) -> dict | None:
    """The figures of `organisation`."""
    for party in figures["parties"]:
        for entry in party["organisations"]:
            if entry["organisation"] == organisation.code:
                return entry
    return None


def dashboard_rows(figures: dict, viewer: Viewer, period: Period) -> list[dict]:
    rows = []
    if viewer.every_party:
        for party in figures["parties"]:
            rows.append(
                _main_row(
                    "party",
                    party["party"],
                    party["name"],
                    main_figures(party["totals"]),
                    period,
                    {"party": party["party"]},
                )
            )
    else:
        entry = _own(figures, viewer.organisation)
        main = main_figures(entry) if entry else {}
        code = viewer.organisation.code
        rows.append(_main_row("organisation", code, viewer.organisation.name, main, period, {"organisation": code}))
    rows.append(_main_row("median", "", "Regional median", figures["region"]["median"], period, {}))
    return rows


def _export_rows(rows: list[dict]) -> list[dict]:
    return [{key: value for key, value in row.items() if key not in ("cells", "trend", "chart")} for row in rows]


ROW_COLUMNS = [Column("row", "row", "text"), Column("code", "code", "text"), Column("name", "name", "text")]


def trend_rows(months: list[dict], viewer: Viewer) -> list[dict]:
    """The 12-month trend as a table: one row per month and party (and the regional median); a member
    organisation's viewer gets the median's only (the trend has no organisation's own points)."""
    rows = []
    for month in months:
        parties = month["parties"].items() if viewer.every_party else []
        for code, main in [*parties, ("", month["region"])]:
            kind = "party" if code else "median"
            rows.append({"month": month["month"], "row": kind, "code": code, **{c.key: main.get(c.key) for c in MAIN}})
    return rows


def _months(period: Period) -> list[dict]:
    """The 12 months up to the one the period ends in (trend() ends a period at midnight on the 1st with
    the month before)."""
    return trend(until=period.until, exercise=period.exercise, months=12)


def _with_trend(rows: list[dict], months: list[dict]) -> None:
    """Each dashboard row's 12 points of its share within the deadline, and their sparkline (the same
    drawing as the period report's, hotline/review/charts.py)."""
    labels = [month["month"] for month in months]
    for row in rows:
        if row["row"] == "party":
            row["trend"] = [month["parties"].get(row["code"], {}).get("within_deadline_share") for month in months]
        elif row["row"] == "median":
            row["trend"] = [month["region"].get("within_deadline_share") for month in months]
        else:
            continue
        title = f"{row['name']}: acknowledged within the deadline, month by month"
        row["sparkline"] = charts.sparkline(row["trend"], title=title, labels=labels, width=96, height=24)


def overview_chart(rows: list[dict]) -> str:
    """The share acknowledged within the deadline of each row, as bars."""
    bars = [(row["code"] or "Median", row["within_deadline_share"], 1) for row in rows]
    return charts.bars(bars, title="Acknowledged within the deadline", label_width=70)


TREND_COLUMNS = [Column("month", "month", "text"), Column("row", "row", "text"), Column("code", "code", "text"), *MAIN]
DASHBOARD_TABLES = ("parties", "trend")


@login_required
def dashboard(request):
    viewer = _viewer(request)
    form = _read_period(request)
    context = {"form": form, "viewer": viewer, "main_columns": MAIN, "main_groups": MAIN_GROUPS, "page": "dashboard"}
    table = request.GET.get("table", "parties")
    try:
        chosen = _format(request)
        if table not in DASHBOARD_TABLES:
            raise BadRequest(f"{table[:20]} is not a table of the dashboard: parties or trend.")
    except BadRequest as problem:
        return _refused_page(request, "review/dashboard.html", context, str(problem))
    if not form.is_valid():
        return render(request, "review/dashboard.html", context, status=400)
    period = form.chosen
    if chosen != "html" and table == "trend":
        return _download(request, period, "trend", chosen, TREND_COLUMNS, trend_rows(_months(period), viewer))
    rows = dashboard_rows(compute(period), viewer, period)
    if chosen != "html":
        return _download(request, period, "parties", chosen, ROW_COLUMNS + MAIN, _export_rows(rows))
    months = _months(period)
    _with_trend(rows, months)
    _opened(request, period, "dashboard")
    parties = Party.objects.filter(code__in=[row["code"] for row in rows if row["row"] == "party"])
    return render(
        request,
        "review/dashboard.html",
        {
            **context,
            **_page(period),
            "form": form.shown(),
            "rows": rows,
            "months": [month["month"] for month in months],
            "overview_chart": overview_chart(rows),
            "report_url": REPORT + "?" + urlencode({"since": iso_time(period.since), "until": iso_time(period.until)}),
            "designation_notes": designation_notes(parties),
        },
    )


def _lookup(figures: dict | None, path: str):
    value = figures
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def party_tables(columns: list[tuple[str, str, dict, dict]], period: Period) -> list[dict]:
    """Each table of PARTY_TABLES with one cell per column (code, label, figures, where its items are)."""
    tables = []
    for key, heading, figures in PARTY_TABLES:
        rows = []
        for figure in figures:
            cells = [
                {
                    "value": _lookup(entry, figure.key),
                    "text": shown(_lookup(entry, figure.key), figure.kind),
                    "link": _cell_link(figure.figure, period, **where) if where else "",
                }
                for _, _, entry, where in columns
            ]
            rows.append({"figure": figure, "cells": cells})
        tables.append({"key": key, "heading": heading, "rows": rows})
    return tables


def _party_export(tables: list[dict], columns) -> tuple[list[Column], list[dict]]:
    header = [Column("table", "table", "text"), Column("figure", "figure", "text")]
    header += [Column(code, label, "text") for code, label, _, _ in columns]
    rows = [
        {
            "table": table["key"],
            "figure": row["figure"].key,
            **{code: cell["value"] for (code, _, _, _), cell in zip(columns, row["cells"], strict=True)},
        }
        for table in tables
        for row in table["rows"]
    ]
    return header, rows


@login_required
def party(request, code):
    viewer = _viewer(request)
    party = Party.objects.filter(code=code).first()
    if viewer.organisation is not None and (party is None or party.pk != viewer.organisation.party_id):
        raise refuse(request.user, "see another party's figures", details={"party": code[:16]})
    if party is None:
        raise Http404("There is no such party.")
    form = _read_period(request)
    context = {
        "form": form,
        "viewer": viewer,
        "party": party,
        "main_columns": MAIN,
        "main_groups": MAIN_GROUPS,
        "page": "party",
    }
    try:
        chosen = _format(request)
    except BadRequest as problem:
        return _refused_page(request, "review/party.html", context, str(problem))
    if not form.is_valid():
        return render(request, "review/party.html", context, status=400)
    period = form.chosen
    figures = compute(period)
    found = next((entry for entry in figures["parties"] if entry["party"] == party.code), None)
    if viewer.every_party:
        organisations = found["organisations"] if found else []
        columns = [(party.code, f"{party.code} (all)", found["totals"] if found else None, {"party": party.code})]
    else:
        organisations = [
            entry
            for entry in (found or {}).get("organisations", [])
            if entry["organisation"] == viewer.organisation.code
        ]
        columns = []
    columns += [
        (entry["organisation"], entry["organisation"], entry, {"organisation": entry["organisation"]})
        for entry in organisations
    ]
    main_rows = [
        _main_row("organisation", entry["organisation"], entry["name"], main_figures(entry), period, where)
        for code, _, entry, where in columns
        if entry is not None and "organisation" in where
    ]
    if viewer.every_party and found:
        main_rows.insert(
            0, _main_row("party", party.code, party.name, main_figures(found["totals"]), period, {"party": party.code})
        )
    main_rows.append(_main_row("median", "", "Regional median", figures["region"]["median"], period, {}))
    tables = party_tables(columns, period)
    if chosen != "html":
        header, rows = _party_export(tables, columns)
        return _download(request, period, f"party:{party.code}", chosen, header, rows)
    _opened(request, period, f"party:{party.code}")
    return render(
        request,
        "review/party.html",
        {
            **context,
            **_page(period),
            "form": form.shown(),
            "rows": main_rows,
            "overview_chart": overview_chart(main_rows),
            "columns": [label for _, label, _, _ in columns],
            "tables": tables,
            "designation_notes": designation_notes([party]),
        },
    )


def _item_scope(request, viewer: Viewer) -> tuple[str | None, str | None]:
    """(organisation code, party code) the items are asked for, as the viewer may see them; 400 for an
    unknown code, 403 for another organisation than a member organisation's own."""
    organisation = (request.GET.get("organisation") or "").strip()[:16] or None
    party_code = (request.GET.get("party") or "").strip()[:16] or None
    if organisation and not Organisation.objects.filter(code=organisation).exists():
        raise BadRequest(f"There is no organisation {organisation}.")
    if party_code and not Party.objects.filter(code=party_code).exists():
        raise BadRequest(f"There is no party {party_code}.")
    if viewer.every_party:
        return organisation, party_code
    own = viewer.organisation
    if (organisation and organisation != own.code) or (party_code and party_code != own.party.code):
        raise refuse(
            request.user, "see another organisation's items", details={"organisation": organisation or party_code}
        )
    return own.code, None


def item_rows(found: list[dict], viewer_user) -> list[dict]:
    """The items with their incident's title where the viewer may read it, and the reviewer timeline's
    address where the viewer may know of the incident (incidents/visibility.py)."""
    ids = {row["incident_id"] for row in found if row.get("incident_id")}
    known = {
        incident.pk: (incident.reference, incident.title if incident.content_visible else None)
        for incident in visible_incidents(viewer_user, Incident.objects.filter(pk__in=ids))
    }
    rows = []
    for row in found:
        reference, title = known.get(row.get("incident_id"), (None, None))
        rows.append(
            {
                **{column.key: row.get(column.key) for column in ITEM_COLUMNS if column.key != "title"},
                "exercise": row.get("exercise"),
                "title": title,
                "late_text": shown(row.get("late_by_s"), "duration") if row.get("late_by_s") is not None else "",
                "timeline": reverse("review:incident-timeline", args=[reference]) if reference else "",
            }
        )
    return rows


@login_required
def item_list(request):
    viewer = _viewer(request)
    form = _read_period(request)
    figure = request.GET.get("figure", "")
    context = {"form": form, "viewer": viewer, "figure": figure, "page": "items", "columns": ITEM_COLUMNS}
    try:
        chosen = _format(request)
        if figure not in ITEM_FIGURES:
            raise BadRequest(
                f"{figure[:40] or 'No figure'} is not a figure with items: follow a figure's link on the dashboard."
            )
        organisation, party_code = _item_scope(request, viewer)
    except BadRequest as problem:
        return _refused_page(request, "review/items.html", context, str(problem))
    if not form.is_valid():
        return render(request, "review/items.html", context, status=400)
    period = form.chosen
    rows = item_rows(items(period, figure, organisation_code=organisation, party_code=party_code), request.user)
    what = organisation or party_code or "every party"
    if chosen != "html":
        columns = [*ITEM_COLUMNS, Column("exercise", "exercise", "text"), Column("timeline", "timeline", "text")]
        export = [{key: value for key, value in row.items() if key != "late_text"} for row in rows]
        return _download(request, period, f"items:{figure}", chosen, columns, export, {"figure": figure, "of": what})
    _opened(request, period, f"items:{figure}")
    where = {
        "figure": figure,
        **({"organisation": organisation} if organisation else {"party": party_code} if party_code else {}),
    }
    return render(
        request,
        "review/items.html",
        {
            **context,
            **_page(period, where),
            "form": form.shown(),
            "period_only": urlencode(period_query(period)),
            "rows": rows,
            "label": ITEM_FIGURES[figure],
            "of": what,
            "party_code": party_code
            or Organisation.objects.filter(code=organisation).values_list("party__code", flat=True).first()
            or "",
        },
    )
