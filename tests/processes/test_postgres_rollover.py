"""The rollover's guarantees on PostgreSQL, with real ``planit-desktop rollover`` processes:
the server's own backups named as the backup, two applies started together (exactly one
succeeds), and kill -9 at random moments (exactly before or exactly after, never between).

The SQLite versions are in test_rollover_cli; both use the helpers of
tests/support/rollover_processes.py.
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from planit_desktop.cli import main
from planit_desktop.model.db import open_database
from planit_desktop.model.entities import AuditEntry, School, YearEndRun
from planit_desktop.model.services.year_end import backup_for
from planit_desktop.model.services.year_end.apply import SERVER_BACKUP
from tests.support import warm_start
from tests.support.postgres import PostgresServer, make_demo_school
from tests.support.rollover import Rows, checksum, differences, table_rows
from tests.support.rollover_processes import (
    Place,
    kill_during_apply,
    rollover_command,
    sleep_within,
    two_applies_at_once,
)
from tests.support.sign_in import CommandLineSignIn


@pytest.fixture(scope="module")
def demo_template(postgres_server: PostgresServer, postgres_template: str) -> Iterator[str]:
    """A 2,000-learner demo school in 2025/26 on the server, made once and copied by each test."""
    name = make_demo_school(postgres_server, postgres_template, learners=2000, seed=3)
    yield name
    postgres_server.drop_database(name)


@pytest.fixture
def fresh_copy(postgres_server: PostgresServer, demo_template: str) -> Iterator[Callable[[], str]]:
    """Makes new copies of the demo school (URLs); all are dropped after the test."""
    made: list[str] = []

    def copy() -> str:
        made.append(postgres_server.create_database(template=demo_template))
        return postgres_server.url_for(made[-1])

    yield copy
    for name in made:
        postgres_server.drop_database(name)


def _name(url: Place) -> str:
    name = make_url(str(url)).database
    assert name
    return name


def test_apply_names_the_servers_backups_and_writes_no_file(
    fresh_copy: Callable[[], str],
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    url = fresh_copy()
    database = open_database(url)
    try:
        assert database.path is None
        assert backup_for(database)("before-rollover") is None
        assert main(["rollover", "--db", url, "--apply", "--json"]) == 0
        applied = json.loads(capsys.readouterr().out)
        assert applied["backup"] == SERVER_BACKUP
        with database.read() as session:
            run = session.scalars(select(YearEndRun)).one()
            assert run.backup_path is None
            assert json.loads(run.summary)["backup"] == SERVER_BACKUP
            detail = session.scalars(
                select(AuditEntry.detail).where(AuditEntry.entity == "year_end_run")
            ).one()
            assert detail is not None and detail.endswith(f"backup: {SERVER_BACKUP}")
        # Undo works from the journal in the database, with no backup file at all.
        assert main(["rollover", "--db", url, "--undo"]) == 0
        with database.read() as session:
            assert session.get_one(School, 1).academic_year == 2025
    finally:
        database.dispose()


@pytest.mark.slow
def test_two_concurrent_applies_exactly_one_succeeds(
    fresh_copy: Callable[[], str], cli_signed_in: CommandLineSignIn
) -> None:
    url = fresh_copy()
    results = two_applies_at_once(url, env=cli_signed_in.environment())
    assert sorted(status for status, _ in results) == [0, 1], results
    loser = next(err for status, err in results if status == 1)
    # The school row's lock makes the second wait, then see the first one's run.
    assert "already done" in loser, loser
    assert "Traceback" not in loser
    database = open_database(url)
    try:
        with database.read() as session:
            assert len(session.scalars(select(YearEndRun)).all()) == 1
            assert session.get_one(School, 1).academic_year == 2026
    finally:
        database.dispose()


def _signed_in(url: Place) -> bool:
    """True once the command line's sign-in is committed (it writes before the rollover)."""
    engine = create_engine(str(url))
    try:
        with engine.connect() as connection:
            query = select(func.count()).where(AuditEntry.action == "sign_in")
            return bool(connection.scalar(query))
    finally:
        engine.dispose()


def _physical_order(url: str, table: str) -> list[int]:
    """The ids of ``table`` in the order the server keeps the rows (what a scan meets first)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text(f"SELECT id FROM {table} ORDER BY ctid")))
    finally:
        engine.dispose()


def _vacuum_analyze(url: str) -> None:
    """What autovacuum does to a database sooner or later: the planner then knows its tables."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


def test_apply_gives_the_same_rows_however_the_server_lays_them_out(
    fresh_copy: Callable[[], str], cli_signed_in: CommandLineSignIn
) -> None:
    """Two copies of one school, the same data in a different physical order (an update that
    changes nothing moves a row's version to the end of its table, as any edit does), roll over
    and back to the same rows: audit entries numbered in the same order, not in whichever order
    the plan of the moment met the rows. (The kill -9 test below compares its copies exactly;
    those copied after autovacuum first visited the school were planned differently.)
    """
    plain, reordered = fresh_copy(), fresh_copy()
    engine = create_engine(reordered)
    try:
        with engine.begin() as connection:
            for table in ("learner", "supervisor_access"):
                connection.execute(text(f"UPDATE {table} SET id = id WHERE id % 2 = 0"))
    finally:
        engine.dispose()
    for url in (plain, reordered):
        _vacuum_analyze(url)
    assert checksum(plain) == checksum(reordered)
    for table in ("learner", "supervisor_access"):
        assert _physical_order(plain, table) != _physical_order(reordered, table), table
    for step in ("--apply", "--undo"):
        for url in (plain, reordered):
            assert main(["rollover", "--db", url, step]) == 0
        found = [table_rows(url, ignore_volatile=True) for url in (plain, reordered)]
        assert found[0] == found[1], f"after {step}:\n{differences(*found)}"


def _inside_the_write(
    server: PostgresServer, window: float
) -> Callable[[random.Random, Place, subprocess.Popen[bytes]], None]:
    """A moment inside the rollover's write transaction, as the server sees it (after the
    sign-in's own transaction)."""

    def wait(rng: random.Random, database: Place, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 120
        while not _signed_in(database) and process.poll() is None:
            if time.monotonic() > deadline:
                raise TimeoutError("the rollover never signed in")
            time.sleep(0.005)
        while not server.writing_to(_name(database)) and process.poll() is None:
            if time.monotonic() > deadline:
                raise TimeoutError("the rollover never began writing")
            time.sleep(0.005)
        time.sleep(rng.uniform(0, window))

    return wait


@pytest.mark.slow
def test_kill_9_during_apply_leaves_before_or_after(
    postgres_server: PostgresServer,
    fresh_copy: Callable[[], str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    def state(url: Place) -> Rows:
        postgres_server.wait_until_unused(_name(url))  # the killed session has finished
        return table_rows(str(url), ignore_volatile=True)

    reference = fresh_copy()
    before = state(reference)
    started = time.monotonic()
    process = warm_start.Popen(
        rollover_command(reference, "--apply"),
        stdout=subprocess.DEVNULL,
        env=cli_signed_in.environment(),
    )
    _inside_the_write(postgres_server, 0)(random.Random(0), reference, process)
    writing_from = time.monotonic()
    assert process.wait(timeout=120) == 0
    elapsed, window = time.monotonic() - started, time.monotonic() - writing_from
    after = state(reference)
    assert after != before

    anywhere = sleep_within(elapsed)
    inside = _inside_the_write(postgres_server, window)
    outcomes = kill_during_apply(
        lambda _attempt: fresh_copy(),
        state,
        before=before,
        after=after,
        # Alternately at a random moment late in the run, and inside the write itself.
        moment=lambda rng, url, proc: (anywhere if rng.random() < 0.5 else inside)(rng, url, proc),
        attempts=6,
        env=cli_signed_in.environment(),
    )
    assert len(outcomes) == 6
