"""data/timelines.yml loads, and every mistake is reported with the line to fix."""

import textwrap

import pytest

from bot.sources import passages_by_id, unsupported_numbers
from bot.timelines.data import TimelineDataError, load_timeline_data, timeline_data

VALID = """\
procedures:
  fusion:
    label: fusion
    phrases: [fusion]
    milestones:
      - text: 8–12 weeks for bone healing
        weeks: [8, 12]
        cites: [miss-recovery-by-procedure]
phases:
  first_days:
    label: the first few days
    phrases: [first days]
    weeks: [0, 1]
    typical: rest
    avoid: nothing
    start: walking
    cites: [miss-first-days]
  later:
    label: later
    phrases: [later]
    weeks: [1, null]
    typical: more
    avoid: less
    start: sports
    cites: [miss-weeks-8-12]
activities:
  swimming:
    label: light swimming
    phrases: [swim]
    windows:
      - kind: ok
        weeks: [4, null]
        text: from weeks 4 to 8
        cites: [miss-weeks-4-8]
"""


def write(tmp_path, text):
    path = tmp_path / "timelines.yml"
    path.write_text(textwrap.dedent(text))
    return path


def test_project_timelines_load():
    data = load_timeline_data()
    assert {p.id for p in data.procedures if p.covered} == {"microdiscectomy", "decompression", "fusion"}
    assert [p.id for p in data.phases] == ["first_days", "weeks_1_to_4", "weeks_4_to_8", "weeks_8_to_12", "beyond"]
    assert len(data.general) == 2


def test_the_records_are_read_once():
    assert timeline_data() is timeline_data() == load_timeline_data()


def test_procedures_by_id():
    data = timeline_data()
    assert [p for p, _ in data.procedures_with_timelines()] == ["microdiscectomy", "decompression", "fusion"]
    assert any(m.level == "L4-L5" and m.from_week == 4 for m in data.procedure("fusion").milestones)
    laminectomy = data.procedure("laminectomy")
    assert laminectomy.nearest == "decompression" and not laminectomy.covered
    assert not data.procedure("disc_replacement").nearest
    assert data.procedure("appendectomy") is None


def test_activities_by_id():
    data = timeline_data()
    swimming = data.activity("swimming")
    assert swimming.covered and swimming.windows[0].condition == "Do this only if your doctor has cleared you."
    assert not data.activity("driving").covered and data.activity("driving").windows == ()
    assert data.activity("skydiving") is None
    labels = data.covered_activity_labels()
    assert "light swimming" in labels and "driving" not in labels and labels == sorted(labels)


def test_every_row_is_grounded_in_its_passages():
    data = load_timeline_data()
    passages = passages_by_id()
    rows = [m for p in data.procedures for m in p.milestones] + list(data.general)
    rows += [w for a in data.activities for w in a.windows]
    for row in rows:
        cited = [passages[c] for c in row.cites]
        assert not unsupported_numbers(row.text, cited), row.text
    for phase in data.phases:
        cited = [passages[c] for c in phase.cites]
        for text in (phase.typical, phase.avoid, phase.start):
            assert not unsupported_numbers(text, cited), (phase.id, text)


def test_a_valid_file_loads(tmp_path):
    data = load_timeline_data(write(tmp_path, VALID))
    assert data.activities[0].windows[0].from_week == 4


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "cites: [miss-weeks-4-8]",
            "cites: [miss-weeks-4-9]",
            r"timelines.yml:34: activities.swimming.windows\[0\] cites unknown passage 'miss-weeks-4-9'",
        ),
        (
            "weeks: [4, null]",
            "weeks: [6, 4]",
            r"timelines.yml:32: activities.swimming.windows\[0\].weeks is inverted or empty: 6 to 4",
        ),
        (
            "        cites: [miss-weeks-4-8]\n",
            "        cites: [miss-weeks-4-8]\n        procedure: laminectomy\n",
            r"timelines.yml:35: .*unknown procedure 'laminectomy'",
        ),
        (
            "    weeks: [1, null]",
            "    weeks: [2, null]",
            r"timelines.yml:21: phases.later must start where first_days ends",
        ),
        ("    label: light swimming\n", "", r"timelines.yml:\d+: activities.swimming needs a `label` text"),
    ],
)
def test_errors_name_the_line(tmp_path, old, new, message):
    assert old in VALID
    with pytest.raises(TimelineDataError, match=message):
        load_timeline_data(write(tmp_path, VALID.replace(old, new)))


def test_overlapping_windows_are_rejected(tmp_path):
    overlapping = (
        VALID
        + """\
      - kind: avoid
        weeks: [0, 6]
        text: not yet
        cites: [miss-weeks-1-4]
"""
    )
    with pytest.raises(TimelineDataError, match=r"timelines.yml:35: .*windows\[1\] overlaps windows\[0\]"):
        load_timeline_data(write(tmp_path, overlapping))


def test_uncovered_activities_cannot_have_windows(tmp_path):
    text = VALID.replace("    label: light swimming\n", "    label: light swimming\n    covered: false\n")
    with pytest.raises(TimelineDataError, match="is not covered by the guide, so it cannot have windows"):
        load_timeline_data(write(tmp_path, text))
