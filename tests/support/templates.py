"""Databases made once per test session and copied for each test that needs one.

Migrating an empty database costs a few tenths of a second and a demo school a few more; a
copy of a file, or ``CREATE DATABASE … TEMPLATE`` on PostgreSQL, costs a few hundredths. Each
test still gets a database of its own: a copy, never the template itself.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planit_desktop.model.db import open_database

if TYPE_CHECKING:
    from planit_desktop.model.db import Database
    from planit_desktop.model.services.demo.school import DemoSchool
    from tests.support.postgres import PostgresServer

#: The demo school of the ``demo_school`` fixture: small, in 2025/26, always the same.
DEMO_LEARNERS, DEMO_SEED, DEMO_YEAR = 200, 7, 2025


@dataclass
class Templates:
    """The session's templates, made the first time a test asks for each.

    SQLite templates are files in ``folder``; PostgreSQL ones are databases on the test
    server, dropped by :meth:`drop`. A demo school's staff passwords are hashed with whatever
    hasher is in force when it is made, so there is one demo template per kind of hashing
    (``production``: the program's own parameters, or the tests' cheap ones).
    """

    folder: Path
    _empty: Path | None = None
    _demo_files: dict[bool, Path] = field(default_factory=dict)
    _demo_databases: dict[bool, str] = field(default_factory=dict)
    _demo: DemoSchool | None = None
    _server: PostgresServer | None = None

    def sqlite_empty(self) -> Path:
        """A migrated, empty SQLite database file (made on first use)."""
        if self._empty is None:
            path = self.folder / "empty" / "school.db"
            path.parent.mkdir(parents=True)
            open_database(f"sqlite:///{path}").dispose()
            self._empty = _settled(path)
        return self._empty

    def sqlite_demo(self, *, production: bool) -> Path:
        """A SQLite database file holding the demo school (made on first use)."""
        if production not in self._demo_files:
            path = self.folder / f"demo-{'production' if production else 'cheap'}" / "school.db"
            path.parent.mkdir(parents=True)
            copy_sqlite(self.sqlite_empty(), path)
            database = open_database(f"sqlite:///{path}", create=False)
            try:
                self._fill_demo(database)
            finally:
                database.dispose()
            self._demo_files[production] = _settled(path)
        return self._demo_files[production]

    def postgres_demo(self, server: PostgresServer, empty: str, *, production: bool) -> str:
        """A database on ``server``, copied from ``empty``, holding the demo school."""
        if production not in self._demo_databases:
            self._server = server
            name = server.create_database(template=empty)
            self._demo_databases[production] = name
            database = open_database(server.url_for(name), create=False)
            try:
                self._fill_demo(database)
            finally:
                database.dispose()  # a template may have no connection open
        return self._demo_databases[production]

    @property
    def demo(self) -> DemoSchool:
        """What :func:`create_demo_school` returned for the demo templates."""
        assert self._demo is not None, "no demo template was made"
        return self._demo

    def _fill_demo(self, database: Database) -> None:
        from planit_desktop.model.services.demo.school import create_demo_school

        with database.begin() as session:
            made = create_demo_school(
                session, learners=DEMO_LEARNERS, seed=DEMO_SEED, academic_year=DEMO_YEAR
            )
        assert self._demo in (None, made), "the demo school is the same for every template"
        self._demo = made

    def drop(self) -> None:
        """Drop the PostgreSQL templates made (the files go with the session's folder)."""
        if self._server is not None:
            for name in self._demo_databases.values():
                self._server.drop_database(name)
        self._demo_databases.clear()


def copy_sqlite(template: Path, target: Path) -> Path:
    """Copy a closed SQLite database file, keeping its mode (a school's files are private)."""
    shutil.copy2(template, target)
    return target


def _settled(path: Path) -> Path:
    """``path``, once SQLite has put every change into the file itself: closing the last
    connection checkpoints the write-ahead log and removes it, so the file alone is whole."""
    beside = [p.name for p in path.parent.iterdir() if p != path]
    assert not beside, f"a template database left {beside} beside it"
    return path
