"""``planit-desktop import-learners`` killed, interrupted or refused a folder, at each stage.

Real processes on SQLite and PostgreSQL. The child stops at an exact moment
(:mod:`planit_desktop.model.stages`: ``PLANIT_TEST_STOP_AT`` names it, and the child waits
there until the test deletes its marker file), then is killed with SIGKILL, sent SIGINT
(Ctrl-C), or has its folder made unwritable. Afterwards either nothing was imported, or
every learner the file imported has their password in the list, verified against the
argon2 hash stored for them; and the next start (any command) settles what was left: the
files in place, or removed, and says which.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from planit_desktop.model.db import Database
from planit_desktop.model.entities import Learner, LearnerCredential
from planit_desktop.model.services.credentials.delivery import NOTES_FOLDER
from planit_desktop.model.services.credentials.hashing import verify_password
from tests.support import warm_start
from tests.support.import_files import learner, write_xlsx
from tests.support.postgres import PostgresServer
from tests.support.sign_in import write_password_file

pytestmark = pytest.mark.slow

LEARNERS = 3
PATIENCE = 120
#: Where the import has stored nothing yet, and where it has committed.
BEFORE_COMMIT = ("hashing", "writing", "committing")
AFTER_COMMIT = ("committed", "moving", "moved")


@dataclass
class Run:
    """One child import: its file, where its passwords go, and its environment."""

    url: str
    folder: Path
    book: Path
    rows: range
    env: dict[str, str]
    backend: str
    server: PostgresServer | None

    @property
    def password_list(self) -> Path:
        return self.folder / "passwords.xlsx"

    @property
    def slips(self) -> Path:
        return self.folder / "slips.pdf"

    @property
    def marker(self) -> Path:
        return self.folder.parent / f"{self.folder.name}.stopped"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "planit_desktop", "import-learners", str(self.book),
            "--db", self.url, "--passwords-out", str(self.password_list),
            "--slips-out", str(self.slips),
        ]  # fmt: skip

    def start(self, stage: str) -> subprocess.Popen[str]:
        env = self.env | {"PLANIT_TEST_STOP_AT": stage, "PLANIT_TEST_STOP_FILE": str(self.marker)}
        return warm_start.Popen(
            self.command(), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def wait_for_stage(self, process: subprocess.Popen[str]) -> None:
        deadline = time.monotonic() + PATIENCE
        while not self.marker.exists():
            if process.poll() is not None:
                out, err = process.communicate()
                raise AssertionError(f"the import ended ({process.returncode}) first: {out}{err}")
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError("the import never reached its stage")
            time.sleep(0.02)

    def go_on(self) -> None:
        self.marker.unlink()

    def settled(self) -> None:
        """Wait until a killed child's server session is gone (its transaction ended)."""
        if self.server is not None:
            name = make_url(self.url).database
            assert name
            self.server.wait_until_unused(name)

    def next_start(self) -> str:
        """Any command starts: the note left is settled. Its standard error."""
        self.settled()
        done = warm_start.run(
            [sys.executable, "-m", "planit_desktop", "summary", "--db", self.url],
            env=self.env, capture_output=True, text=True, timeout=PATIENCE, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stderr

    def imported(self) -> dict[str, str | None]:
        """login → password hash of this run's learners now in the database."""
        names = {str(row[1]) for row in self._rows()}
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                found = connection.execute(
                    select(Learner.login, LearnerCredential.password_hash)
                    .outerjoin(LearnerCredential, LearnerCredential.learner_id == Learner.id)
                    .where(Learner.surname.in_(names))
                ).all()
        finally:
            engine.dispose()
        return {login: hashed for login, hashed in found}

    def _rows(self) -> list[list[object]]:
        return [learner(i) for i in self.rows]

    def files_here(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir())

    def notes(self) -> list[Path]:
        folder = Path(self.env["XDG_DATA_HOME"]) / "planit-desktop" / NOTES_FOLDER
        return sorted(folder.glob("*.json")) if folder.is_dir() else []


def nothing_imported(run: Run) -> None:
    assert run.imported() == {}


def every_password_in(run: Run, workbook: Path, *, verify: bool = True) -> None:
    """Every learner of this run is imported, and their password is in ``workbook``, where
    (``verify``: argon2 is slow on purpose, so once a test) it matches their stored hash."""
    hashes = run.imported()
    assert len(hashes) == LEARNERS
    rows = list(load_workbook(workbook).active.iter_rows(min_row=2, values_only=True))
    listed = {str(row[0]): str(row[4]) for row in rows}
    assert set(listed) == set(hashes)
    for login, password in listed.items():
        assert not verify or verify_password(hashes[login], password), login


@pytest.fixture
def runs(
    demo_database: Database,
    database_url: str,
    backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Iterator[Callable[[], Run]]:
    """Makes a Run of its own (its own learners, folder) on the demo school."""
    demo_database.dispose()
    server = request.getfixturevalue("postgres_server") if backend == "postgresql" else None
    data = tmp_path / "data"
    password_file = write_password_file(tmp_path / "password", "demo-admin-pass")
    env = dict(os.environ) | {
        "XDG_DATA_HOME": str(data),
        # For the command line's sign-in, where it asks for one (the demo administrator).
        "PLANIT_LOGIN": "admin1",
        "PLANIT_PASSWORD_FILE": str(password_file),
    }
    env.pop("PLANIT_DATABASE_URL", None)
    made: list[Run] = []

    def make() -> Run:
        number = len(made)
        folder = tmp_path / f"run{number}"
        folder.mkdir()
        rows = range(100 + 10 * number, 100 + 10 * number + LEARNERS)
        book = write_xlsx(tmp_path / f"new{number}.xlsx", [learner(i) for i in rows])
        made.append(Run(database_url, folder, book, rows, env, backend, server))
        return made[-1]

    yield make


@pytest.mark.parametrize("stage", BEFORE_COMMIT + AFTER_COMMIT)
def test_kill_9_at_each_stage(runs: Callable[[], Run], stage: str) -> None:
    run: Run = runs()
    process = run.start(stage)
    try:
        run.wait_for_stage(process)
    finally:
        process.kill()
        process.communicate(timeout=PATIENCE)
    run.settled()
    staged = [name for name in run.files_here() if "(being saved" in name]
    if stage in BEFORE_COMMIT:
        nothing_imported(run)
        assert "passwords.xlsx" not in run.files_here()
    else:
        # Complete where the coordinator chose, or beside it under its staged name.
        in_place = run.password_list if run.password_list.exists() else None
        every_password_in(
            run, in_place or run.folder / next(n for n in staged if n.endswith(".xlsx"))
        )
    said = run.next_start()
    if stage == "hashing":
        assert said == "" and run.files_here() == []
    elif stage in BEFORE_COMMIT:
        assert "before anything was saved: nothing was changed" in said
        assert run.files_here() == []
        nothing_imported(run)
    else:
        assert "was saved, but Plan-it stopped before it could say so" in said
        assert str(run.password_list) in said and str(run.slips) in said
        assert run.files_here() == ["passwords.xlsx", "slips.pdf"]
        every_password_in(run, run.password_list)
    assert run.notes() == []  # said once: nothing is left to say


@pytest.mark.parametrize("stage", ("hashing", "writing", "committing", "committed", "moving"))
def test_ctrl_c_at_each_stage(runs: Callable[[], Run], stage: str) -> None:
    run: Run = runs()
    process = run.start(stage)
    run.wait_for_stage(process)
    process.send_signal(signal.SIGINT)
    time.sleep(0.2)  # the signal is handled (at once, or kept for after the files)
    with contextlib.suppress(FileNotFoundError):
        run.go_on()
    _out, err = process.communicate(timeout=PATIENCE)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    if stage in ("hashing", "writing"):
        assert "stopped before the import was saved: nothing was imported" in err
        nothing_imported(run)
        assert run.files_here() == []
    else:
        assert f"stopped after the import was saved: {LEARNERS} learners were imported" in err
        assert f"{run.password_list} and {run.slips}" in err
        assert run.files_here() == ["passwords.xlsx", "slips.pdf"]
        every_password_in(run, run.password_list)
    assert run.notes() == []  # nothing left for the next start


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """Nobody may create a file in ``folder``, root included (immutable, where needed)."""
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.skip(f"running as root, and chattr cannot lock a folder here: {made.stderr!r}")
        undo = ["chattr", "-i", str(folder)]
    else:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    try:
        yield
    finally:
        subprocess.run(undo, check=True)


def test_a_folder_that_turns_unwritable_imports_nothing(runs: Callable[[], Run]) -> None:
    """Writable when the import starts; not by the time the list is written."""
    run: Run = runs()
    process = run.start("hashing")
    run.wait_for_stage(process)
    with unwritable(run.folder):
        run.go_on()
        _out, err = process.communicate(timeout=PATIENCE)
        assert process.returncode == 1, err
        assert f"The password list could not be saved in {run.folder}" in err
        assert "Nothing was imported. Choose a folder you can write to" in err
        assert "Traceback" not in err
        nothing_imported(run)
        assert run.files_here() == []
    assert run.notes() == []
    assert run.next_start() == ""
    # Once the folder can be written again, the same file imports with its passwords.
    again = warm_start.run(
        run.command(), env=run.env, capture_output=True, text=True, timeout=PATIENCE, check=False
    )
    assert again.returncode == 0, again.stderr
    every_password_in(run, run.password_list)


def test_a_folder_unwritable_from_the_start_is_refused_before_hashing(
    runs: Callable[[], Run],
) -> None:
    run: Run = runs()
    with unwritable(run.folder):
        done = warm_start.run(
            run.command(), env=run.env | {"PLANIT_TEST_STOP_AT": "hashing",
                                          "PLANIT_TEST_STOP_FILE": str(run.marker)},
            capture_output=True, text=True, timeout=PATIENCE, check=False,
        )  # fmt: skip
    assert not run.marker.exists()  # refused before a single password was hashed
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr
    assert "Nothing was imported" in done.stderr or "cannot be written" in done.stderr
    nothing_imported(run)


def test_ctrl_c_in_another_command_says_what_is_true(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No command may claim that nothing changed when it cannot know: each change is one
    transaction, and the message says so (an import says exactly what it had done)."""
    from planit_desktop import cli
    from planit_desktop.commands import summary

    def stopped(_args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(summary, "run", stopped)
    monkeypatch.setattr(cli, "build_parser", _parser_with(summary.run))
    assert cli.main(["summary"]) == 130
    err = capsys.readouterr().err
    assert err == f"planit-desktop: {cli.STOPPED}\n"
    assert "nothing was changed" not in err


def _parser_with(func: Callable[[object], int]) -> Callable[[], object]:
    import argparse

    def build() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser()
        parser.add_argument("command")
        parser.set_defaults(func=func)
        return parser

    return build
