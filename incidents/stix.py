"""STIX 2.1 in and out: an incident as a bundle, and a bundle as the fields of a new incident.

Export (`export_bundle`): one `identity` per organisation involved, the `incident`, a `note` per message
of the thread, and the TLP 2.0 marking definition of the incident's TLP exactly as OASIS publishes it
(cti-stix-common-objects, extension-definitions/tlp-2.0), referenced by every other object. Our own
fields travel as `x_hotline_` custom properties, so that our import reads back exactly what we wrote.
Ids are deterministic (UUIDv5): the same organisation and the same incident keep their ids across
exports, so a receiving platform updates its copy instead of piling up duplicates.

Exercise traffic is marked three ways, so that no consumer takes a drill for a real event: the
`x_hotline_exercise` flag (what our import reads), the label "exercise" on the incident and on every
note (what any STIX tool shows and filters on), and "[EXERCISE] " before the incident's name (what a
person scanning a list sees). Import strips the prefix again, so a round trip keeps the title.

Import (`import_bundle`): validated with the stix2 library, then read by the first mapping in
`MAPPINGS` that finds something to report (STYLE.md: mappings behind a small base class and a registry).
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import stix2
from django.core.exceptions import ValidationError
from django.utils import timezone
from stix2.exceptions import STIXError
from stix2.registry import STIX2_OBJ_MAPS

from incidents.choices import Category, Severity, Tlp
from incidents.geojson import validate_location
from incidents.models import Incident

# Fixed for ever: every identity, incident and note id is derived from it.
NAMESPACE = uuid.UUID("5d3c1a4e-8f0b-4c8e-9a61-2b7f0e3d9c47")

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_MARKINGS = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
# The TLP 1.0 definitions of the STIX 2.1 specification (which the stix2 library ships), still sent by
# many platforms. WHITE became CLEAR; TLP 1.0 had no AMBER+STRICT.
TLP1_MARKINGS = {
    stix2.v21.TLP_WHITE.id: Tlp.CLEAR,
    stix2.v21.TLP_GREEN.id: Tlp.GREEN,
    stix2.v21.TLP_AMBER.id: Tlp.AMBER,
    stix2.v21.TLP_RED.id: Tlp.RED,
}
TLP_BY_ID = {**{marking: tlp for tlp, marking in TLP2_MARKINGS.items()}, **TLP1_MARKINGS}
TLP_BY_WORD = {
    "white": Tlp.CLEAR, "clear": Tlp.CLEAR, "green": Tlp.GREEN, "amber": Tlp.AMBER, "amber+strict": Tlp.AMBER_STRICT,
    "red": Tlp.RED,
}  # fmt: skip
# From the widest audience to the narrowest: a bundle marked several ways is held to the narrowest.
TLP_ORDER = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]
# An unmarked bundle gets our own default: AMBER keeps it among the parties addressed and the commission,
# never widened to observers (CLEAR/GREEN) without the source saying so, nor hidden from the commission
# (AMBER+STRICT/RED) without a reason.
UNMARKED_TLP = Tlp.AMBER

# Organisations are not versioned: one fixed timestamp gives every export the same identity objects.
IDENTITY_CREATED = "2026-01-01T00:00:00.000Z"
EXERCISE_LABEL = "exercise"
EXERCISE_PREFIX = "[EXERCISE] "
PREFIX = "x_hotline_"
TITLE_MAX = Incident._meta.get_field("title").max_length
SUMMARY_MAX = Incident._meta.get_field("summary").max_length
# Only the objects an export writes: anything else in an imported bundle is kept as its attachment.
EXPORTED_TYPES = {"identity", "incident", "note", "marking-definition", "extension-definition"}
LISTED_AT_MOST = 50


class InvalidBundle(ValueError):
    """The body is not a STIX 2.1 bundle we can report from; the message says why (for `detail`)."""


@dataclass(frozen=True)
class ImportedIncident:
    """What do_report_incident needs from a bundle. `severity` is None when the bundle does not say:
    the importer must then choose it."""

    title: str
    summary: str
    category: str
    severity: str | None
    tlp: str
    occurred_at: datetime
    exercise: bool
    location: dict | None
    keep_bundle_as_attachment: bool


# --- export ------------------------------------------------------------------------------------------


def _stix_id(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, name)}"


def _timestamp(moment: datetime) -> str:
    """STIX timestamps: UTC, to the millisecond, with a Z."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def identity_id(organisation) -> str:
    return _stix_id("identity", organisation.code)


def incident_id(incident: Incident) -> str:
    return _stix_id("incident", incident.reference)


def tlp_marking_definition(tlp: str) -> dict:
    """The TLP 2.0 marking definition as OASIS publishes it, unchanged (no markings of its own)."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_MARKINGS[tlp],
        "created": TLP2_CREATED,
        "name": f"TLP:{tlp}",
        "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.lower()}},
    }


def _identity(organisation, markings: list[str]) -> dict:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id(organisation),
        "created": IDENTITY_CREATED,
        "modified": IDENTITY_CREATED,
        "name": organisation.name,
        "identity_class": "organization",
        "object_marking_refs": markings,
        f"{PREFIX}code": organisation.code,
        f"{PREFIX}party": organisation.party.code,
    }


def _incident(incident: Incident, recipients: list, markings: list[str]) -> dict:
    name = incident.title
    labels = {}
    if incident.exercise:
        name, labels = EXERCISE_PREFIX + name, {"labels": [EXERCISE_LABEL]}
    return {
        "type": "incident",
        "spec_version": "2.1",
        "id": incident_id(incident),
        "created": _timestamp(incident.created_at),
        "modified": _timestamp(incident.updated_at),
        "created_by_ref": identity_id(incident.originator),
        "name": name,
        "description": incident.summary,
        **labels,
        "object_marking_refs": markings,
        f"{PREFIX}reference": incident.reference,
        f"{PREFIX}category": incident.category,
        f"{PREFIX}severity": incident.severity,
        f"{PREFIX}status": incident.status,
        f"{PREFIX}exercise": incident.exercise,
        f"{PREFIX}occurred_at": incident.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        f"{PREFIX}recipients": [organisation.code for organisation in recipients],
        # STIX has no null: an incident without a location leaves the property out.
        **({f"{PREFIX}location": incident.location} if incident.location is not None else {}),
    }


def _note(incident: Incident, message, markings: list[str]) -> dict:
    return {
        "type": "note",
        "spec_version": "2.1",
        "id": _stix_id("note", f"{incident.reference}#{message.number}"),
        "created": _timestamp(message.created_at),
        "modified": _timestamp(message.created_at),
        "created_by_ref": identity_id(message.organisation),
        "content": message.body,
        "authors": [message.author_label],
        "object_refs": [incident_id(incident)],
        **({"labels": [EXERCISE_LABEL]} if incident.exercise else {}),
        "object_marking_refs": markings,
        f"{PREFIX}number": message.number,
        f"{PREFIX}kind": message.kind,
    }


def export_bundle(incident: Incident) -> dict:
    """The incident with its whole thread as a STIX 2.1 bundle (a JSON-ready dict). The caller has
    checked that its reader may see the content, and records the export."""
    markings = [TLP2_MARKINGS[incident.tlp]]
    recipients = sorted(incident.recipients.select_related("party"), key=lambda organisation: organisation.code)
    messages = list(incident.messages.select_related("organisation__party").order_by("number"))
    organisations = {organisation.code: organisation for organisation in [incident.originator, *recipients]}
    organisations.update((message.organisation.code, message.organisation) for message in messages)
    objects = [
        tlp_marking_definition(incident.tlp),
        *(_identity(organisations[code], markings) for code in sorted(organisations)),
        _incident(incident, recipients, markings),
        *(_note(incident, message, markings) for message in messages),
    ]
    # The same state of the incident gives the same bundle, id included.
    bundle_id = _stix_id("bundle", f"{incident.reference}@{_timestamp(incident.updated_at)}")
    return {"type": "bundle", "id": bundle_id, "objects": objects}


# --- import ------------------------------------------------------------------------------------------


def _parsed_time(value, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidBundle(f"{where}: {value!r} is not an RFC 3339 timestamp.") from None
    if timezone.is_naive(moment):
        raise InvalidBundle(f"{where}: {value!r} has no time zone; STIX timestamps end in Z.")
    try:
        # In UTC, or it would overflow later: 9999-12-31T23:59:59-14:00 is in the year 10000 there.
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidBundle(f"{where}: {value!r} lies outside the years 1 to 9999 in UTC.") from None


def _choice(obj: dict, name: str, choices, default):
    value = obj.get(PREFIX + name)
    if value is None:
        return default
    if value not in choices.values:
        raise InvalidBundle(f"{obj['id']} {PREFIX}{name}: {value!r} is not one of {', '.join(choices.values)}.")
    return value


def _clipped(text: str, limit: int) -> tuple[str, bool]:
    return (text, False) if len(text) <= limit else (text[: limit - 1] + "…", True)


def _definition_tlp(definition: dict) -> str | None:
    """The TLP label a marking definition states: by its well-known id, a TLP 2.0 extension or a TLP 1.0
    `definition` (the narrowest, should they disagree); None for anything else (a statement, another
    kind, a label we do not know)."""
    word = (definition.get("extensions", {}).get(TLP2_EXTENSION) or {}).get("tlp_2_0")
    if word is None and definition.get("definition_type") == "tlp":
        word = (definition.get("definition") or {}).get("tlp")
    stated = {TLP_BY_ID.get(definition["id"])}
    if word is not None:
        stated.add(TLP_BY_WORD.get(str(word).lower(), Tlp.RED))  # a label we do not know is no wider one
    stated.discard(None)
    return max(stated, key=TLP_ORDER.index) if stated else None


def _tlp_of(objects: list[dict]) -> str:
    """The narrowest TLP of the bundle, failing closed: every marking must be one we read as a TLP label.

    Known marking ids wherever they are referenced, and marking definitions recognised by their content
    (a TLP 2.0 extension, or a TLP 1.0 `definition`). A marking we cannot read as a label — a statement
    (even one whose text says "TLP:RED": free text is no label), another kind of marking, a TLP extension
    with an unknown label, a reference to a definition the bundle lacks — makes the incident RED: a
    restriction we do not understand is never widened. The importing organisation is the originator and
    may lower the label once it has read what it received."""
    definitions = {obj["id"]: obj for obj in objects if obj.get("type") == "marking-definition"}
    found = set()
    for definition in definitions.values():
        found.add(_definition_tlp(definition) or Tlp.RED)
    for obj in objects:
        refs = list(obj.get("object_marking_refs", []))
        refs += [granular["marking_ref"] for granular in obj.get("granular_markings", []) if "marking_ref" in granular]
        for ref in refs:
            known = TLP_BY_ID.get(ref) or (_definition_tlp(definitions[ref]) if ref in definitions else None)
            found.add(known or Tlp.RED)
    return max(found, key=TLP_ORDER.index) if found else UNMARKED_TLP


class Mapping:
    """Turns a validated bundle into an ImportedIncident; `applies` says whether it finds anything."""

    def applies(self, objects: list[dict]) -> bool:
        raise NotImplementedError

    def read(self, objects: list[dict], tlp: str) -> ImportedIncident:
        raise NotImplementedError


class IncidentObject(Mapping):
    """From an `incident` object: ours (with x_hotline_ properties) read back exactly, anyone else's
    with defaults (category cyber: STIX is cyber threat intelligence; occurred when it was created)."""

    def applies(self, objects):
        return any(obj["type"] == "incident" for obj in objects)

    def read(self, objects, tlp):
        incidents = [obj for obj in objects if obj["type"] == "incident"]
        if len(incidents) > 1:
            raise InvalidBundle(
                f"The bundle holds {len(incidents)} incident objects; import them one bundle at a time."
            )
        incident = incidents[0]
        flag = incident.get(PREFIX + "exercise")
        if flag is not None and not isinstance(flag, bool):
            raise InvalidBundle(f"{incident['id']} {PREFIX}exercise: expected true or false, got {flag!r}.")
        name = incident["name"]
        prefixed = name.startswith(EXERCISE_PREFIX)
        exercise = flag if flag is not None else (EXERCISE_LABEL in incident.get("labels", []) or prefixed)
        if exercise and prefixed:
            name = name[len(EXERCISE_PREFIX) :]
        title, title_clipped = _clipped(name.strip() or "Imported STIX incident", TITLE_MAX)
        summary, summary_clipped = _clipped(incident.get("description") or name, SUMMARY_MAX)
        occurred = incident.get(PREFIX + "occurred_at") or incident["created"]
        location = incident.get(PREFIX + "location")
        try:
            validate_location(location)
        except ValidationError as error:
            raise InvalidBundle(f"{incident['id']} {PREFIX}location: {' '.join(error.messages)}") from None
        return ImportedIncident(
            title=title,
            summary=summary,
            category=_choice(incident, "category", Category, Category.CYBER),
            severity=_choice(incident, "severity", Severity, None),
            tlp=tlp,
            occurred_at=_parsed_time(occurred, f"{incident['id']} occurred_at"),
            exercise=exercise,
            location=location,
            # Nothing the incident's fields cannot hold is lost: the bundle stays with it.
            keep_bundle_as_attachment=title_clipped
            or summary_clipped
            or any(obj["type"] not in EXPORTED_TYPES for obj in objects),
        )


def _scalar(obj: dict) -> str:
    """A short text for an observable: its value, name or first hash."""
    for key in ("value", "name", "path", "key", "number"):
        if obj.get(key) not in (None, ""):
            return f"{obj['type']} {obj[key]}"
    hashes = obj.get("hashes") or {}
    return f"{obj['type']} {next(iter(hashes.values()))}" if hashes else obj["type"]


class Observations(Mapping):
    """From `indicator`, `observed-data` and `sighting` objects: a cyber incident that lists them, with
    the whole bundle kept as its attachment (the list is for people; the bundle is for tools)."""

    KINDS = ("indicator", "observed-data", "sighting")

    def applies(self, objects):
        return any(obj["type"] in self.KINDS for obj in objects)

    def read(self, objects, tlp):
        by_id = {obj.get("id"): obj for obj in objects}
        names, lines, times = [], [], []
        for obj in objects:
            if obj["type"] == "indicator":
                name = obj.get("name") or obj["pattern"]
                names.append(name)
                lines.append(
                    f"Indicator {name}: {obj['pattern']} ({obj['pattern_type']}), valid from {obj['valid_from']}."
                )
                times.append(obj["valid_from"])
            elif obj["type"] == "observed-data":
                observed = [_scalar(by_id[ref]) if ref in by_id else ref for ref in obj.get("object_refs", [])]
                observed += [_scalar(inner) for inner in (obj.get("objects") or {}).values()]
                names.append(observed[0] if observed else "observed data")
                lines.append(
                    f"Observed {obj['number_observed']} time(s) "
                    f"from {obj['first_observed']} to {obj['last_observed']}: "
                    f"{', '.join(observed) or 'no objects'}."
                )
                times.append(obj["first_observed"])
            elif obj["type"] == "sighting":
                target = by_id.get(obj["sighting_of_ref"], {})
                what = target.get("name") or target.get("pattern") or obj["sighting_of_ref"]
                names.append(f"sighting of {what}")
                seen = f" first seen {obj['first_seen']}" if obj.get("first_seen") else ""
                lines.append(f"Sighting of {what}{seen}, {obj.get('count', 'an unknown number of')} time(s).")
                if obj.get("first_seen"):
                    times.append(obj["first_seen"])
        title = "STIX: " + ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        listed = lines[:LISTED_AT_MOST] + (
            [f"… and {len(lines) - LISTED_AT_MOST} more."] if len(lines) > LISTED_AT_MOST else []
        )
        summary = "\n".join(["Imported from a STIX 2.1 bundle (attached in full):", *listed])
        return ImportedIncident(
            title=_clipped(title, TITLE_MAX)[0],
            summary=_clipped(summary, SUMMARY_MAX)[0],
            category=Category.CYBER,
            severity=None,
            tlp=tlp,
            occurred_at=min((_parsed_time(moment, "time") for moment in times), default=timezone.now()),
            exercise=any(
                obj.get(PREFIX + "exercise") is True or EXERCISE_LABEL in obj.get("labels", []) for obj in objects
            ),
            location=None,
            keep_bundle_as_attachment=True,
        )


MAPPINGS: list[Mapping] = [IncidentObject(), Observations()]


def _checked_shape(bundle) -> list[dict]:
    """What stix2.parse lets pass but a STIX 2.1 bundle must not be: another type, no id, an object
    without spec_version (the library would read it as STIX 2.0 and, allowing custom content, not check it)."""
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise InvalidBundle('Expected a STIX 2.1 bundle: a JSON object with "type": "bundle".')
    if "id" not in bundle:
        raise InvalidBundle('The bundle has no "id".')
    objects = bundle.get("objects")
    if not isinstance(objects, list) or not objects:
        raise InvalidBundle('The bundle has no "objects".')
    observables = STIX2_OBJ_MAPS["2.1"]["observables"]
    for position, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise InvalidBundle(f"objects[{position}] is not a JSON object.")
        if obj.get("type") not in observables and obj.get("spec_version") != "2.1":
            raise InvalidBundle(f'{obj.get("id") or f"objects[{position}]"}: spec_version must be "2.1".')
    return objects


def import_bundle(bundle: dict) -> ImportedIncident:
    """The fields of a new incident from a STIX 2.1 bundle, or InvalidBundle saying what is wrong."""
    objects = _checked_shape(bundle)
    try:
        stix2.parse(bundle, allow_custom=True, version="2.1")
    except (STIXError, ValueError, TypeError, KeyError) as error:
        raise InvalidBundle(str(error)) from None
    tlp = _tlp_of(objects)
    for mapping in MAPPINGS:
        if mapping.applies(objects):
            return mapping.read(objects, tlp)
    raise InvalidBundle("The bundle holds no incident, indicator, observed-data or sighting object: nothing to report.")
