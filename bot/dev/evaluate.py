"""`make evaluate` / `make bench`: measures the running assistant on the evaluation sets.

    python -m bot.dev.evaluate tests/data/evaluation.yml [--sets dev,test] [--no-clinc]
        [--no-table] [--report reports/evaluation.json]

Starts the real Rasa and action servers on free ports, plays every conversation of the sets listed
in the manifest, judges every labelled turn, measures the speeds and memory, and how many of the
release gate's answers one added training example moves (bot/dev/stability.py); writes the
JSON reports (every failing case) and the tables, also into reports/evaluation.md (unless --no-table
or a subset of sets).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bot import settings
from bot.dev import clinc, stability
from bot.evaluation import report, runner
from bot.evaluation.cases import clinc_cases, read_set
from bot.evaluation.metrics import compute
from bot.runtime.services import Services, isolated_environment, isolated_settings, kind, running_services

TRAINING_TIME_FILE = settings.PROJECT_ROOT / "build" / "training-seconds.txt"
STABILITY_EXAMPLES = settings.PROJECT_ROOT / "tests" / "data" / "stability.yml"
STABILITY_REPORT = settings.PROJECT_ROOT / "reports" / "stability.json"


def training_seconds() -> Optional[float]:
    try:
        return float(TRAINING_TIME_FILE.read_text().strip())
    except (OSError, ValueError):
        return None


def measure_speed(services: Services, messages: List[str]) -> Dict[str, Optional[float]]:
    client = services.client()
    reply = runner.reply_latency(client, messages)
    action = runner.action_round_trip(client, services.action_url, services.env["actions"]["ACTION_TOKEN"])
    rasa = [p.pid for name, p in services.processes.items() if kind(name) == "rasa"]
    return {
        "training_seconds": training_seconds(),
        "reply_p50_ms": reply["p50_ms"],
        "reply_p95_ms": reply["p95_ms"],
        "action_p50_ms": action["p50_ms"],
        "action_p95_ms": action["p95_ms"],
        "rss_mb": max(runner.resident_mb(pid) for pid in rasa),
    }


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.dev.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", type=Path, help="the evaluation manifest, e.g. tests/data/evaluation.yml")
    parser.add_argument("--sets", help="comma-separated set names (default: all in the manifest)")
    parser.add_argument("--no-clinc", action="store_true", help="skip the CLINC150 questions")
    parser.add_argument("--no-table", action="store_true", help="do not write reports/evaluation.md")
    parser.add_argument("--report", type=Path, default=settings.PROJECT_ROOT / "reports" / "evaluation.json")
    parser.add_argument(
        "--no-stability", action="store_true", help="skip the added-example measure (six NLU trainings)"
    )
    return parser.parse_args(argv)


def tables(written: Dict[str, Any], manifest: Dict[str, Any]) -> str:
    """reports/evaluation.md from reports/evaluation.json's contents."""
    titles = {s["name"]: s["title"] for s in manifest["sets"]}
    results = written["metrics"]
    parts = (
        report.metrics_table(results, titles, manifest),
        report.misses_table(results, titles, manifest),
        report.speed_table(written["speed"], manifest),
    )
    return "\n\n".join(part for part in parts if part)


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    manifest = yaml.safe_load(args.manifest.read_text(encoding="utf-8"))
    chosen = set(args.sets.split(",")) if args.sets else None
    sets = [s for s in manifest["sets"] if chosen is None or s["name"] in chosen]
    if chosen and len(sets) != len(chosen):
        known = ", ".join(s["name"] for s in manifest["sets"])
        raise SystemExit(f"unknown set in --sets {args.sets}; the manifest has: {known}")
    cases = {s["name"]: read_set(args.manifest.parent, s["files"]) for s in sets}
    if not args.no_clinc:
        for s in sets:
            if s.get("clinc"):
                cases[s["name"]] += clinc_cases(clinc.load_split(s["clinc"]))
    latency_messages = [c.turns[0] for c in cases.get("heldout") or next(iter(cases.values()))]

    with tempfile.TemporaryDirectory() as work, running_services(
        isolated_settings(), Path(work), isolated_environment(Path(work))
    ) as services:
        client = services.client()
        speed = measure_speed(services, latency_messages)
        results = {
            name: {k: r.as_dict() for k, r in compute(runner.run_cases(client, c)).items()} for name, c in cases.items()
        }

    if not args.no_stability and chosen is None:
        stability.quiet_rasa()
        moved = stability.measure(STABILITY_EXAMPLES)
        speed["changed_by_one_example"] = moved["average_changed"]
        speed["red_flags_changed_by_one_example"] = moved["red_flags_changed"]
        STABILITY_REPORT.write_text(json.dumps(moved, indent=2) + "\n", encoding="utf-8")

    failures = report.failures_by_set(results)
    written = {"metrics": results, "speed": speed, "failures": failures}
    markdown = tables(written, manifest)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
    if not args.no_table and chosen is None and not args.no_clinc:
        report.write_table("evaluation", markdown, "make evaluate")
    print(markdown)
    print(f"\nEvery failing case: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
