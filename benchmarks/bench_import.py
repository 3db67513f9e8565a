"""The learner import (issue 5).

1. Checking (a dry run: read the file, read the school's learner keys, check every row and
   its duplicates) of a 10,000-row .xlsx against a 100,000-learner school, side by side with
   openpyxl in read-only mode merely iterating every cell of the same file. Target ≤ 1.0.
2. Importing 2,000 learners with temporary passwords (hashing on every core, then the one
   transaction, which writes and syncs the password list and slips before it commits),
   against 1.3 × (one argon2id hash's time × 2,000 ÷ the number of cores).
3. Peak memory of checking a 50,000-row file (a CSV: see :func:`bench_memory`) against the
   100,000-learner school, in a fresh process (``resource.getrusage``). Target < 500 MB.

``--quick`` uses smaller sizes to try the benchmark out; the targets are for the full sizes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from _common import administrator_of, make_demo_database, median, report, side_by_side, timed

CHECK_LIMIT = 1.0
IMPORT_FACTOR = 1.3
MEMORY_LIMIT_MB = 500
TODAY = date(2026, 1, 15)
HEADER = (
    "First Names",
    "Surnames",
    "Date of Birth",
    "Year Group",
    "Tutor Group",
    "Gender",
    "Ethnicity",
    "UPN",
    "SIMS Number",
)
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "ba", "de", "fu")


def _name(i: int, parts: int) -> str:
    word = "".join(SYLLABLES[(i // 12**k) % 12] for k in range(parts))
    return word.capitalize()


def _row(i: int) -> list[object]:
    from planit_desktop.model.validation.upn import check_letter

    year = 7 + i % 5
    birth_year = 2025 - year - 4  # born in the academic year that fits the year group
    body = f"998{6000 + i // 1000:04d}{(birth_year + 5) % 100:02d}{i % 1000:03d}"
    return [
        _name(i, 3),
        _name(i * 7 + 3, 4),
        date(birth_year, 9 + i % 4, 1 + i % 28),
        f"Year {year}",
        f"{year}{'ABCDEF'[i % 6]}",
        "MF"[i % 2],
        "WBRI",
        check_letter(body) + body,
        f"B{i:06d}",
    ]


def write_rows_xlsx(path: Path, rows: int) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Learners")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append(_row(i))
    workbook.save(path)
    return path


def openpyxl_iterate(path: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for row in workbook.active.iter_rows(values_only=True):
        cells += len(row)
    workbook.close()
    return cells


def dry_run(path: Path, database_url: str) -> int:
    from planit_desktop.model.db import open_database
    from planit_desktop.model.services.importing import check_table, load_context, read_table

    database = open_database(database_url)
    try:
        table = read_table(path)
        with database.read() as session:
            context = load_context(session, today=TODAY)
        return len(check_table(table, context).rows)
    finally:
        database.dispose()


def bench_check(folder: Path, rows: int, learners: int) -> None:
    school = make_demo_database(folder / "check.db", learners)
    path = write_rows_xlsx(folder / "check.xlsx", rows)
    url = f"sqlite:///{school}"
    comparison = side_by_side(lambda: dry_run(path, url), lambda: openpyxl_iterate(path), runs=3)
    report(
        f"Checking {rows:,} rows against {learners:,} learners vs openpyxl read-only",
        {"check (median)": comparison.a_median, "openpyxl (median)": comparison.b_median},
        ratio=comparison.ratio,
        limit=CHECK_LIMIT,
    )


def bench_commit(folder: Path, count: int) -> None:
    from planit_desktop.model.db import open_database
    from planit_desktop.model.services.credentials.delivery import PasswordDelivery, PasswordFiles
    from planit_desktop.model.services.credentials.learner_passwords import prepare_password
    from planit_desktop.model.services.importing import (
        check_rows,
        hash_passwords_parallel,
        import_learners,
        read_table,
    )

    one_hash = median([timed(prepare_password) for _ in range(5)])
    cores = os.cpu_count() or 1
    school = make_demo_database(folder / "commit.db", 1000)
    path = write_rows_xlsx(folder / "commit.xlsx", count)
    database = open_database(f"sqlite:///{school}")
    actor = administrator_of(database)
    try:

        def run() -> None:
            table = read_table(path)
            with database.read() as session:
                checked = check_rows(session, table, today=TODAY)
            pairs = hash_passwords_parallel(count)
            # As the window and the command line do: the password list and slips are
            # written, synced, inside the transaction, and put in place after it.
            files = PasswordFiles(folder / "passwords.xlsx", folder / "slips.pdf")
            delivery = PasswordDelivery(
                files, what="benchmark import", database=database.location, notes=folder
            )
            with delivery, database.begin() as session:
                import_learners(
                    session,
                    actor,
                    checked,
                    password_pairs=pairs,
                    source_name=path.name,
                    today=TODAY,
                    delivery=delivery,
                )

        seconds = timed(run)
    finally:
        database.dispose()
    limit = IMPORT_FACTOR * one_hash * count / cores
    report(
        f"Importing {count:,} learners with temporary passwords ({cores} cores)",
        {"one argon2id hash": one_hash, "import": seconds, "target": limit},
        ratio=seconds / (one_hash * count / cores),
        limit=IMPORT_FACTOR,
    )


_MEMORY_CHILD = """
import resource, sys
sys.path.insert(0, sys.argv[3])
from bench_import import dry_run
dry_run(__import__('pathlib').Path(sys.argv[1]), sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_rows_csv(path: Path, rows: int) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            values = _row(i)
            values[2] = values[2].strftime("%d/%m/%Y")  # type: ignore[attr-defined]
            writer.writerow(values)
    return path


def bench_memory(folder: Path, rows: int, learners: int) -> None:
    # A CSV: 50,000 rows written by openpyxl make a sheet of about 23 MB of XML, over the
    # 20 MB a workbook's sheet may unpack to, so such a workbook is refused before reading.
    school = make_demo_database(folder / "memory.db", learners)
    path = write_rows_csv(folder / "memory.csv", rows)
    here = str(Path(__file__).resolve().parent)
    completed = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(path), f"sqlite:///{school}", here],
        capture_output=True,
        text=True,
        check=True,
    )
    peak_mb = int(completed.stdout.strip().splitlines()[-1]) / 1024  # KB on Linux
    report(
        f"Peak memory checking {rows:,} rows against {learners:,} learners",
        {"peak (MB)": round(peak_mb)},
    )
    print(
        f"  {peak_mb:.0f} MB (target < {MEMORY_LIMIT_MB} MB): "
        f"{'PASS' if peak_mb < MEMORY_LIMIT_MB else 'MISS'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    args = parser.parse_args()
    rows, learners, to_import, memory_rows = 10_000, 100_000, 2_000, 50_000
    if args.quick:
        rows, learners, to_import, memory_rows = 1_000, 5_000, 40, 5_000
    with tempfile.TemporaryDirectory(prefix="planit-bench-import-") as temporary:
        folder = Path(temporary)
        bench_check(folder, rows, learners)
        bench_memory(folder, memory_rows, learners)
        bench_commit(folder, to_import)


if __name__ == "__main__":
    main()
