"""Helpers shared by the rollover tests: small schools, table checksums, database copies.

(Named test_* so that it sits with the rollover tests; it holds no tests of its own.)
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

from sqlalchemy import Table, create_engine, inspect, text
from sqlalchemy.orm import Session

# Every table registered, so that a checksum covers them all (and not only those that the
# tests imported so far happen to have registered).
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    Base,
    Group,
    GroupMembership,
    Learner,
    School,
    Staff,
    StaffRole,
    Subject,
    SubjectOffer,
    SupervisorAccess,
)

#: Columns whose values depend on the clock or the file system, not on what was changed.
VOLATILE = {
    # An entry's hashes cover its ``at`` (and its values, compared themselves below).
    "audit_entry": {"at", "prev_hash", "entry_hash", "values_hash"},
    "year_end_run": {"run_at", "undone_at", "summary", "backup_path"},
    "supervisor_access": {"ended_at"},
}
#: Rows left out with the volatile columns: the command line's sign-in, committed on its own
#: before the change it signs in for, so a run killed after it still left the data as before.
VOLATILE_ROWS = {"audit_entry": "action <> 'sign_in'"}

#: Columns volatile in some rows only (an SQL condition): the run's own audit entry and the
#: entry recording the backup file name its timestamped path; every other entry is compared.
VOLATILE_WHERE = {
    "audit_entry": {
        "detail": "entity = 'year_end_run' OR action = 'file_written'",
        "new_value": "action = 'file_written'",
    }
}

#: Every table's rows in primary-key order, by table name (see :func:`table_rows`).
Rows = dict[str, list[tuple[object, ...]]]

#: Tables of the schema that are not the school's data.
NOT_DATA = {"alembic_version"}


def checksum(database: Database | Path | str, *, ignore_volatile: bool = False) -> dict[str, str]:
    """A hash of every table's rows in primary-key order, table by table.

    ``database`` is a SQLite file (a Path, read with sqlite3 so that a file left by a killed
    process is read as it is), an open Database, or a database URL (PostgreSQL too).
    """
    rows = table_rows(database, ignore_volatile=ignore_volatile)
    return {name: _digest(table) for name, table in rows.items()}


def table_rows(database: Database | Path | str, *, ignore_volatile: bool = False) -> Rows:
    """Every table's rows in primary-key order (what :func:`checksum` hashes), for showing
    how two states differ. Fails if the database holds a table the checksum would miss.
    """
    queries = _ordered_selects(ignore_volatile)
    path = database if isinstance(database, Path) else None
    if isinstance(database, Database) and database.path is not None:
        path = database.path
    if path is not None:
        with sqlite3.connect(path) as raw:
            tables = {
                name
                for (name,) in raw.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            }
            rows = {name: raw.execute(sql).fetchall() for name, sql in queries}
    else:
        engine = database.engine if isinstance(database, Database) else create_engine(str(database))
        try:
            with engine.connect() as connection:
                tables = set(inspect(connection).get_table_names())
                rows = {
                    name: [tuple(row) for row in connection.execute(text(sql))]
                    for name, sql in queries
                }
        finally:
            if not isinstance(database, Database):
                engine.dispose()
    unknown = tables - NOT_DATA - rows.keys()
    assert not unknown, f"tables not in the checksum (register their entities): {unknown}"
    return rows


def differences(first: Rows, second: Rows) -> str:
    """Where two :func:`table_rows` differ: per table, the row counts and a few rows found
    only in one or only in the other (empty when they are the same)."""
    lines = []
    for name in sorted(first.keys() | second.keys()):
        a, b = first.get(name, []), second.get(name, [])
        if a == b:
            continue
        only_a, only_b = set(a) - set(b), set(b) - set(a)
        lines.append(f"{name}: {len(a)} rows against {len(b)}")
        lines += [f"  only in the first:  {row!r}" for row in sorted(only_a, key=repr)[:3]]
        lines += [f"  only in the second: {row!r}" for row in sorted(only_b, key=repr)[:3]]
    return "\n".join(lines)


def _ordered_selects(ignore_volatile: bool) -> list[tuple[str, str]]:
    queries = []
    for table in Base.metadata.sorted_tables:
        assert isinstance(table, Table)
        skip = VOLATILE.get(table.name, set()) if ignore_volatile else set()
        masked = VOLATILE_WHERE.get(table.name, {}) if ignore_volatile else {}
        columns = ", ".join(
            f"CASE WHEN {masked[c.name]} THEN NULL ELSE {c.name} END"
            if c.name in masked
            else c.name
            for c in table.columns
            if c.name not in skip
        )
        order = ", ".join(c.name for c in table.primary_key.columns)
        rows = VOLATILE_ROWS.get(table.name) if ignore_volatile else None
        where = f" WHERE {rows}" if rows else ""
        queries.append((table.name, f"SELECT {columns} FROM {table.name}{where} ORDER BY {order}"))
    return queries


def _digest(rows: list[tuple[object, ...]]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a database file (SQLite's backup API, WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def small_school(session: Session, *, academic_year: int = 2025) -> dict[str, int]:
    """A hand-made school: six learners in Years 7–11 and 12, groups, staff and access.

    Returns learner ids by a short key, and group / staff ids.
    """
    session.add(School(id=1, name="Test School", academic_year=academic_year))
    groups = {name: Group(name=name) for name in ("7A", "10A", "11A", "Oak", "Y9 Set 2")}
    session.add_all(groups.values())

    def learner(key: str, year: int, born: date, upn: str) -> Learner:
        return Learner(
            first_names=key.title(),
            surname=f"Learner{key}",
            date_of_birth=born,
            year_group=year,
            login=f"login-{key}",
            upn=upn,
        )

    learners = {
        "seven": learner("seven", 7, date(2014, 1, 5), "H801200001001"),
        "ten": learner("ten", 10, date(2011, 3, 5), "B801200005001"),
        "eleven": learner("eleven", 11, date(2010, 3, 5), "K936123415001"),
        "nine": learner("nine", 9, date(2012, 3, 5), "P207000016049"),
        "lonely": learner("lonely", 8, date(2013, 3, 5), "G80120000101A"),
        "old": learner("old", 7, date(2010, 3, 5), "L93612341501K"),
    }
    session.add_all(learners.values())
    admin = Staff(name="Ada Admin", login="ada", role=StaffRole.ADMINISTRATOR)
    sup = Staff(name="Sam Supervisor", login="sam", role=StaffRole.SUPERVISOR)
    session.add_all([admin, sup])
    session.flush()
    memberships = [
        ("seven", "7A"),
        ("old", "7A"),
        ("ten", "10A"),
        ("eleven", "11A"),
        ("nine", "Y9 Set 2"),
        ("nine", "Oak"),
    ]
    session.add_all(
        GroupMembership(learner_id=learners[k].id, group_id=groups[g].id) for k, g in memberships
    )
    session.add_all(
        SupervisorAccess(staff_id=sup.id, group_id=groups[g].id, academic_year=academic_year)
        for g in ("7A", "10A")
    )
    # Last year's access: history, not touched by this year's rollover.
    session.add(
        SupervisorAccess(
            staff_id=sup.id, group_id=groups["Oak"].id, academic_year=academic_year - 1
        )
    )
    subject = Subject(name="Maths")
    session.add(subject)
    session.flush()
    session.add_all(SubjectOffer(subject_id=subject.id, year_group=y) for y in (9, 10))
    session.flush()
    ids = {key: row.id for key, row in learners.items()}
    ids |= {f"group:{name}": row.id for name, row in groups.items()}
    ids |= {"admin": admin.id, "supervisor": sup.id}
    return ids


def staff_actor(staff_id: int, role: StaffRole, login: str) -> Actor:
    return Actor(login=login, name=login, role=role, staff_id=staff_id)


def count(database: Database, sql: str) -> int:
    with database.read() as session:
        return int(session.execute(text(sql)).scalar_one())
