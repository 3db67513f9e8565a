"""A database file that cannot be written (a CD, a locked memory stick, a file or folder this
user may only read): it opens read-only (``Database.read_only``, for the window's banner) and
reads work, every change is refused in plain words and leaves the file as it was; or, where
SQLite could not read it either, it is refused at once, clearly. SQLite files only.

Running as root (as in the containers), ``chmod`` stops nothing: root may write anyway, and
``os.access`` says so. The tests then make ``os.access`` answer for the files made read-only
as it does for anyone else, which is all Plan-it Desktop asks; SQLite's own refusal of
writes is real either way, since the file is then opened with ``mode=ro``. A read-only
medium cannot be mounted here: ``_on_read_only_medium`` is made to say the file is on one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from planit_desktop.model import db_files, migrations
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database, translate_errors
from planit_desktop.model.entities import Learner
from planit_desktop.model.errors import DatabaseUnavailable, Refused
from planit_desktop.model.services.demo.school import create_demo_school
from planit_desktop.model.services.groups.editing import create_group
from planit_desktop.model.services.groups.listing import list_groups
from planit_desktop.model.services.learners.corrections import correct_learner
from tests.support.sign_in import DEMO_ADMINISTRATOR, staff_actor

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def school_file(tmp_path: Path) -> Iterator[Path]:
    """A small demo school, closed (every change in the file), alone in a folder of its own."""
    path = tmp_path / "medium" / "school.db"
    path.parent.mkdir()
    database = open_database(f"sqlite:///{path}")
    with database.begin() as session:
        create_demo_school(session, learners=30, seed=4, academic_year=2025)
    database.dispose()
    assert sorted(p.name for p in path.parent.iterdir()) == ["school.db"]
    yield path
    path.parent.chmod(0o755)  # so that pytest can clear it away
    for each in path.parent.iterdir():
        each.chmod(0o644)


@pytest.fixture
def make_read_only(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``make_read_only(path, folder=False)``: take away the right to write ``path`` (and
    its folder), for real, or as ``os.access`` reports it when running as root."""

    def take_away(path: Path, *, folder: bool = False) -> None:
        targets = [path, path.parent] if folder else [path]
        for target in targets:
            target.chmod(0o555 if target.is_dir() else 0o444)
        if not os.access(path, os.W_OK):
            return  # not root: the modes are obeyed
        real_access = os.access

        def access(target: object, mode: int, *args: object, **kwargs: object) -> bool:
            if mode & os.W_OK and Path(str(target)) in targets:
                return False
            return real_access(target, mode, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "access", access)

    return take_away


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def _learners(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Learner)) or 0


def _try_every_kind_of_write(database: Database, admin: Actor) -> None:
    """Changes through the services, and one past them: each refused in plain words."""
    with database.read() as session:
        learner = session.scalars(select(Learner).order_by(Learner.id)).first()
        assert learner is not None
    writes: list[Callable[..., object]] = [
        lambda session: create_group(session, admin, "New group"),
        lambda session: correct_learner(
            session, admin, learner.id, {"surname": "Changed"}, expected_version=learner.version
        ),
    ]
    for write in writes:
        with pytest.raises(Refused) as refused, database.begin() as session:
            write(session)
        assert "read-only, so nothing can be changed" in refused.value.message
        assert "ask for write access" in refused.value.message
    # Past the services, straight to the engine: SQLite itself refuses (the file is "mode=ro").
    with pytest.raises(DatabaseUnavailable, match="is read-only"):
        with translate_errors(database.location), database.engine.begin() as connection:
            connection.execute(text("DELETE FROM learner_group"))


def test_a_read_only_file_opens_read_only_and_refuses_every_change(
    school_file: Path, make_read_only: Callable[..., None]
) -> None:
    make_read_only(school_file)
    before = _fingerprint(school_file)
    database = open_database(f"sqlite:///{school_file}")
    try:
        admin = staff_actor(database, DEMO_ADMINISTRATOR[0])  # of this school
        assert database.read_only  # what the window shows its banner for
        assert "mode=ro" in str(database.engine.url)
        learners = _learners(database)
        with database.read() as session:
            assert len(list_groups(session, admin)) > 0
        _try_every_kind_of_write(database, admin)
        assert _learners(database) == learners
    finally:
        database.dispose()
    assert _fingerprint(school_file) == before


def test_a_read_only_medium_opens_without_writing_beside_the_file(
    school_file: Path,
    make_read_only: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_read_only(school_file, folder=True)
    monkeypatch.setattr(db_files, "_on_read_only_medium", lambda path: path == school_file)
    before = _fingerprint(school_file)
    database = open_database(f"sqlite:///{school_file}")
    try:
        assert database.read_only
        # Nothing beside it can be made on such a medium: SQLite is told that the file
        # cannot change, and so needs no -shm file.
        assert "immutable=1" in str(database.engine.url)
        assert _learners(database) > 0
        _try_every_kind_of_write(database, staff_actor(database, DEMO_ADMINISTRATOR[0]))
    finally:
        database.dispose()
    assert _fingerprint(school_file) == before
    assert sorted(p.name for p in school_file.parent.iterdir()) == ["school.db"]


def test_a_file_in_a_folder_that_cannot_be_written_is_refused_clearly(
    school_file: Path, make_read_only: Callable[..., None]
) -> None:
    # Off a read-only medium someone else may be writing to it; SQLite could not read it
    # safely without a -shm file beside it, which cannot be made in that folder.
    make_read_only(school_file, folder=True)
    before = _fingerprint(school_file)
    with pytest.raises(DatabaseUnavailable) as refused:
        open_database(f"sqlite:///{school_file}")
    assert refused.value.message == (
        f"The database at {school_file} cannot be opened: it is read-only, and so is the "
        "folder it is in. Copy it to a folder you can write to and open the copy, or ask for "
        "write access. Nothing has been changed."
    )
    assert _fingerprint(school_file) == before
    assert sorted(p.name for p in school_file.parent.iterdir()) == ["school.db"]


def test_an_older_read_only_database_is_refused_not_updated(
    tmp_path: Path, make_read_only: Callable[..., None]
) -> None:
    path = tmp_path / "old.db"
    older = open_database(f"sqlite:///{path}", migrate=False)
    migrations.upgrade(older.engine, "0001")
    older.dispose()
    make_read_only(path)
    before = _fingerprint(path)
    with pytest.raises(DatabaseUnavailable, match="needs updating, but it is read-only"):
        open_database(f"sqlite:///{path}")
    assert _fingerprint(path) == before
    assert not (tmp_path / "backups").exists()
