"""The year-end rollover of a 100,000-learner school on PostgreSQL (issue 8).

``apply_rollover`` against the same changes written by hand as raw SQL (psycopg, one
transaction), on the same server in the same run: the raw SQL is bench_rollover's, with its two
SQLite-only spellings put in PostgreSQL's words. Each timed run gets fresh copies of one demo
school (``CREATE DATABASE … TEMPLATE``), one per side, so both change identical data; the order
alternates, a warm-up round is not counted, and the ratio is the median of the per-pair ratios.
Target ≤ 3. As on SQLite, set-up (copying the database, opening it, connecting) is not timed and
the engine writes no backup file (``backup=None``; on a server the server's backups cover it),
so both time their transaction up to and including COMMIT. After each run both copies must hold
the same learners, journal and audit counts, or the benchmark stops with an error. The raw SQL
without journal and audit is printed too, for information.

The server: ``PLANIT_BENCH_POSTGRES_URL`` (or the tests' ``PLANIT_TEST_POSTGRES_URL``), an
administrator's URL; only databases named ``bench_rollover_<random>_…`` are made there, and all
are dropped at the end. Without either, a throwaway cluster is started in a temporary folder
when PostgreSQL is installed (as tests/support/postgres.py does), and stopped afterwards;
otherwise the benchmark says it was skipped and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from _common import Comparison, build_demo_school, median, report, timed
from bench_rollover import APPLY_LIMIT, RAW_SQL_BARE, RAW_SQL_FULL, engine_apply

# The tests' PostgreSQL helpers (server, template databases, throwaway cluster), reused as is.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.support.postgres import (  # noqa: E402
    URL_VARIABLE,
    PostgresServer,
    find_initdb,
    make_template,
    throwaway_cluster,
)

BENCH_URL_VARIABLE = "PLANIT_BENCH_POSTGRES_URL"
NAME = "rollover apply vs the same changes in raw SQL, on PostgreSQL"

#: bench_rollover's raw SQL says two things only SQLite understands. BEGIN IMMEDIATE takes the
#: write lock at once; on PostgreSQL the same serialisation is the school row's lock, which
#: apply_rollover takes too. The timestamp is the server's local time, to the second.
POSTGRES_SPELLINGS = {
    "BEGIN IMMEDIATE;": "BEGIN;\nSELECT id FROM school WHERE id = 1 FOR UPDATE;",
    "datetime('now')": "LOCALTIMESTAMP(0)",
}

#: What both sides must leave identical: every learner's rolled-over fields, and the counts.
OUTCOME = """
SELECT
  (SELECT md5(string_agg(concat_ws('|', id, year_group, status, left_on, left_reason, version),
                         ',' ORDER BY id)) FROM learner),
  (SELECT count(*) FROM rollover_journal),
  (SELECT count(*) FROM audit_entry),
  (SELECT count(*) FROM supervisor_access WHERE ended_at IS NOT NULL),
  (SELECT academic_year FROM school WHERE id = 1)
"""


def for_postgres(script: str) -> str:
    """bench_rollover's SQLite script in PostgreSQL's words (each spelling must be there)."""
    for sqlite_words, postgres_words in POSTGRES_SPELLINGS.items():
        if sqlite_words not in script:
            raise ValueError(f"the raw SQL no longer says {sqlite_words!r}: update this table")
        script = script.replace(sqlite_words, postgres_words)
    return script


@contextlib.contextmanager
def find_server() -> Iterator[tuple[str, str] | None]:
    """The administrator's URL of a server and where it came from; None when there is none."""
    for variable in (BENCH_URL_VARIABLE, URL_VARIABLE):
        if os.environ.get(variable):
            yield os.environ[variable], variable
            return
    initdb = find_initdb()
    if initdb is None:
        yield None
        return
    with throwaway_cluster() as url:
        yield url, f"a throwaway cluster ({initdb.parent})"


def _raw(url: str, script: str) -> Callable[[], object]:
    import psycopg

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    # Autocommit: the script's own BEGIN … COMMIT is the transaction, as on SQLite.
    connection = psycopg.connect(conninfo, autocommit=True)

    def run() -> None:
        try:
            connection.execute(script)  # no parameters: psycopg runs the statements in turn
        finally:
            connection.close()

    return run


def _outcome(url: str) -> tuple[object, ...]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(text(OUTCOME)).one()
        return tuple(row)
    finally:
        engine.dispose()


def _analyse(url: str) -> None:
    """VACUUM ANALYZE the school once, so that every copy starts with the same statistics."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


def run_benchmark(server: PostgresServer, origin: str, args: argparse.Namespace) -> None:
    prefix = f"bench_rollover_{uuid.uuid4().hex[:8]}"
    made: list[str] = []

    def copy_of(template: str, suffix: str) -> str:
        made.append(f"{prefix}_{suffix}")
        server.create_database(made[-1], template=template)
        return made[-1]

    full_sql, bare_sql = for_postgres(RAW_SQL_FULL), for_postgres(RAW_SQL_BARE)
    engine: list[float] = []
    full: list[float] = []
    bare: list[float] = []
    try:
        version = server.check().split(" on ")[0]
        made.append(f"{prefix}_empty")
        empty = make_template(server, made[-1])
        school = copy_of(empty, "school")
        built = timed(lambda: build_demo_school(server.url_for(school), args.learners, seed=1))
        _analyse(server.url_for(school))
        for n in range(args.warmup + args.runs):
            names = [copy_of(school, f"{kind}{n}") for kind in ("e", "f", "b")]
            urls = [server.url_for(name) for name in names]
            jobs = [
                (engine, engine_apply(urls[0])),
                (full, _raw(urls[1], full_sql)),
                (bare, _raw(urls[2], bare_sql)),
            ]
            if n % 2:  # alternate who goes first
                jobs.reverse()
            for times, job in jobs:
                seconds = timed(job)
                if n >= args.warmup:
                    times.append(seconds)
            by_engine, by_hand = _outcome(urls[0]), _outcome(urls[1])
            if by_engine != by_hand:
                raise RuntimeError(
                    f"the engine and the raw SQL left different data: {by_engine} != {by_hand}"
                )
            for name in names:
                server.drop_database(name)
                made.remove(name)
    finally:
        for name in reversed(made):
            server.drop_database(name)
        server.dispose()
    applied = Comparison(tuple(engine), tuple(full))
    address = make_url(server.admin_url)
    report(
        f"{NAME} ({args.learners:,} learners)",
        {
            "server": f"{version} at {address.host}:{address.port}, from {origin}",
            "demo school built in (untimed set-up)": built,
            **{f"apply run {i}": t for i, t in enumerate(engine, 1)},
            **{f"raw SQL run {i}": t for i, t in enumerate(full, 1)},
            "apply median": applied.a_median,
            "raw SQL median": applied.b_median,
            "raw SQL without journal/audit median": median(bare),
        },
        applied.ratio,
        APPLY_LIMIT,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    if importlib.util.find_spec("psycopg") is None:
        print(f"== {NAME}")
        print("  skipped: the psycopg driver is not installed (pip install -e '.[postgres]')")
        return 0
    with find_server() as found:
        if found is None:
            print(f"== {NAME}")
            print(
                "  skipped: no PostgreSQL server is available (set "
                f"{BENCH_URL_VARIABLE} to an administrator's URL, or install PostgreSQL "
                "so that a throwaway cluster can be started)"
            )
            return 0
        run_benchmark(PostgresServer(found[0]), found[1], args)
    return 0  # benchmarks report; they do not fail the build


if __name__ == "__main__":
    raise SystemExit(main())
