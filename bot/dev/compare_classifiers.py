"""`make compare-classifiers`: the assistant's classifier designs side by side, on the blind
development set, in one table.

    python -m bot.dev.compare_classifiers tests/data/evaluation.yml [--no-table] [--only nearest|diet]

Each candidate is a Rasa configuration: config.yml (what the assistant runs) and those listed in
CANDIDATES (tests/data/classifiers/). For each, on this machine: a full `rasa train` (seconds,
with the spaCy pipeline's encoding store warm from the first candidate), the development set's
metrics through the real servers, the sequential reply latency, the Rasa server's resident
memory, and how many gate answers one added example changes (bot/dev/stability.py), with the
commit it was measured on. `--only` measures the named candidates again and keeps the others'
last rows (DIET's takes most of an hour). Writes reports/classifiers.json and the table
reports/classifiers.md, also shown in README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bot import settings
from bot.dev import stability
from bot.evaluation import report, runner
from bot.evaluation.cases import read_set
from bot.evaluation.metrics import compute
from bot.evaluation.runner import resident_mb
from bot.runtime.services import ASSISTANT, isolated_environment, isolated_settings, kind, running_services

CANDIDATES: Tuple[Tuple[str, Path], ...] = (
    ("nearest examples (config.yml)", settings.PROJECT_ROOT / "config.yml"),
    (
        "DIET + ResponseSelector (until issue #16)",
        settings.PROJECT_ROOT / "tests" / "data" / "classifiers" / "diet.yml",
    ),
)
STABILITY_EXAMPLES = settings.PROJECT_ROOT / "tests" / "data" / "stability.yml"
SET_NAME = "dev"
COMMAND = "make compare-classifiers"
METRIC_COLUMNS = (
    ("faq", "FAQ"),
    ("timeline", "timeline"),
    ("followup", "follow-ups"),
    ("uncovered_declined", "uncovered declined"),
    ("signs_denied_or_asked", "denied / what-if signs"),
    ("smalltalk", "small talk"),
    ("red_flag_recall", "red flags"),
)


def train(config: Path, output: Path, name: str) -> Tuple[Path, float]:
    """A full `rasa train` with this configuration; the model file and the seconds it took."""
    started = time.monotonic()
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "train",
            "--config",
            str(config),
            "--domain",
            str(settings.DOMAIN_FILE),
            "--data",
            str(settings.NLU_DIR),
            str(settings.DIALOGUE_DIR),
            "--out",
            str(output),
            "--fixed-model-name",
            name,
        ],
        check=True,
        cwd=settings.PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
    )
    return output / f"{name}.tar.gz", round(time.monotonic() - started, 1)


def short(name: str) -> str:
    """A candidate's short name: the first word of its name ("nearest", "diet")."""
    return name.split()[0].lower()


def commit() -> str:
    """The commit measured, marked when the working tree differs from it."""
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=settings.PROJECT_ROOT, capture_output=True, text=True
    )
    return described.stdout.strip() or "-"


def measure(name: str, config: Path, manifest: Path, work: Path) -> Dict[str, Any]:
    sets = {s["name"]: s for s in yaml.safe_load(manifest.read_text(encoding="utf-8"))["sets"]}
    cases = read_set(manifest.parent, sets[SET_NAME]["files"])
    model, seconds = train(config, work, short(name))
    environment = {**isolated_environment(work), "MODEL_PATH": str(model.resolve())}
    with running_services(isolated_settings(), work, environment, ASSISTANT) as services:
        client = services.client()
        metrics = {key: rate.as_dict() for key, rate in compute(runner.run_cases(client, cases)).items()}
        latency = runner.reply_latency(client, [case.turns[-1] for case in cases])
        rss = max(resident_mb(p.pid) for n, p in services.processes.items() if kind(n) == "rasa")
    moved = stability.measure(STABILITY_EXAMPLES, config)
    return {
        "config": str(config.relative_to(settings.PROJECT_ROOT)),
        "commit": commit(),
        "metrics": {k: {"value": v["value"], "hits": v["hits"], "total": v["total"]} for k, v in metrics.items()},
        "training_seconds": seconds,
        "reply_p50_ms": latency["p50_ms"],
        "reply_p95_ms": latency["p95_ms"],
        "rss_mb": rss,
        "changed_by_one_example": moved["average_changed"],
        "red_flags_changed": moved["red_flags_changed"],
    }


def described_table(results: Dict[str, Dict[str, Any]]) -> str:
    """reports/classifiers.md from reports/classifiers.json's contents."""
    return (
        f"Measured by `make compare-classifiers` on the blind development set ({SET_NAME}), "
        f"on this machine; every other component the same.\n\n{table(results)}"
    )


def table(results: Dict[str, Dict[str, Any]]) -> str:
    head = ["classifier"] + [title for _, title in METRIC_COLUMNS]
    head += ["training", "reply p50", "RSS", "gate answers changed by one added example (average; red flags)"]
    head += ["commit"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, result in results.items():
        cells = [name]
        for key, _ in METRIC_COLUMNS:
            rate: Optional[Dict[str, Any]] = result["metrics"].get(key)
            cells.append(f"{rate['value']:.1%} ({rate['hits']}/{rate['total']})" if rate else "-")
        cells += [
            f"{result['training_seconds']:g} s",
            f"{result['reply_p50_ms']:g} ms",
            f"{result['rss_mb']:g} MB",
            f"{result['changed_by_one_example']:g} ({result['red_flags_changed']})",
            result.get("commit", "-"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.dev.compare_classifiers", description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", type=Path, help="the evaluation manifest, e.g. tests/data/evaluation.yml")
    parser.add_argument(
        "--no-table", action="store_true", help="do not write reports/classifiers.md nor its copy in README.md"
    )
    parser.add_argument("--report", type=Path, default=settings.PROJECT_ROOT / "reports" / "classifiers.json")
    parser.add_argument(
        "--only",
        action="append",
        choices=[short(name) for name, _ in CANDIDATES],
        help="measure only this candidate (the first word of its name); the others keep their last row",
    )
    args = parser.parse_args(argv)
    last = json.loads(args.report.read_text(encoding="utf-8")) if args.only and args.report.exists() else {}
    results = {}
    for name, config in CANDIDATES:
        if args.only and short(name) not in args.only:
            if name in last:
                results[name] = last[name]
            continue
        with tempfile.TemporaryDirectory() as work:
            results[name] = measure(name, config, args.manifest, Path(work))
    markdown = described_table(results)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if not args.no_table:
        report.write_table("classifiers", markdown, COMMAND)
        report.write_readme_block("classifiers", markdown, COMMAND)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
