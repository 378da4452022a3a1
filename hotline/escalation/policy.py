"""Escalation policies: what a level is, the defaults of DESIGN.md, and the rules a policy must keep.

A policy is a list of levels. Each level fires `after_s` seconds after the thing that needs an
acknowledgement was sent (the offsets are cumulative, so they must increase), pages its targets, and sends
by each listed method after that method's delay (the "personal notification delay": e.g. SMS only if
the e-mail has not been answered within two minutes). The first level with a positive offset is the
acknowledgement deadline people see. After the last level, it repeats every `repeat_every_s` seconds,
`repeat_count` times, or until acknowledged when `repeat_count` is None.

A timer keeps a snapshot of its policy (`Policy.snapshot()`): a later edit does not rewrite running
escalations.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError

from accounts.choices import ContactMethod
from hotline.escalation.choices import Severity, Target

# Methods the engine can send by; a phone number is called by a person, not by the engine.
PAGING_METHODS = [ContactMethod.CONSOLE, ContactMethod.EMAIL, ContactMethod.SMS, ContactMethod.WEBHOOK]
ALL_METHODS = {method.value: 0 for method in PAGING_METHODS}

# DESIGN.md: level 1 pages the on-duty officer at the acknowledgement deadline.
ACKNOWLEDGE_WITHIN = {
    Severity.CRITICAL: timedelta(minutes=5),
    Severity.HIGH: timedelta(minutes=15),
    Severity.MEDIUM: timedelta(hours=1),
    Severity.LOW: timedelta(hours=4),
}
SUPERVISORS_AFTER = timedelta(minutes=10)
HEAD_AFTER = timedelta(minutes=15)
REPEAT_EVERY = timedelta(minutes=15)
REPLY_WITHIN = timedelta(hours=48)
MAX_LEVELS = 8
MAX_REPEATS = 1000
LONGEST_WAIT = timedelta(days=14)


def default_levels(severity: str) -> list[dict]:
    deadline = int(ACKNOWLEDGE_WITHIN[severity].total_seconds())
    supervisors = deadline + int(SUPERVISORS_AFTER.total_seconds())
    return [
        {"after_s": 0, "targets": [Target.ORGANISATION.value, Target.ON_DUTY.value], "methods": {"console": 0}},
        {"after_s": deadline, "targets": [Target.ON_DUTY.value], "methods": dict(ALL_METHODS)},
        {"after_s": supervisors, "targets": [Target.SUPERVISORS.value], "methods": dict(ALL_METHODS)},
        {
            "after_s": supervisors + int(HEAD_AFTER.total_seconds()),
            "targets": [Target.HEAD.value, Target.COMMISSION_DESK.value],
            "methods": dict(ALL_METHODS),
        },
    ]


@dataclass
class Policy:
    """A policy's content, as stored on the policy row and, frozen, on every timer it started."""

    severity: str
    levels: list[dict]
    repeat_every_s: int = int(REPEAT_EVERY.total_seconds())
    repeat_count: int | None = None  # None: until acknowledged
    reply_within_s: int = int(REPLY_WITHIN.total_seconds())
    source: str = ""  # the key of the policy it came from (`critical`, `critical/AL+RS`), for the timeline
    notes: list[str] = field(default_factory=list)

    @classmethod
    def default(cls, severity: str) -> "Policy":
        return cls(severity=severity, levels=default_levels(severity), source=severity)

    @classmethod
    def from_snapshot(cls, snapshot: dict) -> "Policy":
        return cls(
            **{
                key: snapshot[key]
                for key in ("severity", "levels", "repeat_every_s", "repeat_count", "reply_within_s", "source")
            }
        )

    def snapshot(self) -> dict:
        return {
            "severity": self.severity,
            "levels": self.levels,
            "repeat_every_s": self.repeat_every_s,
            "repeat_count": self.repeat_count,
            "reply_within_s": self.reply_within_s,
            "source": self.source,
        }

    @property
    def acknowledge_within(self) -> timedelta:
        """The deadline people see: when the first level after the immediate alert fires."""
        # validate() refuses a policy without such a level; one written around it pages at once.
        return timedelta(seconds=next((level["after_s"] for level in self.levels if level["after_s"] > 0), 0))

    def with_deadline(self, deadline: timedelta) -> "Policy":
        """The same escalation, moved so that its deadline is `deadline` (a reachability check's window):
        the immediate levels stay, the later ones keep their distances from the deadline."""
        shift = int(deadline.total_seconds()) - int(self.acknowledge_within.total_seconds())
        levels = [
            level if level["after_s"] == 0 else {**level, "after_s": level["after_s"] + shift} for level in self.levels
        ]
        return Policy(**{**self.snapshot(), "levels": levels})

    def reply_reminders(self, within: int | None = None) -> "Policy":
        """The second clock of a request for assistance: reminders to the recipient organisation at half
        and nine tenths of the reply time (`within` seconds, default the policy's), then the on-duty
        officer and supervisors at the deadline."""
        within = within or self.reply_within_s
        remind = {"console": 0, "email": 0}
        return Policy(
            severity=self.severity,
            repeat_every_s=self.repeat_every_s,
            repeat_count=0,
            reply_within_s=within,
            source=self.source,
            levels=[
                {"after_s": within // 2, "targets": [Target.ORGANISATION.value], "methods": remind},
                {"after_s": within * 9 // 10, "targets": [Target.ORGANISATION.value], "methods": remind},
                {
                    "after_s": within,
                    "targets": [Target.ON_DUTY.value, Target.SUPERVISORS.value],
                    "methods": dict(ALL_METHODS),
                },
            ],
        )

    def validate(self) -> None:
        """Refuse a policy that would not escalate as its editor expects, with a message saying why."""
        errors = _level_errors(self.levels)
        if not errors:
            errors += _timing_errors(self)
        if self.repeat_count is not None and not 0 <= self.repeat_count <= MAX_REPEATS:
            errors.append(f"Repeat the last level between 0 and {MAX_REPEATS} times, or until acknowledged.")
        if not 60 <= self.repeat_every_s <= LONGEST_WAIT.total_seconds():
            errors.append("Repeat the last level every minute at the most often, every 14 days at the least.")
        if not 3600 <= self.reply_within_s <= 30 * 86400:
            errors.append("A substantive reply may be due between 1 hour and 30 days after a request for assistance.")
        if errors:
            raise ValidationError({"levels": errors})


def _level_errors(levels) -> list[str]:
    if not isinstance(levels, list) or not 1 <= len(levels) <= MAX_LEVELS:
        return [f"A policy has between 1 and {MAX_LEVELS} levels."]
    errors = []
    for number, level in enumerate(levels):
        where = f"Level {number}"
        if not isinstance(level, dict) or set(level) - {"after_s", "targets", "methods", "contact_points"}:
            errors.append(f"{where}: a level has after_s, targets, methods and optionally contact_points.")
            continue
        after = level.get("after_s")
        if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= LONGEST_WAIT.total_seconds():
            errors.append(f"{where}: after_s is a whole number of seconds between 0 and 14 days.")
        targets = level.get("targets")
        if not isinstance(targets, list) or not targets or any(target not in Target.values for target in targets):
            errors.append(f"{where}: targets is a non-empty list of: {', '.join(Target.values)}.")
        methods = level.get("methods")
        if (
            not isinstance(methods, dict)
            or not methods
            or any(
                method not in ALL_METHODS or not isinstance(delay, int) or isinstance(delay, bool) or delay < 0
                for method, delay in methods.items()
            )
        ):
            errors.append(
                f"{where}: methods maps some of {', '.join(ALL_METHODS)} to a delay in whole seconds (0 or more)."
            )
        contact_points = level.get("contact_points", [])
        if not isinstance(contact_points, list) or any(
            not isinstance(pk, int) or isinstance(pk, bool) for pk in contact_points
        ):
            errors.append(f"{where}: contact_points is a list of contact point ids.")
        elif isinstance(targets, list) and (Target.CONTACT_POINTS.value in targets) != bool(contact_points):
            errors.append(f"{where}: name contact points exactly when the level targets contact_points.")
    return errors


def _timing_errors(policy: Policy) -> list[str]:
    errors = []
    offsets = [level["after_s"] for level in policy.levels]
    if any(later <= earlier for earlier, later in zip(offsets, offsets[1:], strict=False)):
        errors.append(
            f"The waits must increase from level to level (each is counted from the message); got {offsets} seconds."
        )
    if offsets[-1] == 0:
        errors.append("At least one level must wait: its wait is the acknowledgement deadline.")
    if errors:
        return errors  # the delays are measured against the waits: nothing sensible to say of them yet
    for number, level in enumerate(policy.levels):
        last = number == len(policy.levels) - 1
        if last:
            lasts = policy.repeat_every_s if policy.repeat_count != 0 else None
        else:
            lasts = offsets[number + 1] - offsets[number]
        for method, delay in level["methods"].items():
            if lasts is not None and delay >= lasts:
                errors.append(
                    f"Level {number}: the {method} delay ({delay} s) is not shorter than the level's wait ({lasts} s): "
                    "the next level would fire before it is sent."
                )
    return errors
