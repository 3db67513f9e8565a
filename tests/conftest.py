"""Shared fixtures of every kind of test: a school database of its own per test (on SQLite
and on PostgreSQL, copied from a template made once per session), the demo school, the
people who act on it, the command line signed in, and cheap password hashing.

The kinds have their own conftest.py: tests/model (services, validation and the command line
in this process, no widgets), tests/ui (pytest-qt, with widgets) and tests/processes (the
program run as real processes: killed, raced, piped, built and installed).
"""

from __future__ import annotations

import functools
import gc
import os

# Before any QApplication exists: GUI tests draw offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from argon2 import PasswordHasher

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database, sqlite_file
from planit_desktop.model.entities import StaffRole
from planit_desktop.model.services.credentials import hashing
from tests.support import postgres
from tests.support.hashing import CHEAP_HASHER, PRODUCTION_HASHER, hashing_with
from tests.support.postgres import PostgresServer
from tests.support.templates import Templates, copy_sqlite

if TYPE_CHECKING:
    from planit_desktop.model.services.demo.school import DemoAccount, DemoSchool
    from tests.support.sign_in import CommandLineSignIn


#: Fixtures that only make sense for a SQLite file: a test using one runs on SQLite alone.
SQLITE_FILE_FIXTURES = frozenset({"db_path"})


def pytest_configure(config: pytest.Config) -> None:
    _ctrl_c_acted_on()
    _garbage_collected_per_test_not_per_object()
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): the test concerns SQLite files (paths, backups to a folder, "
        "pragmas, file locks); its database fixtures run on SQLite alone",
    )
    config.addinivalue_line(
        "markers",
        "runs_long: a test far longer than the rest (building and installing the wheel), "
        "started first so that no worker is left to finish the run alone with it",
    )
    config.addinivalue_line(
        "markers",
        "migrated_afresh: the test's database is migrated from nothing by the test's own "
        "opening of it, not copied from the session's template (tests of the migrations)",
    )
    config.addinivalue_line(
        "markers",
        "production_hashing: the test hashes passwords with the program's own argon2id "
        "parameters (tests of hashing itself), not the tests' cheap ones; so do all of "
        "tests/processes, whose child processes sign in with the program's parameters",
    )


def _garbage_collected_per_test_not_per_object() -> None:
    """Python's collector is tuned for programs whose objects mostly die young; a test's live
    as long as the test (its database, windows, rows), so at the usual thresholds they are
    promoted to the oldest generation and die there, and a full collection, walking every
    object of the run, follows every few tests: a fifth of the suite's time. Collected less
    often, they die between collections instead, as they would in the program's own run."""
    gc.set_threshold(50_000, 20, 10)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The ``runs_long`` tests first, the rest in their order (modules kept together)."""
    items.sort(key=lambda item: item.get_closest_marker("runs_long") is None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection made (the modules, the tests, their marks) lives to the end of the
    run: frozen out of every later collection's walk."""
    gc.collect()
    gc.freeze()


def _ctrl_c_acted_on() -> None:
    """Ctrl-C as at a terminal, for the suite and the programs it starts: a suite started in
    the background (``pytest … &`` in a script) inherits Ctrl-C ignored and passes that on to
    its children, where the program honours it, as under ``nohup``; the tests of what Ctrl-C
    does to an import would then see the import rightly go on to the end."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


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
    if postgres.configured_url() or postgres.running_in_ci():
        return pytest.param("postgresql", id="postgresql")
    reason = (
        f"no PostgreSQL server: set {postgres.URL_VARIABLE} to an administrator's URL "
        "(postgresql+psycopg://postgres@127.0.0.1:PORT/postgres) to run the PostgreSQL half"
    )
    return pytest.param("postgresql", id="postgresql", marks=pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _no_command_line_sign_in_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own PLANIT_LOGIN or PLANIT_PASSWORD_FILE never reaches a test."""
    from planit_desktop.commands import LOGIN_VARIABLE, PASSWORD_FILE_VARIABLE

    monkeypatch.delenv(LOGIN_VARIABLE, raising=False)
    monkeypatch.delenv(PASSWORD_FILE_VARIABLE, raising=False)


@pytest.fixture(scope="session", autouse=True)
def _cheap_hashing_by_default() -> Iterator[None]:
    """Every test hashes with the cheap hasher of tests/support/hashing.py, unless
    ``production_hashing`` says not (and in tests/processes: see its conftest)."""
    with hashing_with(CHEAP_HASHER):
        yield


@pytest.fixture
def production_hashing(request: pytest.FixtureRequest) -> bool:
    """True when the test hashes with the program's own parameters: marked
    ``production_hashing``, or in tests/processes (whose conftest says so for all)."""
    return request.node.get_closest_marker("production_hashing") is not None


@pytest.fixture(autouse=True)
def _hashing(production_hashing: bool) -> Iterator[None]:
    if not production_hashing or hashing.HASHER is PRODUCTION_HASHER:
        yield
        return
    with hashing_with(PRODUCTION_HASHER):
        yield


@pytest.fixture
def backend() -> str:
    """The kind of database under test: "sqlite", or "postgresql" (see pytest_generate_tests)."""
    return "sqlite"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL test server: skipped without one, except in CI, where that is an error."""
    url = postgres.configured_url()
    if url is None and not postgres.running_in_ci():
        pytest.skip(f"no PostgreSQL server: {postgres.URL_VARIABLE} is not set")
    if url is None:
        pytest.fail(
            f"CI=true but {postgres.URL_VARIABLE} is not set: CI must run the "
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
    name = postgres.make_template(postgres_server)
    yield name
    postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """The session's template databases (tests/support/templates.py): the empty migrated
    SQLite file, and the demo school on SQLite and PostgreSQL, each made on first use."""
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    made.drop()


def _wants_demo(request: pytest.FixtureRequest) -> bool:
    return "demo_school" in request.fixturenames


def _migrated_afresh(request: pytest.FixtureRequest) -> bool:
    afresh = request.node.get_closest_marker("migrated_afresh") is not None
    assert not (afresh and _wants_demo(request)), "the demo school is copied from a template"
    return afresh


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
    template = None if _migrated_afresh(request) else request.getfixturevalue("postgres_template")
    if _wants_demo(request):
        production = request.getfixturevalue("production_hashing")
        template = request.getfixturevalue("templates").postgres_demo(
            server, template, production=production
        )
    name = server.create_database(template=template)
    try:
        yield server.url_for(name)
    finally:
        server.drop_database(name)


@pytest.fixture
def database(
    database_url: str, templates: Templates, request: pytest.FixtureRequest
) -> Iterator[Database]:
    """An empty, migrated school database of its own for each test (SQLite and PostgreSQL).

    On SQLite the file is a copy of the session's template (unless the test put a file there
    itself); with ``demo_school`` among the test's fixtures, of the demo school's template,
    which ``demo_school`` then only describes. Marked ``migrated_afresh``, the test gets a
    database migrated here, from nothing, on either database.
    """
    path = sqlite_file(database_url)
    if path is not None and not path.exists() and not _migrated_afresh(request):
        if _wants_demo(request):
            production = request.getfixturevalue("production_hashing")
            copy_sqlite(templates.sqlite_demo(production=production), path)
        else:
            copy_sqlite(templates.sqlite_empty(), path)
    db = open_database(database_url)
    yield db
    db.dispose()


#: Staff ids of the tests' own administrator and supervisor: far above any id a fixture or a
#: test chooses itself (1, 2, …), so that those never clash with them.
TEST_ADMIN_ID, TEST_SUPERVISOR_ID = 9001, 9002


def _password_hash(password: str) -> str:
    return _hash_once(password, hashing.HASHER)


@functools.cache
def _hash_once(password: str, _hasher: PasswordHasher) -> str:
    return hashing.hash_password(password)  # once per session and hasher


def _add_staff(database: Database, staff_id: int, login: str, name: str, role: StaffRole) -> Actor:
    from planit_desktop.model.entities import Staff
    from tests.support.sign_in import TEST_ADMIN_PASSWORD, TEST_SUPERVISOR_PASSWORD

    password = TEST_ADMIN_PASSWORD if role is StaffRole.ADMINISTRATOR else TEST_SUPERVISOR_PASSWORD
    with database.begin() as session:
        session.add(
            Staff(
                id=staff_id, name=name, login=login, role=role, active=True,
                password_hash=_password_hash(password), must_change_password=False,
                failed_sign_ins=0,
            )
        )  # fmt: skip
    return Actor(login=login, name=name, role=role, staff_id=staff_id)


def _after_the_demo_school(request: pytest.FixtureRequest) -> DemoSchool | None:
    """The demo school, made now if the test uses it: it can only be made in an empty database."""
    if "demo_school" in request.fixturenames:
        school: DemoSchool = request.getfixturevalue("demo_school")
        return school
    return None


@pytest.fixture
def admin(database: Database, request: pytest.FixtureRequest) -> Actor:
    """A real, active administrator of the test's ``database``, as a sign-in would give.

    With the demo school (``demo_school`` or ``demo_database`` among the test's fixtures), it
    is the demo's first administrator, ``admin1``. Otherwise it is "Test Admin" (login
    ``test-admin``, password ``tests.support.sign_in.TEST_ADMIN_PASSWORD``), added to the database
    with the staff id :data:`TEST_ADMIN_ID` before the test's own rows, whose ids it leaves
    free.
    """
    from tests.support.sign_in import DEMO_ADMINISTRATOR, staff_actor

    if _after_the_demo_school(request) is not None:
        return staff_actor(database, DEMO_ADMINISTRATOR[0])
    return _add_staff(database, TEST_ADMIN_ID, "test-admin", "Test Admin", StaffRole.ADMINISTRATOR)


@pytest.fixture
def supervisor_actor(database: Database, request: pytest.FixtureRequest) -> Actor:
    """A real, active supervisor of the test's ``database`` with no groups: refused every
    administrator task, and sees no learners.

    "Test Supervisor" (login ``test-supervisor``, password ``tests.support.sign_in.
    TEST_SUPERVISOR_PASSWORD``),
    staff id :data:`TEST_SUPERVISOR_ID`; with the demo school, added after it is made.
    """
    _after_the_demo_school(request)
    return _add_staff(
        database, TEST_SUPERVISOR_ID, "test-supervisor", "Test Supervisor", StaffRole.SUPERVISOR
    )


@pytest.fixture
def cli_signed_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CommandLineSignIn:
    """The command line signed in as the demo school's ``admin1`` (tests/support/sign_in.py).

    ``main([...])`` in the test's process signs in through the environment, which is set;
    for a subprocess pass ``env=cli_signed_in.environment()``.
    """
    from tests.support.sign_in import command_line_sign_in

    signed_in = command_line_sign_in(tmp_path / "sign-in")
    signed_in.use_in(monkeypatch)
    return signed_in


@pytest.fixture
def demo_school(database: Database, templates: Templates) -> DemoSchool:
    """The ``database`` holding a small demo school (200 learners, seed 7, 2025/26): a copy
    of the session's demo template (see ``database``), as if made in it empty.

    Staff sign in with the passwords in :mod:`planit_desktop.model.services.demo.school`
    (``admin1`` / ``demo-admin-pass``, ``supervisor1`` / ``demo-supervisor-pass``, …).
    """
    return templates.demo


@pytest.fixture
def demo_database(database: Database, demo_school: DemoSchool) -> Database:
    """The ``database`` fixture holding the small demo school of :func:`demo_school`."""
    return database


@pytest.fixture
def demo_accounts(demo_school: DemoSchool) -> tuple[DemoAccount, ...]:
    """The demo school's staff accounts, with their logins and known passwords."""
    return demo_school.staff
