"""The year-end rollover on a 100,000-learner demo school (issue 3).

1. ``apply_rollover`` against the same changes written by hand as raw SQL (sqlite3, one
   transaction: the run row, the journal, the learner updates, the access endings, the audit
   entries, the academic year), each on its own fresh copy of the same database, alternating
   which goes first, median of the per-pair ratios. Target ≤ 3.
   Excluded from both: copying the database and opening it (untimed set-up), and the backup
   file (``backup=None`` for the engine; none in the raw SQL), so both time only their
   transaction up to and including COMMIT. A raw SQL baseline with no journal and no audit is
   printed as well, for information.
2. The preview (``plan_rollover``) on the untouched database: median, target < 1 s.
3. ``undo_rollover`` on each engine-applied copy against that copy's apply: target ≤ 3.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from _common import Comparison, administrator_of, make_demo_database, median, report, timed

APPLY_LIMIT = 3.0
PREVIEW_LIMIT = 1.0
UNDO_LIMIT = 3.0
AUGUST = date(2026, 8, 1)


def _copy(template: Path, target: Path) -> Path:
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


def _raw_connection(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("foreign_keys=ON", "busy_timeout=5000", "synchronous=FULL", "journal_mode=WAL"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


# The same changes as apply_rollover makes, written by hand. The top year completes before the
# others move up: the other way round, those just moved into it would complete as well.
RAW_SQL_FULL = """
BEGIN IMMEDIATE;
INSERT INTO year_end_run (id, from_year, to_year, run_at, run_by, summary)
  VALUES (1, 2025, 2026, datetime('now'), 'os:bench', '{}');
INSERT INTO rollover_journal (run_id, learner_id, old_year_group, old_status, old_left_on,
    old_left_reason, old_version, new_year_group, new_status, new_left_on, new_left_reason,
    new_version)
  SELECT 1, id, year_group, status, left_on, left_reason, version,
    CASE WHEN year_group >= 11 THEN year_group ELSE year_group + 1 END,
    CASE WHEN year_group >= 11 THEN 'completed' ELSE status END,
    CASE WHEN year_group >= 11 THEN '2026-08-31' ELSE left_on END,
    CASE WHEN year_group >= 11 THEN 'Completed Year 11' ELSE left_reason END,
    version + 1
  FROM learner WHERE status = 'on_roll';
UPDATE learner SET status = 'completed', left_on = '2026-08-31',
    left_reason = 'Completed Year 11', version = version + 1
  WHERE status = 'on_roll' AND year_group >= 11;
UPDATE learner SET year_group = year_group + 1, version = version + 1
  WHERE status = 'on_roll' AND year_group < 11;
INSERT INTO audit_entry (actor, action, entity, entity_id, field, old_value, new_value, detail)
  SELECT 'os:bench', 'rollover', 'learner', learner_id,
    CASE WHEN old_status != new_status THEN 'status' ELSE 'year_group' END,
    CASE WHEN old_status != new_status THEN old_status ELSE CAST(old_year_group AS TEXT) END,
    CASE WHEN old_status != new_status THEN new_status ELSE CAST(new_year_group AS TEXT) END,
    'Year-end rollover 2025/26 → 2026/27'
  FROM rollover_journal WHERE run_id = 1;
UPDATE supervisor_access SET ended_at = datetime('now'), ended_by_run_id = 1
  WHERE academic_year = 2025 AND ended_at IS NULL;
INSERT INTO audit_entry (actor, action, entity, entity_id, field, old_value, new_value, detail)
  SELECT 'os:bench', 'access_ended', 'supervisor_access', id, 'ended_at', 'open', 'ended',
    'Access for 2025/26 ended by the rollover'
  FROM supervisor_access WHERE ended_by_run_id = 1;
UPDATE school SET academic_year = 2026 WHERE id = 1;
INSERT INTO audit_entry (actor, action, entity, entity_id, field, old_value, new_value)
  VALUES ('os:bench', 'rollover', 'year_end_run', 1, 'academic_year', '2025/26', '2026/27');
COMMIT;
"""

# Only the school data: no run, no journal, no audit (what most school systems do).
RAW_SQL_BARE = """
BEGIN IMMEDIATE;
UPDATE learner SET status = 'completed', left_on = '2026-08-31', version = version + 1
  WHERE status = 'on_roll' AND year_group >= 11;
UPDATE learner SET year_group = year_group + 1, version = version + 1
  WHERE status = 'on_roll' AND year_group < 11;
UPDATE supervisor_access SET ended_at = datetime('now') WHERE academic_year = 2025;
UPDATE school SET academic_year = 2026 WHERE id = 1;
COMMIT;
"""


def engine_apply(url: str) -> Callable[[], object]:
    """The engine's rollover of the database at ``url``, ready to time (no backup)."""
    from planit_desktop.model.db import open_database
    from planit_desktop.model.services.year_end import apply_rollover

    database = open_database(url)
    actor = administrator_of(database)

    def run() -> None:
        try:
            with database.begin() as session:
                apply_rollover(session, actor, today=AUGUST, backup=None)
        finally:
            database.dispose()

    return run


def _engine_undo(path: Path) -> Callable[[], object]:
    from planit_desktop.model.db import open_database
    from planit_desktop.model.services.year_end import undo_rollover

    database = open_database(f"sqlite:///{path}")
    actor = administrator_of(database)

    def run() -> None:
        try:
            with database.begin() as session:
                undo_rollover(session, actor)
        finally:
            database.dispose()

    return run


def _raw(path: Path, script: str) -> Callable[[], object]:
    connection = _raw_connection(path)

    def run() -> None:
        try:
            connection.executescript(script)
        finally:
            connection.close()

    return run


def _preview_time(path: Path) -> float:
    from planit_desktop.model.db import open_database
    from planit_desktop.model.services.year_end import plan_rollover

    database = open_database(f"sqlite:///{path}")
    actor = administrator_of(database)
    try:
        with database.read() as session:
            return timed(lambda: plan_rollover(session, actor))
    finally:
        database.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="planit-bench-rollover-") as folder_name:
        folder = Path(folder_name)
        template = make_demo_database(folder / "template.db", args.learners, seed=1)
        _preview_time(template)  # warm the page cache and imports
        previews = [_preview_time(template) for _ in range(max(args.runs, 3))]
        engine: list[float] = []
        full: list[float] = []
        bare: list[float] = []
        undo: list[float] = []
        for n in range(args.runs):
            paths = [_copy(template, folder / f"{kind}{n}.db") for kind in ("e", "f", "b")]
            jobs = [
                (engine, engine_apply(f"sqlite:///{paths[0]}")),
                (full, _raw(paths[1], RAW_SQL_FULL)),
                (bare, _raw(paths[2], RAW_SQL_BARE)),
            ]
            if n % 2:  # alternate who goes first
                jobs.reverse()
            for times, job in jobs:
                times.append(timed(job))
            undo.append(timed(_engine_undo(paths[0])))
            for path in paths:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
    learners = f"{args.learners:,} learners"
    applied = Comparison(tuple(engine), tuple(full))
    report(
        f"rollover apply vs the same changes in raw SQL ({learners})",
        {
            **{f"apply run {i}": t for i, t in enumerate(engine, 1)},
            **{f"raw SQL run {i}": t for i, t in enumerate(full, 1)},
            "apply median": applied.a_median,
            "raw SQL median": applied.b_median,
            "raw SQL without journal/audit median": median(bare),
        },
        applied.ratio,
        APPLY_LIMIT,
    )
    report(
        f"rollover preview ({learners})",
        {**{f"run {i}": t for i, t in enumerate(previews, 1)}, "median": median(previews)},
        None,
        PREVIEW_LIMIT,
    )
    undone = Comparison(tuple(undo), tuple(engine))
    report(
        f"rollover undo vs apply ({learners})",
        {"undo median": undone.a_median, "apply median": undone.b_median},
        undone.ratio,
        UNDO_LIMIT,
    )
    return 0  # benchmarks report; they do not fail the build


if __name__ == "__main__":
    raise SystemExit(main())
