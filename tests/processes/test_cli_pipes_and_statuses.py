"""The command line's exit statuses, as the README documents them, and output cut short.

README: 0 success; 1 when the school year's rules refuse (already done, too early, nothing to
undo, rows with errors, no school yet); 2 for unusable input (a file that is not a database,
an unknown UPN, bad arguments); 130 when stopped with Ctrl-C. A reader that stops reading
(``summary | head -1``) changes none of that: the rest of the output is dropped quietly, and
the command finishes what it was doing.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from planit_desktop.cli import main
from planit_desktop.model.db import open_database
from planit_desktop.model.services.demo.school import create_demo_school
from tests.support import warm_start
from tests.support.command_line import run_in_process
from tests.support.import_files import learner, write_xlsx
from tests.support.sign_in import CommandLineSignIn


def _current_academic_year(today: date) -> int:
    """The academic year whose rollover is not yet due today (so an apply is too early)."""
    return today.year if today.month >= 8 else today.year - 1


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "school.db"
    database = open_database(f"sqlite:///{path}")
    with database.begin() as session:
        create_demo_school(
            session, learners=30, seed=2, academic_year=_current_academic_year(date.today())
        )
    database.dispose()
    return path


@pytest.fixture
def school(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "school.db"
    shutil.copyfile(template, path)
    return path


def _academic_year(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        (year,) = connection.execute("SELECT academic_year FROM school").fetchone()
    connection.close()
    return int(year)


def test_every_documented_exit_status(
    school: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_signed_in: object
) -> None:
    db = ["--db", str(school)]
    assert run_in_process(capsys, "summary", *db)[0] == 0
    assert run_in_process(capsys, "rollover", "--preview", *db)[0] == 0

    status, _out, err = run_in_process(capsys, "rollover", "--apply", *db)
    assert status == 1 and "Nothing was changed" in err  # too early: before 1 August
    status, _out, err = run_in_process(capsys, "rollover", "--undo", *db)
    assert status == 1 and "no rollover to undo" in err
    bad_rows = write_xlsx(tmp_path / "bad.xlsx", [learner(1, UPN="A801200005001")])
    status, _out, _err = run_in_process(capsys, "import-learners", str(bad_rows), *db, "--dry-run")
    assert status == 1  # rows with errors

    assert run_in_process(capsys, "rollover", "--apply", "--allow-early", *db)[0] == 0
    status, _out, err = run_in_process(capsys, "rollover", "--apply", *db)
    assert status == 1 and "Nothing was changed" in err  # done for this year already

    status, _out, err = run_in_process(
        capsys, "rollover", "--apply", "--keep-back", "Z801200001001", *db
    )
    assert status == 2 and "Z801200001001" in err  # an unknown UPN
    notes = tmp_path / "notes.db"
    notes.write_text("not a database\n")
    assert run_in_process(capsys, "summary", "--db", str(notes))[0] == 2
    for bad_arguments in (["rollover", *db], ["summary", "--colour"], ["no-such-command"]):
        with pytest.raises(SystemExit) as stopped:
            main(bad_arguments)
        assert stopped.value.code == 2


def test_no_school_yet_is_a_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.db"
    open_database(f"sqlite:///{empty}").dispose()
    status, _out, err = run_in_process(capsys, "summary", "--db", str(empty))
    assert status == 1 and "no school yet" in err


def test_ctrl_c_is_130(
    school: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from planit_desktop.model.services import school as school_service

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(school_service, "summarise", interrupted)
    status, _out, err = run_in_process(capsys, "summary", "--db", str(school))
    assert status == 130 and "Traceback" not in err and len(err.strip().splitlines()) == 1


class _ClosedPipe(io.StringIO):
    """A stdout whose reader has gone: every write fails as a closed pipe does."""

    def write(self, _text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["summary"], 0),
        (["summary", "--json"], 0),
        (["rollover", "--preview"], 0),
        (["rollover", "--apply"], 1),  # too early: the refusal still reaches stderr
    ],
)
def test_a_closed_stdout_changes_nothing_in_process(
    argv: list[str],
    status: int,
    school: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli_signed_in: object,
) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main([*argv, "--db", str(school)]) == status
    err = capsys.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert bool(err) is (status != 0)


def _closed_pipe_run(*argv: str, cwd: Path, signed_in: CommandLineSignIn) -> tuple[int, str]:
    """Run the real command with its stdout a pipe whose reader has already gone."""
    reading, writing = os.pipe()
    os.close(reading)  # as ``head -1`` that has read its line and exited
    env = {**signed_in.environment(), "PYTHONIOENCODING": "utf-8"}
    env.pop("PLANIT_DATABASE_URL", None)
    try:
        child = warm_start.run(
            [sys.executable, "-m", "planit_desktop", *argv],
            cwd=cwd,
            env=env,
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(writing)
    return child.returncode, child.stderr


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="a closed pipe is made with os.pipe")
def test_every_command_ends_quietly_when_its_reader_has_gone(
    school: Path, tmp_path: Path, cli_signed_in: CommandLineSignIn
) -> None:
    workbook = write_xlsx(tmp_path / "new.xlsx", [learner(1), learner(2)])
    db = ["--db", str(school)]
    runs = [
        (["--help"], 0),
        (["--version"], 0),
        (["summary", *db], 0),
        (["summary", "--json", *db], 0),
        (["rollover", "--preview", *db], 0),
        (["rollover", "--preview", "--json", *db], 0),
        (["import-learners", str(workbook), *db, "--dry-run"], 0),
        (["import-learners", str(workbook), *db, "--passwords-out", "p.xlsx"], 0),
        (["rollover", "--apply", "--allow-early", *db], 0),
        (["rollover", "--report", "report.xlsx", *db], 0),
        (["export", "learners", "learners.xlsx", *db], 0),
        (["demo-db", "demo.db", "--learners", "20"], 0),
        (["summary", "--db", "no-such.db"], 2),
    ]
    for argv, status in runs:
        returned, err = _closed_pipe_run(*argv, cwd=tmp_path, signed_in=cli_signed_in)
        assert returned == status, (argv, err)
        for noise in ("Traceback", "BrokenPipe", "Exception ignored"):
            assert noise not in err, (argv, err)
    # The work was done in full although nobody read what was printed.
    assert (tmp_path / "p.xlsx").exists() and (tmp_path / "report.xlsx").exists()
    assert (tmp_path / "learners.xlsx").exists() and (tmp_path / "demo.db").exists()
    assert _academic_year(school) == _current_academic_year(date.today()) + 1
    with sqlite3.connect(school) as connection:
        imported = connection.execute(
            "SELECT count(*) FROM learner WHERE surname LIKE 'Importova%'"
        ).fetchone()
    connection.close()
    assert imported == (2,)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("head") is None, reason="bash")
@pytest.mark.parametrize("command", ["summary", "rollover --preview --json"])
def test_piped_into_head(command: str, school: Path, tmp_path: Path) -> None:
    program = f'"{sys.executable}" -m planit_desktop {command} --db "{school}"'
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{program} | head -1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr  # with pipefail: the program's own status
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr == ""
