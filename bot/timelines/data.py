"""Reads and validates data/timelines.yml: procedures, recovery phases, activities and their windows.

Every problem is reported with the file and line to fix: an unknown passage id, an inverted or
overlapping window, an unknown procedure, spinal level or phase, a missing field. The action
server answers from these records (`timeline_data`, read once).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot import settings
from bot.durations import WEEKS_PER_MONTH
from bot.sources import passages_by_id
from bot.spinal_levels import canonical_level

OK, AVOID = "ok", "avoid"
WINDOW_KINDS = (OK, AVOID)


class TimelineDataError(ValueError):
    """data/timelines.yml has a problem; the message starts with file:line."""


@dataclass(frozen=True)
class Cited:
    """A sentence the assistant says, from the guide, and the passages it rests on."""

    text: str
    cites: Tuple[str, ...]


@dataclass(frozen=True)
class Milestone(Cited):
    """A sentence of the guide about recovery, with the window it gives (in weeks), if any."""

    from_week: Optional[float] = None
    to_week: Optional[float] = None
    level: Optional[str] = None


@dataclass(frozen=True)
class Named:
    """What patients name (a procedure, a recovery phase, an activity), in the phrases the
    language pipeline learns for it."""

    id: str
    label: str
    phrases: Tuple[str, ...]


@dataclass(frozen=True)
class Procedure(Named):
    """A procedure patients name. Without milestones the guide has no timeline for it; `nearest`
    is then the guide procedure whose timeline is given instead (saying so), if any."""

    milestones: Tuple[Milestone, ...]
    examples: Tuple[str, ...] = ()
    nearest: Optional[str] = None

    @property
    def covered(self) -> bool:
        return bool(self.milestones)


@dataclass(frozen=True)
class Phase(Named):
    """A stretch of recovery (weeks), what is typical in it, what to avoid and what to start."""

    from_week: float
    to_week: Optional[float]
    typical: str
    avoid: str
    start: str
    cites: Tuple[str, ...]


@dataclass(frozen=True)
class Window(Cited):
    """When an activity is typically OK (or to avoid), optionally for one procedure and level."""

    kind: str
    from_week: float
    to_week: Optional[float]
    condition: Optional[str] = None
    procedure: Optional[str] = None
    level: Optional[str] = None


@dataclass(frozen=True)
class Activity(Named):
    """Something patients want to do again, and when the guide says it is typically OK."""

    covered: bool
    windows: Tuple[Window, ...]
    examples: Tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineData:
    procedures: Tuple[Procedure, ...]
    general: Tuple[Milestone, ...]
    phases: Tuple[Phase, ...]
    activities: Tuple[Activity, ...]
    general_examples: Tuple[str, ...] = ()

    def procedure(self, procedure_id: str) -> Optional[Procedure]:
        return next((p for p in self.procedures if p.id == procedure_id), None)

    def activity(self, activity_id: str) -> Optional[Activity]:
        return next((a for a in self.activities if a.id == activity_id), None)

    def procedures_with_timelines(self) -> List[Tuple[str, str]]:
        """(id, label) of every procedure the guide gives a timeline for, in the file's order."""
        return [(p.id, p.label) for p in self.procedures if p.covered]

    def covered_activity_labels(self) -> List[str]:
        return sorted(a.label for a in self.activities if a.covered)


class _Reader:
    """Walks the YAML tree, checking as it goes and naming the line of every problem."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.passages = set(passages_by_id())

    def fail(self, node: Any, key: Any, message: str) -> TimelineDataError:
        line = None
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line = node.lc.item(key)[0]
        elif hasattr(node, "lc"):
            line = node.lc.line
        where = f"{self.path}:{line + 1}" if line is not None else str(self.path)
        return TimelineDataError(f"{where}: {message}")

    def mapping(self, node: Any, key: str, where: str) -> CommentedMap:
        value = node.get(key) if isinstance(node, CommentedMap) else None
        if not isinstance(value, CommentedMap) or not value:
            raise self.fail(node, key, f"{where}.{key} must be a mapping of ids to entries")
        return value

    def text(self, node: CommentedMap, key: str, where: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, key, f"{where} needs a `{key}` text")
        return value.strip()

    def optional_text(self, node: CommentedMap, key: str, where: str) -> Optional[str]:
        return self.text(node, key, where) if node.get(key) is not None else None

    def phrases(self, node: CommentedMap, where: str, key: str = "phrases", required: bool = True) -> Tuple[str, ...]:
        phrases = node.get(key)
        if phrases is None and not required:
            return ()
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise self.fail(node, key, f"{where} needs a non-empty list of `{key}`")
        return tuple(phrases)

    def named(self, node: CommentedMap, entry_id: str, where: str) -> Tuple[str, str, Tuple[str, ...]]:
        """The fields of Named: the entry's id, label and phrases."""
        return entry_id, self.text(node, "label", where), self.phrases(node, where)

    def covered(self, node: CommentedMap, where: str) -> bool:
        covered = node.get("covered", True)
        if not isinstance(covered, bool):
            raise self.fail(node, "covered", f"{where}.covered must be true or false")
        return covered

    def cites(self, node: CommentedMap, where: str) -> Tuple[str, ...]:
        cites = node.get("cites")
        if not isinstance(cites, list) or not cites:
            raise self.fail(node, "cites", f"{where} needs `cites`: passage ids from data/sources/passages.yml")
        for index, passage in enumerate(cites):
            if passage not in self.passages:
                raise self.fail(cites, index, f"{where} cites unknown passage {passage!r}")
        return tuple(cites)

    def has_window(self, node: CommentedMap) -> bool:
        return "weeks" in node or "months" in node

    def window(self, node: CommentedMap, where: str) -> Tuple[float, Optional[float]]:
        """`weeks: [from, to]` or `months: [from, to]` as weeks; `to` may be null (open-ended)."""
        if not self.has_window(node):
            raise self.fail(node, None, f"{where} needs `weeks: [from, to]`")
        unit = "weeks" if "weeks" in node else "months"
        bounds = node[unit]
        if not isinstance(bounds, list) or len(bounds) != 2 or not isinstance(bounds[0], (int, float)):
            raise self.fail(node, unit, f"{where}.{unit} must be [from, to] (to may be null)")
        start, end = bounds
        if end is not None and (not isinstance(end, (int, float)) or end <= start):
            raise self.fail(node, unit, f"{where}.{unit} is inverted or empty: {start} to {end}")
        if start < 0:
            raise self.fail(node, unit, f"{where}.{unit} starts before the surgery: {start}")
        factor = WEEKS_PER_MONTH if unit == "months" else 1
        return start * factor, (end * factor if end is not None else None)

    def level(self, node: CommentedMap, key: Any, value: Any, where: str) -> str:
        level = canonical_level(str(value))
        if level is None or "-" not in level:
            raise self.fail(node, key, f"{where}: {value!r} is not a spinal level like L4-L5")
        return level

    def milestone(self, node: CommentedMap, where: str, level: Optional[str] = None) -> Milestone:
        start, end = self.window(node, where) if self.has_window(node) else (None, None)
        return Milestone(self.text(node, "text", where), self.cites(node, where), start, end, level)

    def procedures(self, root: CommentedMap) -> Tuple[Procedure, ...]:
        result = []
        entries = self.mapping(root, "procedures", "timelines")
        for pid, entry in entries.items():
            where = f"procedures.{pid}"
            milestones = [
                self.milestone(m, f"{where}.milestones[{i}]") for i, m in enumerate(entry.get("milestones") or [])
            ]
            for level_key, rows in (entry.get("levels") or {}).items():
                level = self.level(entry["levels"], level_key, level_key, f"{where}.levels")
                milestones += [self.milestone(m, f"{where}.levels.{level_key}[{i}]", level) for i, m in enumerate(rows)]
            covered = self.covered(entry, where)
            if covered != bool(milestones):
                raise self.fail(entry, "milestones", f"{where} needs milestones, or `covered: false` and none")
            nearest = entry.get("nearest")
            if nearest is not None and (covered or nearest not in entries or not entries[nearest].get("milestones")):
                raise self.fail(
                    entry, "nearest", f"{where}.nearest must name a procedure with milestones, on a procedure without"
                )
            result.append(
                Procedure(
                    *self.named(entry, pid, where),
                    tuple(milestones),
                    self.phrases(entry, where, "examples", required=False),
                    nearest,
                )
            )
        return tuple(result)

    def phases(self, root: CommentedMap) -> Tuple[Phase, ...]:
        phases: List[Phase] = []
        for phase_id, entry in self.mapping(root, "phases", "timelines").items():
            where = f"phases.{phase_id}"
            start, end = self.window(entry, where)
            if phases and phases[-1].to_week != start:
                raise self.fail(
                    entry, "weeks", f"{where} must start where {phases[-1].id} ends (week {phases[-1].to_week})"
                )
            phases.append(
                Phase(
                    *self.named(entry, phase_id, where),
                    start,
                    end,
                    self.text(entry, "typical", where),
                    self.text(entry, "avoid", where),
                    self.text(entry, "start", where),
                    self.cites(entry, where),
                )
            )
        if phases[0].from_week != 0 or phases[-1].to_week is not None:
            raise self.fail(
                root, "phases", "phases must start at week 0 and the last one must be open-ended (to: null)"
            )
        return tuple(phases)

    def activities(self, root: CommentedMap, procedures: Set[str]) -> Tuple[Activity, ...]:
        activities = []
        for activity_id, entry in self.mapping(root, "activities", "timelines").items():
            where = f"activities.{activity_id}"
            covered = self.covered(entry, where)
            rows: CommentedSeq = entry.get("windows") or CommentedSeq()
            if covered and not rows:
                raise self.fail(entry, "windows", f"{where} is covered but has no windows (set covered: false)")
            if not covered and rows:
                raise self.fail(entry, "windows", f"{where} is not covered by the guide, so it cannot have windows")
            windows = [self.activity_window(rows, i, f"{where}.windows[{i}]", procedures) for i in range(len(rows))]
            self.check_overlaps(rows, windows, where)
            activities.append(
                Activity(
                    *self.named(entry, activity_id, where),
                    covered,
                    tuple(windows),
                    self.phrases(entry, where, "examples", required=False),
                )
            )
        return tuple(activities)

    def activity_window(self, rows: CommentedSeq, index: int, where: str, procedures: Set[str]) -> Window:
        node = rows[index]
        kind = node.get("kind")
        if kind not in WINDOW_KINDS:
            raise self.fail(node, "kind", f"{where}.kind must be one of {', '.join(WINDOW_KINDS)}")
        procedure = node.get("procedure")
        if procedure is not None and procedure not in procedures:
            raise self.fail(
                node, "procedure", f"{where}: unknown procedure {procedure!r}; known: {', '.join(sorted(procedures))}"
            )
        level = self.level(node, "level", node["level"], where) if node.get("level") is not None else None
        if level and not procedure:
            raise self.fail(node, "level", f"{where}: a spinal level needs a `procedure`")
        start, end = self.window(node, where)
        return Window(
            text=self.text(node, "text", where),
            cites=self.cites(node, where),
            kind=kind,
            from_week=start,
            to_week=end,
            condition=self.optional_text(node, "condition", where),
            procedure=procedure,
            level=level,
        )

    def check_overlaps(self, rows: CommentedSeq, windows: List[Window], where: str) -> None:
        seen: Dict[Tuple[Optional[str], Optional[str]], List[Tuple[int, Window]]] = {}
        for index, window in enumerate(windows):
            for other_index, other in seen.get((window.procedure, window.level), []):
                other_end = other.to_week if other.to_week is not None else float("inf")
                end = window.to_week if window.to_week is not None else float("inf")
                if window.from_week < other_end and other.from_week < end:
                    raise self.fail(rows, index, f"{where}.windows[{index}] overlaps windows[{other_index}]")
            seen.setdefault((window.procedure, window.level), []).append((index, window))


def load_timeline_data(path: Path = settings.TIMELINES_FILE) -> TimelineData:
    """Reads and checks the file; raises TimelineDataError naming the line of the first problem."""
    yaml = YAML(typ="rt")
    with path.open(encoding="utf-8") as handle:
        root = yaml.load(handle)
    reader = _Reader(path)
    if not isinstance(root, CommentedMap):
        raise TimelineDataError(f"{path}: expected a mapping at the top level")
    procedures = reader.procedures(root)
    general = tuple(reader.milestone(m, f"general[{i}]") for i, m in enumerate(root.get("general") or []))
    return TimelineData(
        procedures=procedures,
        general=general,
        phases=reader.phases(root),
        activities=reader.activities(root, {p.id for p in procedures}),
        general_examples=reader.phrases(root, "timelines", "general_examples", required=False),
    )


@functools.lru_cache(maxsize=None)
def timeline_data() -> TimelineData:
    """data/timelines.yml as records, read on first use (and again after a failure)."""
    return load_timeline_data()
