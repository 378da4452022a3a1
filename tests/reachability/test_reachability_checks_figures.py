"""Per organisation, over the latest checks whose window has closed: the share answered within the window
and the median time from the check to the answer (late answers included, missed ones not)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hotline.reachability.actions import do_answer_check, do_start_check
from hotline.reachability.choices import CheckAnswerMethod
from hotline.reachability.figures import organisation_figures, with_counts
from hotline.reachability.models import CheckResponse, ReachabilityCheck
from tests.accounts.world import build_demo_world, person

pytestmark = pytest.mark.django_db

FIRST = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


@pytest.fixture
def world():
    build_demo_world()


def check_at(moment: datetime, window_minutes: int = 60) -> ReachabilityCheck:
    with time_machine.travel(moment, tick=False):
        return do_start_check(person("wbc-sec-admin"), window_minutes=window_minutes)


def answer(check: ReachabilityCheck, username: str, after: timedelta) -> None:
    answerer = person(username)
    response = CheckResponse.objects.get(reachability_check=check, organisation=answerer.organisation)
    with time_machine.travel(check.started_at + after, tick=False):
        assert do_answer_check(answerer, response, method=CheckAnswerMethod.CONSOLE)


@pytest.fixture
def three_weeks(world):
    """Three weekly checks with a one-hour window, and a fourth still open."""
    first, second, third = (check_at(FIRST + week * WEEK) for week in range(3))
    answer(first, "hr-cert-duty", timedelta(minutes=5))
    answer(second, "hr-cert-duty", timedelta(minutes=20))
    answer(third, "hr-cert-duty", timedelta(minutes=90))  # late
    answer(first, "rs-cert-duty", timedelta(minutes=10))
    fourth = check_at(FIRST + 3 * WEEK)
    answer(fourth, "rs-cert-duty", timedelta(minutes=1))
    return first, second, third, fourth


def figures_of(code, last=12, now=FIRST + 3 * WEEK + timedelta(minutes=30)):
    figures, covered = organisation_figures(last, now)
    return next(figure for figure in figures if figure.organisation.code == code), covered


def test_it_counts_answers_within_the_window_late_and_missed(three_weeks):
    hr, covered = figures_of("HR-CERT")
    assert [check.reference for check in covered] == [check.reference for check in three_weeks[2::-1]], (
        "the open fourth is left out"
    )
    assert (hr.checks, hr.answered_within_window, hr.answered_late, hr.missed) == (3, 2, 1, 0)
    assert hr.within_window_share == pytest.approx(2 / 3) and hr.within_window_percent == 67

    rs, _ = figures_of("RS-CERT")
    assert (rs.checks, rs.answered_within_window, rs.answered_late, rs.missed) == (3, 1, 0, 2)


def test_it_takes_the_median_time_to_answer_over_answered_checks_only(three_weeks):
    assert figures_of("HR-CERT")[0].median_time_to_answer == timedelta(minutes=20)  # of 5, 20 and 90 minutes
    assert figures_of("RS-CERT")[0].median_time_to_answer == timedelta(minutes=10)  # its missed checks do not count
    silent = figures_of("AL-MOD")[0]
    assert (silent.within_window_share, silent.median_time_to_answer, silent.missed) == (0, None, 3)


def test_it_covers_only_the_last_n_closed_checks(three_weeks):
    hr, covered = figures_of("HR-CERT", last=2)
    assert len(covered) == 2
    assert (hr.checks, hr.answered_within_window, hr.answered_late) == (2, 1, 1)
    assert hr.median_time_to_answer == timedelta(minutes=55)  # between 20 and 90 minutes


def test_each_check_counts_its_answers(three_weeks):
    now = FIRST + 3 * WEEK + timedelta(minutes=30)
    counted = {check.reference: check for check in with_counts(ReachabilityCheck.objects.all(), now)}
    first, _, third, fourth = three_weeks
    assert (counted[first.reference].answered, counted[first.reference].missed, counted[first.reference].total) == (
        2,
        12,
        14,
    )
    assert (counted[third.reference].answered, counted[third.reference].late) == (0, 1)
    assert (
        counted[fourth.reference].answered,
        counted[fourth.reference].pending,
        counted[fourth.reference].missed,
    ) == (1, 13, 0)
