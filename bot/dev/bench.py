"""`make bench`: the speed figures, one process (`make run`) and the cluster (`make cluster`) side
by side in one run, on this machine (its core count in the table), against the manifest's targets.

    python -m bot.dev.bench tests/data/evaluation.yml [--no-table]

For each: sequential REST reply latency (one patient at a time), 50 patients at once sending 10
messages each with no think time (locust, bot/dev/load: messages/s, p95, lost messages), the
Rasa process's resident memory after that load, and the action server round trip; plus the
last `make train`'s training time. Writes reports/bench.json and the tables reports/bench.md and reports/faults.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, ContextManager, Dict, List, Optional

import yaml

from bot import settings
from bot.dev.evaluate import training_seconds
from bot.dev.load.run import start_load
from bot.evaluation import report, runner
from bot.evaluation.cases import read_set
from bot.evaluation.runner import resident_mb
from bot.runtime.cluster import start_cluster
from bot.runtime.services import (
    ASSISTANT,
    Services,
    free_port,
    isolated_environment,
    isolated_settings,
    kind,
    running_services,
)

BURST_PATIENTS = 50
BURST_MESSAGES = 10
BURST_TIMEOUT_SECONDS = 600
FAULTS_FILE = settings.PROJECT_ROOT / "build" / "faults.json"  # written by tests/runtime/test_cluster.py
REPORTED_FAULTS = settings.PROJECT_ROOT / "reports" / "faults.json"
FAULTS_COMMAND = "make test, then make bench"
ROWS = (  # key, title, unit, target key in the manifest
    ("reply_p50_ms", "sequential REST reply, p50", "ms", "reply_p50_ms"),
    ("reply_p95_ms", "sequential REST reply, p95", "ms", "reply_p95_ms"),
    (
        "burst_messages_per_second",
        "50 conversations at once, 10 messages each: throughput",
        "msg/s",
        "burst_messages_per_second",
    ),
    ("burst_p95_ms", "50 conversations at once: p95", "ms", "burst_p95_ms"),
    ("burst_lost", "50 conversations at once: lost messages", "", "burst_lost"),
    ("rss_mb", "Rasa server memory (RSS, largest process)", "MB", "rss_mb"),
    ("action_p50_ms", "action server round trip, p50", "ms", None),
    ("training_seconds", "training (last `make train`)", "s", "training_seconds"),
)


def measure(services: Services, messages: List[str]) -> Dict[str, Optional[float]]:
    client = services.client()
    sequential = runner.reply_latency(client, messages)
    burst = start_load(services.rasa_url, services.token, BURST_PATIENTS, BURST_TIMEOUT_SECONDS, BURST_MESSAGES, "0,0")
    figures = burst.finish(BURST_TIMEOUT_SECONDS + 60)
    rasa = [p.pid for name, p in services.processes.items() if kind(name) == "rasa"]
    return {
        "reply_p50_ms": sequential["p50_ms"],
        "reply_p95_ms": sequential["p95_ms"],
        "burst_messages_per_second": figures.messages_per_second,
        "burst_p95_ms": figures.p95_ms,
        "burst_lost": float(figures.lost_messages + figures.messages - BURST_PATIENTS * BURST_MESSAGES),
        "rss_mb": max(resident_mb(pid) for pid in rasa),
        "action_p50_ms": runner.action_round_trip(client, services.action_url, services.env["actions"]["ACTION_TOKEN"])[
            "p50_ms"
        ],
        "training_seconds": training_seconds(),
    }


def single(work: Path) -> ContextManager[Services]:
    return running_services(isolated_settings(), work, isolated_environment(work), ASSISTANT)


def cluster(work: Path) -> Any:
    options = settings.ClusterSettings(2, free_port(), free_port(), free_port(), work)
    return start_cluster(isolated_settings(), options, work, isolated_environment(work), [free_port(), free_port()])


def table(results: Dict[str, Dict[str, Optional[float]]], targets: Dict[str, Any]) -> str:
    cores = os.cpu_count()
    lines = [
        f"Measured by `make bench` on {cores} cores; single = one Rasa server (`make run`), cluster = 2 "
        "replicas behind nginx with PostgreSQL and Redis (`make cluster`).",
        "",
        "| figure | single | cluster | target | gap (best) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for key, title, unit, target_key in ROWS:
        values = [results[mode].get(key) for mode in ("single", "cluster")]
        target = targets.get(target_key) if target_key else None
        shown = ["-" if v is None else f"{v:g} {unit}".strip() for v in values]
        lines.append(
            f"| {title} | {shown[0]} | {shown[1]} | {report.target_text(target, unit)} | {gap(values, target)} |"
        )
    return "\n".join(lines)


def faults_table(faults: Dict[str, Dict[str, Any]]) -> str:
    lines = [
        "| fault | messages | lost | requests failed (all resent) | recovered after | msg/s | p95 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for fault, r in faults.items():
        statuses = ", ".join(f"{count}x {status}" for status, count in r["statuses"].items())
        lines.append(
            f"| {fault} | {r['messages']} | {r['lost_messages']} | {r['failed_attempts']}"
            f"{f' ({statuses})' if statuses else ''} | {r['recovery_seconds']:g} s | "
            f"{r['messages_per_second']:g} | {r['p95_ms']:g} ms |"
        )
    return "\n".join(lines)


def gap(values: List[Optional[float]], target: Optional[Dict[str, float]]) -> str:
    known = [v for v in values if v is not None]
    if not target or not known:
        return "-"
    if "at_least" in target:
        best, wanted = max(known), target["at_least"]
        return "met" if best >= wanted else f"{wanted - best:g} short"
    best, wanted = min(known), target["at_most"]
    return "met" if best <= wanted else f"{best - wanted:g} over"


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.dev.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--no-table", action="store_true", help="do not write reports/bench.md")
    args = parser.parse_args(argv)
    manifest = yaml.safe_load(args.manifest.read_text(encoding="utf-8"))
    heldout = next(s for s in manifest["sets"] if s["name"] == "heldout")
    messages = [case.turns[0] for case in read_set(args.manifest.parent, heldout["files"])]
    modes: Dict[str, Callable[[Path], Any]] = {"single": single, "cluster": cluster}
    results = {}
    for mode, start in modes.items():
        with tempfile.TemporaryDirectory(prefix=f"bench-{mode}-") as work:
            Path(work).chmod(0o755)  # PostgreSQL, run as its own user, must reach its folder
            with start(Path(work)) as services:
                results[mode] = measure(services if isinstance(services, Services) else services.services, messages)
        print(f"{mode}: {results[mode]}", flush=True)
    markdown = table(results, manifest.get("targets", {}))
    out = settings.PROJECT_ROOT / "reports" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"cores": os.cpu_count(), **results}, indent=2) + "\n")
    if not args.no_table:
        report.write_table("bench", markdown, "make bench")
        if FAULTS_FILE.exists():
            shutil.copyfile(FAULTS_FILE, REPORTED_FAULTS)
            report.write_table("faults", faults_table(json.loads(FAULTS_FILE.read_text())), FAULTS_COMMAND)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
