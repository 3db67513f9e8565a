"""Bad database files from the command line: one line, exit 2, and the file left as it was.

Every case of :data:`tests.support.bad_database_files.BAD_FILES` is given to every command
that opens the school database; each must print one line (no traceback), exit 2, and leave
the folder the file is in exactly as it was: the same bytes, and no ``-wal``, ``-shm``, ``.part`` or
``backups`` beside it. A path is a path: ``copy%20of%20school.db`` is that file, never
``copy of school.db``. A file whose indexes disagree with its tables is refused before any
change (rollover, undo, import) and never backed up; killed backups leave nothing behind.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from planit_desktop.cli import main
from planit_desktop.model.db import (
    Database,
    backup_sqlite,
    open_database,
    remove_partial_backups,
)
from planit_desktop.model.errors import DatabaseUnavailable
from planit_desktop.model.services.demo.school import create_demo_school
from tests.support import warm_start
from tests.support.bad_database_files import BAD_FILES, BadFile, snapshot, stale_index
from tests.support.command_line import one_line
from tests.support.import_files import learner, write_xlsx

#: Every command that opens the school database, with ``{db}``, ``{workbook}`` and ``{out}``
#: standing for the database, a valid import file and the password list to write.
COMMANDS = {
    "summary": ["summary", "--db", "{db}"],
    "summary-json": ["summary", "--json", "--db", "{db}"],
    "rollover-preview": ["rollover", "--preview", "--db", "{db}"],
    "rollover-apply": ["rollover", "--apply", "--allow-early", "--db", "{db}"],
    "rollover-undo": ["rollover", "--undo", "--db", "{db}"],
    "import-learners": [
        "import-learners",
        "{workbook}",
        "--db",
        "{db}",
        "--passwords-out",
        "{out}",
    ],
    "import-dry-run": ["import-learners", "{workbook}", "--db", "{db}", "--dry-run"],
    "export-learners": ["export", "learners", "{out_xlsx}", "--db", "{db}"],
}


@pytest.fixture(scope="module")
def good_school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo school in 2025/26, closed (no -wal beside it), copied by each case."""
    path = tmp_path_factory.mktemp("good") / "school.db"
    database = open_database(f"sqlite:///{path}")
    with database.begin() as session:
        create_demo_school(session, learners=30, seed=5, academic_year=2025)
    database.dispose()
    assert sorted(p.name for p in path.parent.iterdir()) == ["school.db"]
    return path


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The import file and output names, in a folder away from the cases."""
    folder = tmp_path_factory.mktemp("elsewhere")
    workbook = write_xlsx(folder / "new.xlsx", [learner(1), learner(2)])
    return {
        "workbook": str(workbook),
        "out": str(folder / "passwords.xlsx"),
        "out_xlsx": str(folder / "learners.xlsx"),
    }


def _argv(command: str, db: Path, elsewhere: dict[str, str]) -> list[str]:
    return [part.format(db=db, **elsewhere) for part in COMMANDS[command]]


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", [case.param() for case in BAD_FILES])
def test_a_bad_database_file_is_one_line_exit_2_and_left_as_it_was(
    case: BadFile,
    command: str,
    good_school: Path,
    elsewhere: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    db = case.make(folder, good_school)
    before = snapshot(folder)
    status, out, err = _run(capsys, _argv(command, db, elsewhere))
    assert status == 2, (out, err)
    assert case.says in one_line(err)
    assert snapshot(folder) == before
    assert not Path(elsewhere["out"]).exists() and not Path(elsewhere["out_xlsx"]).exists()


@pytest.mark.parametrize("case", [case.param() for case in BAD_FILES])
def test_the_environment_variable_is_a_path_too(
    case: BadFile,
    good_school: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = case.make(tmp_path, good_school)
    before = snapshot(tmp_path)
    monkeypatch.setenv("PLANIT_DATABASE_URL", str(db))
    status, _out, err = _run(capsys, ["rollover", "--apply", "--allow-early"])
    assert status == 2
    assert case.says in one_line(err)
    assert snapshot(tmp_path) == before


def _process(*argv: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PLANIT_DATABASE_URL", None)
    return warm_start.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "planit_desktop", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kwargs,
    )


REAL_PROCESS_CASES = ("truncated-to-half", "corrupt-pages", "zero-bytes", "percent-20", "fifo")


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", [case.param() for case in BAD_FILES if case.name in REAL_PROCESS_CASES]
)
def test_as_real_processes(
    case: BadFile, good_school: Path, elsewhere: dict[str, str], tmp_path: Path
) -> None:
    db = case.make(tmp_path, good_school)
    before = snapshot(tmp_path)
    for command in ("summary", "rollover-apply", "import-learners"):
        done = _process(*_argv(command, db, elsewhere), cwd=tmp_path)
        assert done.returncode == 2, (command, done.stderr)
        assert case.says in one_line(done.stderr)
        assert done.stdout == ""
    assert snapshot(tmp_path) == before


# --- a path is a path ------------------------------------------------------------------------
def _school_named(good: Path, target: Path, name: str) -> Path:
    target.write_bytes(good.read_bytes())
    with sqlite3.connect(target) as connection:
        connection.execute("UPDATE school SET name = ?", (name,))
    connection.close()
    return target


@pytest.mark.parametrize(
    ("name", "what_a_url_would_read"),
    [
        ("copy%20of%20school.db", "copy of school.db"),
        ("x%41y.db", "xAy.db"),
        ("a?b.db", "a"),
        ("a#b.db", "a"),
        ("50%.db", "50%.db.decoy"),
        ("a+b.db", "a b.db"),
    ],
)
@pytest.mark.parametrize("given_by", ["--db", "environment"])
def test_a_path_names_exactly_that_file(
    name: str,
    what_a_url_would_read: str,
    given_by: str,
    good_school: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli_signed_in: object,
) -> None:
    wanted = _school_named(good_school, tmp_path / name, "The school asked for")
    other = _school_named(good_school, tmp_path / what_a_url_would_read, "Another school")
    other_bytes = other.read_bytes()
    options = ["--db", str(wanted)]
    if given_by == "environment":
        monkeypatch.setenv("PLANIT_DATABASE_URL", str(wanted))
        options = []
    status, out, _err = _run(capsys, ["summary", "--json", *options])
    assert status == 0 and json.loads(out)["school"] == "The school asked for"
    status, out, err = _run(capsys, ["rollover", "--apply", "--allow-early", "--json", *options])
    assert status == 0, err
    assert json.loads(out)["academic_year"] == "2026/27"
    with sqlite3.connect(wanted) as connection:
        assert connection.execute("SELECT academic_year FROM school").fetchone() == (2026,)
    connection.close()
    assert other.read_bytes() == other_bytes
    (backup,) = (tmp_path / "backups").glob("*.db")
    with sqlite3.connect(backup) as connection:
        assert connection.execute("SELECT name FROM school").fetchone() == ("The school asked for",)
    connection.close()


def test_a_relative_path_with_percent_signs(
    good_school: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _school_named(good_school, tmp_path / "copy%20of%20school.db", "The copy")
    _school_named(good_school, tmp_path / "copy of school.db", "The original")
    done = _process("summary", "--json", "--db", "copy%20of%20school.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["school"] == "The copy"


@pytest.mark.parametrize(
    ("text", "is_url"),
    [
        ("postgresql://planit@db.example/planit", True),
        ("postgresql+psycopg://planit@db.example/planit?sslmode=require", True),
        ("sqlite:///school.db", True),
        ("sqlite:////srv/planit/school.db", True),
        ("school.db", False),
        ("copy%20of%20school.db", False),
        ("a?b.db", False),
        ("mysql://school", False),
        ("file:school.db", False),
        ("C:\\Users\\coordinator\\school.db", False),
        ("sqlite://", False),
    ],
)
def test_only_postgresql_and_sqlite_addresses_are_urls(text: str, is_url: bool) -> None:
    from planit_desktop.config import is_url as config_is_url
    from planit_desktop.config import resolve_database
    from planit_desktop.model.db import sqlite_file

    assert config_is_url(text) is is_url
    if not is_url:
        assert sqlite_file(resolve_database(text)) == Path(text).resolve()


# --- a damaged index: refused before a change, never backed up --------------------------------
@pytest.fixture
def stale_index_school(good_school: Path, tmp_path: Path) -> Path:
    return stale_index(tmp_path, good_school)


def test_a_stale_index_passes_the_quick_check_but_not_the_full_one(
    stale_index_school: Path,
) -> None:
    connection = sqlite3.connect(f"{stale_index_school.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        assert connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    finally:
        connection.close()


@pytest.mark.parametrize("command", ["rollover-apply", "rollover-undo", "import-learners"])
def test_a_stale_index_is_refused_before_any_change(
    command: str,
    stale_index_school: Path,
    elsewhere: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = snapshot(tmp_path)
    status, _out, err = _run(capsys, _argv(command, stale_index_school, elsewhere))
    assert status == 2
    line = one_line(err)
    assert "is damaged" in line and "missing from index" in line
    assert snapshot(tmp_path) == before  # no backup of it, no backups folder, no .part
    assert not Path(elsewhere["out"]).exists()


def test_a_stale_index_can_still_be_looked_at(
    stale_index_school: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The quick check (about 0.3 s on 100,000 learners) guards every open; the full check
    (about 3 s there) guards changes. Looking at a file whose index is stale changes nothing."""
    status, out, _err = _run(capsys, ["summary", "--json", "--db", str(stale_index_school)])
    assert status == 0 and json.loads(out)["learners_by_year"]


def test_a_stale_index_is_never_backed_up(stale_index_school: Path) -> None:
    database = open_database(f"sqlite:///{stale_index_school}", create=False)
    try:
        with pytest.raises(DatabaseUnavailable, match="is damaged"):
            backup_sqlite(database, "manual")
        with pytest.raises(DatabaseUnavailable, match="is damaged"):
            database.check_integrity()
    finally:
        database.dispose()
    assert not (stale_index_school.parent / "backups").exists()


# --- partial backups ---------------------------------------------------------------------------
@pytest.fixture
def school(good_school: Path, tmp_path: Path) -> Path:
    path = tmp_path / "school.db"
    path.write_bytes(good_school.read_bytes())
    return path


def _leftover(folder: Path, name: str = "planit_2026-07-31_235959_manual.db.part") -> Path:
    folder.mkdir(exist_ok=True)
    partial = folder / name
    partial.write_bytes(b"SQLite format 3\x00" + bytes(4000))  # as far as the copy got
    Path(f"{partial}-journal").write_bytes(bytes(512))
    return partial


def test_a_partial_backup_is_removed_at_the_next_backup(school: Path) -> None:
    partial = _leftover(school.parent / "backups")
    database = open_database(f"sqlite:///{school}", create=False)
    _leftover(school.parent / "backups", "planit_2026-08-01_000000_manual.db.part")
    try:
        made = backup_sqlite(database, "manual")
    finally:
        database.dispose()
    assert sorted(p.name for p in (school.parent / "backups").iterdir()) == [made.name]
    assert not partial.exists()


def test_a_partial_backup_is_removed_when_the_database_is_opened(school: Path) -> None:
    partial = _leftover(school.parent / "backups")
    open_database(f"sqlite:///{school}", create=False).dispose()
    assert list((school.parent / "backups").iterdir()) == []
    assert not partial.exists()


def test_a_backup_being_written_is_not_removed(tmp_path: Path) -> None:
    partial = tmp_path / "planit_2026-07-31_235959_manual.db.part"
    writer = sqlite3.connect(partial, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # as the backup API holds it while it copies
        writer.execute("CREATE TABLE copied (page BLOB)")
        assert remove_partial_backups(tmp_path) == []
        assert partial.exists()
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert remove_partial_backups(tmp_path) == [partial]
    assert list(tmp_path.iterdir()) == []


_KILLED_BACKUP = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from planit_desktop.model.db import backup_sqlite, open_database

    database = open_database("sqlite:///" + sys.argv[1], create=False)
    copied = Path(sys.argv[2])

    class Source:
        # The database's connection, as backup_sqlite uses it: the copy is made whole, and
        # then the process waits to be killed before the copy can be checked and renamed.
        def __init__(self, raw):
            self.raw = raw
            self.driver_connection = self
        def backup(self, target, **options):
            self.raw.driver_connection.backup(target, **options)
            copied.write_text("copied")
            time.sleep(600)
        def close(self):
            self.raw.close()

    raw_connection = database.engine.raw_connection
    database.engine.raw_connection = lambda: Source(raw_connection())
    backup_sqlite(database, "manual")
    """
)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="kills the process with SIGKILL")
def test_a_backup_killed_part_way_leaves_a_part_that_is_removed_and_never_a_backup(
    school: Path, tmp_path: Path
) -> None:
    started = tmp_path / "copied"
    child = warm_start.Popen(
        [sys.executable, "-c", _KILLED_BACKUP, str(school), str(started)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the backup never started"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        if child.stderr:
            child.stderr.close()
    backups = school.parent / "backups"
    (partial,) = backups.glob("*.part")
    assert list(backups.glob("*.db")) == []  # a partial copy is never named as a backup
    assert partial.stat().st_size == school.stat().st_size  # whole, but never checked

    database: Database = open_database(f"sqlite:///{school}", create=False)
    try:
        assert not partial.exists()
        made = backup_sqlite(database, "manual")
    finally:
        database.dispose()
    assert sorted(p.name for p in backups.iterdir()) == [made.name]
    with sqlite3.connect(made) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
