"""make compare-classifiers: --only measures the named candidates again and keeps the others' rows."""

from __future__ import annotations

import json
from pathlib import Path

from bot.dev import compare_classifiers


def test_only_the_named_candidate_is_measured_again(tmp_path: Path, monkeypatch):
    report = tmp_path / "classifiers.json"
    names = [name for name, _ in compare_classifiers.CANDIDATES]
    report.write_text(json.dumps({name: {"old": True} for name in names}), encoding="utf-8")
    measured = []

    def measure(name, config, manifest, work):
        measured.append(name)
        return {"new": True}

    monkeypatch.setattr(compare_classifiers, "measure", measure)
    monkeypatch.setattr(compare_classifiers, "described_table", lambda results: "")
    compare_classifiers.main(["tests/data/evaluation.yml", "--only", "nearest", "--report", str(report), "--no-table"])
    written = json.loads(report.read_text(encoding="utf-8"))
    assert measured == [names[0]] and compare_classifiers.short(names[0]) == "nearest"
    assert written == {names[0]: {"new": True}, **{name: {"old": True} for name in names[1:]}}
    assert list(written) == names


def test_the_table_names_the_commit_each_row_was_measured_on():
    rates = {key: {"value": 0.5, "hits": 1, "total": 2} for key, _ in compare_classifiers.METRIC_COLUMNS}
    row = {"metrics": rates, "training_seconds": 1, "reply_p50_ms": 2, "rss_mb": 3}
    table = compare_classifiers.table(
        {"a": {**row, "changed_by_one_example": 0, "red_flags_changed": 0, "commit": "abc1234"}}
    )
    assert table.splitlines()[-1].endswith("| abc1234 |")
