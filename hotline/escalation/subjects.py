"""What a timer watches, seen through a small interface: the engine imports none of the apps that use it.

An app registers one `SubjectType` per kind of acknowledgeable thing (in its AppConfig.ready): incidents
their acknowledgements and reply clocks, reachability its checks. The engine asks it to
describe subjects for pages and timelines, and to record an acknowledgement given through a page's link
or by phone, which the owning app records by its own action (which then stops the timer).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """How a page names its subject. `title` and `excerpt` are content: they are shown only in the
    consoles of the organisations it is between (which may read it), and never leave the product above
    TLP:GREEN."""

    reference: str
    title: str
    tlp: str
    path: str  # the console page where it is acknowledged
    what: str = "message"  # "message", "reply", "reachability check", for wording
    category: str = ""  # in words: "Drone incident", "Exercise", …
    excerpt: str = ""  # the first lines of what must be acknowledged: content, like `title`
    told: tuple = ()  # the codes of every organisation it waits on (the alert names the others)


EXCERPT_LINES = 3
EXCERPT_CHARS = 280


def excerpt(text: str) -> str:
    """The first lines of a text, for an alert: at most EXCERPT_LINES non-empty lines and EXCERPT_CHARS
    characters, with an ellipsis where it was cut."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    shown = "\n".join(lines[:EXCERPT_LINES])
    cut = len(lines) > EXCERPT_LINES
    if len(shown) > EXCERPT_CHARS:
        shown, cut = shown[: EXCERPT_CHARS - 1].rstrip(), True
    return shown + "…" if cut else shown


class SubjectType:
    kind: str = ""

    def summarise(self, subject_ids: list[int]) -> dict[int, Summary]:
        raise NotImplementedError

    def acknowledge(self, subject_id: int, person, method: str, recorded_by=None) -> bool:
        """Record the acknowledgement of `subject_id` by `person` (given by `method`; `recorded_by` is the
        supervisor who took it by phone). False when it no longer waits (acknowledged meanwhile)."""
        raise NotImplementedError

    def may_see(self, caller, subject_id: int) -> bool:
        """May `caller` see this subject's timeline?"""
        raise NotImplementedError


def acknowledged_by_label(label: str, recorded_by=None) -> str:
    """How an acknowledgement names who gave it (`label`); one taken by phone also names the person who
    recorded it (`recorded_by`, see SubjectType.acknowledge)."""
    if recorded_by is not None:
        label = f"{label} (by phone, recorded by {recorded_by.username})"
    return label[:150]


_registry: dict[str, SubjectType] = {}


def register(subject_type: SubjectType) -> None:
    _registry[subject_type.kind] = subject_type


def subject_type(kind: str) -> SubjectType:
    return _registry[kind]


def summaries(timers) -> dict[tuple[str, int], Summary]:
    """Summaries of the timers' subjects, one query per kind."""
    wanted: dict[str, set[int]] = {}
    for timer in timers:
        wanted.setdefault(timer.subject_kind, set()).add(timer.subject_id)
    found = {}
    for kind, ids in wanted.items():
        for subject_id, summary in subject_type(kind).summarise(sorted(ids)).items():
            found[(kind, subject_id)] = summary
    return found
