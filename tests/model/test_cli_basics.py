"""``demo-db`` and ``summary`` from the command line, in this process (as real processes:
tests/processes/test_cli_as_processes.py).

Every bad input ends with one line ``planit-desktop: …``, exit status 2, no traceback, and
nothing changed.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.support.command_line import one_line, run_in_process


def _learners(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT count(*) FROM learner").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture
def small_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "small.db"
    assert run_in_process(capsys, "demo-db", str(path), "--learners", "30", "--seed", "4")[0] == 0
    return path


def test_demo_db_then_summary_reports_1000_on_roll(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.db"
    status, out, _err = run_in_process(capsys, "demo-db", str(path), "--learners", "1000")
    assert status == 0
    assert "1,000" in out
    for shown in ("admin1", "demo-admin-pass", "supervisor40", "demo-supervisor-pass"):
        assert shown in out
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("s.db-")) == ["s.db"]

    status, out, _err = run_in_process(capsys, "summary", "--db", str(path), "--json")
    assert status == 0
    data = json.loads(out)
    assert sum(data["learners_by_year"].values()) == 1000
    assert data["learners_by_year"] == {"7": 200, "8": 200, "9": 200, "10": 200, "11": 200}
    assert data["academic_year"] == "2025/26"
    assert (data["administrators"], data["supervisors"]) == (5, 40)


def test_demo_db_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "o.db"
    status, _out, _err = run_in_process(
        capsys,
        "demo-db",
        str(path),
        "--learners",
        "12",
        "--academic-year",
        "2027-28",
        "--school-name",
        "St Aidan's",
    )
    assert status == 0
    data = json.loads(run_in_process(capsys, "summary", "--db", str(path), "--json")[1])
    assert (data["school"], data["academic_year"]) == ("St Aidan's", "2027/28")
    assert sum(data["learners_by_year"].values()) == 12


def test_summary_text_and_db_before_the_command(
    small_demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _err = run_in_process(capsys, "--db", str(small_demo), "summary")
    assert status == 0
    assert "Academic year 2025/26" in out
    assert "Learners on roll: 30" in out
    assert "Year 11" in out and "administrators" in out


def test_summary_uses_the_environment_database(
    small_demo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANIT_DATABASE_URL", f"sqlite:///{small_demo}")
    status, out, _err = run_in_process(capsys, "summary", "--json")
    assert status == 0 and json.loads(out)["learners_by_year"]["7"] == 6


def test_demo_db_refuses_a_database_in_use(
    small_demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _learners(small_demo)
    status, _out, err = run_in_process(capsys, "demo-db", str(small_demo), "--learners", "5")
    assert status == 2
    assert "already holds" in one_line(err)
    assert _learners(small_demo) == before == 32  # 30 on roll, 1 left, 1 completed


def test_demo_db_fills_an_empty_plan_it_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from planit_desktop.model.db import open_database

    path = tmp_path / "empty.db"
    open_database(f"sqlite:///{path}").dispose()
    assert run_in_process(capsys, "demo-db", str(path), "--learners", "5")[0] == 0
    assert _learners(path) == 7


def test_summary_of_a_database_with_no_school(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from planit_desktop.model.db import open_database

    path = tmp_path / "empty.db"
    open_database(f"sqlite:///{path}").dispose()
    status, _out, err = run_in_process(capsys, "summary", "--db", str(path))
    assert status == 1
    assert "no school yet" in one_line(err)


@pytest.mark.parametrize("command", ["summary", "demo-db"])
def test_a_file_that_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n")
    argv = ["summary", "--db", str(path)] if command == "summary" else ["demo-db", str(path)]
    status, _out, err = run_in_process(capsys, *argv)
    assert status == 2
    assert "not a Plan-it database" in one_line(err)
    assert path.read_text() == "shopping list\n"


def test_demo_db_leaves_another_programs_sqlite_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE recipe (name TEXT)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    status, _out, err = run_in_process(capsys, "demo-db", str(path))
    assert status == 2
    assert "not a Plan-it database" in one_line(err)
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", ["summary", "demo-db"])
def test_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    path = tmp_path / "no such folder" / "s.db"
    argv = ["summary", "--db", str(path)] if command == "summary" else ["demo-db", str(path)]
    status, _out, err = run_in_process(capsys, *argv)
    assert status == 2
    one_line(err)
    assert not path.parent.exists()


@pytest.mark.parametrize("command", ["summary", "demo-db"])
def test_a_newer_schema_is_refused_and_left_alone(
    small_demo: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    if command == "demo-db":  # an empty database from a newer program
        small_demo.unlink()
    connection = sqlite3.connect(small_demo)
    if command == "demo-db":
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('0001')")
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()
    argv = ["summary", "--db", str(small_demo)] if command == "summary" else ["demo-db"]
    if command == "demo-db":
        argv.append(str(small_demo))
    status, _out, err = run_in_process(capsys, *argv)
    assert status == 2
    assert "newer version" in one_line(err)
    connection = sqlite3.connect(small_demo)
    try:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        connection.close()
    assert version == "9999_from_the_future"
    assert not (small_demo.parent / "backups").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--learners", "0"], "between 1 and 500,000"),
        (["--learners", "500001"], "between 1 and 500,000"),
        (["--learners", "lots"], "whole number"),
        (["--seed", "x"], "whole number"),
        (["--academic-year", "2025/27"], "not an academic year"),
        (["--academic-year", "next year"], "not an academic year"),
        (["--school-name", "  "], "must not be empty"),
    ],
)
def test_demo_db_bad_options_make_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    path = tmp_path / "new.db"
    status, _out, err = run_in_process(capsys, "demo-db", str(path), *options)
    assert status == 2
    assert message in one_line(err)
    assert list(tmp_path.iterdir()) == []
