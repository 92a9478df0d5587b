"""The timeline database: connection from DATABASE_URL, Alembic migrations, loading data/timelines.yml.

Default: an SQLite file under var/ (git-ignored), created on first start. DATABASE_URL selects
another database, e.g. postgresql+psycopg2://user:password@host/dbname.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot import settings
from bot.timelines.data import Milestone, TimelineData, load_timeline_data
from bot.timelines.models import (
    ActivityRow,
    ActivityWindowRow,
    LoadedDataRow,
    MilestoneRow,
    PhaseRow,
    ProcedureRow,
)

MIGRATIONS = Path(__file__).parent / "migrations"
DATA_NAME = "timelines"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, future=True, pool_pre_ping=True)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Brings the schema to the newest migration."""
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _milestone_rows(procedure_id: Optional[str], milestones: Sequence[Milestone]) -> List[MilestoneRow]:
    return [
        MilestoneRow(
            procedure_id=procedure_id,
            level=m.level,
            position=i,
            text=m.text,
            from_week=m.from_week,
            to_week=m.to_week,
            cites=list(m.cites),
        )
        for i, m in enumerate(milestones)
    ]


def _rows(data: TimelineData) -> Tuple[list, list]:
    """The rows for the file's content: parents first, then the rows that refer to them."""
    parents: list = [ProcedureRow(id=p.id, label=p.label, nearest_id=p.nearest) for p in data.procedures]
    parents += [
        PhaseRow(
            id=p.id,
            position=i,
            label=p.label,
            from_week=p.from_week,
            to_week=p.to_week,
            typical=p.typical,
            avoid=p.avoid,
            start=p.start,
            cites=list(p.cites),
        )
        for i, p in enumerate(data.phases)
    ]
    parents += [ActivityRow(id=a.id, label=a.label, covered=a.covered) for a in data.activities]
    children: list = [row for p in data.procedures for row in _milestone_rows(p.id, p.milestones)]
    children += _milestone_rows(None, data.general)
    for activity in data.activities:
        children += [
            ActivityWindowRow(
                activity_id=activity.id,
                kind=w.kind,
                procedure_id=w.procedure,
                level=w.level,
                from_week=w.from_week,
                to_week=w.to_week,
                text=w.text,
                condition=w.condition,
                cites=list(w.cites),
            )
            for w in activity.windows
        ]
    return parents, children


def load(engine: Engine, path: Path = settings.TIMELINES_FILE) -> bool:
    """Replaces the rows with the file's content in one transaction; False if already loaded.

    Idempotent: loading the same file twice leaves the database as it was.
    """
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with Session(engine, future=True) as session, session.begin():
        loaded = session.execute(select(LoadedDataRow).where(LoadedDataRow.name == DATA_NAME)).scalar_one_or_none()
        if loaded is not None and loaded.sha256 == digest:
            return False
        data = load_timeline_data(path)
        for table in (ActivityWindowRow, ActivityRow, PhaseRow, MilestoneRow, ProcedureRow):
            session.execute(delete(table))
        parents, children = _rows(data)
        session.add_all(parents)
        session.flush()
        session.add_all(children)
        session.merge(LoadedDataRow(name=DATA_NAME, sha256=digest))
    return True


def prepare(url: str = "", path: Path = settings.TIMELINES_FILE) -> Engine:
    """An engine on a migrated database holding the current timeline data."""
    engine = make_engine(url or settings.database_url())
    migrate(engine)
    load(engine, path)
    return engine
