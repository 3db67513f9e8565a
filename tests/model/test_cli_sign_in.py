"""The command line signs in for changes: who, with what password, refused when, audited how.

Every command that changes data or writes personal data signs in through the window's
sign-in service (the same lockout, the same audit); commands that only read, and dry runs,
do not. On both databases, with the demo school (admin1 … / demo-admin-pass).
"""

from __future__ import annotations

import getpass
import io
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from planit_desktop.cli import build_parser
from planit_desktop.commands import LOGIN_VARIABLE, PASSWORD_FILE_VARIABLE
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Learner, School, Staff, YearEndRun
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.model.services.school import set_school_details
from planit_desktop.model.services.staff import sign_in as sign_in_service
from tests.support.command_line import one_line, run_in_process
from tests.support.import_files import learner, write_xlsx
from tests.support.sign_in import (
    DEMO_ADMINISTRATOR,
    DEMO_SUPERVISOR,
    command_line_sign_in,
    staff_actor,
    write_password_file,
)

ADMIN, ADMIN_PASSWORD = DEMO_ADMINISTRATOR
SUPERVISOR, SUPERVISOR_PASSWORD = DEMO_SUPERVISOR


def _state(database: Database) -> tuple[object, ...]:
    """What the changing commands would change: the year, runs, learners, and sign-ins."""
    with database.read() as session:
        return (
            session.get_one(School, 1).academic_year,
            session.scalar(select(func.count()).select_from(YearEndRun)),
            session.scalar(select(func.count()).select_from(Learner)),
            session.scalar(select(func.count()).where(AuditEntry.action == "file_written")),
        )


def _audit(database: Database, *actions: str) -> list[tuple[str, str, str | None]]:
    with database.read() as session:
        query = select(AuditEntry.actor, AuditEntry.action, AuditEntry.detail)
        if actions:
            query = query.where(AuditEntry.action.in_(actions))
        return [tuple(row) for row in session.execute(query.order_by(AuditEntry.id))]  # type: ignore[misc]


def _staff(database: Database, login: str) -> Staff:
    with database.read() as session:
        return session.scalars(select(Staff).where(Staff.login == login)).one()


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input is not a terminal (a script, a scheduled task): nobody to ask."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


#: Every command that changes data or writes personal data, as (name, arguments after --db);
#: ``{tmp}`` is the folder of the files written (``out`` in the test's folder), ``{file}`` a
#: workbook of two new learners in it.
CHANGING = {
    "rollover --apply": ["rollover", "--apply", "--allow-early"],
    "rollover --undo": ["rollover", "--undo"],
    "rollover --report": ["rollover", "--report", "{tmp}/report.xlsx"],
    "import-learners": ["import-learners", "{file}", "--passwords-out", "{tmp}/passwords.xlsx"],
    "export learners": ["export", "learners", "{tmp}/learners.xlsx"],
    "export support-requests": ["export", "support-requests", "{tmp}/requests.xlsx"],
}


def _argv(database: Database, tmp_path: Path, command: str, *more: str) -> list[str]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    workbook = out / "new.xlsx"
    if not workbook.exists():
        write_xlsx(workbook, [learner(1), learner(2)])
    filled = [a.format(tmp=out, file=workbook) for a in CHANGING[command]]
    return [*filled, "--db", database.url, *more]


def _written(tmp_path: Path) -> list[str]:
    """The files in the folder the commands write to, beside the workbook to import."""
    return sorted(p.name for p in (tmp_path / "out").iterdir() if p.name != "new.xlsx")


@pytest.mark.parametrize("command", list(CHANGING))
def test_no_login_and_no_terminal_says_how_to_give_one(
    demo_database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_terminal: None,
    command: str,
) -> None:
    before, audit_before = _state(demo_database), _audit(demo_database)
    status, out, err = run_in_process(capsys, *_argv(demo_database, tmp_path, command))
    line = one_line(err)
    assert status == 2 and "--login" in line and LOGIN_VARIABLE in line, line
    assert not out.strip() or command == "import-learners"  # the check of the file prints
    assert _state(demo_database) == before and _audit(demo_database) == audit_before
    assert _written(tmp_path) == []


@pytest.mark.parametrize("command", ["rollover --apply", "export learners"])
def test_a_login_without_a_password_and_no_terminal_says_how_to_give_one(
    demo_database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_terminal: None,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    monkeypatch.setenv(LOGIN_VARIABLE, ADMIN)
    before = _state(demo_database)
    status, _out, err = run_in_process(capsys, *_argv(demo_database, tmp_path, command))
    line = one_line(err)
    assert status == 2 and "--password-file" in line and PASSWORD_FILE_VARIABLE in line
    assert _state(demo_database) == before
    assert _staff(demo_database, ADMIN).failed_sign_ins == 0  # no try was made


@pytest.mark.parametrize("command", list(CHANGING))
def test_each_changing_command_signs_in_and_is_audited_as_that_member_of_staff(
    demo_database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_terminal: None,
    command: str,
) -> None:
    signed_in = command_line_sign_in(tmp_path / "sign-in")
    if command in ("rollover --undo", "rollover --report"):
        argv = _argv(demo_database, tmp_path, "rollover --apply", *signed_in.arguments())
        assert run_in_process(capsys, *argv)[0] == 0
    if command == "export support-requests":
        with demo_database.begin() as session:
            first = session.scalars(select(Learner).order_by(Learner.id)).first()
            assert first is not None
            set_school_details(
                session, staff_actor(session, ADMIN), la_code="801", establishment_number="4001"
            )
            correct_learner(
                session, staff_actor(session, ADMIN), first.id, {"surname": "Corrected"},
                expected_version=first.version,
            )  # fmt: skip
    audit_before = len(_audit(demo_database))
    status, _out, err = run_in_process(
        capsys, *_argv(demo_database, tmp_path, command), *signed_in.arguments()
    )
    assert status == 0, err
    entries = _audit(demo_database)[audit_before:]
    assert entries[0][:2] == (ADMIN, "sign_in")
    # Everything the command did is audited as admin1: no one else, and never the OS user.
    assert {actor for actor, _action, _detail in entries} == {ADMIN}


def test_read_only_commands_need_no_sign_in(
    demo_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    db = demo_database.url
    workbook = write_xlsx(tmp_path / "new.xlsx", [learner(1)])
    before, audit_before = _state(demo_database), _audit(demo_database)
    for argv in (
        ["summary", "--db", db],
        ["rollover", "--preview", "--db", db, "--json"],
        ["import-learners", str(workbook), "--dry-run", "--db", db],
    ):
        status, out, err = run_in_process(capsys, *argv)
        assert status == 0 and out and not err, (argv, err)
    assert _state(demo_database) == before and _audit(demo_database) == audit_before


def test_a_wrong_password_is_one_line_exit_1_and_counted(
    demo_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    wrong = command_line_sign_in(tmp_path, ADMIN, "not the password")
    before = _state(demo_database)
    argv = _argv(demo_database, tmp_path, "rollover --apply", *wrong.arguments())
    status, _out, err = run_in_process(capsys, *argv)
    assert status == 1 and sign_in_service.WRONG in one_line(err)
    assert _state(demo_database) == before
    assert _staff(demo_database, ADMIN).failed_sign_ins == 1
    assert _audit(demo_database)[-1][:2] == (ADMIN, "sign_in_failed")


def test_wrong_passwords_lock_the_account_for_the_command_line_too(
    demo_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    wrong = command_line_sign_in(tmp_path / "wrong", ADMIN, "not the password")
    argv = _argv(demo_database, tmp_path, "export learners")
    for _ in range(sign_in_service.LOCK_AFTER):
        assert run_in_process(capsys, *argv, *wrong.arguments())[0] == 1
    right = command_line_sign_in(tmp_path / "right")
    status, _out, err = run_in_process(capsys, *argv, *right.arguments())
    assert status == 1 and "locked" in one_line(err)
    assert _staff(demo_database, ADMIN).locked_until is not None
    assert _written(tmp_path) == []


def test_a_supervisor_is_refused_administrators_tasks(
    demo_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    supervisor = command_line_sign_in(tmp_path / "sign-in", SUPERVISOR, SUPERVISOR_PASSWORD)
    before = _state(demo_database)
    for command, task in (
        ("rollover --apply", "run the year-end rollover"),
        ("rollover --report", "write the rollover report"),
        ("import-learners", "import learners"),
        ("export support-requests", "export support requests"),
    ):
        argv = _argv(demo_database, tmp_path, command)
        status, _out, err = run_in_process(capsys, *argv, *supervisor.arguments())
        assert status == 1 and f"Only administrators can {task}" in one_line(err), command
        assert _audit(demo_database)[-1] == (SUPERVISOR, "refused", task)
    assert _state(demo_database) == before
    assert _written(tmp_path) == []


def test_a_supervisor_exports_only_their_own_learners_as_in_the_window(
    demo_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    from planit_desktop.model.services.learners.roll import list_learners

    supervisor = command_line_sign_in(tmp_path / "sign-in", SUPERVISOR, SUPERVISOR_PASSWORD)
    with demo_database.read() as session:
        theirs = len(list_learners(session, staff_actor(session, SUPERVISOR)))
        everyone = session.scalar(select(func.count()).select_from(Learner))
    assert 0 < theirs < (everyone or 0)
    argv = _argv(demo_database, tmp_path, "export learners")
    status, out, _err = run_in_process(capsys, *argv, "--include-left", *supervisor.arguments())
    assert status == 0 and f"Wrote {theirs:,} learners" in out
    assert _audit(demo_database, "file_written")[-1][0] == SUPERVISOR


def test_a_temporary_password_must_first_be_changed_in_the_window(
    demo_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    admin1 = staff_actor(demo_database, ADMIN)
    admin2 = _staff(demo_database, "admin2")
    with demo_database.begin() as session:
        temporary = sign_in_service.reset_password(session, admin1, admin2.id)
    signed_in = command_line_sign_in(tmp_path / "sign-in", "admin2", temporary)
    before = _state(demo_database)
    argv = _argv(demo_database, tmp_path, "rollover --apply", *signed_in.arguments())
    status, _out, err = run_in_process(capsys, *argv)
    line = one_line(err)
    assert status == 1 and "temporary" in line and "window" in line
    assert _state(demo_database) == before
    assert _audit(demo_database)[-1][:2] == ("admin2", "sign_in_refused")


def test_a_deactivated_administrator_is_refused(
    demo_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    with demo_database.begin() as session:
        session.scalars(select(Staff).where(Staff.login == "admin2")).one().active = False
    signed_in = command_line_sign_in(tmp_path / "sign-in", "admin2", ADMIN_PASSWORD)
    argv = _argv(demo_database, tmp_path, "rollover --apply", *signed_in.arguments())
    status, _out, err = run_in_process(capsys, *argv)
    assert status == 1 and "deactivated" in one_line(err)


def test_the_environment_and_the_options_both_sign_in_and_the_options_win(
    demo_database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_terminal: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = _argv(demo_database, tmp_path, "export learners")
    command_line_sign_in(tmp_path / "env", SUPERVISOR, SUPERVISOR_PASSWORD).use_in(monkeypatch)
    assert run_in_process(capsys, *argv)[0] == 0
    assert _audit(demo_database, "file_written")[-1][0] == SUPERVISOR
    admin = command_line_sign_in(tmp_path / "options")
    assert run_in_process(capsys, *argv, *admin.arguments())[0] == 0
    assert _audit(demo_database, "file_written")[-1][0] == ADMIN


def test_on_a_terminal_the_login_and_password_are_asked_for(
    demo_database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(""))
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or f" {ADMIN} ")
    # The password is read by getpass, which does not echo it; never by input().
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or ADMIN_PASSWORD)
    status, out, err = run_in_process(capsys, *_argv(demo_database, tmp_path, "export learners"))
    assert status == 0, err
    assert asked == ["Plan-it login name: ", f"Plan-it password for {ADMIN}: "]
    assert ADMIN_PASSWORD not in out + err
    assert _audit(demo_database, "file_written")[-1][0] == ADMIN


@pytest.mark.sqlite_only
@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666])
def test_a_password_file_others_can_read_is_refused(
    demo_database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_terminal: None,
    mode: int,
) -> None:
    path = write_password_file(tmp_path / "secret" / "password", ADMIN_PASSWORD, mode=mode)
    status, _out, err = run_in_process(
        capsys,
        *_argv(demo_database, tmp_path, "export learners"),
        *["--login", ADMIN, "--password-file", str(path)],
    )
    line = one_line(err)
    assert status == 2 and "other users" in line and f"chmod 600 {path}" in line
    assert f"{mode:04o}" in line
    assert _staff(demo_database, ADMIN).failed_sign_ins == 0
    assert _written(tmp_path) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: folder / "missing", "does not exist"),
        (lambda folder: write_password_file(folder / "empty", ""), "no password"),
        (lambda folder: folder, "is a folder"),
    ],
)
def test_an_unusable_password_file_is_one_line_exit_2(
    demo_database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_terminal: None,
    make: Callable[[Path], Path],
    message: str,
) -> None:
    folder = tmp_path / "secret"
    folder.mkdir()
    argv = _argv(demo_database, tmp_path, "export learners")
    status, _out, err = run_in_process(
        capsys, *argv, "--login", ADMIN, "--password-file", str(make(folder))
    )
    assert status == 2 and message in one_line(err)


@pytest.mark.sqlite_only
def test_the_password_is_the_first_line_only(
    demo_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    path = write_password_file(tmp_path / "p", f"{ADMIN_PASSWORD}\r\nsecond line")
    if os.name == "posix":
        path.chmod(0o400)  # read-only for its owner is private too
    argv = _argv(demo_database, tmp_path, "export learners")
    assert run_in_process(capsys, *argv, "--login", ADMIN, "--password-file", str(path))[0] == 0


@pytest.mark.parametrize(
    "command",
    [
        ["rollover"],
        ["import-learners"],
        ["export", "learners"],
        ["export", "support-requests"],
    ],
)
def test_each_changing_commands_help_says_how_to_sign_in(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*command, "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for needed in ("--login", "--password-file", LOGIN_VARIABLE, PASSWORD_FILE_VARIABLE):
        assert needed in shown, (command, needed)
    assert re.search(r"signs? in first", shown), command
