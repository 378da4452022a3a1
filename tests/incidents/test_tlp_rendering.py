"""TLP on the console's screens: every incident page, rendered as every kind of organisation at every
TLP, shows an incident's title, summary, message bodies and location exactly where incidents/visibility.py
lets the viewer read its content, and nowhere else. Two rules keep it so for pages still to come: the
views hand templates the dictionaries of incidents/payloads.py, never the models (checked on every
rendered context), and no template reads those fields but from such a dictionary (checked on the
template source)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Model, QuerySet
from django.template.base import Lexer, TokenType
from django.utils import timezone

from accounts.models import Organisation
from incidents.actions import do_post_message, do_report_incident, resolve_recipients
from incidents.choices import Tlp
from incidents.models import Acknowledgement, Attachment, Incident, IncidentRecipient, Message
from incidents.visibility import Sight, sight_of
from tests.accounts.world import build_demo_world, person

ROOT = Path(__file__).resolve().parent.parent.parent
CONTENT, METADATA, NONE = Sight.CONTENT, Sight.METADATA, Sight.NONE
SHARED, RESTRICTED = [CONTENT] * 3 + [METADATA] * 2, [CONTENT] * 2 + [NONE] * 3

# Who looks, and what the visibility rules let them see of an incident from RS-MOD to HR-MOD at
# CLEAR, GREEN, AMBER, AMBER+STRICT and RED (DESIGN.md, "TLP").
VIEWERS = {
    "the originator": ("rs-mod-duty", [CONTENT] * 5),
    "the named recipient": ("hr-mod-duty", [CONTENT] * 5),
    "another organisation of the recipient's party": ("hr-cert-duty", [NONE] * 5),
    "another organisation of the originator's party": ("rs-cert-duty", [NONE] * 5),
    "another party": ("al-cert-duty", [NONE] * 5),
    "the commission duty desk": ("wbc-sec-duty", SHARED),
    "a commission reviewer": ("wbc-sec-reviewer", SHARED),
    "an observer": ("osce-cpc-duty", RESTRICTED),
}
TLPS = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]
# A longitude per TLP that nothing else on a page prints: the marker of the location.
LONGITUDES = dict(zip(TLPS, [19.11111, 19.22222, 19.33333, 19.44444, 19.55555], strict=True))
CONTENT_MODELS = (Incident, Message, Acknowledgement, Attachment, IncidentRecipient)


def markers(tlp: str) -> dict[str, str]:
    """One string per content field of the incident at `tlp`; no marker contains another."""
    return {
        "title": f"[title:{tlp}]",
        "summary": f"[summary:{tlp}]",
        "body": f"[body:{tlp}]",
        "location": str(LONGITUDES[tlp]),
    }


def report_with_markers(tlp: str) -> Incident:
    """RS-MOD reports to HR-MOD and asks for assistance: a thread of two messages, both awaited."""
    originator = person("rs-mod-duty")
    marked = markers(tlp)
    incident = do_report_incident(
        originator,
        recipients=resolve_recipients(["HR-MOD"], originator.organisation),
        title=marked["title"],
        summary=marked["summary"],
        category="drone",
        severity="high",
        tlp=tlp,
        occurred_at=timezone.now() - timedelta(minutes=5),
        location={"type": "Point", "coordinates": [LONGITUDES[tlp], 45.2]},
    )
    do_post_message(originator, incident, kind="request_for_assistance", body=marked["body"])
    return incident


@pytest.fixture
def world(db, settings, tmp_path):
    settings.OTP_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path
    build_demo_world()
    return {tlp: report_with_markers(tlp) for tlp in TLPS}


def text(response) -> str:
    return response.content.decode()


# Whose waiting panel lists these incidents (titled): the two organisations of their timers.
WAITING_ON_OR_FOR = {"the originator", "the named recipient"}


def console_pages(client, incidents: dict, viewer: str) -> dict[str, tuple]:
    """Every page that shows incidents, as (response, the incidents whose content it should show, the
    fields it shows of them). Posts that fail validation re-render the incident page: they count too."""
    every = list(incidents.values())
    waiting = every if viewer in WAITING_ON_OR_FOR else []
    pages = {
        "the incident list": (client.get("/incidents/"), every, ["title"]),
        "a filtered incident list": (client.get("/incidents/?exercise=no&severity=high"), every, ["title"]),
        "the home page": (client.get("/"), [], []),
        "the waiting panel": (client.get("/waiting/panel/"), waiting, ["title"]),
        "the waiting page": (client.get("/waiting/"), waiting, ["title"]),
    }
    fields = ["title", "summary", "body", "location"]
    for tlp, incident in incidents.items():
        path = f"/incidents/{incident.reference}/"
        pages[f"the {tlp} incident with its thread"] = (client.get(path), [incident], fields)
        refused_posts = {
            "a message": ("messages/", {"kind": "no such kind", "body": "x"}),
            "a status": ("status/", {"status": "no such status"}),
            "a TLP": ("tlp/", {"tlp": "PURPLE"}),
            "an attachment": ("attachments/", {}),
        }
        for what, (action, data) in refused_posts.items():
            pages[f"the {tlp} incident after {what} it refused"] = (
                client.post(path + action, data),
                [incident],
                fields,
            )
    return pages


@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_incident_page_shows_content_exactly_where_the_tlp_lets_the_viewer_read_it(world, client, viewer):
    username, sights = VIEWERS[viewer]
    looker = person(username)
    expected = dict(zip(TLPS, sights, strict=True))
    # The table above is what visibility.py says, so the pages are held to the rules themselves.
    assert {tlp: sight_of(looker.organisation, incident) for tlp, incident in world.items()} == expected
    client.force_login(looker)
    for page, (response, shown_incidents, shown_fields) in console_pages(client, world, viewer).items():
        html = text(response)
        for tlp, incident in world.items():
            for field, marker in markers(tlp).items():
                should_show = expected[tlp] == CONTENT and incident in shown_incidents and field in shown_fields
                if should_show and response.status_code in (200, 400):
                    assert marker in html, f"{viewer} misses the {field} of the {tlp} incident on {page}"
                elif not should_show:
                    assert marker not in html, f"{viewer} sees the {field} of the {tlp} incident on {page}"
    for tlp, incident in world.items():
        detail = client.get(f"/incidents/{incident.reference}/")
        listed = incident.reference in text(client.get("/incidents/"))
        if expected[tlp] == NONE:
            assert (detail.status_code, listed) == (404, False), tlp
        else:
            assert (detail.status_code, listed) == (200, True), tlp
        if expected[tlp] == METADATA:
            assert f"content withheld (TLP:{tlp})" in text(detail)


def model_values(value, path: str):
    """Every model instance or queryset of the incidents' content in a context value, with its path."""
    if isinstance(value, CONTENT_MODELS) or (isinstance(value, QuerySet) and issubclass(value.model, CONTENT_MODELS)):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from model_values(item, f"{path}[{key!r}]")
    elif isinstance(value, list | tuple | set):
        for index, item in enumerate(value):
            yield from model_values(item, f"{path}[{index}]")


def contexts(response) -> list[dict]:
    found = response.context
    if found is None:
        return []
    return [context.flatten() for context in (found if isinstance(found, list) else [found])]


@pytest.mark.parametrize("viewer", ["the originator", "the named recipient", "a commission reviewer", "an observer"])
def test_the_views_hand_templates_payload_dictionaries_never_incident_models(world, client, viewer):
    client.force_login(person(VIEWERS[viewer][0]))
    for page, (response, _, _) in console_pages(client, world, viewer).items():
        for context in contexts(response):
            found = [path for name, value in context.items() for path, _ in model_values(value, name)]
            assert not found, f"{page} hands its template incident models: {found}"
            for name in ("incident", "message"):
                assert not isinstance(context.get(name), Model), (page, name)


# --- the templates themselves -----------------------------------------------------------------------

CONTENT_FIELDS = {"title", "summary", "body", "location"}
# The only names a template may read those fields from: the payload dictionaries the incident views
# bind (held to it by the test above), the notification calendar's activity dictionaries (exercise and
# flight titles, which are no incident content), the waiting entries of hotline.escalation.timeline
# (a title only of what the timer's two organisations both read), and a form (what its author types).
PAYLOAD_NAMES = {"incident", "message", "activity", "entry", "form"}
LOOKUP = re.compile(r"[A-Za-z_]\w*(?:\.\w+)+")
STRING = re.compile(r"\"[^\"]*\"|'[^']*'")


def project_templates() -> list[Path]:
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    folders += [Path(config.path) / "templates" for config in apps.get_app_configs()]
    ours = [folder for folder in folders if folder.is_dir() and ROOT in folder.parents and ".venv" not in folder.parts]
    return sorted(path for folder in ours for path in folder.rglob("*") if path.is_file())


def template_code(path: Path):
    """(line, kind, code without its string literals) of every tag and variable of a template."""
    for token in Lexer(path.read_text()).tokenize():
        if token.token_type in (TokenType.VAR, TokenType.BLOCK):
            yield token.lineno, token.token_type, STRING.sub('""', token.contents)


def test_the_template_checks_see_every_template_of_the_project():
    names = {path.relative_to(ROOT).as_posix() for path in project_templates()}
    assert "incidents/templates/incidents/detail.html" in names
    assert "hotline/console/templates/console/home.html" in names
    assert "hotline/escalation/templates/escalation/_waiting.html" in names
    assert not any("site-packages" in name for name in names)


def test_no_template_reads_incident_content_but_from_a_payload_dictionary():
    offences = []
    for path in project_templates():
        for line, _, code in template_code(path):
            for lookup in LOOKUP.findall(code):
                root, *attributes = lookup.split(".")
                if CONTENT_FIELDS.isdisjoint(attributes):
                    continue
                if root not in PAYLOAD_NAMES or attributes[0] not in CONTENT_FIELDS:
                    offences.append(f"{path.relative_to(ROOT)}:{line}: {lookup}")
    assert not offences, "read the content from the payload of incidents/payloads.py instead:\n" + "\n".join(offences)


def test_templates_bind_the_payload_names_only_where_the_rendered_context_shows_them():
    """A `{% with %}` block, or a loop over a path through other objects, could put a model under the
    name `incident` or `message` where the context check does not look; includes, and loops over a
    variable of the context, it does see."""
    offences = []
    binding = re.compile(r"\b(incident|message)\s*=|\bas\s+(incident|message)\b")
    for path in project_templates():
        for line, kind, code in template_code(path):
            words = code.split()
            if kind != TokenType.BLOCK or not words:
                continue
            where = f"{path.relative_to(ROOT)}:{line}: {{% {code} %}}"
            if words[0] == "with" and binding.search(code):
                offences.append(where)
            if words[0] == "for" and "in" in words:
                names = {name.strip(",") for name in words[1 : words.index("in")]}
                if names & {"incident", "message"} and "." in words[words.index("in") + 1]:
                    offences.append(where)
    assert not offences, "\n".join(offences)


def test_the_viewers_are_of_the_kinds_of_organisation_the_rules_name(world):
    kinds = {viewer: person(username).organisation.kind for viewer, (username, _) in VIEWERS.items()}
    assert kinds["the commission duty desk"] == kinds["a commission reviewer"] == "secretariat"
    assert kinds["an observer"] == "observer"
    assert Organisation.objects.get(code="HR-CERT").party == Organisation.objects.get(code="HR-MOD").party
    assert Organisation.objects.get(code="RS-CERT").party == Organisation.objects.get(code="RS-MOD").party
