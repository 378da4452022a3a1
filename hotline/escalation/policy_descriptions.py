"""The policies as people see them: every severity's (saved or the built-in default) and the overrides."""

from accounts.models import Party
from hotline.escalation.choices import Severity
from hotline.escalation.engine import severity_policy
from hotline.escalation.models import EscalationPolicy
from hotline.escalation.policy import Policy


def describe(policy: Policy, *, key: str, parties=(), row: EscalationPolicy | None = None) -> dict:
    return {
        "key": key,
        "severity": policy.severity,
        "parties": list(parties),
        "levels": policy.levels,
        "repeat_every_s": policy.repeat_every_s,
        "repeat_count": policy.repeat_count,
        "reply_within_s": policy.reply_within_s,
        "acknowledge_within_s": int(policy.acknowledge_within.total_seconds()),
        "saved": row is not None,
        "updated_at": row.updated_at if row else None,
        "updated_by": row.updated_by_label if row else "",
    }


def describe_row(row: EscalationPolicy) -> dict:
    parties = (row.party_a.code, row.party_b.code) if row.party_a_id else ()
    return describe(row.as_policy(), key=row.key, parties=parties, row=row)


def all_policies() -> list[dict]:
    rows = list(EscalationPolicy.objects.select_related("party_a", "party_b"))
    defaults = {row.severity: row for row in rows if row.party_a_id is None}
    found = []
    for severity in reversed(Severity.values):  # critical first
        row = defaults.get(severity)
        found.append(describe_row(row) if row else describe(Policy.default(severity), key=severity))
        found += [describe_row(row) for row in rows if row.severity == severity and row.party_a_id]
    return found


def find(severity: str, pair: str | None) -> tuple[dict, EscalationPolicy | None, tuple[Party, Party] | None]:
    """(its description, its row or None, its pair) for `critical` or `critical` + `AL+RS`; LookupError
    when the severity or a party is unknown."""
    if severity not in Severity.values:
        raise LookupError(f"There is no severity {severity!r}.")
    parties = None
    if pair is not None:
        codes = pair.upper().split("+")
        found = {party.code: party for party in Party.objects.filter(code__in=codes)}
        if len(set(codes)) != 2 or len(codes) != 2 or set(codes) != set(found):
            raise LookupError(f"Name two parties as AL+RS; got {pair!r}.")
        parties = tuple(sorted(found.values(), key=lambda party: party.code))
    rows = EscalationPolicy.objects.select_related("party_a", "party_b").filter(severity=severity)
    row = (
        rows.filter(party_a=parties[0], party_b=parties[1]).first()
        if parties
        else rows.filter(party_a__isnull=True).first()
    )
    if row is not None:
        return describe_row(row), row, parties
    if parties:
        # No override yet: what the pair gets now is the severity's policy.
        policy = severity_policy(severity)
        return (
            describe(policy, key=f"{severity}/{parties[0].code}+{parties[1].code}", parties=[p.code for p in parties]),
            None,
            parties,
        )
    return describe(Policy.default(severity), key=severity), None, None
