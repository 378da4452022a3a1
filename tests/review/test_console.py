"""The review's console pages show the figures of a month of real traffic (tests/review/traffic.py, whose
figures tests/review/test_figures.py works out by hand): the dashboard, a party's page, the items behind a
figure, and the CSV and JSON of each; who sees which of them; what is recorded; and a bad query is a page
that says why (400), never a server error."""

import csv
import io
import json
from html.parser import HTMLParser

import pytest
import time_machine
from django.db.models import Max

from hotline.audit.models import AuditEntry
from incidents.actions import do_change_tlp
from incidents.models import Incident
from tests.accounts.world import person
from tests.review.traffic import AFTER, hr_cert_webhooks

pytestmark = pytest.mark.django_db

# The period as the pages name it: its instants in the service's zone (CET), as the figures do.
SINCE, UNTIL = "2026-11-01T00:00:00+01:00", "2026-12-01T00:00:00+01:00"
NOVEMBER = f"{SINCE}/{UNTIL}"
TITLE = "Drone over the border crossing"  # every incident of the month's traffic bears it


@pytest.fixture
def month(month, settings):
    """The known-answer month (tests/review/conftest.py), in which C (acknowledged late by HR-CERT)
    becomes RED: for the named recipients alone."""
    settings.OTP_REQUIRED = False
    made = month
    with time_machine.travel(AFTER, tick=False):
        do_change_tlp(person("rs-cert-duty"), made["C"], "RED")
    return made


@pytest.fixture
def at_after():
    with time_machine.travel(AFTER, tick=False):
        yield


def looking(client, username):
    client.force_login(person(username))
    return client


class Cells(HTMLParser):
    """{row's data-testid: {data-figure: text}} of a page's main-figures table, and the rows' headers."""

    def __init__(self):
        super().__init__()
        self.rows, self.headers, self.row, self.figure, self.header = {}, {}, None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and (attrs.get("data-testid") or "").startswith("row-"):
            self.row = attrs["data-testid"].removeprefix("row-")
            self.rows[self.row], self.headers[self.row] = {}, ""
        elif tag == "td" and self.row and attrs.get("data-figure"):
            self.figure = attrs["data-figure"]
            self.rows[self.row][self.figure] = ""
        elif tag == "th" and self.row:
            self.header = True

    def handle_endtag(self, tag):
        if tag == "td":
            self.figure = None
        elif tag == "th":
            self.header = False
        elif tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.row and self.figure:
            self.rows[self.row][self.figure] += data.strip()
        elif self.row and self.header:
            self.headers[self.row] += data


def main_cells(response) -> dict:
    parser = Cells()
    parser.feed(response.content.decode())
    return parser.rows


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def entries(month):
    """The entries of an action recorded since the month was built: the log is append-only and outlives
    the flushes between other (transactional) tests, so a test reads only its own."""
    start = AuditEntry.objects.aggregate(last=Max("seq"))["last"] or 0

    def recorded(action: str) -> list[dict]:
        return [entry.content for entry in AuditEntry.objects.filter(action=action, seq__gt=start).order_by("seq")]

    return recorded


# --- what the pages show ---------------------------------------------------------------------------------


def test_the_dashboard_shows_each_partys_main_figures_of_last_month_and_records_the_opening(
    month, client, at_after, entries
):
    response = looking(client, "wbc-sec-reviewer").get("/review/?period=last_month")
    assert response.status_code == 200
    html = response.content.decode()
    assert "November 2026" in html
    cells = main_cells(response)
    assert set(cells) == {"AL", "BA", "HR", "XK", "ME", "MK", "RS", "median"}
    hr = cells["HR"]
    assert (hr["owed"], hr["within_deadline_share"], hr["ack_p50_s"], hr["ack_p90_s"], hr["open"]) == (
        "5",
        "60 %",
        "2 min",
        "30 min",
        "1",
    )
    assert (hr["reached_level_3"], hr["deliveries_failed"], hr["reply_share"]) == (
        "1",
        str(hr_cert_webhooks()),
        "100 %",
    )
    assert (hr["reachability_share"], hr["checks_missed"]) == ("50 %", "1")
    assert cells["RS"]["exercise_on_time_share"] == "0 %", "RS-MOD's exercise was notified 12 days late"
    assert cells["AL"]["within_deadline_share"] == "—", "Albania owed nothing"
    assert cells["median"]["within_deadline_share"] == "60 %"
    # Each figure links to the items behind it, for the same period.
    assert (
        "/review/items/?figure=acknowledgements.late&amp;party=HR&amp;since=2026-11-01T00%3A00%3A00%2B01%3A00" in html
    )
    assert '<a href="/review/parties/HR/?since=' in html
    assert (
        'href="/review/report.pdf?since=2026-11-01T00%3A00%3A00%2B01%3A00&amp;until=2026-12-01T00%3A00%3A00%2B01%3A00"'
        in html
    )
    [opened] = entries("review.opened")
    assert opened["actor"] == "wbc-sec-reviewer"
    assert opened["details"] == {"period": NOVEMBER, "exercise": False, "page": "dashboard"}


def test_the_dashboard_downloads_hold_the_same_figures_and_are_recorded(month, client, at_after, entries):
    reviewer = looking(client, "wbc-sec-reviewer")
    rows = {row["code"]: row for row in csv_rows(reviewer.get("/review/?period=last_month&format=csv"))}
    assert rows["HR"]["owed"] == "5" and rows["HR"]["within_deadline_share"] == "0.6"
    assert rows["HR"]["ack_p90_s"] == "1800" and rows["HR"]["name"] == "Croatia"
    assert rows[""]["row"] == "median" and rows[""]["within_deadline_share"] == "0.6"
    answer = reviewer.get("/review/?period=last_month&format=json")
    assert answer["Content-Disposition"].startswith("attachment;")
    body = json.loads(answer.content)
    assert (body["table"], body["since"], body["exercise"]) == ("parties", SINCE, False)
    hr = next(row for row in body["rows"] if row["code"] == "HR")
    assert hr["owed"] == 5 and hr["within_deadline_share"] == 0.6 and hr["reached_level_3"] == 1
    trend = json.loads(reviewer.get("/review/?period=last_month&format=json&table=trend").content)
    assert [row["month"] for row in trend["rows"] if row["code"] == "HR"][-1] == "2026-11", "12 months up to November"
    assert len({row["month"] for row in trend["rows"]}) == 12
    november = next(row for row in trend["rows"] if row["month"] == "2026-11" and row["code"] == "HR")
    assert november["owed"] == 5 and november["within_deadline_share"] == 0.6
    assert [entry["details"] for entry in entries("review.exported")] == [
        {"table": "parties", "format": "csv", "period": NOVEMBER, "exercise": False},
        {"table": "parties", "format": "json", "period": NOVEMBER, "exercise": False},
        {"table": "trend", "format": "json", "period": NOVEMBER, "exercise": False},
    ]
    assert entries("review.opened") == [], "a download is an export, not an opening"


def test_exercise_traffic_is_shown_apart_from_real_traffic(month, client, at_after, entries):
    response = looking(client, "wbc-sec-reviewer").get("/review/?period=last_month&exercise=true")
    hr = main_cells(response)["HR"]
    assert (hr["owed"], hr["within_deadline_share"], hr["ack_p50_s"]) == ("1", "0 %", "20 min"), "the drill F only"
    assert hr["reachability_share"] == "—" and hr["checks_missed"] == "—", "checks are not drills"
    assert "EXERCISE traffic only" in response.content.decode()
    assert entries("review.opened")[0]["details"]["exercise"] is True


def test_a_partys_page_shows_every_figure_of_its_organisations(month, client, at_after, entries):
    reviewer = looking(client, "wbc-sec-reviewer")
    response = reviewer.get("/review/parties/HR/?period=last_month")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Acknowledged by",
        "Acknowledgements by severity",
        "Night",
        "Escalation",
        "Requests for assistance",
    ):
        assert heading in html
    cells = main_cells(response)
    assert set(cells) == {"HR", "HR-CERT", "HR-MOD", "median"}
    assert cells["HR-CERT"]["within_deadline_share"] == "60 %" and cells["HR-MOD"]["checks_missed"] == "1"
    rows = {
        (row["table"], row["figure"]): row
        for row in csv_rows(reviewer.get("/review/parties/HR/?period=last_month&format=csv"))
    }
    assert rows[("acknowledgements", "acknowledgements.owed")] == {
        "table": "acknowledgements",
        "figure": "acknowledgements.owed",
        "HR": "5",
        "HR-CERT": "5",
        "HR-MOD": "0",
    }
    assert [
        rows[("by_method", f"acknowledgements.by_method.{m}")]["HR-CERT"] for m in ("console", "api", "link", "phone")
    ] == ["1"] * 4
    assert rows[("by_time_of_day", "acknowledgements.by_time_of_day.night.p50_s")]["HR-CERT"] == "1200"
    assert rows[("escalation", "escalation.reached_level_3")]["HR-CERT"] == "1"
    assert rows[("reachability", "reachability.missed")]["HR-MOD"] == "1"
    assert rows[("notifications", "notifications.version_acknowledgements.given_share")]["HR-MOD"] == "0.5"
    body = json.loads(reviewer.get("/review/parties/HR/?period=last_month&format=json").content)
    owed = next(row for row in body["rows"] if row["figure"] == "acknowledgements.by_severity.critical.owed")
    assert owed["HR-CERT"] == 1 and body["table"] == "party:HR"
    assert [entry["details"]["page"] for entry in entries("review.opened")] == ["party:HR"]
    assert [entry["details"]["table"] for entry in entries("review.exported")] == ["party:HR", "party:HR"]


def test_the_items_behind_a_figure_show_titles_only_where_the_viewer_may_read_the_incident(
    month, client, at_after, entries
):
    late = month["C"]  # acknowledged late by HR-CERT, now RED
    query = "/review/items/?figure=acknowledgements.late&organisation=HR-CERT&period=last_month"
    reviewer = looking(client, "wbc-sec-reviewer")
    page = reviewer.get(query).content.decode()
    assert f"{late.reference} #1" in page and "15 min" in page and "TLP:RED" in page
    assert TITLE not in page and "content withheld" in page, "RED is for the named recipients alone"
    assert f'href="/review/incidents/{late.reference}/timeline/"' in page
    assert "Acknowledgements given late: 1" in page
    [row] = json.loads(reviewer.get(query + "&format=json").content)["rows"]
    assert row["reference"] == f"{late.reference} #1" and row["late_by_s"] == 900 and row["title"] is None
    assert TITLE not in reviewer.get(query + "&format=csv").content.decode()
    on_time = reviewer.get(
        "/review/items/?figure=acknowledgements.within_deadline&organisation=HR-CERT&period=last_month"
    )
    assert TITLE in on_time.content.decode(), "the commission reads AMBER incidents"

    recipient = looking(client, "hr-cert-supervisor")
    page = recipient.get(query).content.decode()
    assert f"{late.reference} #1" in page and TITLE in page, "the recipient reads its own RED incident"
    [row] = json.loads(recipient.get(query + "&format=json").content)["rows"]
    assert row["title"] == TITLE
    assert [entry["details"]["page"] for entry in entries("review.opened")] == [
        "items:acknowledgements.late",
        "items:acknowledgements.within_deadline",
        "items:acknowledgements.late",
    ]
    assert [entry["details"]["table"] for entry in entries("review.exported")] == ["items:acknowledgements.late"] * 3


def test_a_title_a_spreadsheet_would_run_as_a_formula_is_written_as_text_in_the_csv(month, client, at_after):
    Incident.objects.filter(pk=month["A"].pk).update(title='=HYPERLINK("http://127.0.0.1/x","logs")')
    reviewer = looking(client, "wbc-sec-reviewer")
    query = "/review/items/?figure=acknowledgements.within_deadline&organisation=HR-CERT&period=last_month"
    titles = [row["title"] for row in csv_rows(reviewer.get(query + "&format=csv"))]
    assert '\'=HYPERLINK("http://127.0.0.1/x","logs")' in titles
    [row] = [r for r in json.loads(reviewer.get(query + "&format=json").content)["rows"] if r["title"]][:1]
    assert row["title"].startswith("=HYPERLINK"), "JSON keeps the text as it is"


# --- who sees what ---------------------------------------------------------------------------------------


def test_a_supervisor_sees_the_own_organisation_beside_the_regional_median_and_no_other_party(
    month, client, at_after, entries
):
    supervisor = looking(client, "hr-cert-supervisor")
    response = supervisor.get("/review/?period=last_month")
    assert response.status_code == 200
    cells = main_cells(response)
    assert set(cells) == {"HR-CERT", "median"}
    assert cells["HR-CERT"]["within_deadline_share"] == "60 %" and cells["median"]["within_deadline_share"] == "60 %"
    html = response.content.decode()
    for other in ("Serbia", "Albania", "Montenegro", "RS-CERT", "HR-MOD"):
        assert other not in html, other
    assert [row["code"] for row in csv_rows(supervisor.get("/review/?period=last_month&format=csv"))] == ["HR-CERT", ""]
    trend = json.loads(supervisor.get("/review/?period=last_month&format=json&table=trend").content)
    assert {(row["row"], row["code"]) for row in trend["rows"]} == {("median", "")}

    own_party = supervisor.get("/review/parties/HR/?period=last_month")
    assert own_party.status_code == 200 and set(main_cells(own_party)) == {"HR-CERT", "median"}
    assert "HR-MOD" not in own_party.content.decode(), "not even the own party's other organisation"
    assert supervisor.get("/review/parties/RS/").status_code == 403
    assert supervisor.get("/review/parties/HR/?format=csv").content.decode().splitlines()[0] == "table,figure,HR-CERT"
    assert supervisor.get("/review/items/?figure=acknowledgements.late&organisation=HR-MOD").status_code == 403
    assert supervisor.get("/review/items/?figure=acknowledgements.late&party=RS").status_code == 403
    mine = json.loads(
        supervisor.get("/review/items/?figure=escalation.reached_level_1&period=last_month&format=json").content
    )
    assert {row["organisation"] for row in mine["rows"]} == {"HR-CERT"} and mine["of"] == "HR-CERT"
    refused = entries("access.refused")
    assert [entry["details"]["what"] for entry in refused] == [
        "see another party's figures",
        "see another organisation's items",
        "see another organisation's items",
    ]


@pytest.mark.parametrize("username", ["hr-cert-duty", "wbc-sec-duty", "osce-cpc-supervisor", "osce-cpc-duty"])
def test_duty_officers_and_observers_may_open_no_review(month, client, at_after, username, entries):
    viewer = looking(client, username)
    for path in (
        "/review/",
        "/review/?format=csv",
        "/review/parties/HR/",
        "/review/items/?figure=acknowledgements.late",
    ):
        response = viewer.get(path)
        assert response.status_code == 403, path
        assert TITLE not in response.content.decode()
    assert 'href="/review/"' not in viewer.get("/").content.decode(), "no Review in the navigation"
    assert entries("review.opened") == [] and entries("review.exported") == []
    assert len(entries("access.refused")) == 4


def test_the_navigation_offers_the_review_to_those_who_may_open_it(month, client):
    for username in ("wbc-sec-reviewer", "wbc-sec-admin", "hr-cert-supervisor", "rs-mod-head"):
        assert '<a href="/review/">Review</a>' in looking(client, username).get("/").content.decode(), username


# --- bad queries ------------------------------------------------------------------------------------------

BAD_QUERIES = {
    "?since=2026-13-01&until=2026-12-01": "is not a date",
    "?since=yesterday&until=2026-12-01": "is not a date",
    "?period=custom&since=2026-11-01": "needs both dates",
    "?since=2026-11-05&until=2026-11-01": "ends before it begins",
    "?since=2024-01-01&until=2026-01-01": "A period is at most 400 days",
    "?since=1900-01-01&until=1900-02-01": "is not a date",
    "?since=2026-11-01T00:00:00&until=2026-12-01T00:00:00": "is not a date",  # an instant without its offset
    "?period=fortnight": "is not a period the review knows",
    "?exercise=maybe": "traffic is real",
    "?format=xml": "is not a download the review offers",
    "?table=secrets&format=csv": "is not a table of the dashboard",
}


@pytest.mark.parametrize("page", ["/review/", "/review/parties/HR/", "/review/items/?figure=acknowledgements.late&"])
def test_a_bad_query_is_a_page_that_says_why(month, client, page, entries):
    reviewer = looking(client, "wbc-sec-reviewer")
    for query, problem in BAD_QUERIES.items():
        if query.startswith("?table") and page != "/review/":
            continue
        path = page + query[1:] if page.endswith("&") else page + query
        response = reviewer.get(path)
        assert response.status_code == 400, path
        assert problem in response.content.decode(), path
    assert entries("review.opened") == [] and entries("review.exported") == []


def test_the_items_page_refuses_what_is_not_a_figure_or_an_organisation(month, client):
    reviewer = looking(client, "wbc-sec-reviewer")
    for path, problem in {
        "/review/items/": "No figure is not a figure with items",
        "/review/items/?figure=acknowledgements.title": "is not a figure with items",
        "/review/items/?figure=acknowledgements.late&organisation=XX-NOPE": "There is no organisation XX-NOPE",
        "/review/items/?figure=acknowledgements.late&party=ZZ": "There is no party ZZ",
    }.items():
        response = reviewer.get(path)
        assert response.status_code == 400 and problem in response.content.decode(), path
    assert reviewer.get("/review/parties/NOPE/").status_code == 404


def test_the_dashboard_draws_its_charts_on_the_server_with_the_numbers_in_words(month, client, at_after):
    html = looking(client, "wbc-sec-reviewer").get("/review/?period=last_month").content.decode()
    assert 'aria-label="Acknowledged within the deadline. AL: no data;' in html
    assert "HR: 60 per cent;" in html and "Median: 60 per cent." in html
    # Each party's 12-month sparkline: November is Croatia's only month with anything owed.
    assert "Croatia: acknowledged within the deadline, month by month. 2025-12: no data;" in html
    assert "2026-11: 60 per cent." in html
