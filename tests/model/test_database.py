"""Opening databases: migrations from empty, foreign keys, refusals that change nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from planit_desktop.model import migrations
from planit_desktop.model.db import Database, backup_sqlite, current_revision, open_database
from planit_desktop.model.entities import AuditEntry, Group, Learner, School, StaffRole
from planit_desktop.model.errors import DatabaseUnavailable, NewerSchema, PermissionDenied
from planit_desktop.model.services.permissions import require_administrator


def _learner(**overrides: object) -> Learner:
    from datetime import date

    values: dict[str, object] = {
        "first_names": "Ada",
        "surname": "Lovelace",
        "date_of_birth": date(2012, 12, 10),
        "year_group": 8,
        "login": "alovelace",
        "upn": "H801200001001",
        "sims_number": "00012",
    }
    values.update(overrides)
    return Learner(**values)


def test_head_constant_matches_the_scripts() -> None:
    assert migrations.HEAD == migrations.head_revision()


@pytest.mark.migrated_afresh
def test_new_database_is_migrated_to_head(database: Database) -> None:
    assert current_revision(database.engine) == migrations.HEAD


@pytest.mark.sqlite_only
def test_foreign_keys_are_enforced(database: Database) -> None:
    with database.read() as session:
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with pytest.raises(IntegrityError), database.begin() as session:
        session.execute(text("INSERT INTO group_membership (learner_id, group_id) VALUES (99, 99)"))


@pytest.mark.sqlite_only
def test_wal_and_busy_timeout(database: Database) -> None:
    with database.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_unique_upn_sims_and_login(database: Database) -> None:
    with database.begin() as session:
        session.add(_learner())
    for clash in ({"upn": "H801200001001"}, {"sims_number": "00012"}, {"login": "alovelace"}):
        other = {"upn": "B801200005001", "sims_number": "99", "login": "other"} | clash
        with pytest.raises(IntegrityError), database.begin() as session:
            session.add(_learner(**other))


def test_sims_number_keeps_leading_zeros(database: Database) -> None:
    with database.begin() as session:
        session.add(_learner())
    with database.read() as session:
        assert session.scalars(select(Learner.sims_number)).one() == "00012"


def test_unique_group_names(database: Database) -> None:
    with database.begin() as session:
        session.add(Group(name="10A"))
    with pytest.raises(IntegrityError), database.begin() as session:
        session.add(Group(name="10A"))


def test_rolled_back_savepoint_really_rolls_back(database: Database) -> None:
    with database.begin() as session:
        session.add(Group(name="Oak"))
        savepoint = session.begin_nested()
        session.add(Group(name="Ash"))
        session.flush()
        savepoint.rollback()
    with database.read() as session:
        assert session.scalars(select(Group.name)).all() == ["Oak"]


def test_newer_schema_is_refused_and_left_alone(db_path: Path) -> None:
    open_database(f"sqlite:///{db_path}").dispose()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    before = db_path.read_bytes()
    with pytest.raises(NewerSchema, match="newer version"):
        open_database(f"sqlite:///{db_path}")
    assert db_path.read_bytes() == before


def test_older_schema_is_backed_up_then_migrated(db_path: Path) -> None:
    database = open_database(f"sqlite:///{db_path}", migrate=False)
    migrations.upgrade(database.engine, "0001")
    with database.begin() as session:
        session.add(Group(name="Oak"))
    database.dispose()
    upgraded = open_database(f"sqlite:///{db_path}")
    assert current_revision(upgraded.engine) == migrations.HEAD
    with upgraded.read() as session:
        assert session.scalars(select(Group.name)).all() == ["Oak"]
    upgraded.dispose()
    (backup,) = (db_path.parent / "backups").glob("*before-upgrade-from-0001.db")
    with sqlite3.connect(backup) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n")
    with pytest.raises(DatabaseUnavailable, match="not a Plan-it database"):
        open_database(f"sqlite:///{path}")
    assert path.read_text() == "these are my notes, not a database\n"


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(DatabaseUnavailable, match="not a Plan-it database"):
        open_database(f"sqlite:///{path}")


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="does not exist"):
        open_database(f"sqlite:///{tmp_path / 'nowhere' / 'school.db'}")
    assert not (tmp_path / "nowhere").exists()


def test_missing_file_without_create_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="no database"):
        open_database(f"sqlite:///{tmp_path / 'school.db'}", create=False)


def test_locked_database_gives_a_clear_message(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planit_desktop.model import db as db_module

    open_database(f"sqlite:///{db_path}").dispose()
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 50)
    impatient = open_database(f"sqlite:///{db_path}")
    locker = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseUnavailable, match="busy"), impatient.begin() as session:
            session.add(Group(name="Oak"))
    finally:
        locker.execute("ROLLBACK")
        locker.close()
        impatient.dispose()


def test_refused_permission_is_audited(database: Database, supervisor_actor) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied, match="Only administrators"), database.begin() as s:
        s.add(School(id=1, name="Should not be saved", academic_year=2025))
        s.flush()
        require_administrator(s, supervisor_actor, "change the school's settings")
    with database.read() as session:
        assert session.get(School, 1) is None
        entry = session.scalars(select(AuditEntry)).one()
    assert entry.action == "refused"
    assert entry.actor == supervisor_actor.login
    assert StaffRole.SUPERVISOR.value == "supervisor"


@pytest.mark.sqlite_only
def test_backup_is_a_complete_copy(database: Database) -> None:
    with database.begin() as session:
        session.add(Group(name="Oak"))
    target = backup_sqlite(database, "test")
    with sqlite3.connect(target) as raw:
        assert raw.execute("SELECT name FROM learner_group").fetchall() == [("Oak",)]
    assert not list(target.parent.glob("*.part"))


def test_model_imports_no_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, planit_desktop.model as m\n"
        "for info in pkgutil.walk_packages(m.__path__, m.__name__ + '.'):\n"
        "    if '.migrations.versions' in info.name or info.name.endswith('migrations.env'):\n"
        "        continue\n"
        "    importlib.import_module(info.name)\n"
        "bad = [name for name in sys.modules if name.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.migrated_afresh
def test_migrations_build_exactly_the_mapped_tables(database: Database) -> None:
    """A model change without its migration (or the reverse) shows up here, not at a school."""
    import importlib
    import pkgutil

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from planit_desktop import model
    from planit_desktop.model.entities import Base

    for info in pkgutil.iter_modules(model.__path__, model.__name__ + "."):
        if info.name.endswith("_entities"):
            importlib.import_module(info.name)
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
