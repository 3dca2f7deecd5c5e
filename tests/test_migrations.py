"""Alembic: the fast-path head matches the scripts, and the scripts match the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from llmtui.store import migrate
from llmtui.store.schema import Base


def test_head_revision_constant_matches_alembic() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.migrations_dir()))
    assert ScriptDirectory.from_config(cfg).get_current_head() == migrate.HEAD_REVISION


def test_migrations_create_exactly_the_models_schema(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    migrate.prepare_database(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diffs == []


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    migrate.prepare_database(path)
    migrate.downgrade(path, "base")
    assert migrate.current_revision(path) is None
    migrate.prepare_database(path)
    assert migrate.current_revision(path) == migrate.HEAD_REVISION
