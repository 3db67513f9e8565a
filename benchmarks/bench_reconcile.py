"""Check against the MIS (issue 14): the comparison of a whole roll, timed side by side
(A B A B …) with the import's own check of the same file, in the same process.

A is the whole comparison as the window makes it: read the file with the import's readers,
read Plan-it's roll (every learner and their groups), pair and sort every row. B is the
import's dry run of the same file: read it, read the school's learner keys, check every row
and its duplicates. The file is the demo school's own roll as an MIS exports it (admission
number, UPN, names, date of birth, gender, year and registration group), with the changes
a year brings: one learner in a hundred left out, one in a hundred and fifty a new learner,
one in two hundred another surname, one in three hundred another year group.

1. 2,000 rows (.xlsx) against a 2,000-learner school: interactive. Target A ≤ 2 s; the
   ratio A/B is printed beside it.
2. 100,000 rows (.csv, a trust's roll) against a 100,000-learner school. Target A/B ≤ 2.

Medians of several runs (``--runs``); ``--quick`` uses 1,000 and 5,000 learners.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from _common import administrator_of, make_demo_database, report, side_by_side

INTERACTIVE_SECONDS = 2.0
RATIO_LIMIT = 2.0
TODAY = date(2026, 1, 15)
HEADINGS = ("Adno", "UPN", "Legal Surname", "Legal Forename", "DOB", "Gender", "Year", "Reg Group")


def roll_rows(database: Any) -> list[list[object]]:
    """The school's learners on roll, as the MIS would list them, with a year's changes."""
    from sqlalchemy import select

    from planit_desktop.model.entities import Group, GroupMembership, Learner
    from planit_desktop.model.kinds import LearnerStatus
    from planit_desktop.model.validation.upn import check_letter

    with database.read() as session:
        tutor: dict[int, str] = {}
        for learner_id, name in session.execute(
            select(GroupMembership.learner_id, Group.name).join(Group)
        ):
            tutor.setdefault(learner_id, name)
        learners = session.execute(
            select(
                Learner.id, Learner.sims_number, Learner.upn, Learner.surname,
                Learner.first_names, Learner.date_of_birth, Learner.sex, Learner.year_group,
            ).where(Learner.status == LearnerStatus.ON_ROLL).order_by(Learner.id)
        ).all()  # fmt: skip
    rows: list[list[object]] = []
    for number, (lid, sims, upn, surname, first, born, sex, year) in enumerate(learners):
        if number % 100 == 7:
            continue  # left over the summer
        renamed = f"{surname}-Marsh" if number % 200 == 11 else surname
        in_year = year - 1 if number % 300 == 13 and year > 7 else year
        rows.append([sims, upn, renamed, first, born, sex or "", in_year, tutor.get(lid, "")])
    for i in range(len(learners) // 150):
        body = f"936{3001 + i % 9000:04d}13{i % 1000:03d}"
        rows.append([f"9{i:06d}", check_letter(body) + body, f"Quennell{i}", "Ottoline",
                     date(2013, 10, 1 + i % 28), "F", 7, ""])  # fmt: skip
    return rows


def write_file(path: Path, rows: list[list[object]]) -> Path:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADINGS)
            for row in rows:
                born = row[4]
                writer.writerow([*row[:4], f"{born:%d/%m/%Y}", *row[5:]])  # type: ignore[str-format]
        return path
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Students")
    sheet.append(HEADINGS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def measure(learners: int, suffix: str, runs: int, folder: Path) -> tuple[Any, dict[str, int]]:
    from planit_desktop.model.db import open_database
    from planit_desktop.model.services import reconcile
    from planit_desktop.model.services.importing import check_table, load_context, read_table

    db_path = make_demo_database(folder / f"school-{learners}.db", learners)
    database = open_database(f"sqlite:///{db_path}")
    try:
        actor = administrator_of(database)
        path = write_file(folder / f"roll-{learners}{suffix}", roll_rows(database))
        counts: dict[str, int] = {}

        def comparison() -> None:
            table = reconcile.read_roll_file(path)
            with database.read() as session:
                roll = reconcile.load_roll(session, actor)
            result = reconcile.compare(table, roll)
            counts.update({c.value: n for c, n in result.counts().items()})
            counts["rows"] = len(result.rows)

        def import_check() -> None:
            # The same file, allowed the same number of rows as a whole roll may hold.
            table = read_table(path, max_rows=reconcile.MAX_ROLL_ROWS)
            with database.read() as session:
                context = load_context(session, today=TODAY)
            check_table(table, context)

        return side_by_side(comparison, import_check, runs=runs), counts
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    args = parser.parse_args()
    small, large = (1_000, 5_000) if args.quick else (2_000, 100_000)
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as name:
        folder = Path(name)
        timing, counts = measure(small, ".xlsx", args.runs, folder)
        report(
            f"Check against the MIS: a {small:,}-row .xlsx against a {small:,}-learner school",
            {
                "comparison (median)": timing.a_median,
                "import's check of the same file (median)": timing.b_median,
                "comparison ÷ import's check (median of pairs)": f"{timing.ratio:.2f}",
                **{f"found: {k}": v for k, v in counts.items()},
                "median": timing.a_median,
            },
            limit=INTERACTIVE_SECONDS,
        )
        timing, counts = measure(large, ".csv", max(3, args.runs // 2), folder)
        report(
            f"Check against the MIS: a {large:,}-row .csv against a {large:,}-learner school",
            {
                "comparison (median)": timing.a_median,
                "import's check of the same file (median)": timing.b_median,
                **{f"found: {k}": v for k, v in counts.items()},
            },
            ratio=timing.ratio,
            limit=RATIO_LIMIT,
        )


if __name__ == "__main__":
    main()
