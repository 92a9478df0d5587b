"""Writes the evaluation: Markdown tables (reports/<name>.md, never edited by hand) and the JSON report."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bot import settings
from bot.evaluation.judge import SILENT, WRONG
from bot.evaluation.metrics import METRICS
from bot.outcomes import ACTION_FAILURE, CLARIFIED, DECLINED, ESCALATED, FALLBACK

REPORTS_DIR = settings.PROJECT_ROOT / "reports"
README = settings.PROJECT_ROOT / "README.md"
SPEEDS = (
    ("training_seconds", "training time", "s"),
    ("reply_p50_ms", "sequential REST reply latency p50", "ms"),
    ("reply_p95_ms", "sequential REST reply latency p95", "ms"),
    ("action_p50_ms", "action server round trip p50 (SQLite)", "ms"),
    ("action_p95_ms", "action server round trip p95 (SQLite)", "ms"),
    ("rss_mb", "Rasa server memory (RSS, largest process)", "MB"),
    (
        "changed_by_one_example",
        "release-gate answers outside its label changed by one added example (average of 5)",
        "",
    ),
    ("red_flags_changed_by_one_example", "red flags changed by one added example (all 5)", ""),
)


def met(value: Optional[float], target: Optional[Dict[str, float]]) -> Optional[bool]:
    if value is None or not target:
        return None
    if "at_least" in target:
        return value >= target["at_least"]
    return value <= target["at_most"]


def target_text(target: Optional[Dict[str, float]], unit: str = "%") -> str:
    if not target:
        return "-"
    sign, bound = (">=", target["at_least"]) if "at_least" in target else ("<=", target["at_most"])
    return f"{sign} {bound:.0%}" if unit == "%" else f"{sign} {bound:g} {unit}".rstrip()


def _verdict(ok: Optional[bool]) -> str:
    return {True: "met", False: "**not met**", None: "-"}[ok]


def _rate_text(rate: Optional[Dict[str, Any]]) -> str:
    return f"{rate['value']:.1%} ({rate['hits']}/{rate['total']})" if rate else "-"


def metrics_table(
    results: Dict[str, Dict[str, Dict[str, Any]]], titles: Dict[str, str], manifest: Dict[str, Any]
) -> str:
    names = list(results)
    target_set = str(manifest.get("target_set", ""))
    targets = manifest.get("targets", {})
    lines = [
        "| metric | " + " | ".join(titles[n] for n in names) + f" | target ({titles.get(target_set, '-')}) | |",
        "| --- |" + " --- |" * (len(names) + 2),
    ]
    every_set = set(manifest.get("targets_on_every_set", []))
    for metric in METRICS:
        if not any(metric.key in results[n] for n in names):
            continue
        cells = [_rate_text(results[n].get(metric.key)) for n in names]
        target = targets.get(metric.key)
        judged = names if metric.key in every_set else [target_set]
        verdicts = [met(r["value"], target) for n in judged if (r := results.get(n, {}).get(metric.key))]
        ok = None if not verdicts or None in verdicts else all(verdicts)
        shown = target_text(target) + (" on every set" if metric.key in every_set and target else "")
        lines.append(f"| {metric.title} | " + " | ".join(cells) + f" | {shown} | {_verdict(ok)} |")
    return "\n".join(lines)


# The misses table's columns: the verdicts they count, and their heading.
MISSED_OUTCOMES = (
    ((DECLINED,), "declined"),
    ((FALLBACK, CLARIFIED), "asked to rephrase or confirm"),
    ((WRONG, ACTION_FAILURE), "another answer"),
    ((ESCALATED,), "escalated"),
    ((SILENT,), "no reply"),
)


def misses_table(
    results: Dict[str, Dict[str, Dict[str, Any]]], titles: Dict[str, str], manifest: Dict[str, Any]
) -> str:
    """What the target set's missed turns got instead, per metric with a target."""
    name = str(manifest.get("target_set", ""))
    rates = results.get(name, {})
    targets = manifest.get("targets", {})
    lines = [
        f"| missed on the {titles.get(name, name)} set: what they got instead | missed | "
        + " | ".join(title for _, title in MISSED_OUTCOMES)
        + " |",
        "| --- | --- |" + " --- |" * len(MISSED_OUTCOMES),
    ]
    for metric in METRICS:
        rate = rates.get(metric.key)
        if metric.lower_is_better or metric.key not in targets or not rate or not rate.get("misses"):
            continue
        misses = rate["misses"]
        cells = [str(sum(misses.get(outcome, 0) for outcome in outcomes)) for outcomes, _ in MISSED_OUTCOMES]
        lines.append(f"| {metric.title} | {sum(misses.values())} | " + " | ".join(cells) + " |")
    return "\n".join(lines) if len(lines) > 2 else ""


def speed_table(speed: Dict[str, Optional[float]], manifest: Dict[str, Any]) -> str:
    targets = manifest.get("targets", {})
    lines = ["| speed | measured | target | |", "| --- | --- | --- | --- |"]
    for key, title, unit in SPEEDS:
        if key not in speed:
            continue
        value = speed[key]
        shown = "not recorded" if value is None else f"{value:g} {unit}"
        target = targets.get(key)
        lines.append(f"| {title} | {shown} | {target_text(target, unit)} | {_verdict(met(value, target))} |")
    return "\n".join(lines)


def write_table(name: str, markdown: str, command: str) -> Path:
    """Writes a machine-written table to reports/<name>.md: the docs link to it, nobody edits it."""
    path = REPORTS_DIR / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"<!-- Written by `{command}`: run it again instead of editing. -->\n\n{markdown}\n", encoding="utf-8"
    )
    return path


def readme_markers(name: str, command: str) -> Tuple[str, str]:
    """Where README.md shows the table reports/<name>.md: between these two lines."""
    return f"<!-- {name}: written by `{command}`, run it again instead of editing -->", f"<!-- end of {name} -->"


def readme_parts(name: str, command: str, readme: Path = README) -> Tuple[str, str, str]:
    """README.md split around the table reports/<name>.md: before it (its start marker included),
    the table, and after it (its end marker included)."""
    start, end = readme_markers(name, command)
    text = readme.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise ValueError(f"{readme.name} has no lines {start!r} and {end!r}: add them where the table belongs")
    before, rest = text.split(start, 1)
    block, after = rest.split(end, 1)
    return before + start, block.strip(), end + after


def readme_block(name: str, command: str, readme: Path = README) -> str:
    """The table README.md shows between its markers."""
    return readme_parts(name, command, readme)[1]


def write_readme_block(name: str, markdown: str, command: str, readme: Path = README) -> None:
    """Puts a machine-written table into README.md between its markers."""
    before, _, after = readme_parts(name, command, readme)
    readme.write_text(f"{before}\n\n{markdown.strip()}\n\n{after}", encoding="utf-8")


def failures_by_set(results: Dict[str, Dict[str, Dict[str, Any]]]) -> Dict[str, List[str]]:
    """Every failing case per set, once (a case can fail several metrics)."""
    return {
        name: sorted({f for rate in metrics.values() for f in rate["failures"]}) for name, metrics in results.items()
    }
