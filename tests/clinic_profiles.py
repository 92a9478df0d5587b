"""Clinic profiles for the tests: the shipped one (no phone numbers) and the same with numbers."""

from pathlib import Path

from ruamel.yaml import YAML

from bot import settings

SHIPPED = settings.PROJECT_ROOT / "data" / "clinic.yml"
# Numbers in the 555-0100 to 555-0199 range, reserved for fiction.
PHONE = "+1 (310) 555-0100"
AFTER_HOURS = "+1 310 555 0199"


def write_profile(directory: Path) -> Path:
    """The shipped profile with a phone number and an after-hours line, as a file in `directory`."""
    yaml = YAML(typ="rt")
    profile = yaml.load(SHIPPED.read_text(encoding="utf-8"))
    profile["phone"], profile["after_hours_phone"] = PHONE, AFTER_HOURS
    path = directory / "clinic-with-numbers.yml"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(profile, handle)
    return path
