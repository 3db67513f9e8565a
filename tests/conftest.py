"""Shared fixtures: a fresh school database per test, and the people who act on it."""

from __future__ import annotations

import os

# Before any QApplication exists: GUI tests draw offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import postgres_support
import pytest
from postgres_support import PostgresServer

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import StaffRole

if TYPE_CHECKING:
    from planit_desktop.model.services.demo import DemoAccount, DemoSchool


#: Fixtures that only make sense for a SQLite file: a test using one runs on SQLite alone.
SQLITE_FILE_FIXTURES = frozenset({"db_path"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): the test concerns SQLite files (paths, backups to a folder, "
        "pragmas, file locks); its database fixtures run on SQLite alone",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test on the ``database`` fixture runs on SQLite and on PostgreSQL.

    Ids ``[sqlite]`` and ``[postgresql]``. Tests marked ``sqlite_only``, or using a fixture of
    :data:`SQLITE_FILE_FIXTURES`, keep the one SQLite run (and their plain id).
    """
    if "backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only") or SQLITE_FILE_FIXTURES.intersection(
        metafunc.fixturenames
    ):
        return
    metafunc.parametrize("backend", [pytest.param("sqlite", id="sqlite"), _postgresql_param()])


def _postgresql_param() -> object:
    if postgres_support.configured_url() or postgres_support.running_in_ci():
        return pytest.param("postgresql", id="postgresql")
    reason = (
        f"no PostgreSQL server: set {postgres_support.URL_VARIABLE} to an administrator's URL "
        "(postgresql+psycopg://postgres@127.0.0.1:PORT/postgres) to run the PostgreSQL half"
    )
    return pytest.param("postgresql", id="postgresql", marks=pytest.mark.skip(reason=reason))


@pytest.fixture
def backend() -> str:
    """The kind of database under test: "sqlite", or "postgresql" (see pytest_generate_tests)."""
    return "sqlite"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL test server: skipped without one, except in CI, where that is an error."""
    url = postgres_support.configured_url()
    if url is None and not postgres_support.running_in_ci():
        pytest.skip(f"no PostgreSQL server: {postgres_support.URL_VARIABLE} is not set")
    if url is None:
        pytest.fail(
            f"CI=true but {postgres_support.URL_VARIABLE} is not set: CI must run the "
            "PostgreSQL tests against a server (.ci/run starts one)",
            pytrace=False,
        )
    server = PostgresServer(url)
    try:
        server.check()
    except Exception as error:  # any driver error: report it plainly, once
        pytest.fail(f"The PostgreSQL test server cannot be reached: {error}", pytrace=False)
    yield server
    server.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    """One migrated, empty database per session, copied for each test."""
    name = postgres_support.make_template(postgres_server)
    yield name
    postgres_server.drop_database(name)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The SQLite database file of the ``database`` fixture (SQLite-only tests)."""
    return tmp_path / "school.db"


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where the test's own database lives: a new SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'school.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database(template=request.getfixturevalue("postgres_template"))
    try:
        yield server.url_for(name)
    finally:
        server.drop_database(name)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """An empty, migrated school database of its own for each test (SQLite and PostgreSQL)."""
    db = open_database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def admin() -> Actor:
    """An administrator acting from the command line (no staff record)."""
    return Actor(login="os:test-admin", name="Test Admin", role=StaffRole.ADMINISTRATOR)


@pytest.fixture
def supervisor_actor() -> Actor:
    """Someone acting as a supervisor (no staff record): refused every administrator task."""
    return Actor(login="test-supervisor", name="Test Supervisor", role=StaffRole.SUPERVISOR)


@pytest.fixture
def demo_school(database: Database) -> DemoSchool:
    """The empty ``database`` filled with a small demo school (200 learners, seed 7, 2025/26).

    Staff sign in with the passwords in :mod:`planit_desktop.model.services.demo`
    (``admin1`` / ``demo-admin-pass``, ``supervisor1`` / ``demo-supervisor-pass``, …).
    """
    from planit_desktop.model.services.demo import create_demo_school

    with database.begin() as session:
        return create_demo_school(session, learners=200, seed=7, academic_year=2025)


@pytest.fixture
def demo_database(database: Database, demo_school: DemoSchool) -> Database:
    """The ``database`` fixture holding the small demo school of :func:`demo_school`."""
    return database


@pytest.fixture
def demo_accounts(demo_school: DemoSchool) -> tuple[DemoAccount, ...]:
    """The demo school's staff accounts, with their logins and known passwords."""
    return demo_school.staff
