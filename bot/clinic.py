"""The clinic's own profile (data/clinic.yml, or CLINIC_PROFILE_FILE): its name, numbers, opening
hours, time zone and address, validated on reading.

Its values are facts of a source of their own, "Clinic profile": each value that is set is a
passage the answers cite (`clinic-phone`...) and a placeholder domain.yml's responses use
(`{clinic_phone}`...). An unset number is no passage and no value: nothing invents one.
`python -m bot.clinic` checks the file and prints the passages.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import settings

SOURCE_ID = "clinic"
SOURCE_TITLE = "Clinic profile"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FIELDS = (
    "name",
    "phone",
    "after_hours_phone",
    "emergency_number",
    "time_zone",
    "hours",
    "address",
    "typical_reply_hours",
)
REQUIRED = ("name", "time_zone", "hours", "address")
HOURS_FIELDS = ("days", "opens", "closes")
_PHONE = re.compile(r"\+?[0-9 ()-]+")
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


class ClinicProfileError(ValueError):
    """The clinic profile has a problem; the message names the file, the field and the fix."""


@dataclass(frozen=True)
class OpeningHours:
    """The days (Mon...Sun) the clinic opens and closes at the same times (local time)."""

    days: Tuple[str, ...]
    opens: time
    closes: time


@dataclass(frozen=True)
class ClinicProfile:
    """The clinic as its profile file describes it; a phone number is "" when unset."""

    path: Path
    name: str
    time_zone: ZoneInfo
    hours: Tuple[OpeningHours, ...]
    address: str
    phone: str = ""
    after_hours_phone: str = ""
    emergency_number: str = "911"
    typical_reply_hours: Optional[float] = None  # how long a staff reply usually takes


@dataclass(frozen=True)
class Fact:
    """A value of the profile as the answers use it: the passage it is cited as, and whether it is
    a number to call (a tap-to-call link in the widget)."""

    field: str
    passage_id: str
    section: str
    text: str
    is_number: bool = False

    @property
    def placeholder(self) -> str:
        """What domain.yml's responses write for it, in braces: clinic_<field>."""
        return f"clinic_{self.field}"


# (field, passage id, section) of every value responses may use, and which of them are numbers.
PASSAGES = (
    ("name", "clinic-name", "Name"),
    ("phone", "clinic-phone", "Phone"),
    ("after_hours_phone", "clinic-after-hours", "After-hours line"),
    ("emergency_number", "clinic-emergency", "Emergency number"),
    ("hours", "clinic-hours", "Opening hours"),
    ("address", "clinic-address", "Address"),
    ("typical_reply_hours", "clinic-reply-time", "How long a staff reply usually takes (hours)"),
)
NUMBERS = ("phone", "after_hours_phone", "emergency_number")
PLACEHOLDERS = tuple(f"clinic_{field}" for field, _, _ in PASSAGES)


def facts(profile: ClinicProfile) -> List[Fact]:
    """The profile's values that are set, in the order of PASSAGES."""
    values = {
        "name": profile.name,
        "phone": profile.phone,
        "after_hours_phone": profile.after_hours_phone,
        "emergency_number": profile.emergency_number,
        "hours": hours_text(profile.hours),
        "address": profile.address,
        "typical_reply_hours": f"{profile.typical_reply_hours:g}" if profile.typical_reply_hours else "",
    }
    return [
        Fact(field, passage_id, section, values[field], field in NUMBERS)
        for field, passage_id, section in PASSAGES
        if values[field]
    ]


def clock(at: time) -> str:
    """9:00 a.m., 12:30 p.m."""
    return f"{(at.hour + 11) % 12 + 1}:{at.minute:02d} {'a.m.' if at.hour < 12 else 'p.m.'}"


def days_text(days: Tuple[str, ...]) -> str:
    """Monday to Friday; Monday, Wednesday; Saturday: runs of consecutive days joined."""
    numbers = sorted(DAYS.index(day) for day in days)
    runs: List[List[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [DAY_NAMES[r[0]] if len(r) == 1 else f"{DAY_NAMES[r[0]]} to {DAY_NAMES[r[-1]]}" for r in runs]
    return ", ".join(parts)


def hours_text(hours: Tuple[OpeningHours, ...]) -> str:
    """Monday to Friday, 9:00 a.m. to 5:00 p.m.; Saturday, 9:00 a.m. to 12:00 p.m."""
    return "; ".join(f"{days_text(h.days)}, {clock(h.opens)} to {clock(h.closes)}" for h in hours)


class _Reader:
    """Checks the file's values, naming the line and the fix of the first problem."""

    def __init__(self, path: Path, root: CommentedMap) -> None:
        self.path = path
        self.root = root

    def fail(self, node: Any, key: Any, field: str, message: str) -> ClinicProfileError:
        line = None
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line = node.lc.item(key)[0]
        where = f"{self.path}:{line + 1}" if line is not None else str(self.path)
        return ClinicProfileError(f"{where}: {field} {message}")

    def text(self, key: str, default: str = "") -> str:
        value = self.root.get(key)
        if value is None or value == "":
            if key in REQUIRED:
                raise self.fail(self.root, key, key, f"is missing: give the clinic's {key.replace('_', ' ')}")
            return default
        if not isinstance(value, str):
            raise self.fail(self.root, key, key, f'must be text: put the value in quotes ({key}: "{value}")')
        value = " ".join(value.split())
        if "{" in value or "}" in value:
            raise self.fail(self.root, key, key, "must not contain { or }: responses would read them as placeholders")
        return value

    def number(self, key: str, default: str = "") -> str:
        value = self.text(key, default)
        digits = sum(c.isdigit() for c in value)
        if value and not (_PHONE.fullmatch(value) and 3 <= digits <= 15):
            raise self.fail(
                self.root,
                key,
                key,
                f"{value!r} is not a phone number: use 3 to 15 digits with spaces, ( ) and -, and an "
                f'optional leading + (e.g. {key}: "+1 310 555 0100"), or "" when the clinic has none',
            )
        return value

    def time_zone(self) -> ZoneInfo:
        name = self.text("time_zone")
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(
                self.root, "time_zone", "time_zone", f"{name!r} is not an IANA time zone: use e.g. America/Los_Angeles"
            ) from None

    def reply_hours(self) -> Optional[float]:
        value = self.root.get("typical_reply_hours")
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
            raise self.fail(
                self.root,
                "typical_reply_hours",
                "typical_reply_hours",
                f"{value!r} must be a number of hours above 0 (e.g. 4), or left empty when unknown",
            )
        return float(value)

    def clock(self, row: CommentedMap, key: str, field: str) -> time:
        value = row.get(key)
        match = _TIME.fullmatch(value) if isinstance(value, str) else None
        if not match:
            raise self.fail(row, key, field, f'{value!r} must be a time "HH:MM", 24-hour (e.g. "17:00")')
        return time(int(match.group(1)), int(match.group(2)))

    def hours(self) -> Tuple[OpeningHours, ...]:
        rows = self.root.get("hours")
        example = 'e.g. - {days: [Mon, Tue, Wed, Thu, Fri], opens: "09:00", closes: "17:00"}'
        if not isinstance(rows, CommentedSeq) or not rows:
            raise self.fail(self.root, "hours", "hours", f"must be a list of opening hours ({example})")
        seen: Dict[str, int] = {}
        hours = []
        for index, row in enumerate(rows):
            field = f"hours[{index}]"
            if not isinstance(row, CommentedMap) or set(row) != set(HOURS_FIELDS):
                raise self.fail(rows, index, field, f"must give exactly days, opens and closes ({example})")
            days = row["days"]
            if not isinstance(days, CommentedSeq) or not days or not all(d in DAYS for d in days):
                raise self.fail(row, "days", f"{field}.days", f"must be a list of days among {', '.join(DAYS)}")
            for day in days:
                if day in seen:
                    raise self.fail(row, "days", f"{field}.days", f"repeats {day} (also in hours[{seen[day]}])")
                seen[day] = index
            opens = self.clock(row, "opens", f"{field}.opens")
            closes = self.clock(row, "closes", f"{field}.closes")
            if closes <= opens:
                raise self.fail(row, "closes", f"{field}.closes", "must be later than opens")
            hours.append(OpeningHours(tuple(days), opens, closes))
        return tuple(hours)


def load_profile(path: Optional[Path] = None) -> ClinicProfile:
    """Reads and checks the profile (CLINIC_PROFILE_FILE unless given); raises ClinicProfileError."""
    path = path or settings.clinic_profile_file()
    try:
        with path.open(encoding="utf-8") as handle:
            root = YAML(typ="rt").load(handle)
    except OSError as error:
        raise ClinicProfileError(f"{path}: cannot read it ({error.strerror}): set CLINIC_PROFILE_FILE") from None
    except YAMLError as error:
        raise ClinicProfileError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(root, CommentedMap):
        raise ClinicProfileError(f"{path}: expected a mapping of the clinic's fields ({', '.join(FIELDS)})")
    reader = _Reader(path, root)
    for key in root:
        if key not in FIELDS:
            raise reader.fail(root, key, str(key), f"is not a field of the profile: use one of {', '.join(FIELDS)}")
    profile = ClinicProfile(
        path=path,
        name=reader.text("name"),
        time_zone=reader.time_zone(),
        hours=reader.hours(),
        address=reader.text("address"),
        phone=reader.number("phone"),
        after_hours_phone=reader.number("after_hours_phone"),
        emergency_number=reader.number("emergency_number", "911"),
        typical_reply_hours=reader.reply_hours(),
    )
    if profile.after_hours_phone and not profile.phone:
        raise reader.fail(
            root, "after_hours_phone", "after_hours_phone", "is set but phone is not: set phone too (replies give both)"
        )
    return profile


def main() -> int:
    try:
        profile = load_profile()
    except ClinicProfileError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{profile.path} is valid; its passages ({SOURCE_TITLE}):")
    for fact in facts(profile):
        print(f"  {fact.passage_id}: {fact.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
