"""The timeline database schema (SQLAlchemy 1.4, 2.0-style). Changes go through Alembic migrations."""

from typing import Any

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import declarative_base

metadata = MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "ix": "ix_%(table_name)s_%(column_0_name)s",
    }
)
Base: Any = declarative_base(metadata=metadata)  # SQLAlchemy 1.4 has no typed declarative base


class ProcedureRow(Base):
    """A procedure; one the guide gives no timeline for has no milestones, and may name the
    guide procedure answered instead (`nearest_id`)."""

    __tablename__ = "procedures"
    id = Column(String(64), primary_key=True)
    label = Column(String(200), nullable=False)
    nearest_id = Column(String(64), nullable=True)


class MilestoneRow(Base):
    """What the guide says about recovery from a procedure (or from any procedure if NULL)."""

    __tablename__ = "milestones"
    id = Column(Integer, primary_key=True, autoincrement=True)
    procedure_id = Column(String(64), ForeignKey("procedures.id", ondelete="CASCADE"), nullable=True, index=True)
    level = Column(String(16), nullable=True)
    position = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    from_week = Column(Float, nullable=True)
    to_week = Column(Float, nullable=True)
    cites = Column(JSON, nullable=False)


class PhaseRow(Base):
    __tablename__ = "phases"
    id = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    label = Column(String(200), nullable=False)
    from_week = Column(Float, nullable=False)
    to_week = Column(Float, nullable=True)
    typical = Column(Text, nullable=False)
    avoid = Column(Text, nullable=False)
    start = Column(Text, nullable=False)
    cites = Column(JSON, nullable=False)


class ActivityRow(Base):
    __tablename__ = "activities"
    id = Column(String(64), primary_key=True)
    label = Column(String(200), nullable=False)
    covered = Column(Boolean, nullable=False)


class ActivityWindowRow(Base):
    """When an activity is typically OK (or to be avoided), optionally for one procedure and level."""

    __tablename__ = "activity_windows"
    id = Column(Integer, primary_key=True, autoincrement=True)
    activity_id = Column(String(64), ForeignKey("activities.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    procedure_id = Column(String(64), ForeignKey("procedures.id", ondelete="CASCADE"), nullable=True)
    level = Column(String(16), nullable=True)
    from_week = Column(Float, nullable=False)
    to_week = Column(Float, nullable=True)
    text = Column(Text, nullable=False)
    condition = Column(Text, nullable=True)
    cites = Column(JSON, nullable=False)


class LoadedDataRow(Base):
    """Which version (sha256) of data/timelines.yml the rows come from."""

    __tablename__ = "loaded_data"
    name = Column(String(64), primary_key=True)
    sha256 = Column(String(64), nullable=False)
