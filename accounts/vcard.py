"""The directory as vCard 3.0 (RFC 2426): one card per organisation, for phones and address books."""

from accounts.choices import ContactMethod


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def organisation_vcard(organisation) -> str:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{escape(organisation.name)}",
        f"ORG:{escape(organisation.party.name)};{escape(organisation.name)}",
        f"NICKNAME:{escape(organisation.code)}",
    ]
    for point in organisation.contact_points.all():
        preference = ";TYPE=pref" if point.priority == 1 else ""
        if point.method == ContactMethod.EMAIL:
            lines.append(f"EMAIL;TYPE=INTERNET{preference}:{escape(point.address)}")
        elif point.method == ContactMethod.PHONE:
            lines.append(f"TEL;TYPE=VOICE{preference}:{escape(point.address)}")
        elif point.method == ContactMethod.SMS:
            lines.append(f"TEL;TYPE=MSG{preference}:{escape(point.address)}")
        elif point.method == ContactMethod.WEBHOOK:
            lines.append(f"URL:{escape(point.address)}")
    notes = [f"24/7 point of contact of {organisation.party.name}"]
    if organisation.party.designation_note:
        notes.append(f"* {organisation.party.designation_note}")
    lines.append(f"NOTE:{escape(' — '.join(notes))}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def organisations_as_vcards(organisations) -> str:
    return "".join(organisation_vcard(organisation) for organisation in organisations)
