"""The models the assistant can serve, and which one is in production.

Every model the staff console trains or promotes is copied into MODEL_STORE_DIR and registered
here by Rasa's model id (the id in every event's metadata, so each reply names its model), with
its evaluation report. Promotions and rollbacks are recorded with who and when; the newest one is
production, which the Rasa server loads when it starts (bot/rasa/serve.py). Until a model is
promoted, production is the model `make train` built.
"""

from __future__ import annotations

import functools
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from sqlalchemy import desc, insert, select, update
from sqlalchemy.engine import Engine

from bot import settings
from bot.database import MODELS, PROMOTIONS


@dataclass(frozen=True)
class Model:
    model_id: str
    path: Path
    created_at: float
    created_by: str
    source: str
    report: Optional[Dict[str, Any]]
    gate_passed: Optional[bool]


def model_id_of(path: Path) -> str:
    """Rasa's id of the model in a model file."""
    return _model_id(str(path.resolve()), path.stat().st_mtime)


@functools.lru_cache(maxsize=16)
def _model_id(path: str, modified: float) -> str:
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    return str(LocalModelStorage.metadata_from_archive(path).model_id)


def default_model_id() -> Optional[str]:
    """The id of the model `make train` built, if it is there."""
    return model_id_of(settings.DEFAULT_MODEL) if settings.DEFAULT_MODEL.is_file() else None


def _model(row: Any) -> Model:
    return Model(
        model_id=row.model_id,
        path=Path(row.path),
        created_at=row.created_at,
        created_by=row.created_by,
        source=row.source,
        report=json.loads(row.report) if row.report else None,
        gate_passed=row.gate_passed,
    )


def register(engine: Engine, path: Path, created_by: str, source: str) -> Model:
    """Copies a model file into the store (unless it is there) and registers it; a model already
    registered is returned as it is."""
    model_id = model_id_of(path)
    found = get(engine, model_id)
    if found is not None:
        return found
    store = settings.model_store_dir()
    store.mkdir(parents=True, exist_ok=True)
    stored = store / f"{model_id}.tar.gz"
    if path.resolve() != stored.resolve():
        shutil.copyfile(path, stored)
    with engine.begin() as connection:
        connection.execute(
            insert(MODELS).values(
                model_id=model_id, path=str(stored), created_at=time.time(), created_by=created_by, source=source
            )
        )
    return get(engine, model_id)  # type: ignore[return-value]


def get(engine: Engine, model_id: str) -> Optional[Model]:
    with engine.connect() as connection:
        row = connection.execute(select(MODELS).where(MODELS.c.model_id == model_id)).first()
    return _model(row) if row else None


def models(engine: Engine) -> List[Model]:
    """Every registered model, newest first."""
    with engine.connect() as connection:
        return [_model(row) for row in connection.execute(select(MODELS).order_by(desc(MODELS.c.created_at)))]


def save_report(engine: Engine, model_id: str, report: Dict[str, Any], passed: Optional[bool]) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(MODELS).where(MODELS.c.model_id == model_id).values(report=json.dumps(report), gate_passed=passed)
        )


def promotions(engine: Engine) -> List[Dict[str, Any]]:
    """Every promotion and rollback, newest first."""
    with engine.connect() as connection:
        rows = connection.execute(select(PROMOTIONS).order_by(desc(PROMOTIONS.c.id)))
        return [dict(row._mapping) for row in rows]


def record_promotion(engine: Engine, model_id: str, username: str, kind: str, swap_seconds: float) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(PROMOTIONS).values(
                model_id=model_id, at=time.time(), username=username, kind=kind, swap_seconds=swap_seconds
            )
        )


def production(engine: Engine) -> Optional[Model]:
    """The model promoted last, if any was ever promoted."""
    history = promotions(engine)
    return get(engine, history[0]["model_id"]) if history else None


def previous(engine: Engine) -> Optional[Model]:
    """The model that was in production before the current one (what a rollback returns to)."""
    history = promotions(engine)
    current = history[0]["model_id"] if history else None
    earlier = next((p["model_id"] for p in history[1:] if p["model_id"] != current), None)
    return get(engine, earlier) if earlier else None


def served_model_path(engine: Engine) -> Path:
    """What the Rasa server loads: MODEL_PATH if set, else the production model, else the model
    `make train` built."""
    given = settings.model_path()
    if given:
        return Path(given)
    promoted = production(engine)
    if promoted is not None and promoted.path.is_file():
        return promoted.path
    return settings.DEFAULT_MODEL
