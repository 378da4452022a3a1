"""Exercise notifications through the real actions in the demo world: who receives them, what is
computed and kept, amendments and cancellations as versions every recipient acknowledges, observation
invitations, the acknowledgement clocks of the escalation engine, the audit log and who sees what."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from hotline.audit.models import AuditEntry
from hotline.audit.verify import verify_log
from hotline.escalation.choices import Severity, TimerState
from hotline.escalation.engine import tick
from hotline.escalation.models import Page, Timer
from hotline.realtime.outbox import events_after
from incidents.notifications import borders, subjects
from incidents.notifications.actions import (
    NotAwaited,
    do_acknowledge_exercise,
    do_amend_exercise,
    do_cancel_exercise,
    do_invite_observers,
    do_notify_exercise,
    do_reply_to_invitation,
    do_set_policy,
)
from incidents.notifications.models import (
    ExerciseAcknowledgement,
    ExerciseNotification,
    NotificationPolicy,
    ObservationInvitation,
    ObservationReply,
)
from incidents.notifications.payloads import exercise_payload, with_exercise_details
from incidents.notifications.timers import EXERCISE_KIND
from incidents.notifications.visibility import access_exercise, visible_exercises
from tests.accounts.world import build_demo_world, person

NORTH_OF_BACKA_PALANKA = (19.39, 45.30)  # Serbia, about 5 km from the Danube (the Croatian border)
KRAGUJEVAC = (20.9, 44.0)  # Serbia, far from every other party
OTHER_CRISIS_CENTRES = ["AL-MOD", "BA-MOD", "HR-MOD", "ME-MOD", "MK-MOD", "XK-MOD"]
RECIPIENTS = sorted([*OTHER_CRISIS_CENTRES, "WBC-SEC"])  # in code order, as every list shows them
DAY = 86_400


@pytest.fixture
def world(db):
    build_demo_world()


def square(lon: float, lat: float, half_side_deg: float) -> dict:
    d = half_side_deg
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
        ],
    }


NEAR_THE_DANUBE = square(*NORTH_OF_BACKA_PALANKA, 0.01)


def starting_in(**delay) -> dict:
    starts_at = timezone.now() + timedelta(**delay)
    return {"starts_at": starts_at, "ends_at": starts_at + timedelta(days=5)}


def exercise(**changes) -> dict:
    """Sava Shield: a Serbian brigade exercise near the Danube, notified 60 days ahead."""
    return {
        "designation": "Sava Shield 2027",
        "exercise_type": "field_training",
        "purpose": "Brigade river-crossing drill.",
        **starting_in(days=60),
        "area": NEAR_THE_DANUBE,
        "place_names": "Bačka Palanka, Čelarevo",
        "command_level": "brigade",
        "troops": 1_800,
        "battle_tanks": 12,
        "armoured_combat_vehicles": 30,
        "artillery": 8,
        **changes,
    }


def notify(by: str = "rs-mod-duty", **changes) -> ExerciseNotification:
    return do_notify_exercise(person(by), exercise(**changes))


def recipients(version) -> list[str]:
    return list(version.acknowledgements.values_list("organisation__code", flat=True))


def pending(code: str, notification) -> list[int]:
    return sorted(
        ExerciseAcknowledgement.objects.filter(
            version__notification=notification, organisation__code=code, acknowledged_at__isnull=True
        ).values_list("version__number", flat=True)
    )


def payload(notification) -> dict:
    return exercise_payload(with_exercise_details(ExerciseNotification.objects.filter(pk=notification.pk)).get())


def timers_of(version) -> dict[str, Timer]:
    ids = list(version.acknowledgements.values_list("pk", flat=True))
    return {
        timer.recipient.code: timer
        for timer in Timer.objects.filter(subject_kind=EXERCISE_KIND, subject_id__in=ids).select_related("recipient")
    }


def audit(action: str) -> list[dict]:
    return [entry.content["details"] for entry in AuditEntry.objects.filter(action=action).order_by("seq")]


# Filing -----------------------------------------------------------------------------------------------


def test_notifications_are_numbered_within_the_year(world):
    first, second = notify(), notify("hr-mod-duty", area=square(18.5, 45.5, 0.05))
    year = timezone.now().year
    assert (first.reference, second.reference) == (f"EX-{year}-0001", f"EX-{year}-0002")


def test_every_other_partys_crisis_centre_and_the_commission_receive_it(world):
    notification = notify()
    assert recipients(notification.latest) == RECIPIENTS
    assert payload(notification)["recipients"] == RECIPIENTS


def test_a_cyber_exercise_goes_to_the_certs_too(world):
    notification = notify(exercise_type="cyber", troops=0, battle_tanks=0, armoured_combat_vehicles=0, artillery=0)
    assert recipients(notification.latest) == sorted(
        [*OTHER_CRISIS_CENTRES, *[code.replace("MOD", "CERT") for code in OTHER_CRISIS_CENTRES], "WBC-SEC"]
    )


def test_whoever_received_a_version_receives_the_next_even_when_the_type_changes(world):
    drill = notify(exercise_type="cyber")
    amended = do_amend_exercise(
        person("rs-mod-duty"), drill, {"exercise_type": "command_post"}, reason="Run as a command post exercise."
    )
    certs = [code for code in recipients(amended) if code.endswith("-CERT")]
    assert certs == ["AL-CERT", "BA-CERT", "HR-CERT", "ME-CERT", "MK-CERT", "XK-CERT"]
    do_acknowledge_exercise(person("hr-cert-duty"), drill)
    assert pending("HR-CERT", drill) == []  # acknowledging v2 closes v1 too: nothing waits for ever


def test_the_reasons_and_nearby_borders_are_stored_with_the_boundary_version_and_the_policy(world):
    notification = notify()
    version = notification.latest
    assert [reason["code"] for reason in version.notifiable_reasons] == ["troops", "troops_near_border"]
    assert version.near_borders == [
        {"party": "HR", "distance_m": round(borders.distance_to_border(NEAR_THE_DANUBE, "HR"), 1)}
    ]
    assert version.boundary_version == borders.active().version
    assert version.policy == NotificationPolicy().snapshot()
    assert version.late_by_s is None
    [details] = audit("exercise.notified")
    assert details == {
        "notification": notification.reference,
        "version": 1,
        "kind": "notice",
        "notifiable": ["troops", "troops_near_border"],
        "late_by_s": None,
        "boundary_version": borders.active().version,
    }


def test_an_exercise_below_every_threshold_is_filed_all_the_same(world):
    notification = notify(
        troops=200, battle_tanks=0, armoured_combat_vehicles=0, artillery=0, area=square(*KRAGUJEVAC, 0.05)
    )
    assert notification.latest.notifiable_reasons == [] and notification.latest.near_borders == []
    assert payload(notification)["notifiable"] is False
    assert len(recipients(notification.latest)) == 7


def test_a_policy_change_applies_to_what_is_filed_afterwards_only(world):
    before = notify()
    do_set_policy(person("wbc-sec-admin"), {"troops": 2_000, "border_troops": 2_000})
    after = notify()
    before.latest.refresh_from_db()
    assert [reason["code"] for reason in before.latest.notifiable_reasons] == ["troops", "troops_near_border"]
    assert before.latest.policy["troops"] == 1_500
    assert after.latest.notifiable_reasons == [] and after.latest.policy["troops"] == 2_000


def test_a_late_notice_is_accepted_and_flagged_in_days(world):
    notification = notify(**starting_in(days=10, hours=12))  # 31.5 days inside the 42-day notice period
    late = notification.latest.late_by_s
    assert 31.5 * DAY < late <= 31.5 * DAY + 60  # and the moments the test took to file it
    assert payload(notification)["late_by_text"] == "late by 32 days"
    assert audit("exercise.notified")[0]["late_by_s"] == late


def test_an_exercise_that_has_already_ended_is_refused(world):
    with pytest.raises(ValidationError, match="already ended"):
        notify(starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(seconds=1))
    assert not ExerciseNotification.objects.exists() and audit("exercise.notified") == []


# Amendments -------------------------------------------------------------------------------------------


def test_an_amendment_is_a_new_version_that_shows_what_changed(world):
    notification = notify()
    version = do_amend_exercise(
        person("rs-mod-duty"),
        notification,
        {"troops": 2_400, "place_names": "Bačka Palanka"},
        reason="A second battalion joins.",
    )
    assert (version.number, version.kind, version.reason) == (2, "amendment", "A second battalion joins.")
    changes = payload(notification)["versions"][1]["changes"]
    assert [(c["field"], c["before"], c["after"]) for c in changes] == [
        ("place_names", "Bačka Palanka, Čelarevo", "Bačka Palanka"),
        ("troops", 1_800, 2_400),
    ]
    assert all(pending(code, notification) == [1, 2] for code in RECIPIENTS)
    [details] = audit("exercise.amended")
    assert details["version"] == 2 and details["changed"] == ["place_names", "troops"]


def test_an_amendment_needs_a_reason_and_a_change(world):
    notification = notify()
    with pytest.raises(ValidationError, match="Say why"):
        do_amend_exercise(person("rs-mod-duty"), notification, {"troops": 2_400}, reason=" ")
    with pytest.raises(ValidationError, match="changes nothing"):
        do_amend_exercise(person("rs-mod-duty"), notification, {"troops": 1_800}, reason="Same again.")
    assert notification.versions.count() == 1


def test_an_amendment_stops_the_clocks_of_the_version_it_supersedes(world):
    notification = notify()
    first = notification.latest
    second = do_amend_exercise(person("rs-mod-duty"), notification, {"troops": 2_400}, reason="Reinforced.")
    assert {timer.state for timer in timers_of(first).values()} == {TimerState.CANCELLED}
    assert {timer.stopped_by_label for timer in timers_of(first).values()} == {"superseded by v2"}
    assert {timer.state for timer in timers_of(second).values()} == {TimerState.RUNNING}
    assert sorted(timers_of(second)) == RECIPIENTS


def test_acknowledging_the_amendment_acknowledges_the_version_it_supersedes(world):
    notification = notify()
    do_amend_exercise(person("rs-mod-duty"), notification, {"troops": 2_400}, reason="Reinforced.")
    given = do_acknowledge_exercise(person("hr-mod-duty"), notification, version_number=2)
    assert sorted(a.version.number for a in given) == [1, 2]
    assert pending("HR-MOD", notification) == [] and pending("AL-MOD", notification) == [1, 2]
    assert audit("exercise.acknowledged")[0]["versions"] == [1, 2]


def test_acknowledging_the_first_version_leaves_the_amendment_waiting(world):
    notification = notify()
    second = do_amend_exercise(person("rs-mod-duty"), notification, {"troops": 2_400}, reason="Reinforced.")
    do_acknowledge_exercise(person("hr-mod-duty"), notification, version_number=1)
    assert pending("HR-MOD", notification) == [2]
    assert timers_of(second)["HR-MOD"].state == TimerState.RUNNING


def test_an_acknowledgement_given_twice_is_refused_the_second_time(world):
    notification = notify()
    officer = person("hr-mod-duty")
    do_acknowledge_exercise(officer, notification)
    with pytest.raises(NotAwaited):
        do_acknowledge_exercise(officer, notification)
    with pytest.raises(NotAwaited):
        do_acknowledge_exercise(person("hr-mod-supervisor"), notification, version_number=1)
    assert len(audit("exercise.acknowledged")) == 1


@pytest.mark.parametrize(
    "username", ["rs-mod-duty", "hr-cert-duty", "osce-cpc-duty"], ids=["the notifier", "a CERT", "an observer"]
)
def test_only_a_recipient_acknowledges(world, username):
    notification = notify()
    with pytest.raises(NotAwaited):
        do_acknowledge_exercise(person(username), notification)


def test_postponing_keeps_the_lateness_of_the_original_notice(world):
    notification = notify(**starting_in(days=10))
    late = notification.latest.late_by_s
    postponed = notification.latest.starts_at + timedelta(days=7)
    version = do_amend_exercise(
        person("rs-mod-duty"),
        notification,
        {"starts_at": postponed, "ends_at": postponed + timedelta(days=5)},
        reason="Weather.",
    )
    assert version.late_by_s == late  # judged anew it would be 7 days less late


def test_postponing_an_on_time_notice_keeps_it_on_time(world):
    notification = notify()
    postponed = notification.latest.starts_at + timedelta(days=30)
    version = do_amend_exercise(
        person("rs-mod-duty"),
        notification,
        {"starts_at": postponed, "ends_at": postponed + timedelta(days=5)},
        reason="Weather.",
    )
    assert version.late_by_s is None


def test_bringing_an_exercise_forward_is_judged_anew(world):
    notification = notify()  # on time: 60 days ahead
    still_on_time = do_amend_exercise(person("rs-mod-duty"), notification, starting_in(days=50), reason="Earlier slot.")
    assert still_on_time.late_by_s is None
    late = do_amend_exercise(
        person("rs-mod-duty"), notification, starting_in(days=30, hours=12), reason="Earlier still."
    )
    assert 11.5 * DAY < late.late_by_s <= 11.5 * DAY + 60
    assert payload(notification)["late_by_text"] == "late by 12 days"


# Cancellation -----------------------------------------------------------------------------------------


def test_a_cancellation_is_a_version_every_recipient_acknowledges(world):
    notification = notify()
    version = do_cancel_exercise(person("rs-mod-duty"), notification, reason="Budget withdrawn.")
    notification.refresh_from_db()
    assert (version.number, version.kind, version.late_by_s) == (2, "cancellation", None)
    assert notification.cancelled and notification.latest == version
    assert recipients(version) == RECIPIENTS
    assert sorted(timers_of(version)) == RECIPIENTS
    assert payload(notification)["state"] == "cancelled"
    assert audit("exercise.cancelled")[0]["kind"] == "cancellation"
    do_acknowledge_exercise(person("hr-mod-duty"), notification)
    assert pending("HR-MOD", notification) == []


def test_a_cancelled_notification_cannot_be_amended_cancelled_again_or_observed(world):
    notification = notify()
    do_cancel_exercise(person("rs-mod-duty"), notification, reason="Budget withdrawn.")
    officer = person("rs-mod-duty")
    with pytest.raises(ValidationError, match="is cancelled"):
        do_amend_exercise(officer, notification, {"troops": 900}, reason="Smaller after all.")
    with pytest.raises(ValidationError, match="is cancelled"):
        do_cancel_exercise(officer, notification, reason="Again.")
    with pytest.raises(ValidationError, match="is cancelled"):
        invite(notification)
    assert notification.versions.count() == 2


def test_a_cancellation_needs_a_reason(world):
    notification = notify()
    with pytest.raises(ValidationError, match="Say why"):
        do_cancel_exercise(person("rs-mod-duty"), notification, reason="")
    notification.refresh_from_db()
    assert not notification.cancelled


# Observation invitations ------------------------------------------------------------------------------


def invite(notification, observers_per_party: int = 2, reply_in=timedelta(days=20)) -> ObservationInvitation:
    starts_at = notification.latest.starts_at if notification.latest_id else timezone.now() + timedelta(days=60)
    return do_invite_observers(
        person("rs-mod-duty"),
        notification,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=2),
        reporting_point="Bačka Palanka barracks, 07:00 on the first day",
        observers_per_party=observers_per_party,
        reply_by=timezone.now() + reply_in,
    )


def reply(invitation, username: str, answer: str, observers=()) -> ObservationReply:
    return do_reply_to_invitation(person(username), invitation, answer=answer, observers=list(observers))


def test_a_party_accepts_naming_up_to_the_observers_invited(world):
    invitation = invite(notify(), observers_per_party=2)
    accepted = reply(invitation, "hr-mod-duty", "accepted", ["Col. Ana Vuković", "Maj. Luka Babić"])
    assert (accepted.answer, accepted.observers, accepted.organisation.code) == (
        "accepted",
        ["Col. Ana Vuković", "Maj. Luka Babić"],
        "HR-MOD",
    )
    with pytest.raises(ValidationError, match="At most 2 observers"):
        reply(invitation, "al-mod-duty", "accepted", ["One", "Two", "Three"])
    with pytest.raises(ValidationError, match="Name the observers"):
        reply(invitation, "al-mod-duty", "accepted", [" "])


def test_a_party_declines_without_names(world):
    invitation = invite(notify())
    assert reply(invitation, "me-mod-duty", "declined").observers == []
    with pytest.raises(ValidationError, match="names no observers"):
        reply(invitation, "al-mod-duty", "declined", ["Somebody"])
    with pytest.raises(ValidationError, match="The answer is one of"):
        reply(invitation, "al-mod-duty", "maybe")


def test_a_party_may_change_its_answer_until_the_reply_by_date(world):
    invitation = invite(notify())
    reply(invitation, "hr-mod-duty", "declined")
    reply(invitation, "hr-mod-duty", "accepted", ["Col. Ana Vuković"])
    [kept] = ObservationReply.objects.filter(invitation=invitation)
    assert (kept.organisation.code, kept.answer, kept.observers) == ("HR-MOD", "accepted", ["Col. Ana Vuković"])
    assert [details["answer"] for details in audit("exercise.invitation_answered")] == ["declined", "accepted"]


def test_a_reply_after_the_reply_by_date_is_refused(world):
    invitation = invite(notify())
    reply(invitation, "hr-mod-duty", "declined")
    # The calendar moves on: the reply-by date has passed.
    ObservationInvitation.objects.filter(pk=invitation.pk).update(reply_by=timezone.now() - timedelta(seconds=1))
    invitation.refresh_from_db()
    with pytest.raises(ValidationError, match="Replies were due by"):
        reply(invitation, "hr-mod-duty", "accepted", ["Col. Ana Vuković"])
    assert ObservationReply.objects.get(invitation=invitation).answer == "declined"


@pytest.mark.parametrize(
    "username",
    ["rs-mod-duty", "hr-cert-duty", "wbc-sec-duty", "osce-cpc-duty"],
    ids=["the host", "a CERT of a non-cyber exercise", "the commission", "an observer"],
)
def test_only_the_invited_parties_reply(world, username):
    invitation = invite(notify())
    with pytest.raises(ValidationError, match="is not invited"):
        reply(invitation, username, "declined")


def test_an_invitation_needs_a_reply_by_date_in_the_future_and_before_the_observation(world):
    notification = notify()
    with pytest.raises(ValidationError, match="must lie in the future"):
        invite(notification, reply_in=timedelta(seconds=-1))
    with pytest.raises(ValidationError, match="Replies are due before the observation starts"):
        invite(notification, reply_in=timedelta(days=61))
    with pytest.raises(ValidationError):
        invite(notification, observers_per_party=0)
    assert not ObservationInvitation.objects.exists() and audit("exercise.observers_invited") == []


# The audit log ----------------------------------------------------------------------------------------


def test_every_step_appends_its_audit_entry_in_order(world):
    notification = notify()
    invitation = invite(notification)
    reply(invitation, "hr-mod-duty", "accepted", ["Col. Ana Vuković"])
    do_amend_exercise(person("rs-mod-duty"), notification, {"troops": 2_400}, reason="Reinforced.")
    do_acknowledge_exercise(person("hr-mod-duty"), notification)
    do_cancel_exercise(person("rs-mod-duty"), notification, reason="Budget withdrawn.")
    entries = AuditEntry.objects.filter(action__startswith="exercise.").order_by("seq")
    assert [(entry.action, entry.actor) for entry in entries] == [
        ("exercise.notified", "rs-mod-duty"),
        ("exercise.observers_invited", "rs-mod-duty"),
        ("exercise.invitation_answered", "hr-mod-duty"),
        ("exercise.amended", "rs-mod-duty"),
        ("exercise.acknowledged", "hr-mod-duty"),
        ("exercise.cancelled", "rs-mod-duty"),
    ]
    assert all(entry.content["details"]["notification"] == notification.reference for entry in entries)
    assert verify_log().ok


def test_audit_entries_carry_references_and_figures_not_the_purpose(world):
    notify(purpose="Rehearse crossing at the Čelarevo ford.")
    bodies = "".join(AuditEntry.objects.filter(action__startswith="exercise.").values_list("body", flat=True))
    assert "Čelarevo ford" not in bodies


# The acknowledgement clocks ---------------------------------------------------------------------------


def test_each_recipient_has_a_clock_of_its_own_for_each_version(world):
    notification = notify()
    timers = timers_of(notification.latest)
    assert sorted(timers) == RECIPIENTS
    for code, timer in timers.items():
        acknowledgement = notification.latest.acknowledgements.get(organisation__code=code)
        assert (timer.severity, timer.state, timer.sender.code) == (Severity.LOW, TimerState.RUNNING, "RS-MOD")
        assert timer.deadline == acknowledgement.due_at == timer.started_at + timedelta(hours=4)


def test_the_engine_pages_a_recipient_past_the_deadline_until_it_acknowledges(world):
    notification = notify()
    timers = timers_of(notification.latest)
    started, deadline = timers["HR-MOD"].started_at, timers["HR-MOD"].deadline

    tick(now=started)  # the console alert
    assert tick(now=deadline - timedelta(seconds=1)) == 0
    assert tick(now=deadline) == 7  # every recipient's on-duty officer, by every method
    assert list(Page.objects.filter(timer=timers["HR-MOD"]).values_list("level", flat=True)) == [0, 1]

    do_acknowledge_exercise(person("hr-mod-duty"), notification)
    timers["HR-MOD"].refresh_from_db()
    assert timers["HR-MOD"].state == TimerState.ACKNOWLEDGED and timers["HR-MOD"].stopped_by_label == "hr-mod-duty"

    assert tick(now=deadline + timedelta(minutes=10)) == 6  # the supervisors of those still silent
    assert Page.objects.filter(timer=timers["HR-MOD"]).count() == 2
    assert Page.objects.filter(timer=timers["AL-MOD"]).count() == 3


def test_acknowledging_through_the_engine_acknowledges_the_version(world):
    notification = notify()
    acknowledgement = notification.latest.acknowledgements.get(organisation__code="ME-MOD")
    subject = subjects.ExerciseAcknowledgementSubject()
    assert subject.acknowledge(acknowledgement.pk, person("me-mod-supervisor"), "console") is True
    assert subject.acknowledge(acknowledgement.pk, person("me-mod-supervisor"), "console") is False
    assert pending("ME-MOD", notification) == []
    assert timers_of(notification.latest)["ME-MOD"].state == TimerState.ACKNOWLEDGED


# Who sees what ----------------------------------------------------------------------------------------


def test_every_participant_sees_every_exercise_and_observers_see_none(world):
    notification = notify()
    for organisation in Organisation.objects.all():
        someone = organisation.people.first()
        sees = visible_exercises(someone).filter(pk=notification.pk).exists()
        assert sees == (organisation.kind != OrganisationKind.OBSERVER), organisation.code
    assert access_exercise(person("al-cert-duty"), notification.reference) == notification
    with pytest.raises(Http404):
        access_exercise(person("eu-eeas-duty"), notification.reference)


def test_every_participant_is_told_and_observers_are_not(world):
    notification = notify()
    for organisation in Organisation.objects.all():
        told = [event for event in events_after(organisation.pk, 0) if event["type"] == "exercise.notified"]
        if organisation.kind == OrganisationKind.OBSERVER:
            assert told == [], organisation.code
        else:
            assert [event["exercise_notification"]["reference"] for event in told] == [notification.reference], (
                organisation.code
            )


def test_an_exercise_longer_than_a_year_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        notify(**{"ends_at": exercise()["starts_at"] + timedelta(days=367)})
    assert "ends_at" in refused.value.message_dict


def test_an_exercise_area_far_from_every_party_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        notify(area=square(45.30, 19.39, 0.01))  # north of Bačka Palanka with longitude and latitude swapped
    assert "were they swapped" in refused.value.message_dict["area"][0]
    assert ExerciseNotification.objects.count() == 0
