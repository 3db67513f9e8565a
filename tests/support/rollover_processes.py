"""``planit-desktop rollover --apply`` as real processes, for the fault tests on both databases:
two started together, and kill -9 at random moments.

Shared by test_rollover_cli (SQLite files) and test_postgres_rollover (PostgreSQL URLs).
``--apply`` signs in: each function takes the environment to run the processes in (``env``,
from ``tests.support.sign_in.CommandLineSignIn.environment()``).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.support import warm_start
from tests.support.rollover import Rows, differences

#: Where a database is named on the command line: a SQLite file or a database URL.
Place = Path | str


def rollover_command(database: Place, *args: str) -> list[str]:
    """The argv of a ``planit-desktop rollover`` process on ``database``."""
    return [sys.executable, "-m", "planit_desktop", "rollover", "--db", str(database), *args]


def timed_apply(database: Place, *, env: Mapping[str, str]) -> float:
    """Run ``rollover --apply`` to the end (it must succeed); returns the seconds it took."""
    started = time.monotonic()
    warm_start.run(rollover_command(database, "--apply"), check=True, capture_output=True, env=env)
    return time.monotonic() - started


def two_applies_at_once(database: Place, *, env: Mapping[str, str]) -> list[tuple[int, str]]:
    """Start two ``--apply`` processes together; their exit statuses and error output."""
    processes = [
        warm_start.Popen(
            rollover_command(database, "--apply"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    results = []
    for process in processes:
        _out, err = process.communicate(timeout=120)
        results.append((process.returncode, err))
    return results


def kill_during_apply(
    fresh: Callable[[int], Place],
    state: Callable[[Place], Rows],
    *,
    before: Rows,
    after: Rows,
    moment: Callable[[random.Random, Place, subprocess.Popen[bytes]], None],
    attempts: int,
    env: Mapping[str, str],
) -> list[str]:
    """Kill -9 an ``--apply`` on a fresh copy of the before-state, ``attempts`` times.

    ``moment`` waits for the moment to kill (random, from the seeded generator); ``state``
    reads a database's rows (``table_rows``) once the killed process is gone. Each must equal
    ``before`` or ``after`` exactly. Returns the outcomes ("before" / "after"); the seed is
    printed and named in any failure, so a failing run can be repeated, and the failure shows
    the tables (and some rows) in which the state differs from each.
    """
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    outcomes = []
    for attempt in range(attempts):
        database = fresh(attempt)
        process = warm_start.Popen(
            rollover_command(database, "--apply"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            moment(rng, database, process)
        finally:
            process.kill()
            process.wait()
        found = state(database)
        assert found in (before, after), (
            f"half-applied rollover (seed {seed}, try {attempt}); against the before-state "
            f"(first) it differs in\n{differences(before, found)}\nagainst the after-state "
            f"(first) in\n{differences(after, found)}"
        )
        outcomes.append("after" if found == after else "before")
    print(f"kill -9 outcomes (seed {seed}): {outcomes}")
    return outcomes


def sleep_within(elapsed: float) -> Callable[[random.Random, Place, object], None]:
    """A moment late in a run that takes ``elapsed`` seconds, when the writing happens."""

    def wait(rng: random.Random, _database: Place, _process: object) -> None:
        time.sleep(rng.uniform(0.55 * elapsed, 1.05 * elapsed))

    return wait
