"""The timeline database through SQLAlchemy: migrations, idempotent loading, queries."""

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from bot import settings
from bot.runtime import postgres
from bot.timelines.database import load, make_engine, migrate, prepare
from bot.timelines.models import ActivityWindowRow, ProcedureRow
from bot.timelines.repository import TimelineRepository


def counts(engine):
    with Session(engine, future=True) as session:
        return [
            session.execute(select(func.count()).select_from(t)).scalar_one() for t in (ProcedureRow, ActivityWindowRow)
        ]


def check_repository(engine):
    repo = TimelineRepository(engine)
    assert [p for p, _ in repo.procedures_with_timelines()] == ["microdiscectomy", "decompression", "fusion"]
    fusion = repo.procedure("fusion")
    assert any(m.level == "L4-L5" and m.from_week == 4 for m in fusion.milestones)
    assert [p.id for p in repo.phases()][0] == "first_days"
    swimming = repo.activity("swimming")
    assert swimming.covered and swimming.windows[0].condition == "if your doctor has cleared you"
    assert not repo.activity("driving").covered and repo.activity("driving").windows == ()
    assert repo.activity("skydiving") is None
    assert "light swimming" in repo.covered_activity_labels()
    assert len(repo.general_milestones()) == 2
    assert repo.procedure("laminectomy").nearest == "decompression" and not repo.procedure("laminectomy").covered


def test_sqlite_by_default_created_on_first_start(tmp_path, monkeypatch):
    monkeypatch.setattr("bot.settings.VAR_DIR", tmp_path / "var")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    engine = prepare()
    assert (tmp_path / "var" / "timelines.db").is_file()
    check_repository(engine)


def test_database_url_selects_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    prepare()
    assert (tmp_path / "other.db").is_file()


def test_migrations_create_the_schema(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    migrate(engine)
    assert {"procedures", "phases", "activities", "activity_windows", "milestones", "alembic_version"} <= set(
        inspect(engine).get_table_names()
    )
    migrate(engine)


def test_loading_is_idempotent_and_follows_the_file(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    migrate(engine)
    assert load(engine) is True
    before = counts(engine)
    assert load(engine) is False
    assert counts(engine) == before
    edited = tmp_path / "timelines.yml"
    original = settings.TIMELINES_FILE.read_text()
    driving = (
        "  driving:\n    label: driving\n    covered: false\n    phrases: [drive|driving|driver]\n"
        "    examples: [drive my car]\n"
    )
    assert driving in original
    edited.write_text(original.replace(driving, ""))
    assert load(engine, edited) is True
    assert counts(engine) == before
    assert TimelineRepository(engine).activity("driving") is None


def test_postgresql_works():
    """Debian's PostgreSQL, which `make test` installs (test-deps)."""
    with postgres.temporary_postgres() as url:
        engine = prepare(url)
        check_repository(engine)
        assert load(engine) is False
        engine.dispose()
