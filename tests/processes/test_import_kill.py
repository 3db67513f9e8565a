"""Kill -9 during an import of a few hundred learners, on SQLite and on PostgreSQL: afterwards
the school's data is exactly as before the import or exactly as after it, never in between.

The import runs as a real process (tests/support/import_processes.py) on a fresh copy of the demo
school each time. It is killed at random moments spread over a whole run (the seed is
printed and named in any failure; ``PLANIT_TEST_KILL_SEED=N`` uses seed N again), and at
three exact points: before a random statement of its transaction, just before its COMMIT
(both must leave "before") and just after it (must leave "after"), so that both outcomes
are always seen.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Table, create_engine, text
from sqlalchemy.engine import make_url

from planit_desktop.model.db import Database
from planit_desktop.model.entities import Base
from planit_desktop.model.services.importing import write_import_template
from tests.support.import_files import learner
from tests.support.import_processes import (
    after_seconds,
    kill_at,
    random_moments,
    run_import,
    start_import,
    when_paused,
)
from tests.support.postgres import PostgresServer
from tests.support.rollover import copy_database

LEARNERS = 300
KILLS_AT_RANDOM = 3
#: Columns set from the clock or from random salts: they differ between two identical imports.
VOLATILE = {
    "learner": {"created_at"},
    "learner_credential": {"password_hash", "password_changed_at"},
    "audit_entry": {"at", "prev_hash", "entry_hash"},  # the hashes cover ``at``
}

#: Each table's (row count, hash of its rows in primary-key order, volatile columns left out).
State = dict[str, tuple[int, str]]


def _rows(count: int) -> list[list[object]]:
    """Year 7 learners, each born on a day of their own (no two are possible duplicates),
    in a tutor group the demo school has (7A) or in new ones (7Q, 7R)."""
    first_birthday = date(2013, 9, 1)
    return [
        learner(
            i,
            **{
                "Date of Birth": (first_birthday + timedelta(days=i)).strftime("%d/%m/%Y"),
                "Tutor Group": ("7A", "7Q", "7R")[i % 3],
            },
        )
        for i in range(count)
    ]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """The import template, filled in with :data:`LEARNERS` new learners."""
    from openpyxl import load_workbook

    path = write_import_template(tmp_path / "new learners.xlsx")
    filled = load_workbook(path)
    for number, values in enumerate(_rows(LEARNERS), start=2):
        for column, value in enumerate(values, start=1):
            filled["Learners"].cell(row=number, column=column, value=value)
    filled.save(path)
    return path


@pytest.fixture
def fresh_copy(
    demo_database: Database,
    database_url: str,
    backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Iterator[Callable[[], str]]:
    """Makes new copies of the demo school (their URLs), on the backend under test."""
    demo_database.dispose()  # a PostgreSQL template must have no connection open
    made: list[str] = []
    server: PostgresServer | None = None
    if backend == "postgresql":
        server = request.getfixturevalue("postgres_server")

    def copy() -> str:
        if server is None:
            assert demo_database.path is not None
            target = tmp_path / f"copy{len(made)}.db"
            made.append(str(copy_database(demo_database.path, target)))
            return f"sqlite:///{made[-1]}"
        made.append(server.create_database(template=make_url(database_url).database))
        return server.url_for(made[-1])

    yield copy
    if server is not None:
        for name in made:
            server.drop_database(name)


@pytest.fixture
def state(backend: str, request: pytest.FixtureRequest) -> Callable[[str], State]:
    """Reads a copy's tables once the killed process (and, on a server, its session) is gone."""
    server: PostgresServer | None = None
    if backend == "postgresql":
        server = request.getfixturevalue("postgres_server")

    def read(url: str) -> State:
        if server is not None:
            name = make_url(url).database
            assert name
            server.wait_until_unused(name)  # the server has rolled back (or committed)
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                if backend == "sqlite":
                    check = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
                    assert check == "ok"
                return {
                    table.name: _table_state(connection, table)
                    for table in Base.metadata.sorted_tables
                }
        finally:
            engine.dispose()

    return read


def _table_state(connection: Connection, table: Table) -> tuple[int, str]:
    skip = VOLATILE.get(table.name, set())
    columns = ", ".join(c.name for c in table.columns if c.name not in skip)
    order = ", ".join(c.name for c in table.primary_key.columns)
    query = text(f"SELECT {columns} FROM {table.name} ORDER BY {order}")
    rows = [tuple(row) for row in connection.execute(query)]
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.slow
def test_kill_9_during_an_import_leaves_before_or_after(
    fresh_copy: Callable[[], str], workbook: Path, state: Callable[[str], State]
) -> None:
    reference = fresh_copy()
    before = state(reference)
    statements, elapsed = run_import(reference, workbook)
    after = state(reference)
    for table, added in (("learner", LEARNERS), ("learner_credential", LEARNERS)):
        assert after[table][0] == before[table][0] + added
    assert after["learner_group"][0] == before["learner_group"][0] + 2  # 7Q and 7R
    assert after["group_membership"][0] == before["group_membership"][0] + LEARNERS
    assert after["audit_entry"][0] > before["audit_entry"][0] + LEARNERS

    seed = int(os.environ.get("PLANIT_TEST_KILL_SEED") or int.from_bytes(os.urandom(4), "big"))
    rng = random.Random(seed)
    outcomes: dict[str, str] = {}

    def kill(label: str, pause: str | None, wait: Callable[..., None]) -> str:
        url = fresh_copy()
        kill_at(start_import(url, workbook, pause=pause), wait)
        found = state(url)
        assert found in (before, after), f"half-written import: killed {label} (seed {seed})"
        outcomes[label] = "after" if found == after else "before"
        return outcomes[label]

    for moment in random_moments(rng, elapsed, KILLS_AT_RANDOM):
        kill(
            f"{moment:.2f} s after the start of a {elapsed:.2f} s run", None, after_seconds(moment)
        )
    statement = rng.randint(1, statements)
    where = f"before statement {statement} of the {statements} in its transaction"
    assert kill(where, f"statement:{statement}", when_paused) == "before"
    assert kill("just before its COMMIT", "commit", when_paused) == "before"
    assert kill("just after its COMMIT", "committed", when_paused) == "after"
    print(f"kill -9 during an import (seed {seed}): {outcomes}")
