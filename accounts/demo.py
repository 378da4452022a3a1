"""Demo data for the Quick start: loaded once into an empty database, and only in demo mode.

All seven parties with a CERT and a defence crisis centre each, the commission secretariat and two
observers; for every organisation a duty officer, a supervisor and a head (the secretariat also has a
reviewer and an administrator); rosters for the next 14 days; contact points at example domains.
Usernames follow `<org-code-in-lower-case>-<role>`; all share the one password below.
"""

from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from accounts.choices import KOSOVO_DESIGNATION_NOTE, ContactMethod, OrganisationKind, PartyKind, Role, ShiftKind
from accounts.models import ContactPoint, DutyShift, Organisation, Party, User
from hotline.audit.log import record

DEMO_PASSWORD = "hotline-demo-2026"
ROSTER_DAYS = 14
DAY_SHIFT_STARTS = time(8)
NIGHT_SHIFT_STARTS = time(20)

# code, name, languages, dialling prefix
MEMBER_PARTIES = [
    ("AL", "Albania", ["sq", "en"], "+355"),
    ("BA", "Bosnia and Herzegovina", ["bs", "hr", "sr", "en"], "+387"),
    ("HR", "Croatia", ["hr", "en"], "+385"),
    ("XK", "Kosovo*", ["sq", "sr", "en"], "+383"),
    ("ME", "Montenegro", ["cnr", "sr", "en"], "+382"),
    ("MK", "North Macedonia", ["mk", "sq", "en"], "+389"),
    ("RS", "Serbia", ["sr", "en"], "+381"),
]
# Each party's own zone: its capital's (the same CET/CEST rules for all seven, but nobody's console names
# another party's city). IANA has no zone of Pristina: Kosovo* gets the neutral "CET" zone.
CAPITAL_ZONES = {
    "AL": "Europe/Tirane",
    "BA": "Europe/Sarajevo",
    "HR": "Europe/Zagreb",
    "XK": "CET",
    "ME": "Europe/Podgorica",
    "MK": "Europe/Skopje",
    "RS": "Europe/Belgrade",
    "WBC": "Europe/Brussels",
    "OSCE": "Europe/Vienna",
    "EU": "Europe/Brussels",
}
OTHER_PARTIES = [
    (
        "WBC",
        "Commission secretariat",
        PartyKind.SECRETARIAT,
        "WBC-SEC",
        "Commission secretariat and duty desk",
        OrganisationKind.SECRETARIAT,
        ["en"],
        "+32",
    ),
    (
        "OSCE",
        "OSCE",
        PartyKind.OBSERVER,
        "OSCE-CPC",
        "OSCE Conflict Prevention Centre",
        OrganisationKind.OBSERVER,
        ["en", "fr", "de"],
        "+43",
    ),
    (
        "EU",
        "European Union",
        PartyKind.OBSERVER,
        "EU-EEAS",
        "EEAS Crisis Response Centre",
        OrganisationKind.OBSERVER,
        ["en", "fr"],
        "+32",
    ),
]
# A few names per party so the demo reads like a real directory; roles are (duty officer, supervisor, head).
PEOPLE = {
    "AL": [
        ("Arben", "Hoxha"),
        ("Elira", "Shehu"),
        ("Gent", "Kola"),
        ("Besa", "Dervishi"),
        ("Ilir", "Leka"),
        ("Mira", "Gjoka"),
    ],
    "BA": [
        ("Amar", "Hadžić"),
        ("Lejla", "Kovač"),
        ("Dario", "Marić"),
        ("Selma", "Begić"),
        ("Nikola", "Jurić"),
        ("Ajla", "Delić"),
    ],
    "HR": [
        ("Ivana", "Horvat"),
        ("Luka", "Babić"),
        ("Petra", "Novak"),
        ("Marko", "Knežević"),
        ("Ana", "Vuković"),
        ("Tomislav", "Perić"),
    ],
    "XK": [
        ("Blerim", "Krasniqi"),
        ("Drita", "Berisha"),
        ("Arton", "Gashi"),
        ("Vjosa", "Morina"),
        ("Faton", "Hoti"),
        ("Teuta", "Rexhepi"),
    ],
    "ME": [
        ("Milica", "Vujović"),
        ("Stefan", "Popović"),
        ("Jelena", "Radović"),
        ("Danilo", "Đukanović"),
        ("Maja", "Perović"),
        ("Nemanja", "Vukčević"),
    ],
    "MK": [
        ("Elena", "Stojanovska"),
        ("Aleksandar", "Petrovski"),
        ("Bojan", "Nikolovski"),
        ("Marija", "Trajkovska"),
        ("Dimitar", "Georgiev"),
        ("Ivana", "Ristovska"),
    ],
    "RS": [
        ("Marko", "Petrović"),
        ("Jovana", "Nikolić"),
        ("Nenad", "Jovanović"),
        ("Milena", "Ilić"),
        ("Stefan", "Marković"),
        ("Tamara", "Đorđević"),
    ],
    "WBC": [
        ("Claire", "Dubois"),
        ("Jonas", "Berg"),
        ("Sofia", "Rossi"),
        ("Lukas", "Weber"),
        ("Ana", "Kramer"),
        ("Emma", "Laurent"),
    ],
    "OSCE": [("Anna", "Gruber"), ("Paul", "Schmid"), ("Ingrid", "Holm")],
    "EU": [("Marie", "Lefèvre"), ("Pieter", "Janssen"), ("Carmen", "Ortega")],
}
USERNAME_SUFFIX = {
    Role.DUTY_OFFICER: "duty", Role.SUPERVISOR: "supervisor", Role.HEAD: "head",
    Role.REVIEWER: "reviewer", Role.ADMINISTRATOR: "admin",
}  # fmt: skip
UNITS = [
    ("CERT", "National CERT", OrganisationKind.CERT),
    ("MOD", "Ministry of Defence crisis centre", OrganisationKind.CRISIS_CENTRE),
]


def demo_logins() -> list[tuple[str, str]]:
    """What the start banner lists: a few useful logins, the pattern covers the rest."""
    return [
        ("rs-mod-duty", "Serbia, defence crisis centre, duty officer"),
        ("hr-mod-duty", "Croatia, defence crisis centre, duty officer"),
        ("rs-cert-supervisor", "Serbia, CERT, supervisor (edits rosters, contact points, keys)"),
        ("wbc-sec-duty", "commission duty desk"),
        ("wbc-sec-reviewer", "commission reviewer"),
        ("wbc-sec-admin", "commission administrator (also Django admin)"),
        ("<org>-<duty|supervisor|head>", "any organisation, e.g. xk-cert-head, osce-cpc-duty"),
    ]


def demo_data_loaded() -> bool:
    return Party.objects.exists()


def _person(organisation, role, name, index):
    first_name, last_name = name
    suffix = USERNAME_SUFFIX[role]
    user = User(
        username=f"{organisation.code.lower()}-{suffix}", first_name=first_name, last_name=last_name,
        organisation=organisation, role=role, email=f"{suffix}@{organisation.code.lower()}.example",
        phone=f"{DIALLING[organisation.party.code]}5550{index:03d}",
        is_staff=role == Role.ADMINISTRATOR, is_superuser=role == Role.ADMINISTRATOR,
    )  # fmt: skip
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


DIALLING = {code: prefix for code, _, _, prefix in MEMBER_PARTIES} | {
    code: prefix for code, *_, prefix in OTHER_PARTIES
}


def _contact_points(organisation, index):
    domain = f"{organisation.code.lower()}.example"
    prefix = DIALLING[organisation.party.code]
    points = [
        (ContactMethod.CONSOLE, "", 1),
        (ContactMethod.PHONE, f"{prefix}5551{index:03d}", 1),
        (ContactMethod.EMAIL, f"duty@{domain}", 2),
        (ContactMethod.SMS, f"{prefix}5552{index:03d}", 2),
    ]
    if organisation.kind == OrganisationKind.CERT:
        points.append((ContactMethod.WEBHOOK, f"https://hooks.{domain}/hotline", 3))
    for method, address, priority in points:
        ContactPoint.objects.create(
            organisation=organisation, method=method, address=address, priority=priority,
            languages=organisation.languages, last_verified_at=timezone.now() - timedelta(days=index % 20),
        )  # fmt: skip


def _roster(organisation, duty_officer, supervisor, head, today):
    """12-hour primary shifts from local 08:00 and 20:00 (day: duty officer, night: supervisor) and a
    24-hour backup (head), from yesterday for ROSTER_DAYS days, built in local time so DST keeps them
    at 08:00 and 20:00 on the wall clock."""
    zone = organisation.zone
    shifts = []
    for offset in range(-1, ROSTER_DAYS + 1):  # yesterday to 14 days after today: 14 full days ahead
        day = today + timedelta(days=offset)
        morning = datetime.combine(day, DAY_SHIFT_STARTS, tzinfo=zone).astimezone(UTC)
        evening = datetime.combine(day, NIGHT_SHIFT_STARTS, tzinfo=zone).astimezone(UTC)
        next_morning = datetime.combine(day + timedelta(days=1), DAY_SHIFT_STARTS, tzinfo=zone).astimezone(UTC)
        shifts += [
            DutyShift(
                organisation=organisation,
                person=duty_officer,
                kind=ShiftKind.PRIMARY,
                starts_at=morning,
                ends_at=evening,
            ),
            DutyShift(
                organisation=organisation,
                person=supervisor,
                kind=ShiftKind.PRIMARY,
                starts_at=evening,
                ends_at=next_morning,
            ),
            DutyShift(
                organisation=organisation, person=head, kind=ShiftKind.BACKUP, starts_at=morning, ends_at=next_morning
            ),
        ]
    DutyShift.objects.bulk_create(shifts)


@transaction.atomic
def load_demo_data() -> None:
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("demo data loads only in demo mode (HOTLINE_DEMO=1, or `hotline demo`)")
    organisations = []
    for position, (code, name, languages, _) in enumerate(MEMBER_PARTIES):
        note = KOSOVO_DESIGNATION_NOTE if code == "XK" else ""
        party = Party.objects.create(
            code=code, name=name, kind=PartyKind.MEMBER, designation_note=note, position=position
        )
        for unit, title, kind in UNITS:
            organisations.append(
                Organisation.objects.create(
                    party=party,
                    code=f"{code}-{unit}",
                    name=f"{name} — {title}",
                    kind=kind,
                    time_zone=CAPITAL_ZONES[code],
                    languages=languages,
                )
            )
    for position, (code, name, party_kind, org_code, org_name, org_kind, languages, _) in enumerate(
        OTHER_PARTIES, start=10
    ):
        party = Party.objects.create(code=code, name=name, kind=party_kind, position=position)
        organisations.append(
            Organisation.objects.create(
                party=party,
                code=org_code,
                name=org_name,
                kind=org_kind,
                time_zone=CAPITAL_ZONES[code],
                languages=languages,
            )
        )

    today = timezone.localdate()
    for index, organisation in enumerate(organisations):
        names = PEOPLE[organisation.party.code]
        first = 3 if organisation.code.endswith("-MOD") else 0  # the crisis centre takes the second three names
        duty, supervisor, head = (
            _person(organisation, role, names[(first + i) % len(names)], index * 10 + 1 + i)
            for i, role in enumerate([Role.DUTY_OFFICER, Role.SUPERVISOR, Role.HEAD])
        )
        if organisation.kind == OrganisationKind.SECRETARIAT:
            _person(organisation, Role.REVIEWER, names[3], index * 10 + 4)
            _person(organisation, Role.ADMINISTRATOR, names[4], index * 10 + 5)
        _contact_points(organisation, index)
        _roster(organisation, duty, supervisor, head, today)
    record(
        "demo.loaded",
        details={"parties": len(MEMBER_PARTIES) + len(OTHER_PARTIES), "organisations": len(organisations)},
    )
