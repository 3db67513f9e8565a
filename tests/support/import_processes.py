"""An import of learners as a real process, for the kill -9 tests on both databases.

Run as ``python -m tests.support.import_processes DATABASE_URL WORKBOOK [--pause WHERE]``
(from the folder above tests/, as :func:`start_import` does), it does what
``planit-desktop import-learners`` does (read and check the file, prepare the temporary
passwords, then one transaction), with two differences made for the tests:

- the passwords are hashed with a cheap argon2id (the real one costs tenths of a second a
  learner, and hashing is done before the transaction: it is not what is under test);
- ``--pause statement:K``, ``--pause commit`` or ``--pause committed`` stops the process for
  good just before the transaction's K-th statement, just before its COMMIT, or just after
  it, so that the parent can kill it at an exact point as well as at random moments.

On standard output it prints ``writing`` when the transaction begins, ``paused`` when it
stops, and ``committed N`` (N: the statements in the transaction) when the import is done.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support import warm_start
from tests.support.import_files import TODAY

#: A child still running after this many seconds is stuck: it is killed, and the test fails.
PATIENCE = 120

#: The folder holding the ``tests`` package, where the child runs so that it finds it.
CHECKOUT = Path(__file__).resolve().parents[2]


def import_command(url: str, workbook: Path, *, pause: str | None = None) -> list[str]:
    """The argv of a child importing ``workbook`` into the database at ``url``."""
    command = [sys.executable, "-m", "tests.support.import_processes", url, str(workbook)]
    return command + (["--pause", pause] if pause else [])


def start_import(url: str, workbook: Path, *, pause: str | None = None) -> subprocess.Popen[str]:
    return warm_start.Popen(
        import_command(url, workbook, pause=pause),
        cwd=CHECKOUT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def run_import(url: str, workbook: Path) -> tuple[int, float]:
    """Import to the end (it must succeed): the statements in its transaction, and its time."""
    started = time.monotonic()
    process = start_import(url, workbook)
    out, _ = process.communicate(timeout=PATIENCE)
    assert process.returncode == 0, out
    lines = out.split()
    return int(lines[lines.index("committed") + 1]), time.monotonic() - started


def kill_at(process: subprocess.Popen[str], wait: Callable[[subprocess.Popen[str]], None]) -> None:
    """Kill -9 ``process`` once ``wait`` returns (or as soon as ``wait`` fails)."""
    watchdog = threading.Timer(PATIENCE, process.kill)  # a stuck child ends ``wait`` too
    watchdog.start()
    try:
        wait(process)
    finally:
        watchdog.cancel()
        process.kill()
        process.wait()


def after_seconds(seconds: float) -> Callable[[subprocess.Popen[str]], None]:
    return lambda _process: time.sleep(seconds)


def when_paused(process: subprocess.Popen[str]) -> None:
    """Wait for the child to say it has stopped at its pause (or fail if it ended instead)."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "paused":
            return
    raise AssertionError(f"the import ended (status {process.wait()}) without pausing")


def random_moments(rng: random.Random, elapsed: float, count: int) -> list[float]:
    """``count`` moments spread from the start to the end of a run of ``elapsed`` seconds:
    one at random in each of ``count`` equal slices of it."""
    return [elapsed * (slice_ + rng.random()) / count for slice_ in range(count)]


# --- The child -------------------------------------------------------------------------


def _stop_here() -> None:
    print("paused", flush=True)
    time.sleep(600)  # until the parent kills it
    raise SystemExit(3)


class _Watch:
    """Counts the statements of the write transaction, and stops the process at ``pause``."""

    def __init__(self, engine: Any, pause: str | None) -> None:
        from sqlalchemy import event

        self.writing = False
        self.statements = 0
        self.pause = pause
        self.at = int(pause.split(":")[1]) if pause and pause.startswith("statement:") else None
        event.listen(engine, "before_cursor_execute", self._before_statement)
        event.listen(engine, "commit", self._before_commit)

    def _before_statement(self, *_args: object) -> None:
        if self.writing:
            self.statements += 1
            if self.statements == self.at:
                _stop_here()

    def _before_commit(self, _connection: object) -> None:
        if self.writing and self.pause == "commit":
            _stop_here()


def main(argv: list[str]) -> int:
    from argon2 import PasswordHasher

    from planit_desktop.model.db import open_database
    from planit_desktop.model.services.credentials import hashing as passwords
    from planit_desktop.model.services.importing import (
        check_rows,
        hash_passwords_parallel,
        import_learners,
        plan_import,
        read_table,
    )
    from tests.support.sign_in import DEMO_ADMINISTRATOR, staff_actor

    url, workbook = argv[0], Path(argv[1])
    pause = argv[3] if len(argv) > 3 and argv[2] == "--pause" else None
    passwords.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    database = open_database(url, create=False)
    try:
        # The demo school's administrator, as signed in (read, so that nothing is written
        # before the transaction under test).
        admin = staff_actor(database, DEMO_ADMINISTRATOR[0])
        with database.read() as session:
            checked = check_rows(session, read_table(workbook), today=TODAY)
        pairs = hash_passwords_parallel(plan_import(checked, {}).passwords_needed)
        watch = _Watch(database.engine, pause)
        print("writing", flush=True)
        watch.writing = True
        with database.begin() as session:
            import_learners(
                session,
                admin,
                checked,
                password_pairs=pairs,
                source_name=workbook.name,
                today=TODAY,
            )
        print(f"committed {watch.statements}", flush=True)
        if pause == "committed":
            _stop_here()
    finally:
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
