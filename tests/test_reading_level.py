"""Every text the assistant sends patients reads at Flesch-Kincaid grade 8 or below, as textstat
measures it (syllables from Pyphen's dictionaries): every response with the clinic's values, every
timeline reply for every procedure, level, phase, activity and time, every check-in
(tests/patient_texts.py). Writes the grade of each text to reports/reading_level.json and a table
per response to reports/reading_level.md."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from importlib.metadata import version
from typing import Any, Dict, List

import pytest
import textstat

from bot import settings
from tests.patient_texts import patient_texts, responses

MAX_GRADE = 8.0
REPORTS = settings.PROJECT_ROOT / "reports"


def graded() -> List[Dict[str, Any]]:
    """Each different text once: its grade, response, the keys of the texts that read so, and the text."""
    by_text: Dict[str, Dict[str, Any]] = {}
    for text in patient_texts():
        if text.text not in by_text:
            grade = textstat.flesch_kincaid_grade(text.text)
            by_text[text.text] = {"grade": grade, "response": text.response, "keys": [], "text": text.text}
        by_text[text.text]["keys"].append(text.key)
    return list(by_text.values())


GRADED = graded()


def summary(grades: List[float]) -> Dict[str, Any]:
    return {
        "texts": len(grades),
        "median": round(statistics.median(grades), 1),
        "max": max(grades),
        "over": sum(g > MAX_GRADE for g in grades),
    }


def report(entries: List[Dict[str, Any]]) -> Dict[str, Any]:
    per_response: Dict[str, List[float]] = defaultdict(list)
    for entry in entries:
        per_response[entry["response"]].append(entry["grade"])
    return {
        "measure": f"textstat {version('textstat')} flesch_kincaid_grade",
        "max_grade": MAX_GRADE,
        "all": summary([e["grade"] for e in entries]),
        "responses": {name: summary(grades) for name, grades in sorted(per_response.items())},
        "texts": sorted(entries, key=lambda e: (-e["grade"], e["keys"][0])),
    }


def table(written: Dict[str, Any]) -> str:
    """The report as a Markdown table: per response, how many different texts, their median and
    highest grade, and how many are above the limit."""
    rows = ["| response | texts | median | max | above grade 8 |", "| --- | --- | --- | --- | --- |"]
    for name, s in [("all texts", written["all"]), *written["responses"].items()]:
        rows.append(f"| {name} | {s['texts']} | {s['median']} | {s['max']} | {s['over']} |")
    return "\n".join(rows) + "\n"


def test_the_report_gives_every_texts_grade():
    written = report(GRADED)
    (REPORTS / "reading_level.json").write_text(json.dumps(written, indent=1) + "\n", encoding="utf-8")
    heading = f"<!-- Written by tests/test_reading_level.py ({written['measure']}): run it instead of editing. -->"
    (REPORTS / "reading_level.md").write_text(f"{heading}\n\n{table(written)}", encoding="utf-8")


def test_every_response_is_measured():
    assert {e["response"] for e in GRADED} == set(responses())


@pytest.mark.parametrize("entry", GRADED, ids=lambda e: e["keys"][0])
def test_every_text_reads_at_grade_8_or_below(entry):
    assert entry["grade"] <= MAX_GRADE, f"grade {entry['grade']}: {entry['text']!r}"


def test_the_measure_is_textstats_flesch_kincaid_grade():
    assert textstat.flesch_kincaid_grade("Call your surgeon now. Take short walks.") <= 2
    assert textstat.flesch_kincaid_grade("Contact your surgeon if you experience persistent difficulty walking.") > 8
