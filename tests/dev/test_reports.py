"""The machine-written tables (reports/*.md) are what their tools write from their JSON reports:
nobody edited them by hand."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict

import pytest
import yaml

from bot import settings
from bot.dev import bench, compare_classifiers, evaluate
from bot.evaluation import report

REPORTS = settings.PROJECT_ROOT / "reports"
MANIFEST = yaml.safe_load((settings.PROJECT_ROOT / "tests" / "data" / "evaluation.yml").read_text(encoding="utf-8"))


def bench_table(written: Dict[str, Any]) -> str:
    return bench.table({mode: written[mode] for mode in ("single", "cluster")}, MANIFEST.get("targets", {}))


RENDERERS: Dict[str, Callable[[Dict[str, Any]], str]] = {
    "evaluation": lambda written: evaluate.tables(written, MANIFEST),
    "bench": bench_table,
    "classifiers": compare_classifiers.described_table,
    "faults": bench.faults_table,
}


@pytest.mark.parametrize("name", list(RENDERERS))
def test_a_reports_table_is_its_json_rendered_by_its_tool(name: str):
    written = json.loads((REPORTS / f"{name}.json").read_text(encoding="utf-8"))
    table = (REPORTS / f"{name}.md").read_text(encoding="utf-8").split("\n", 2)[2].strip()
    assert table == RENDERERS[name](written).strip(), f"reports/{name}.md was edited: run its tool again"


def test_the_readme_shows_the_classifier_table_its_tool_wrote():
    table = (REPORTS / "classifiers.md").read_text(encoding="utf-8").split("\n", 2)[2].strip()
    assert report.readme_block("classifiers", compare_classifiers.COMMAND) == table


def test_a_readme_block_is_replaced_between_its_markers(tmp_path):
    readme = tmp_path / "README.md"
    start, end = report.readme_markers("t", "make t")
    readme.write_text(f"# A\n\n{start}\n\nold\n\n{end}\n\nrest\n", encoding="utf-8")
    report.write_readme_block("t", "| new |", "make t", readme)
    assert readme.read_text(encoding="utf-8") == f"# A\n\n{start}\n\n| new |\n\n{end}\n\nrest\n"
    with pytest.raises(ValueError, match="add them where the table belongs"):
        report.write_readme_block("other", "x", "make t", readme)
