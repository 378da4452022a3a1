"""TLP 2.0: the source sets the label. Only the originating organisation changes an incident's TLP (lowers
or raises it); nobody else, the commission administrator included, on the console, through the API or
by calling the action. A refusal is recorded and the content stays withheld."""

import pytest
from django.core.exceptions import PermissionDenied

from hotline.audit.models import AuditEntry
from incidents.actions import do_change_tlp
from incidents.models import Incident
from tests.accounts.world import person
from tests.incidents.conftest import make_key_client, report

INCIDENTS = "/api/v1/incidents/"


@pytest.fixture
def red_report(api_world, settings, tmp_path):
    """RS-CERT's RED report to HR-CERT."""
    settings.OTP_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path
    return report("rs-cert-duty", ["HR-CERT"], tlp="RED", title="Secret title")


def tlp_of(incident: Incident) -> str:
    return Incident.objects.get(pk=incident.pk).tlp


def refusals() -> list[dict]:
    return [entry.content["details"] for entry in AuditEntry.objects.filter(action="access.refused").order_by("seq")]


def assert_the_commission_and_the_observers_cannot_read_it(incident: Incident) -> None:
    commission = make_key_client("WBC-SEC").get(f"{INCIDENTS}{incident.pk}/")
    assert commission.status_code == 200 and commission.json()["content_withheld"] is True
    assert commission.json()["title"] is None
    assert make_key_client("OSCE-CPC").get(f"{INCIDENTS}{incident.pk}/").status_code == 404


def test_the_commission_administrator_cannot_lower_another_partys_red_report_on_the_console(red_report, client):
    client.force_login(person("wbc-sec-admin"))
    page = client.get(f"/incidents/{red_report.reference}/").content.decode()
    assert "Change TLP" not in page and "Change status" in page
    response = client.post(f"/incidents/{red_report.reference}/tlp/", {"tlp": "CLEAR"})
    assert response.status_code == 403
    assert "only the originating organisation (RS-CERT) changes its label" in response.content.decode()
    assert tlp_of(red_report) == "RED"
    assert refusals()[-1]["incident"] == red_report.reference
    assert "TLP" in refusals()[-1]["what"]
    assert_the_commission_and_the_observers_cannot_read_it(red_report)


def test_the_commission_administrator_cannot_lower_another_partys_red_report_through_the_api(
    red_report, api_person_client
):
    response = api_person_client("wbc-sec-admin").patch(
        f"{INCIDENTS}{red_report.pk}/", {"tlp": "CLEAR"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "RS-CERT" in response.json()["detail"]
    assert tlp_of(red_report) == "RED"
    assert refusals()[-1]["incident"] == red_report.reference
    assert_the_commission_and_the_observers_cannot_read_it(red_report)


def test_the_commission_administrator_still_changes_the_status_but_not_with_the_tlp(red_report, api_person_client):
    admin = api_person_client("wbc-sec-admin")
    both = admin.patch(f"{INCIDENTS}{red_report.pk}/", {"status": "monitoring", "tlp": "GREEN"}, "application/json")
    assert both.status_code == 403
    assert Incident.objects.get(pk=red_report.pk).status != "monitoring"
    status = admin.patch(f"{INCIDENTS}{red_report.pk}/", {"status": "monitoring"}, content_type="application/json")
    assert status.status_code == 200 and status.json()["tlp"] == "RED"


def test_the_action_itself_refuses_a_tlp_change_by_anyone_but_the_originator(red_report):
    with pytest.raises(PermissionDenied):
        do_change_tlp(person("wbc-sec-admin"), red_report, "CLEAR")
    assert tlp_of(red_report) == "RED"


@pytest.mark.parametrize("tlp", ["CLEAR", "AMBER+STRICT"])
def test_a_recipient_neither_lowers_nor_raises_the_tlp(red_report, tlp):
    incident = report("rs-cert-duty", ["HR-CERT"], tlp="AMBER")
    response = make_key_client("HR-CERT").patch(f"{INCIDENTS}{incident.pk}/", {"tlp": tlp})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert tlp_of(incident) == "AMBER"


def test_the_originator_lowers_its_red_report_on_the_console_and_through_the_api(red_report, client):
    client.force_login(person("rs-cert-duty"))
    assert "Change TLP" in client.get(f"/incidents/{red_report.reference}/").content.decode()
    client.post(f"/incidents/{red_report.reference}/tlp/", {"tlp": "AMBER"})
    assert tlp_of(red_report) == "AMBER"
    response = make_key_client("RS-CERT").patch(f"{INCIDENTS}{red_report.pk}/", {"tlp": "CLEAR"})
    assert response.status_code == 200 and response.json()["tlp"] == "CLEAR"
    assert make_key_client("OSCE-CPC").get(f"{INCIDENTS}{red_report.pk}/").json()["title"] == "Secret title"
    assert refusals() == []
