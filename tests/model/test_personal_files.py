"""Files of personal data: each kind is created readable by its owner only, is recorded in
the audit log with its full path (by whoever wrote it, from the services the window and the
command line use), is never written from a read-only database, and is removed if it cannot
be recorded."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from planit_desktop.cli import main
from planit_desktop.model import migrations
from planit_desktop.model.actor import Actor
from planit_desktop.model.copies import COPY_WHAT, copy_to_file
from planit_desktop.model.db import Database, backup_sqlite, open_database
from planit_desktop.model.entities import AuditEntry, Learner
from planit_desktop.model.errors import DatabaseUnavailable, Refused
from planit_desktop.model.personal_files import (
    BACKUP_WHAT,
    write_recorded,
    write_report,
)
from planit_desktop.model.services.credentials.outputs import (
    PasswordRow,
    write_password_list,
    write_password_slips,
)
from planit_desktop.model.services.importing import (
    ROWS_TO_FIX_WHAT,
    check_rows,
    read_table,
    write_rejected_rows,
)
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.model.services.learners.exporting import export_learners
from planit_desktop.model.services.learners.support_requests import export_support_requests
from planit_desktop.model.services.school import create_school, set_school_details
from planit_desktop.model.services.year_end import (
    REPORT_WHAT,
    apply_rollover,
    backup_for,
    write_rollover_report,
)
from planit_desktop.model.services.year_end.summary_pdf import (
    SUMMARY_WHAT,
    write_rollover_summary_pdf,
)
from tests.support.import_files import TODAY, learner, write_xlsx
from tests.support.sign_in import CommandLineSignIn

AUGUST = date(2026, 8, 1)
posix_only = pytest.mark.skipif(
    sys.platform == "win32", reason="Windows keeps files in the user's profile private itself"
)


@pytest.fixture(autouse=True)
def everyday_umask() -> Iterator[None]:
    """The usual umask, under which a file made without care is readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def files_written(database: Database) -> list[tuple[str, str, str | None]]:
    """(actor, what, path) of every file recorded, oldest first."""
    with database.read() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.field, AuditEntry.new_value)
            .where(AuditEntry.action == "file_written")
            .order_by(AuditEntry.id)
        ).all()
    return [(actor, what or "", path) for actor, what, path in rows]


def rolled_over(database: Database, admin: Actor, *, backup: bool = True) -> None:
    with database.begin() as session:
        apply_rollover(
            session, admin, today=AUGUST, backup=backup_for(database) if backup else None
        )


# --- databases and backups -----------------------------------------------------------------
@posix_only
@pytest.mark.sqlite_only("database files")
def test_a_new_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    database = open_database(f"sqlite:///{path}")
    try:
        with database.begin() as session:
            create_school(session, Actor.founder(), name="Test School", academic_year=2025)
        with database.read() as session:  # a reader keeps the -wal and -shm files there
            session.execute(select(Learner.id)).all()
            for made in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                assert made.exists() and mode(made) == 0o600, made
    finally:
        database.dispose()


@posix_only
@pytest.mark.sqlite_only("backup files")
def test_backups_are_private_and_recorded(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    manual = write_recorded(
        demo_database, admin, what=BACKUP_WHAT, write=lambda: backup_sqlite(demo_database, "manual")
    )
    assert mode(manual) == 0o600 and mode(manual.parent) == 0o700
    rolled_over(demo_database, admin)
    (before_rollover,) = manual.parent.glob("*before-rollover*.db")
    assert mode(before_rollover) == 0o600
    assert files_written(demo_database) == [
        (admin.login, "backup", str(manual)),
        (admin.login, "backup before the rollover", str(before_rollover)),
    ]


@posix_only
@pytest.mark.sqlite_only("backup files")
def test_the_backup_before_an_upgrade_is_private(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = open_database(f"sqlite:///{path}", migrate=False)
    migrations.upgrade(old.engine, "0003")
    old.dispose()
    os.chmod(path, 0o600)
    database = open_database(f"sqlite:///{path}")
    try:
        (backup,) = (tmp_path / "backups").glob("*before-upgrade-from-0003.db")
        assert mode(backup) == 0o600
        assert files_written(database) == [
            (Actor.founder().login, "backup before an upgrade", str(backup))
        ]
    finally:
        database.dispose()


@posix_only
def test_a_copy_of_the_database_is_private_and_recorded(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    copied = write_recorded(
        demo_database, admin, what=COPY_WHAT, write=lambda: copy_to_file(demo_database, target)
    )
    assert copied == target and mode(target) == 0o600
    assert files_written(demo_database) == [(admin.login, "copy of the database", str(target))]


# --- reports, exports, lists -------------------------------------------------------------
@posix_only
def test_reports_exports_and_lists_are_private_and_recorded(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    rolled_over(demo_database, admin, backup=False)
    report = write_report(
        demo_database, admin, what=REPORT_WHAT,
        write=lambda s: write_rollover_report(s, admin, None, tmp_path / "report.xlsx"),
    )  # fmt: skip
    summary = write_report(
        demo_database, admin, what=SUMMARY_WHAT,
        write=lambda s: write_rollover_summary_pdf(s, admin, None, tmp_path / "summary.pdf"),
    )  # fmt: skip
    existing = tmp_path / "learners.xlsx"
    existing.write_text("an older export, readable by all")
    existing.chmod(0o644)
    with demo_database.begin() as session:
        learners = export_learners(session, admin, existing)
    with demo_database.read() as session:
        ada = session.scalars(select(Learner).order_by(Learner.id)).first()
        assert ada is not None
        ada_id, version = ada.id, ada.version
    with demo_database.begin() as session:
        correct_learner(session, admin, ada_id, {"surname": "Byron"}, expected_version=version)
    with demo_database.begin() as session:
        set_school_details(session, admin, la_code="801", establishment_number="4001")
        requests = export_support_requests(session, admin, tmp_path / "requests.xlsx").path
    bad = write_xlsx(tmp_path / "new.xlsx", [learner(1), learner(2, **{"Date of Birth": "x"})])
    with demo_database.read() as session:
        checked = check_rows(session, read_table(bad), today=TODAY)
    to_fix = write_recorded(
        demo_database, admin, what=ROWS_TO_FIX_WHAT, rows=1,
        write=lambda: write_rejected_rows(tmp_path / "to fix.xlsx", checked),
    )  # fmt: skip
    rows = [PasswordRow("learner9", "Ada", "Byron", "7A", "secret-1")]
    password_list = write_password_list(tmp_path / "passwords.xlsx", rows)
    slips = write_password_slips(tmp_path / "slips.pdf", rows, school_name="Test")

    for made in (report, summary, learners, requests, to_fix, password_list, slips):
        assert mode(made) == 0o600, made
    recorded = files_written(demo_database)
    assert [(actor, what) for actor, what, _ in recorded] == [
        (admin.login, "rollover report"),
        (admin.login, "rollover summary"),
        (admin.login, "learners export"),
        (admin.login, "support requests"),
        (admin.login, "rows to fix"),
    ]
    assert [path for *_, path in recorded] == [
        str(path.resolve()) for path in (report, summary, learners, requests, to_fix)
    ]
    with demo_database.read() as session:
        detail = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.field == "rows to fix")
        ).one()
    assert detail == f"rows to fix written to {to_fix} (1 rows)"


# --- from the command line -----------------------------------------------------------------
@posix_only
def test_the_command_line_records_what_it_writes(
    demo_database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    url = demo_database.url
    assert main(["rollover", "--db", url, "--apply", "--allow-early"]) == 0
    report, learners = tmp_path / "report.xlsx", tmp_path / "learners.xlsx"
    assert main(["rollover", "--db", url, "--report", str(report)]) == 0
    assert main(["export", "learners", str(learners), "--db", url]) == 0
    capsys.readouterr()
    who = cli_signed_in.login  # the member of staff the command line signed in as
    recorded = files_written(demo_database)
    expected = [(who, "rollover report", str(report)), (who, "learners export", str(learners))]
    if demo_database.is_sqlite:
        (backup,) = (tmp_path / "backups").glob("*before-rollover*.db")
        expected.insert(0, (who, "backup before the rollover", str(backup)))
    assert recorded == expected
    assert mode(report) == mode(learners) == 0o600


# --- what may not be written, and what cannot be recorded ----------------------------------
@pytest.mark.sqlite_only("a read-only database file")
def test_a_read_only_database_writes_no_file_of_personal_data(
    demo_database: Database,
    admin: Actor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli_signed_in: CommandLineSignIn,
) -> None:
    rolled_over(demo_database, admin)
    assert demo_database.path is not None
    path = demo_database.path
    demo_database.dispose()
    with sqlite3.connect(path) as raw:  # every change in the file itself
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path.chmod(0o444)
    if os.access(path, os.W_OK):  # root writes anyway: os.access answers as for anyone else
        real_access = os.access

        def access(target: object, how: int, *args: object, **kwargs: object) -> bool:
            if how & os.W_OK and Path(str(target)) == path:
                return False
            return real_access(target, how, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "access", access)
    try:
        read_only = open_database(f"sqlite:///{path}")
        assert read_only.read_only
        target = tmp_path / "report.xlsx"
        with pytest.raises(Refused, match="read-only, so writing it could not be recorded"):
            write_report(
                read_only, admin, what=REPORT_WHAT,
                write=lambda s: write_rollover_report(s, admin, None, target),
            )  # fmt: skip
        assert not target.exists()
        with pytest.raises(Refused, match="read-only"):
            write_recorded(
                read_only, admin, what=BACKUP_WHAT, write=lambda: backup_sqlite(read_only, "x")
            )
        assert not list((path.parent / "backups").glob("*_x.db"))
        read_only.dispose()
        assert main(["rollover", "--db", str(path), "--report", str(target)]) == 1
        assert "read-only" in capsys.readouterr().err and not target.exists()
    finally:
        path.chmod(0o644)


def test_a_file_that_cannot_be_recorded_is_removed(
    demo_database: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rolled_over(demo_database, admin)
    target = tmp_path / "report.xlsx"
    real_begin = demo_database.begin

    def busy() -> object:
        raise DatabaseUnavailable("The database is busy.")

    with demo_database.read() as session:
        write_rollover_report(session, admin, None, tmp_path / "made.xlsx")  # it can be written
    monkeypatch.setattr(demo_database, "begin", busy)
    with pytest.raises(Refused) as refused:
        write_report(
            demo_database, admin, what=REPORT_WHAT,
            write=lambda s: write_rollover_report(s, admin, None, target),
        )  # fmt: skip
    assert not target.exists()
    assert refused.value.message == (
        f"The rollover report was written to {target}, but it could not be recorded in the "
        "audit log (The database is busy.), so it was removed. Try again."
    )
    monkeypatch.setattr(demo_database, "begin", real_begin)
    assert [what for _, what, _ in files_written(demo_database)] == (
        ["backup before the rollover"] if demo_database.is_sqlite else []
    )
