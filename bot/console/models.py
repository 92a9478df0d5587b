"""Retraining behind the regression gate, promotion and rollback, for the staff console.

A retrain exports the labels, trains a model with `rasa train` in a child process (its output is
read only for progress: training data holds patient messages), registers it, makes sure the
production model has a report on the same gate cases, evaluates the candidate and stores the
gate's verdict with its report. Promoting asks the Rasa server to swap the model in while it
keeps answering (POST /assistant/model); only a model that passed the gate can be promoted, and a
rollback returns to the previous production model only if its report shows every red flag
escalated. Every promotion is recorded with who and when.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests
from sqlalchemy.engine import Engine

from bot import settings
from bot.console.gate import Gate, evaluate_model, load_gate, verdict
from bot.console.labels import export
from bot.rasa import model_registry
from bot.rasa.model_registry import Model
from bot.rasa.training import ANNOUNCEMENT
from bot.timestamps import iso

_COMPONENT = re.compile(r"Starting to train component '(\w+)'")
_PLANNED = re.compile(r"^" + ANNOUNCEMENT.format(count=r"(\d+)"))
TRAINING_SHARE = 0.7  # of the job's progress bar; the evaluations share the rest
SWAP_TIMEOUT_SECONDS = 600
TRAINING_VARIABLES = {
    "RASA_TELEMETRY_ENABLED": "false",
    "RASA_MAX_CACHE_SIZE": "0",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


class SwapFailed(RuntimeError):
    """The Rasa server did not load the model; production is unchanged."""


class PromotionRefused(Exception):
    """The gate (or the lack of a report) forbids this promotion; `reasons` says why."""

    def __init__(self, message: str, reasons: List[str]) -> None:
        super().__init__(message)
        self.reasons = reasons


@dataclass
class Job:
    state: str = "idle"  # idle | training | evaluating | done | failed
    step: str = ""
    progress: float = 0.0
    model_id: Optional[str] = None
    error: Optional[str] = None
    started_at: Optional[float] = None
    started_by: Optional[str] = None

    def as_dict(self) -> Dict[str, Any]:
        return {**asdict(self), "started_at": iso(self.started_at)}


def training_command(output: Path) -> List[str]:
    data = [str(settings.NLU_DIR), str(settings.DIALOGUE_DIR)]
    reviewed = settings.reviewed_data_file()
    if reviewed.is_file() and reviewed.resolve().parent != settings.NLU_DIR.resolve():
        data.append(str(reviewed))
    return [
        *(sys.executable, "-m", "bot.rasa.training", "--data", *data),
        *("--config", str(settings.PROJECT_ROOT / "config.yml"), "--domain", str(settings.DOMAIN_FILE)),
        *("--out", str(output), "--fixed-model-name", "candidate"),
    ]


def training_environment() -> Dict[str, str]:
    return {**settings.process_environment("console", settings.environment()), **TRAINING_VARIABLES}


class Retrainer:
    """One retrain at a time, in a background thread; `job` says where it is."""

    def __init__(self, engine: Engine, gate: Optional[Gate] = None) -> None:
        self.engine = engine
        self.gate = gate
        self.job = Job()
        self._lock = threading.Lock()

    def start(self, username: str) -> Job:
        with self._lock:
            if self.job.state in ("training", "evaluating"):
                raise RuntimeError("a retrain is already running")
            self.job = Job(state="training", step="Exporting the labels", started_at=time.time(), started_by=username)
        threading.Thread(target=self._run, args=(username,), daemon=True).start()
        return self.job

    def _set(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self.job, key, value)

    def _run(self, username: str) -> None:
        try:
            export(self.engine)
            with tempfile.TemporaryDirectory(dir=self._training_dir()) as work:
                trained = self._train(Path(work))
                candidate = model_registry.register(self.engine, trained, username, "console")
            self._set(model_id=candidate.model_id)
            self._evaluate(candidate)
            self._set(state="done", step=f"Model {candidate.model_id} is ready for review", progress=1.0)
        except Exception as error:  # shown to the admin; no patient data in these messages
            self._set(state="failed", step="Failed", error=f"{type(error).__name__}: {error}")

    def _training_dir(self) -> Path:
        directory = settings.model_store_dir() / "training"
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def _train(self, output: Path) -> Path:
        self._set(step="Training", progress=0.02)
        process = subprocess.Popen(
            training_command(output),
            cwd=settings.PROJECT_ROOT,
            env=training_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        started, planned = 0, 0
        assert process.stdout is not None
        for line in process.stdout:  # read for progress only, never kept: it may quote training data
            announced = _PLANNED.search(line)
            if announced:
                planned = int(announced.group(1))
            match = _COMPONENT.search(line)
            if match and planned:
                started += 1
                share = min(started, planned) / planned
                self._set(step=f"Training: {match.group(1)}", progress=round(TRAINING_SHARE * share, 3))
        if process.wait() != 0:
            raise RuntimeError(f"rasa train exited with code {process.returncode}")
        models = sorted(output.glob("*.tar.gz"))
        if not models:
            raise RuntimeError("rasa train wrote no model")
        return models[-1]

    def _evaluate(self, candidate: Model) -> None:
        gate = self.gate or load_gate()
        production = current_production(self.engine)
        self._set(state="evaluating", step="Evaluating the production model", progress=TRAINING_SHARE)
        production_report = ensure_report(self.engine, production, gate)
        self._set(step="Evaluating the new model", progress=0.85)
        report = evaluate_model(candidate.path, gate)
        result = verdict(report, production_report, gate)
        model_registry.save_report(
            self.engine,
            candidate.model_id,
            {**report, "verdict": result, "production_id": production.model_id},
            result["passed"],
        )


def current_production(engine: Engine) -> Model:
    """The production model, registering the one `make train` built if none was ever promoted."""
    return model_registry.production(engine) or model_registry.register(
        engine, settings.DEFAULT_MODEL, "make train", "make"
    )


def ensure_report(engine: Engine, model: Model, gate: Gate) -> Dict[str, Any]:
    """The model's report on the gate's current cases, evaluating it if it has none."""
    from bot.console.gate import fingerprint, gate_cases

    if model.report is not None and model.report.get("fingerprint") == fingerprint(gate_cases(gate)):
        return model.report
    report = evaluate_model(model.path, gate)
    own = verdict(report, None, gate)
    model_registry.save_report(engine, model.model_id, {**report, "verdict": own, "production_id": None}, own["passed"])
    return report


def _swap_one(url: str, model: Model) -> None:
    reply = requests.post(
        f"{url}/assistant/model",
        json={"path": str(model.path)},
        headers={"Authorization": f"Bearer {settings.server_settings().auth_token}"},
        timeout=SWAP_TIMEOUT_SECONDS,
    )
    if reply.status_code != 200:
        raise SwapFailed(f"{url} did not load the model (HTTP {reply.status_code}: {reply.text[:200]})")


def swap(model: Model, serving: Model) -> float:
    """Has every Rasa server (RASA_REPLICA_URLS) serve `model`, one after the other; if one fails,
    those already swapped go back to `serving`. The seconds the swap took."""
    started = time.perf_counter()
    swapped: List[str] = []
    for url in settings.rasa_replica_urls():
        try:
            _swap_one(url, model)
        except (SwapFailed, requests.RequestException) as error:
            for done in swapped:
                with contextlib.suppress(SwapFailed, requests.RequestException):
                    _swap_one(done, serving)
            raise SwapFailed(
                str(error) if isinstance(error, SwapFailed) else f"{url}: {type(error).__name__}"
            ) from None
        swapped.append(url)
    return round(time.perf_counter() - started, 2)


def _make_rollback_possible(engine: Engine) -> None:
    """Before the first promotion, production is the model `make train` built: record it, so that
    a rollback can return to it."""
    if not model_registry.promotions(engine):
        initial = current_production(engine)
        model_registry.record_promotion(engine, initial.model_id, "make train", "initial", 0.0)


def promote(engine: Engine, model_id: str, username: str) -> Dict[str, Any]:
    model = model_registry.get(engine, model_id)
    if model is None:
        raise LookupError(f"no model {model_id}")
    if model.report is None or model.gate_passed is None:
        raise PromotionRefused("this model has not been through the gate", ["no evaluation report"])
    if not model.gate_passed:
        raise PromotionRefused("the gate refused this model", model.report["verdict"]["reasons"])
    _make_rollback_possible(engine)
    seconds = swap(model, current_production(engine))
    model_registry.record_promotion(engine, model.model_id, username, "promote", seconds)
    return {"production": model.model_id, "swap_seconds": seconds}


def red_flag_reasons(model: Model, gate: Gate) -> List[str]:
    """Why the model's report fails the gate's floors (red flags), if it does."""
    if model.report is None:
        return ["the model has no evaluation report"]
    rows = verdict(model.report, None, gate)["metrics"]
    return [f"{r['title']}: {r['candidate']:.1%}" for r in rows if r["key"] in gate.floors and not r["passed"]]


def rollback(engine: Engine, username: str, gate: Optional[Gate] = None) -> Dict[str, Any]:
    target = model_registry.previous(engine)
    if target is None:
        raise PromotionRefused("there is no earlier production model to return to", ["nothing to roll back to"])
    reasons = red_flag_reasons(target, gate or load_gate())
    if reasons:
        raise PromotionRefused("the earlier model misses red flags", reasons)
    seconds = swap(target, current_production(engine))
    model_registry.record_promotion(engine, target.model_id, username, "rollback", seconds)
    return {"production": target.model_id, "swap_seconds": seconds}


def listing(engine: Engine) -> Dict[str, Any]:
    history = model_registry.promotions(engine)
    production = history[0]["model_id"] if history else model_registry.default_model_id()
    promoted: Dict[str, Dict[str, Any]] = {}
    for promotion in reversed(history):
        promoted[promotion["model_id"]] = promotion
    rows = []
    for model in model_registry.models(engine):
        entry: Optional[Dict[str, Any]] = promoted.get(model.model_id)
        status = "production" if model.model_id == production else ("retired" if entry else "candidate")
        gate = (model.report or {}).get("verdict")
        rows.append(
            {
                "id": model.model_id,
                "file": model.path.name,
                "created_at": iso(model.created_at),
                "created_by": model.created_by,
                "source": model.source,
                "status": status,
                "gate": {"passed": gate["passed"], "reasons": gate["reasons"]} if gate else None,
                "promoted_at": iso(entry["at"]) if entry else None,
                "promoted_by": entry["username"] if entry else None,
            }
        )
    return {"production": production, "models": rows}


def report(engine: Engine, model_id: str) -> Optional[Dict[str, Any]]:
    model = model_registry.get(engine, model_id)
    if model is None or model.report is None:
        return None
    result = model.report["verdict"]
    return {
        "model_id": model.model_id,
        "production_id": model.report.get("production_id"),
        "passed": result["passed"],
        "reasons": result["reasons"],
        "metrics": result["metrics"],
        "changed": result["changed"],
    }
