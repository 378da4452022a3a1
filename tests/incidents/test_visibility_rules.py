"""Who sees an incident, and how much of it: the query (lists, details) and the Python rule (event
audiences) agree for every kind of organisation and every TLP, and say what DESIGN.md promises."""

import pytest

from accounts.models import Organisation
from incidents.choices import Tlp
from incidents.visibility import Sight, access_incident, sight_of, visible_incidents
from tests.accounts.world import build_demo_world, person
from tests.incidents.reports import report

# One person of each kind of organisation: originator, recipient, another party, commission, observer.
ONLOOKERS = {
    "originator": "rs-mod-duty",
    "recipient": "hr-mod-duty",
    "recipient's other organisation": "hr-cert-duty",
    "another party": "al-cert-duty",
    "commission": "wbc-sec-reviewer",
    "observer": "osce-cpc-duty",
}

EXPECTED = {  # TLP → what each onlooker sees
    Tlp.CLEAR: ["content", "content", "none", "none", "content", "content"],
    Tlp.GREEN: ["content", "content", "none", "none", "content", "content"],
    Tlp.AMBER: ["content", "content", "none", "none", "content", "none"],
    Tlp.AMBER_STRICT: ["content", "content", "none", "none", "metadata", "none"],
    Tlp.RED: ["content", "content", "none", "none", "metadata", "none"],
}


@pytest.fixture
def world(db):
    build_demo_world()


def seen_by_query(username: str, incident) -> str:
    found = visible_incidents(person(username)).filter(pk=incident.pk).first()
    if found is None:
        return "none"
    return "content" if found.content_visible else "metadata"


@pytest.mark.parametrize("tlp", list(Tlp))
def test_each_kind_of_organisation_sees_what_the_tlp_allows_and_no_more(world, tlp):
    incident = report(person("rs-mod-duty"), ["HR-MOD"], tlp=tlp)
    seen = [seen_by_query(username, incident) for username in ONLOOKERS.values()]
    assert seen == EXPECTED[tlp]


@pytest.mark.parametrize("tlp", list(Tlp))
def test_the_event_audiences_follow_the_same_rule_as_the_lists_for_every_organisation(world, tlp):
    incident = report(person("rs-mod-duty"), ["HR"], tlp=tlp)
    for organisation in Organisation.objects.all():
        someone = organisation.people.first()
        by_query = seen_by_query(someone.username, incident) if someone else None
        if by_query is not None:
            assert sight_of(organisation, incident).value == by_query, organisation.code


def test_a_party_named_as_recipient_gets_all_its_organisations(world):
    incident = report(person("rs-mod-duty"), ["HR"], tlp=Tlp.RED)
    assert sorted(incident.recipients.values_list("code", flat=True)) == ["HR-CERT", "HR-MOD"]


def test_a_party_not_addressed_cannot_learn_that_the_reference_exists(world):
    incident = report(person("rs-mod-duty"), ["HR-MOD"], tlp=Tlp.RED)
    from django.http import Http404

    with pytest.raises(Http404):
        access_incident(person("al-cert-duty"), incident.reference)
    with pytest.raises(Http404):
        access_incident(person("wbc-sec-reviewer"), incident.reference, content=True)
    assert access_incident(person("wbc-sec-reviewer"), incident.reference).content_visible is False
    assert access_incident(person("hr-mod-duty"), incident.reference, content=True) == incident


def test_sight_is_an_enumeration_of_three(world):
    assert {sight.value for sight in Sight} == {"none", "metadata", "content"}


def test_observers_cannot_be_made_recipients(world):
    from django.core.exceptions import ValidationError

    from incidents.actions import resolve_recipients

    with pytest.raises(ValidationError, match="Observers cannot be recipients: OSCE"):
        resolve_recipients(["HR-MOD", "OSCE"], person("rs-mod-duty").organisation)
