"""The audit log is append-only and hash-chained: the chain verifies after a school's year of
changes on both databases (recomputed here from the definition alone), holds with writers at
the same moment, survives the removal of old leavers' data, is added to existing databases by
the migration, and names the first broken link when an entry is changed, deleted or added
outside the program; SQLite refuses changes and deletions."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from planit_desktop.cli import main
from planit_desktop.model import migrations
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, current_revision, open_database
from planit_desktop.model.entities import AuditEntry, Learner, LearnerStatus, StaffRole
from planit_desktop.model.errors import PermissionDenied
from planit_desktop.model.services import audit
from planit_desktop.model.services.audit_check import verify_chain
from planit_desktop.model.services.demo.school import DemoAccount
from planit_desktop.model.services.importing import (
    check_rows,
    hash_passwords_parallel,
    import_learners,
    read_table,
)
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.model.services.learners.exporting import export_learners
from planit_desktop.model.services.learners.leavers import mark_left, remove_old_leavers_data
from planit_desktop.model.services.staff.sign_in import sign_in
from planit_desktop.model.services.year_end import apply_rollover, backup_for, undo_rollover
from tests.support.import_files import TODAY, learner, write_xlsx

AUGUST = date(2026, 8, 1)


# --- the definition, written out again from the module's docstring alone -----------------
def _j(items: list[object]) -> bytes:
    return json.dumps(items, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def recomputed(row: AuditEntry) -> str:
    """The entry hash as the docstring of model/services/audit.py defines it."""
    of_values = (
        row.values_hash
        or hashlib.sha256(_j([row.old_value, row.new_value, row.detail])).hexdigest()
    )
    at = row.at.isoformat(sep=" ", timespec="microseconds")
    content = [
        "planit-audit-1", row.seq, row.prev_hash, at, row.actor, row.action, row.entity,
        row.entity_id, row.field, of_values,
    ]  # fmt: skip
    return hashlib.sha256(_j(content)).hexdigest()


def entries(database: Database) -> list[AuditEntry]:
    with database.read() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def assert_whole(database: Database) -> None:
    """Whole by verify_chain, and by the definition recomputed entry by entry."""
    rows = entries(database)
    with database.read() as session:
        check = verify_chain(session)
    assert check.broken is None, check.broken
    assert check.entries == len(rows) and check.head_seq == len(rows)
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))  # ids follow the chain
    prev = "0" * 64
    for row in rows:
        assert row.prev_hash == prev
        assert row.entry_hash == recomputed(row)
        prev = row.entry_hash
    assert check.head_hash == prev


def tamper(database: Database, statement: str) -> None:
    """Run ``statement`` as the owner of the file or the database, past the program's guards
    (on SQLite the triggers are dropped first, as anyone who can write the file could)."""
    if database.is_sqlite:
        assert database.path is not None
        raw = sqlite3.connect(database.path)
        try:
            raw.execute("DROP TRIGGER IF EXISTS audit_entry_never_changed")
            raw.execute("DROP TRIGGER IF EXISTS audit_entry_never_deleted")
            raw.execute(statement)
            raw.commit()
        finally:
            raw.close()
        return
    with database.engine.begin() as connection:  # the tests' URL is the server's administrator
        connection.exec_driver_sql(statement)


def sign_in_as(database: Database, account: DemoAccount) -> Actor:
    with database.begin() as session:
        result = sign_in(session, account.login, account.password)
    assert result.actor is not None
    return result.actor


# --- a year of work ------------------------------------------------------------------------
def a_year_of_work(database: Database, accounts: tuple[DemoAccount, ...], folder: Path) -> None:
    """The services a coordinator uses in a year, each in its own transaction."""
    admin = sign_in_as(database, next(a for a in accounts if a.login == "admin1"))
    supervisor = sign_in_as(database, next(a for a in accounts if a.login == "supervisor1"))
    with database.begin() as session:
        assert sign_in(session, "admin2", "not the password").actor is None  # a failure

    rows = [learner(1, **{"First Names": "Zoë", "Surnames": "O'Brien-Ünal"}), learner(2)]
    with database.read() as session:
        checked = check_rows(
            session, read_table(write_xlsx(folder / "new.xlsx", rows)), today=TODAY
        )
    with database.begin() as session:
        import_learners(
            session, admin, checked, password_pairs=hash_passwords_parallel(2, workers=1),
            source_name="new.xlsx", today=TODAY,
        )  # fmt: skip
    with database.read() as session:
        first, second, third = session.scalars(
            select(Learner.id).where(Learner.status == LearnerStatus.ON_ROLL).order_by(Learner.id)
        ).all()[:3]
        version = session.get(Learner, first).version  # type: ignore[union-attr]
    with database.begin() as session:
        correct_learner(
            session, admin, first, {"surname": "Smith-Ünal"}, expected_version=version,
            today=TODAY,
        )  # fmt: skip
    with database.begin() as session:
        mark_left(session, admin, [second, third], left_on=date(2015, 7, 20), reason="moved",
                  today=TODAY)  # fmt: skip
    with pytest.raises(PermissionDenied), database.begin() as session:  # audited on its own
        mark_left(session, supervisor, [first], left_on=TODAY, reason="x", today=TODAY)

    backup = backup_for(database)
    with database.begin() as session:
        apply_rollover(session, admin, today=AUGUST, backup=backup)
    with database.begin() as session:
        undo_rollover(session, admin)
    with database.begin() as session:
        apply_rollover(session, admin, today=AUGUST, backup=backup)
    with database.begin() as session:
        remove_old_leavers_data(session, admin, [second, third], today=date(2026, 9, 1))
    with database.begin() as session:
        export_learners(session, admin, folder / "learners.xlsx")


def test_the_chain_is_whole_after_a_year_of_work(
    demo_database: Database, demo_accounts: tuple[DemoAccount, ...], tmp_path: Path
) -> None:
    before = len(entries(demo_database))
    a_year_of_work(demo_database, demo_accounts, tmp_path)
    rows = entries(demo_database)
    assert len(rows) > before + 400  # two rollovers and an undo of a 200-learner school
    actions = {row.action for row in rows}
    assert {"rollover", "rollover_undone", "access_ended", "learner_data_removed",
            "refused", "sign_in_failed", "file_written"} <= actions  # fmt: skip
    blanked = [row for row in rows if row.values_hash is not None]
    assert blanked and all(row.detail == audit.REDACTED for row in blanked)
    assert_whole(demo_database)


def test_the_text_written_by_the_bulk_path_is_the_definitions(
    database: Database, admin: Actor
) -> None:
    awkward = [
        None, "", "plain", 'quote " and \\ backslash', "tab\tnew\nline\r\x01\x1f\x7f",
        "Zoë Ünal — ‘curly’", "emoji 🙂 and 𝔘", "{braces} {0} %s %(x)s",
    ]  # fmt: skip
    rows = [
        ("test", entity, number, field, old, new, detail)
        for entity in (None, "learner")
        for number in (None, 0, 2_147_483_647)
        for field in (None, "surname")
        for old, new, detail in zip(
            awkward, reversed(awkward), awkward[3:] + awkward[:3], strict=True
        )
    ]
    with database.begin() as session:
        audit.record_rows(session, admin, rows)
        audit.record(session, "learner:ü", "one", old=7, new=date(2026, 1, 2), detail="x")
    assert_whole(database)
    last = entries(database)[-1]
    assert (last.old_value, last.new_value) == ("7", "2026-01-02")


# --- tampering -----------------------------------------------------------------------------
def _work(database: Database, admin: Actor, n: int = 5) -> list[int]:
    with database.begin() as session:
        audit.record_many(
            session, admin,
            [{"action": "test", "entity": "learner", "entity_id": i, "old": i, "new": i + 1}
             for i in range(n)],
        )  # fmt: skip
    return [row.id for row in entries(database)]


def _verify(url: str, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    status = main(["audit", "--verify", "--db", url, *options])
    return status, capsys.readouterr().out


def test_a_changed_entry_is_found_and_named(
    database: Database, admin: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _work(database, admin)
    assert _verify(database.url, capsys)[0] == 0
    victim = ids[2]
    tamper(database, f"UPDATE audit_entry SET new_value = '99' WHERE id = {victim}")
    status, out = _verify(database.url, capsys)
    assert status == 1
    row = next(r for r in entries(database) if r.id == victim)
    when = row.at.isoformat(sep=" ", timespec="microseconds")
    assert f"entry {victim} ({when}, {admin.login}: test learner 2) was changed" in out
    assert "The first 2 entries of the chain are whole." in out
    status, out = _verify(database.url, capsys, "--json")
    report = json.loads(out)
    assert status == 1 and report["whole"] is False
    assert report["broken"]["id"] == victim and report["broken"]["action"] == "test"
    assert report["whole_up_to"]["seq"] == 2


def test_an_entry_changed_with_its_hash_recomputed_breaks_the_next_link(
    database: Database, admin: Actor
) -> None:
    ids = _work(database, admin)
    with database.read() as session:
        row = session.get(AuditEntry, ids[1])
        assert row is not None
        row.new_value = "forged"
        forged = recomputed(row)
        session.rollback()
    tamper(database, f"UPDATE audit_entry SET new_value = 'forged', entry_hash = '{forged}' "
                     f"WHERE id = {ids[1]}")  # fmt: skip
    with database.read() as session:
        broken = verify_chain(session).broken
    assert broken is not None and broken.entry_id == ids[2]
    assert "does not follow from the entry before it" in broken.problem


def test_a_deleted_entry_is_found(
    database: Database, admin: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _work(database, admin)
    tamper(database, f"DELETE FROM audit_entry WHERE id = {ids[1]}")
    status, out = _verify(database.url, capsys)
    assert status == 1
    assert f"entry {ids[2]} (" in out and "the entry before it in the chain is missing" in out


def test_an_entry_added_outside_the_chain_is_found(database: Database, admin: Actor) -> None:
    _work(database, admin)
    tamper(database, "INSERT INTO audit_entry (at, actor, action) VALUES "
                     "(CURRENT_TIMESTAMP, 'intruder', 'test')")  # fmt: skip
    with database.read() as session:
        broken = verify_chain(session).broken
    assert broken is not None and broken.actor == "intruder"
    assert "outside the chain" in broken.problem


def test_a_time_that_is_not_a_time_is_reported_not_a_crash(
    database: Database, admin: Actor
) -> None:
    ids = _work(database, admin)
    if not database.is_sqlite:
        pytest.skip("PostgreSQL stores only real timestamps")
    tamper(database, f"UPDATE audit_entry SET at = 'yesterday' WHERE id = {ids[0]}")
    with database.read() as session:
        broken = verify_chain(session).broken
    assert broken is not None and broken.entry_id == ids[0] and "'yesterday'" in broken.problem


@pytest.mark.sqlite_only("the triggers are SQLite's; PostgreSQL's grants: least-rights test")
def test_sqlite_refuses_to_change_or_delete_an_entry(database: Database, admin: Actor) -> None:
    ids = _work(database, admin)
    assert database.path is not None
    before = [(r.id, r.new_value, r.entry_hash) for r in entries(database)]
    for statement in (
        f"UPDATE audit_entry SET new_value = 'x' WHERE id = {ids[0]}",
        f"UPDATE audit_entry SET detail = NULL WHERE id = {ids[0]}",
        f"DELETE FROM audit_entry WHERE id = {ids[0]}",
        "DELETE FROM audit_entry",
    ):
        raw = sqlite3.connect(database.path)
        try:
            with pytest.raises(sqlite3.IntegrityError, match="audit entries are never"):
                raw.execute(statement)
        finally:
            raw.close()
    with pytest.raises(DBAPIError, match="never changed"), database.begin() as session:
        session.execute(text("UPDATE audit_entry SET actor = 'someone else'"))
    assert [(r.id, r.new_value, r.entry_hash) for r in entries(database)] == before


# --- removing old leavers' data ------------------------------------------------------------
def test_blanking_an_entry_needs_the_removal_recorded_after_it(
    demo_database: Database, admin: Actor
) -> None:
    with demo_database.read() as session:
        learner_id = session.scalars(select(Learner.id).order_by(Learner.id)).first()
    with demo_database.begin() as session:
        audit.record(session, admin, "learner_corrected", entity="learner", entity_id=learner_id,
                     field="surname", old="Old", new="New", detail="a correction")  # fmt: skip
    (row,) = [r for r in entries(demo_database) if r.action == "learner_corrected"]
    digest = audit.values_hash("Old", "New", "a correction")
    if demo_database.is_sqlite:  # the trigger lets the one blanking through, whoever asks
        with demo_database.begin() as session:
            session.execute(
                text("UPDATE audit_entry SET old_value = NULL, new_value = NULL, detail = :d, "
                     "values_hash = :h WHERE id = :id"),
                {"d": audit.REDACTED, "h": digest, "id": row.id},
            )  # fmt: skip
    else:  # the function refuses a learner who still exists
        with demo_database.begin() as session:
            blanked = session.scalar(
                text(f"SELECT {audit.REDACT_FUNCTION}(CAST(:ids AS bigint[]), :digests)"),
                {"ids": [row.id], "digests": [digest]},
            )
        assert blanked == 0
        tamper(demo_database, f"UPDATE audit_entry SET old_value = NULL, new_value = NULL, "
               f"detail = '{audit.REDACTED.replace(chr(39), chr(39) * 2)}', "
               f"values_hash = '{digest}' WHERE id = {row.id}")  # fmt: skip
    with demo_database.read() as session:
        broken = verify_chain(session).broken
    assert broken is not None and broken.entry_id == row.id
    assert "no removal of that learner's data is recorded after it" in broken.problem


# --- writers at the same moment ------------------------------------------------------------
def test_writers_at_the_same_moment_keep_the_chain_whole(database: Database) -> None:
    workers, rounds = 4, 6
    start = threading.Barrier(workers)
    failures: list[BaseException] = []

    def work(number: int) -> Callable[[], None]:
        actor = Actor(f"os:writer{number}", "Writer", StaffRole.ADMINISTRATOR)

        def run() -> None:
            try:
                start.wait()
                for round_ in range(rounds):
                    with database.begin() as session:
                        audit.record(session, actor, "test", detail=f"{number}/{round_}")
                        time.sleep(0.005)  # the others arrive while this one holds the head
                        audit.record_many(
                            session, actor, [{"action": "test", "entity_id": i} for i in range(3)]
                        )
            except BaseException as error:  # noqa: BLE001 - reported by the test below
                failures.append(error)

        return run

    threads = [threading.Thread(target=work(n)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == workers * rounds * 4
    assert_whole(database)


# --- databases from before the chain -------------------------------------------------------
OLD_ENTRIES = (
    "INSERT INTO audit_entry (actor, action, entity, entity_id, field, old_value, new_value, "
    "detail) VALUES ('os:head', 'learner_corrected', 'learner', 7, 'surname', 'Öz', 'Oz', "
    "'typed wrongly'), ('admin1', 'sign_in', 'staff', 1, NULL, NULL, NULL, NULL), "
    "('os:head', 'learner_data_removed', 'learner', 9, NULL, NULL, NULL, "
    "'(removed with the learner''s personal data)')"
)


@pytest.fixture
def old_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """A new database at revision 0004, holding audit entries made before the chain."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        name = None
    else:
        server = request.getfixturevalue("postgres_server")
        name = server.create_database()
        url = server.url_for(name)
    database = open_database(url, migrate=False)
    migrations.upgrade(database.engine, "0004")
    with database.engine.begin() as connection:
        connection.exec_driver_sql(OLD_ENTRIES)
        connection.exec_driver_sql(OLD_ENTRIES)
    database.dispose()
    yield url
    if name is not None:
        request.getfixturevalue("postgres_server").drop_database(name)


def test_the_upgrade_chains_the_entries_already_there(
    old_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    old = open_database(old_database_url, migrate=False)
    with old.engine.connect() as connection:
        times = connection.execute(
            select(AuditEntry.id, AuditEntry.at).order_by(AuditEntry.id)
        ).all()
    old.dispose()
    # audit --verify changes nothing, not even an older schema: it says to open it first.
    assert main(["audit", "--verify", "--db", old_database_url]) == 2
    assert "older version" in capsys.readouterr().err
    database = open_database(old_database_url)
    try:
        assert current_revision(database.engine) == migrations.HEAD
        rows = entries(database)
        assert [(r.id, r.at) for r in rows[: len(times)]] == [(i, at) for i, at in times]
        if database.is_sqlite:  # the backup before the upgrade was recorded, after it
            assert (
                rows[-1].action == "file_written" and rows[-1].field == "backup before an upgrade"
            )
            assert len(rows) == len(times) + 1
        assert_whole(database)
        with database.begin() as session:  # and new entries carry on from the head
            audit.record(session, "os:head", "test")
        assert_whole(database)
    finally:
        database.dispose()
    assert main(["audit", "--verify", "--db", old_database_url]) == 0
    assert f"The audit log is whole: {len(times) + (2 if database.is_sqlite else 1)}" in (
        capsys.readouterr().out
    )


def test_audit_without_verify_says_what_to_do(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--db", database.url]) == 2
    assert "audit --verify" in capsys.readouterr().err
