"""The regression gate of the staff console's retrain (data/release_gate.yml).

A model is evaluated with the code of `make evaluate` (the same runner, judge and metrics) on the
gate's cases, which the build copies from the evaluation sets into build/gate/cases.yml
(bot/dev/gate_data.py) so that the console needs neither tests/ nor ../shared, against a real
Rasa server serving that model (MODEL_PATH) with its own action server and databases. Its report
keeps every metric and every case's answer; comparing a candidate's report with production's gives
the verdict (refused below a metric's floor, or when any other metric is worse by more than
`max_drop_points`) and every message whose answer changed.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bot import settings
from bot.evaluation import runner
from bot.evaluation.cases import Case
from bot.evaluation.metrics import METRICS, compute
from bot.runtime.services import ASSISTANT, isolated_environment, isolated_settings, running_services

GatedCase = Tuple[str, Case]  # (set name, case)
TITLES = {m.key: m.title for m in METRICS}
LOWER_IS_BETTER = {m.key for m in METRICS if m.lower_is_better}


@dataclass(frozen=True)
class Gate:
    cases_file: Path
    floors: Dict[str, float]
    max_drop_points: float


def load_gate(path: Optional[Path] = None) -> Gate:
    """The gate of RELEASE_GATE_FILE (default data/release_gate.yml)."""
    raw = yaml.safe_load((path or settings.release_gate_file()).read_text(encoding="utf-8"))
    return Gate(
        cases_file=settings.PROJECT_ROOT / raw["cases_file"],
        floors={k: float(v) for k, v in (raw.get("floors") or {}).items()},
        max_drop_points=float(raw["max_drop_points"]),
    )


def _built(gate: Gate) -> Dict[str, Any]:
    if not gate.cases_file.is_file():
        raise FileNotFoundError(f"the gate's cases are not built: {gate.cases_file} is missing; run `make gate-data`")
    return yaml.safe_load(gate.cases_file.read_text(encoding="utf-8"))


def gate_cases(gate: Gate) -> List[GatedCase]:
    """The gate's cases, in a fixed order."""
    return [(entry["set"], Case.from_dict(entry["case"])) for entry in _built(gate)["cases"]]


def fingerprint(cases: List[GatedCase]) -> str:
    """Identifies the gate's cases: reports with different fingerprints are not compared."""
    digest = hashlib.sha256()
    for set_name, case in cases:
        digest.update(f"{set_name}\x00{case.id}\x00{case.turns}\x00{case.labels}\n".encode())
    return digest.hexdigest()[:16]


def every_evaluation_text(gate: Optional[Gate] = None) -> List[str]:
    """Every message of every evaluation set and of CLINC150's evaluation splits: never to be
    trained on."""
    return list(_built(gate or load_gate())["never_train"])


def evaluate_model(path: Path, gate: Optional[Gate] = None) -> Dict[str, Any]:
    """The report of the model file at `path` on the gate's cases."""
    gate = gate or load_gate()
    cases = gate_cases(gate)
    with tempfile.TemporaryDirectory() as work:
        environment = {**isolated_environment(Path(work)), "MODEL_PATH": str(path.resolve())}
        with running_services(isolated_settings(), Path(work), environment, ASSISTANT) as services:
            judged = runner.run_cases(services.client(), [case for _, case in cases])
    answers = {
        f"{set_name}:{case.id}": {
            "set": set_name,
            "text": " | ".join(case.turns),
            "answers": list(verdict.answers),
            "outcome": verdict.outcome,
        }
        for (set_name, case), (_, verdict) in zip(cases, judged)
    }
    metrics = {key: rate.as_dict() for key, rate in compute(judged).items()}
    for rate in metrics.values():
        del rate["failures"]  # the answers say it all
    return {"fingerprint": fingerprint(cases), "metrics": metrics, "answers": answers}


def verdict(candidate: Dict[str, Any], production: Optional[Dict[str, Any]], gate: Gate) -> Dict[str, Any]:
    """Whether the candidate may be promoted, metric by metric, and every changed answer."""
    comparable = production is not None and production.get("fingerprint") == candidate.get("fingerprint")
    before = production["metrics"] if production is not None and comparable else {}
    rows, reasons = [], []
    for key, rate in candidate["metrics"].items():
        value = rate["value"]
        old = before.get(key, {}).get("value")
        delta = None if old is None else round(value - old, 4)  # a share: 0.01 is one point
        worse_by = None if delta is None else 100 * (delta if key in LOWER_IS_BETTER else -delta)
        passed = True
        if key in gate.floors:
            threshold = f"at least {gate.floors[key]:.2f}"
            if value < gate.floors[key]:
                passed = False
                reasons.append(f"{TITLES[key]}: {value:.1%}, below the floor of {gate.floors[key]:.0%}")
        else:
            threshold = f"no more than {gate.max_drop_points:g} point(s) worse"
            if worse_by is not None and worse_by > gate.max_drop_points:
                passed = False
                reasons.append(f"{TITLES[key]}: {worse_by:.1f} points worse than production")
        rows.append(
            {
                "key": key,
                "title": TITLES[key],
                "candidate": value,
                "production": old,
                "delta": delta,
                "threshold": threshold,
                "passed": passed,
            }
        )
    if production is not None and not comparable:
        reasons.append("production's report is from other gate cases: evaluate production again")
    return {
        "passed": not reasons,
        "reasons": reasons,
        "metrics": rows,
        "changed": changed_answers(candidate, production),
    }


def changed_answers(candidate: Dict[str, Any], production: Optional[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Every gate message whose answer differs between the two reports."""
    if production is None:
        return []
    old = production.get("answers") or {}
    changed = []
    for key, new in candidate["answers"].items():
        was = old.get(key)
        if was is not None and was["answers"] != new["answers"]:
            changed.append(
                {
                    "set": new["set"],
                    "case": key,
                    "text": new["text"],
                    "production": ", ".join(was["answers"]) or "(no answer)",
                    "candidate": ", ".join(new["answers"]) or "(no answer)",
                    "production_outcome": was["outcome"],
                    "candidate_outcome": new["outcome"],
                }
            )
    return changed
