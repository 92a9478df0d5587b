"""Reads the timeline database (SQLAlchemy 2.0-style queries) into the plain records of data.py.

Phrases and examples are the language pipeline's (built from data/timelines.yml), not stored
here: records read from the database have none."""

from __future__ import annotations

from typing import List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.timelines.data import Activity, Milestone, Phase, Procedure, Window
from bot.timelines.models import (
    ActivityRow,
    ActivityWindowRow,
    MilestoneRow,
    PhaseRow,
    ProcedureRow,
)


def _milestone(row: MilestoneRow) -> Milestone:
    return Milestone(row.text, tuple(row.cites), row.from_week, row.to_week, row.level)


class TimelineRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _session(self) -> Session:
        return Session(self.engine, future=True)

    def procedures_with_timelines(self) -> List[Tuple[str, str]]:
        """(id, label) of every procedure the guide gives a timeline for, in the file's order."""
        with self._session() as session:
            rows = session.execute(
                select(ProcedureRow.id, ProcedureRow.label)
                .join(MilestoneRow, MilestoneRow.procedure_id == ProcedureRow.id)
                .group_by(ProcedureRow.id, ProcedureRow.label)
                .order_by(func.min(MilestoneRow.id))
            ).all()
            return [(r.id, r.label) for r in rows]

    def procedure(self, procedure_id: str) -> Optional[Procedure]:
        with self._session() as session:
            row = session.get(ProcedureRow, procedure_id)
            if row is None:
                return None
            milestones = session.execute(
                select(MilestoneRow).where(MilestoneRow.procedure_id == procedure_id).order_by(MilestoneRow.position)
            ).scalars()
            return Procedure(row.id, row.label, (), tuple(_milestone(m) for m in milestones), nearest=row.nearest_id)

    def general_milestones(self) -> List[Milestone]:
        with self._session() as session:
            rows = session.execute(
                select(MilestoneRow).where(MilestoneRow.procedure_id.is_(None)).order_by(MilestoneRow.position)
            ).scalars()
            return [_milestone(r) for r in rows]

    def phases(self) -> List[Phase]:
        with self._session() as session:
            rows = session.execute(select(PhaseRow).order_by(PhaseRow.position)).scalars()
            return [
                Phase(r.id, r.label, (), r.from_week, r.to_week, r.typical, r.avoid, r.start, tuple(r.cites))
                for r in rows
            ]

    def activity(self, activity_id: str) -> Optional[Activity]:
        with self._session() as session:
            row = session.get(ActivityRow, activity_id)
            if row is None:
                return None
            windows = session.execute(
                select(ActivityWindowRow)
                .where(ActivityWindowRow.activity_id == activity_id)
                .order_by(ActivityWindowRow.from_week)
            ).scalars()
            return Activity(
                row.id,
                row.label,
                row.covered,
                (),
                tuple(
                    Window(w.kind, w.from_week, w.to_week, w.text, tuple(w.cites), w.condition, w.procedure_id, w.level)
                    for w in windows
                ),
            )

    def covered_activity_labels(self) -> List[str]:
        with self._session() as session:
            return list(
                session.execute(
                    select(ActivityRow.label).where(ActivityRow.covered.is_(True)).order_by(ActivityRow.label)
                ).scalars()
            )
