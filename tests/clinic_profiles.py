"""Clinic profiles for the tests: the shipped one (no phone numbers) and the same with numbers,
which the session's servers use (tests/conftest.py)."""

from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List

import yaml
from ruamel.yaml import YAML

from bot import settings
from bot.clinic import ClinicProfile, load_profile
from bot.rasa.clinic_responses import prepare

SHIPPED = settings.PROJECT_ROOT / "data" / "clinic.yml"
# Numbers in the 555-0100 to 555-0199 range, reserved for fiction.
PHONE = "+1 (310) 555-0100"
AFTER_HOURS = "+1 310 555 0199"
REPLY_HOURS = 4
WITH_NUMBERS = replace(
    load_profile(SHIPPED), phone=PHONE, after_hours_phone=AFTER_HOURS, typical_reply_hours=REPLY_HOURS
)


def write_profile(directory: Path) -> Path:
    """WITH_NUMBERS as a file in `directory`: the shipped profile with a phone and after-hours line
    and a typical reply time."""
    yaml_ = YAML(typ="rt")
    profile = yaml_.load(SHIPPED.read_text(encoding="utf-8"))
    profile["phone"], profile["after_hours_phone"], profile["typical_reply_hours"] = PHONE, AFTER_HOURS, REPLY_HOURS
    path = directory / "clinic-with-numbers.yml"
    with path.open("w", encoding="utf-8") as handle:
        yaml_.dump(profile, handle)
    return path


def answers(profile: ClinicProfile = WITH_NUMBERS) -> Dict[str, List[Dict[str, Any]]]:
    """domain.yml's responses as a server with this profile gives them."""
    return prepare(yaml.safe_load(settings.DOMAIN_FILE.read_text(encoding="utf-8"))["responses"], profile)
