"""The machine-written tables (reports/*.md) are what their tools write from their JSON reports:
nobody edited them by hand."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict

import pytest
import yaml

from bot import settings
from bot.dev import bench, compare_classifiers, evaluate

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
