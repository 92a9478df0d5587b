"""The clinic profile: the shipped one, its passages, and a clear error for every bad value."""

import textwrap
from dataclasses import replace
from datetime import time

import pytest

from bot import settings
from bot.clinic import ClinicProfileError, OpeningHours, facts, hours_text, load_profile, main
from bot.sources import load_sources, passages_by_id, source_line
from tests.clinic_profiles import SHIPPED, WITH_NUMBERS, write_profile

FIELDS = {
    "name": 'name: "Spine Clinic"',
    "phone": 'phone: "+1 (310) 555-0100"',
    "after_hours_phone": 'after_hours_phone: "310 555 0199"',
    "emergency_number": 'emergency_number: "911"',
    "time_zone": "time_zone: America/Los_Angeles",
    "hours": textwrap.dedent("""\
        hours:
          - {days: [Mon, Tue, Wed, Thu, Fri], opens: "09:00", closes: "17:00"}
          - {days: [Sat], opens: "09:00", closes: "12:30"}"""),
    "address": 'address: "1 Main Street, Los Angeles, CA 90048"',
    "typical_reply_hours": "typical_reply_hours: 4",
}


def profile_file(tmp_path, **changes):
    """A profile with every field set, but for the lines `changes` gives (field: line)."""
    path = tmp_path / "clinic.yml"
    path.write_text("\n".join({**FIELDS, **changes}.values()) + "\n", encoding="utf-8")
    return path


def test_the_shipped_profile_has_the_article_footers_address_and_hours_and_no_number():
    profile = load_profile(SHIPPED)
    assert profile.name == "ATLAS Institute of Brain and Spine"
    assert profile.address == "8631 W. 3rd Street, Suite 815E, Los Angeles, CA 90048"
    assert profile.hours == (OpeningHours(("Mon", "Tue", "Wed", "Thu", "Fri"), time(9), time(17)),)
    assert str(profile.time_zone) == "America/Los_Angeles"
    assert (profile.phone, profile.after_hours_phone, profile.emergency_number) == ("", "", "911")
    assert profile.typical_reply_hours is None
    passages = [f.passage_id for f in facts(profile)]
    assert passages == ["clinic-name", "clinic-emergency", "clinic-hours", "clinic-address"]


def test_a_profile_is_a_source_of_its_own_with_a_passage_per_value_that_is_set(tmp_path):
    profile = load_profile(profile_file(tmp_path))
    assert profile.typical_reply_hours == 4.0
    clinic = load_sources(profile=profile)[-1]
    assert (clinic.id, clinic.title, clinic.publisher) == ("clinic", "Clinic profile", "Spine Clinic")
    passages = {p.id: p.text for p in clinic.passages}
    assert passages == {
        "clinic-name": "Spine Clinic",
        "clinic-phone": "+1 (310) 555-0100",
        "clinic-after-hours": "310 555 0199",
        "clinic-emergency": "911",
        "clinic-hours": "Monday to Friday, 9:00 a.m. to 5:00 p.m.; Saturday, 9:00 a.m. to 12:30 p.m.",
        "clinic-address": "1 Main Street, Los Angeles, CA 90048",
        "clinic-reply-time": "4",
    }
    assert [f.placeholder for f in facts(profile) if f.is_number] == [
        "clinic_phone",
        "clinic_after_hours_phone",
        "clinic_emergency_number",
    ]


def test_the_hours_and_address_passages_moved_to_the_profile_and_patients_see_it_as_the_source():
    passages = passages_by_id()
    assert passages["clinic-hours"].source_id == passages["clinic-address"].source_id == "clinic"
    assert passages["clinic-second-opinion"].source_id == "miss"
    assert source_line(["clinic-hours", "clinic-address"]) == "Source: Clinic profile (Opening hours; Address)"


def test_hours_are_written_out_for_patients():
    hours = (
        OpeningHours(("Mon", "Wed", "Thu"), time(8, 30), time(12)),
        OpeningHours(("Sat", "Sun"), time(0), time(23, 59)),
    )
    assert hours_text(hours) == (
        "Monday, Wednesday to Thursday, 8:30 a.m. to 12:00 p.m.; Saturday to Sunday, 12:00 a.m. to 11:59 p.m."
    )


def test_the_setting_chooses_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("CLINIC_PROFILE_FILE", str(profile_file(tmp_path)))
    assert passages_by_id()["clinic-phone"].text == "+1 (310) 555-0100"
    monkeypatch.setenv("CLINIC_PROFILE_FILE", str(tmp_path / "missing.yml"))
    with pytest.raises(ClinicProfileError, match="missing.yml: cannot read it .*set CLINIC_PROFILE_FILE"):
        load_profile()


def test_the_tests_profile_with_numbers_is_the_shipped_one_with_a_phone_and_an_after_hours_line(tmp_path):
    path = write_profile(tmp_path)
    assert load_profile(path) == replace(WITH_NUMBERS, path=path)
    assert WITH_NUMBERS.phone and WITH_NUMBERS.after_hours_phone


BAD = {  # what is wrong: (field, its line, what the error says)
    "unknown field": ("phone_number", "phone_number: '555'", r"clinic.yml:11: phone_number is not a field .* phone,"),
    "name missing": ("name", 'name: ""', r"clinic.yml:1: name is missing: give the clinic's name"),
    "letters in a phone": ("phone", 'phone: "call us"', r"phone 'call us' is not a phone number: use 3 to 15 digits"),
    "+ inside a phone": ("phone", 'phone: "310+555"', "is not a phone number"),
    "too few digits": ("phone", 'phone: "12"', "is not a phone number"),
    "an unquoted number": ("emergency_number", "emergency_number: 911", "must be text: put the value in quotes"),
    "braces": ("address", 'address: "{clinic_phone} Street"', "must not contain { or }"),
    "unknown time zone": ("time_zone", "time_zone: Pacific", "'Pacific' is not an IANA time zone: use e.g. America/"),
    "not a time": ("hours", "hours: [{days: [Mon], opens: 9am, closes: '17:00'}]", r"hours\[0\].opens '9am' must be"),
    "not a 24-hour time": ("hours", "hours: [{days: [Mon], opens: '09:00', closes: '25:00'}]", 'a time "HH:MM", 24'),
    "closes before it opens": (
        "hours",
        "hours: [{days: [Mon], opens: '17:00', closes: '09:00'}]",
        r"hours\[0\].closes must be later than opens",
    ),
    "unknown day": ("hours", "hours: [{days: [Monday], opens: '09:00', closes: '17:00'}]", "among Mon, Tue"),
    "a day twice": (
        "hours",
        "hours: [{days: [Mon], opens: '09:00', closes: '12:00'}, {days: [Mon], opens: '13:00', closes: '17:00'}]",
        r"hours\[1\].days repeats Mon \(also in hours\[0\]\)",
    ),
    "a row without times": ("hours", "hours: [{days: [Mon]}]", "must give exactly days, opens and closes"),
    "no hours": ("hours", "hours: []", "hours must be a list of opening hours"),
    "reply hours not a number": ("typical_reply_hours", "typical_reply_hours: soon", "must be a number of hours"),
    "after-hours line without a phone": ("phone", 'phone: ""', "after_hours_phone is set but phone is not: set phone"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_value_is_refused_naming_the_file_the_field_and_the_fix(tmp_path, case):
    field, line, says = BAD[case]
    path = profile_file(tmp_path, **{field: line})
    with pytest.raises(ClinicProfileError, match=says) as error:
        load_profile(path)
    assert str(error.value).startswith(f"{path}:")


def test_not_a_mapping_or_not_yaml(tmp_path):
    path = tmp_path / "clinic.yml"
    path.write_text("- name\n", encoding="utf-8")
    with pytest.raises(ClinicProfileError, match="expected a mapping of the clinic's fields"):
        load_profile(path)
    path.write_text("name: [\n", encoding="utf-8")
    with pytest.raises(ClinicProfileError, match="not valid YAML"):
        load_profile(path)


def test_the_check_command(monkeypatch, tmp_path, capsys):
    assert main() == 0
    assert "clinic-hours: Monday to Friday, 9:00 a.m. to 5:00 p.m." in capsys.readouterr().out
    monkeypatch.setenv("CLINIC_PROFILE_FILE", str(profile_file(tmp_path, time_zone="")))
    assert main() == 1
    assert "time_zone is missing" in capsys.readouterr().err


def test_the_shipped_profile_is_the_settings_default():
    assert SHIPPED == settings.PROJECT_ROOT / settings.CLINIC_PROFILE_FILE.default
