"""Builds the release gate's cases (build/gate/cases.yml) for the staff console.

``python -m bot.dev.gate_data`` reads the selection in data/release_gate.yml (sets of the evaluation
manifest, a seeded CLINC150 sample) and writes the chosen cases, and every evaluation message that
must never be trained on, into the file its ``cases_file`` names. The console reads only that file:
a production retrain needs neither tests/ nor ../shared.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot import settings
from bot.dev import clinc
from bot.evaluation.cases import clinc_cases, read_set

HEADER = "# Built by `python -m bot.dev.gate_data` from data/release_gate.yml; do not edit.\n"


def build(gate_file: Path) -> Path:
    """Writes the gate's cases file and returns its path."""
    gate = yaml.safe_load(gate_file.read_text(encoding="utf-8"))
    manifest_file = settings.PROJECT_ROOT / gate["manifest"]
    manifest = yaml.safe_load(manifest_file.read_text(encoding="utf-8"))
    sets = {s["name"]: read_set(manifest_file.parent, s["files"]) for s in manifest["sets"]}
    chosen: List[Dict[str, Any]] = []
    for entry in gate["cases"]:
        categories = set(entry.get("categories") or [])
        chosen += [
            {"set": entry["set"], "case": case.as_dict()}
            for case in sets[entry["set"]]
            if not categories or case.category in categories
        ]
    sample = gate.get("clinc_sample")
    if sample:
        questions = sorted(clinc.load_split(sample["split"]))
        picked = random.Random(sample.get("seed", 0)).sample(questions, min(sample["size"], len(questions)))
        chosen += [{"set": "clinc", "case": case.as_dict()} for case in clinc_cases(picked)]
    never_train = [turn for cases in sets.values() for case in cases for turn in case.turns]
    never_train += clinc.load_split("val") + clinc.load_split("test")
    output = settings.PROJECT_ROOT / gate["cases_file"]
    output.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump({"cases": chosen, "never_train": sorted(set(never_train))}, allow_unicode=True, width=1000)
    output.write_text(HEADER + body, encoding="utf-8")
    return output


if __name__ == "__main__":
    print(f"wrote {build(settings.release_gate_file()).relative_to(settings.PROJECT_ROOT)}")
