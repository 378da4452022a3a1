"""Every change to contact points, rosters, API keys and people's access goes through one of these
functions, and so does every change the Django admin makes to people, organisations and parties
(`do_save_in_admin`).

Each owns its transaction. Roster changes lock the organisation's row first, so two supervisors
editing the same roster at once are serialised and the no-overlap rule cannot be raced past.
Each also appends its audit entry in the same transaction: the change and its record commit together.
"""

import logging
from datetime import datetime

from axes.utils import reset as reset_sign_in_failures
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.auth_audit import unlocking_in_the_console
from accounts.models import ApiKey, ContactPoint, DutyShift, Organisation, Party, User, validate_scopes
from hotline.audit.log import record
from hotline.realtime.revocation import ring_person_check

log = logging.getLogger("hotline.accounts")


class RosterConflict(ValidationError):
    """A shift would overlap another of the same kind in the same organisation."""


def _shift_details(shift: DutyShift) -> dict:
    return {
        "person": shift.person.username,
        "kind": shift.kind,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
    }


def _contact_details(point: ContactPoint) -> dict:
    return {"method": point.method, "address": point.address, "priority": point.priority}


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _refuse_overlap(organisation, kind, starts_at, ends_at, ignoring=()) -> None:
    clash = (
        DutyShift.objects.filter(organisation=organisation, kind=kind, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk__in=[shift.pk for shift in ignoring])
        .select_related("person")
        .first()
    )
    if clash is not None:
        zone = organisation.zone
        raise RosterConflict(
            f"It overlaps the {clash.get_kind_display().lower()} shift of {clash.person} "
            f"({timezone.localtime(clash.starts_at, zone):%a %d %b %H:%M}–"
            f"{timezone.localtime(clash.ends_at, zone):%a %d %b %H:%M} "
            f"{organisation.time_zone}). Edit that shift, or add an override instead."
        )


def _refuse_outsider(organisation: Organisation, person: User) -> None:
    if person.organisation_id != organisation.pk:
        raise ValidationError(f"{person} is not a member of {organisation.code}.")


def _validated(shift: DutyShift) -> DutyShift:
    shift.full_clean()
    return shift


@transaction.atomic
def do_create_shift(*, organisation, person, kind, starts_at, ends_at, note="", actor) -> DutyShift:
    organisation = _lock(organisation)
    _refuse_outsider(organisation, person)
    shift = _validated(
        DutyShift(
            organisation=organisation,
            person=person,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
            created_by=actor,
        )
    )
    _refuse_overlap(organisation, kind, starts_at, ends_at)
    shift.save()
    record(
        "roster.shift_created", actor=actor, organisation=organisation.code, target=shift, details=_shift_details(shift)
    )
    log.info("shift created", extra={"actor": actor.username, "organisation": organisation.code, "shift": shift.pk})
    return shift


@transaction.atomic
def do_update_shift(shift: DutyShift, *, person, kind, starts_at, ends_at, note, actor) -> DutyShift:
    organisation = _lock(shift.organisation)
    _refuse_outsider(organisation, person)
    shift.person, shift.kind, shift.starts_at, shift.ends_at, shift.note = person, kind, starts_at, ends_at, note
    _validated(shift)
    _refuse_overlap(organisation, kind, starts_at, ends_at, ignoring=[shift])
    shift.save(update_fields=["person", "kind", "starts_at", "ends_at", "note"])
    record(
        "roster.shift_changed", actor=actor, organisation=organisation.code, target=shift, details=_shift_details(shift)
    )
    log.info("shift changed", extra={"actor": actor.username, "organisation": organisation.code, "shift": shift.pk})
    return shift


@transaction.atomic
def do_delete_shift(shift: DutyShift, *, actor) -> None:
    organisation = _lock(shift.organisation)
    log.info("shift deleted", extra={"actor": actor.username, "organisation": organisation.code, "shift": shift.pk})
    record(
        "roster.shift_deleted", actor=actor, organisation=organisation.code, target=shift, details=_shift_details(shift)
    )
    shift.delete()


@transaction.atomic
def do_swap_shifts(first: DutyShift, second: DutyShift, *, actor) -> None:
    """Exchange the people of two shifts of the same organisation; times and kinds stay."""
    if first.organisation_id != second.organisation_id:
        raise ValidationError("Only shifts of the same organisation can be swapped.")
    if first.pk == second.pk:
        raise ValidationError("Choose two different shifts.")
    organisation = _lock(first.organisation)
    first.person, second.person = second.person, first.person
    first.save(update_fields=["person"])
    second.save(update_fields=["person"])
    record(
        "roster.shifts_swapped",
        actor=actor,
        organisation=organisation.code,
        details={"shifts": [_shift_details(first), _shift_details(second)]},
    )
    log.info(
        "shifts swapped",
        extra={"actor": actor.username, "organisation": organisation.code, "shifts": [first.pk, second.pk]},
    )


@transaction.atomic
def do_add_override(*, organisation, person, kind, starts_at: datetime, ends_at: datetime, note="", actor) -> DutyShift:
    """Put `person` on duty for [starts_at, ends_at) in place of whoever was: shifts of that kind that
    overlap are cut around the override (a shift that spans it is split in two)."""
    organisation = _lock(organisation)
    _refuse_outsider(organisation, person)
    override = _validated(
        DutyShift(
            organisation=organisation,
            person=person,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
            is_override=True,
            created_by=actor,
        )
    )
    overlapping = DutyShift.objects.filter(
        organisation=organisation, kind=kind, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    for shift in overlapping:
        before = (shift.starts_at, starts_at) if shift.starts_at < starts_at else None
        after = (ends_at, shift.ends_at) if shift.ends_at > ends_at else None
        if before and after:
            DutyShift.objects.create(
                organisation=organisation,
                person=shift.person,
                kind=kind,
                starts_at=after[0],
                ends_at=after[1],
                note=shift.note,
                is_override=shift.is_override,
                created_by=actor,
            )
        if before:
            shift.ends_at = before[1]
            shift.save(update_fields=["ends_at"])
        elif after:
            shift.starts_at = after[0]
            shift.save(update_fields=["starts_at"])
        else:
            shift.delete()
    override.save()
    record(
        "roster.override_added",
        actor=actor,
        organisation=organisation.code,
        target=override,
        details=_shift_details(override),
    )
    log.info("override added", extra={"actor": actor.username, "organisation": organisation.code, "shift": override.pk})
    return override


@transaction.atomic
def do_save_contact_point(contact_point: ContactPoint, *, actor) -> ContactPoint:
    contact_point.full_clean()
    created = contact_point.pk is None
    contact_point.save()
    record(
        "contact_point.created" if created else "contact_point.changed",
        actor=actor,
        organisation=contact_point.organisation.code,
        target=contact_point,
        details=_contact_details(contact_point),
    )
    log.info(
        "contact point created" if created else "contact point changed",
        extra={
            "actor": actor.username,
            "organisation": contact_point.organisation.code,
            "contact_point": contact_point.pk,
        },
    )
    return contact_point


@transaction.atomic
def do_delete_contact_point(contact_point: ContactPoint, *, actor) -> None:
    log.info(
        "contact point deleted",
        extra={
            "actor": actor.username,
            "organisation": contact_point.organisation.code,
            "contact_point": contact_point.pk,
        },
    )
    record(
        "contact_point.deleted",
        actor=actor,
        organisation=contact_point.organisation.code,
        target=contact_point,
        details=_contact_details(contact_point),
    )
    contact_point.delete()


@transaction.atomic
def do_mark_contact_point_verified(contact_point: ContactPoint, *, actor, at: datetime | None = None) -> ContactPoint:
    contact_point.last_verified_at = at or timezone.now()
    contact_point.save(update_fields=["last_verified_at"])
    record(
        "contact_point.verified",
        actor=actor,
        organisation=contact_point.organisation.code,
        target=contact_point,
        details=_contact_details(contact_point),
    )
    log.info(
        "contact point verified",
        extra={
            "actor": actor.username,
            "organisation": contact_point.organisation.code,
            "contact_point": contact_point.pk,
        },
    )
    return contact_point


@transaction.atomic
def do_create_api_key(*, organisation, name: str, scopes: list[str], expires_at=None, actor=None) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored and cannot be shown again."""
    key = ApiKey(
        organisation=organisation, name=name, scopes=sorted(set(scopes)), expiry_date=expires_at, created_by=actor
    )
    try:
        validate_scopes(key.scopes, organisation)
    except ValidationError as error:
        raise ValidationError({"scopes": error.messages}) from None
    secret = ApiKey.objects.assign_key(key)
    key.full_clean(exclude=["id", "hashed_key", "prefix"])
    key.save()
    record(
        "api_key.created",
        actor=actor,
        organisation=organisation.code,
        target=f"api_key:{key.prefix}",
        details={"name": name, "scopes": key.scopes, "expires_at": expires_at},
    )
    log.info(
        "api key created",
        extra={
            "actor": getattr(actor, "username", "system"),
            "organisation": organisation.code,
            "key_prefix": key.prefix,
        },
    )
    return key, secret


@transaction.atomic
def do_revoke_api_key(key: ApiKey, *, actor) -> bool:
    """Revoke the key; False when it already was. The conditional update makes a double revoke harmless."""
    changed = ApiKey.objects.filter(pk=key.pk, revoked=False).update(revoked=True, revoked_at=timezone.now())
    if changed:
        record(
            "api_key.revoked",
            actor=actor,
            organisation=key.organisation.code,
            target=f"api_key:{key.prefix}",
            details={"name": key.name},
        )
        log.info(
            "api key revoked",
            extra={"actor": actor.username, "organisation": key.organisation.code, "key_prefix": key.prefix},
        )
    key.refresh_from_db()
    return bool(changed)


def _record_about(person: User, action: str, *, actor, **details) -> None:
    """An audit entry about a person's access, filed under their organisation (none for a person without
    one, such as a superuser: not under the actor's)."""
    organisation = person.organisation.code if person.organisation_id else ""
    record(
        action, actor=actor, organisation=organisation, target=person, details={"username": person.username, **details}
    )


@transaction.atomic
def do_unlock_sign_in(person: User, *, actor) -> int:
    """Lift `person`'s sign-in lockout: forget django-axes' counts of wrong passwords under their name.
    Returns how many counts were forgotten (0 when none was left: the unlock is still recorded)."""
    with unlocking_in_the_console():
        forgotten = reset_sign_in_failures(username=person.username)
    _record_about(person, "auth.unlocked", actor=actor, attempts=forgotten)
    return forgotten


@transaction.atomic
def do_deactivate_user(user: User, *, actor) -> bool:
    """Deactivate the person and end every session of theirs at once; after commit their open consoles are
    rung to check their session, and close. False when they already were inactive (their sessions are
    ended all the same: a session left over must not outlive the deactivation)."""
    changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
    ended = end_sessions_of(user)
    user.is_active = False
    if changed:
        _record_about(user, "user.deactivated", actor=actor, sessions_ended=ended)
        log.info("user deactivated", extra={"actor": getattr(actor, "username", "system"), "user": user.username})
    transaction.on_commit(lambda: ring_person_check(user.pk))
    return bool(changed)


def end_sessions_of(user: User) -> int:
    """Delete the person's sessions; how many. Sessions are stored in the database (SESSION_ENGINE's
    default) and name their person only inside their encoded data, so the unexpired ones are read: a few
    hundred at most for a hotline's staff."""
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


# A person's own preferences (the console's colours and the zone times are shown in): nothing secret, so
# the log shows the new values.
PREFERENCES = ("theme", "time_zone")


@transaction.atomic
def do_set_preferences(person: User, *, actor, **preferences) -> list[str]:
    """Change `person`'s own preferences (`theme`, `time_zone`: an IANA name, or "" for the organisation's
    zone); the names of those that changed. Raises ValidationError for a value the fields refuse. Recorded
    as `user.preferences_changed` with the new values; nothing is recorded when nothing changed."""
    unknown = set(preferences) - set(PREFERENCES)
    if unknown:
        raise ValueError(f"not a preference: {sorted(unknown)}")
    changed = [name for name, value in preferences.items() if getattr(person, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(person, name, preferences[name])
    person.clean_fields(exclude=[field.name for field in User._meta.fields if field.name not in changed])
    person.save(update_fields=changed)
    _record_about(person, "user.preferences_changed", actor=actor, values={name: preferences[name] for name in changed})
    return changed


# What the log may show of a change made in the admin: the new values of these fields. Of any other field
# of a person (names, e-mail, phone, the password) only the name of the field is recorded.
ADMIN_SHOWN_FIELDS = {
    User: {"username", "organisation", "role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"},
    Organisation: {"party", "code", "name", "kind", "time_zone", "languages"},
    Party: {"code", "name", "kind", "designation_note", "position"},
}


def _admin_names(obj) -> tuple[str, str, dict]:
    """(the action's noun, the organisation code, the details naming the object) of a person, an
    organisation or a party."""
    if isinstance(obj, User):
        return "user", obj.organisation.code if obj.organisation_id else "", {"username": obj.username}
    if isinstance(obj, Organisation):
        return "organisation", obj.code, {}
    return "party", "", {"code": obj.code}


def _shown(value):
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if hasattr(value, "__iter__") and not isinstance(value, dict):
        return sorted(str(item) for item in value)
    return str(getattr(value, "code", value))


@transaction.atomic
def do_save_in_admin(obj: User | Organisation | Party, *, changed: dict, actor) -> None:
    """Save a person, organisation or party as the admin changed it, and record it (`user.created`,
    `organisation.changed`, …) with the names of the fields that changed and the new values of those the
    log may show. `changed`: field name → new value (many-to-many values are saved by the admin after
    this, in the same transaction)."""
    created = obj.pk is None
    obj.save()
    noun, code, details = _admin_names(obj)
    shown = {name: _shown(value) for name, value in changed.items() if name in ADMIN_SHOWN_FIELDS[type(obj)]}
    record(
        f"{noun}.{'created' if created else 'changed'}",
        actor=actor,
        organisation=code,
        target=obj,
        details={**details, "changed": sorted(changed), **({"values": shown} if shown else {})},
    )
    log.info(f"{noun} {'created' if created else 'changed'} in the admin", extra={"actor": actor.username})


@transaction.atomic
def do_delete_in_admin(obj: User | Organisation | Party, *, actor) -> None:
    noun, code, details = _admin_names(obj)
    record(f"{noun}.deleted", actor=actor, organisation=code, target=obj, details=details)
    log.info(f"{noun} deleted in the admin", extra={"actor": actor.username})
    obj.delete()


def do_record_password_set(user: User, *, actor) -> None:
    """Record that `actor` set `user`'s password (or disabled it) in the admin; never the hash. Called in
    the transaction in which Django's form wrote it."""
    _record_about(user, "user.password_set", actor=actor, usable=user.has_usable_password())
    # The old password's sessions no longer hold (their auth hash changed): their consoles close now.
    transaction.on_commit(lambda: ring_person_check(user.pk))
