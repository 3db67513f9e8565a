"""The duplicate check of an import when one date of birth is crowded (issue 11).

10,000 rows that all share one date of birth (a file whose dates were filled in with one
placeholder) are checked side by side (A B A B …) with the same 10,000 rows spread over the
five years of Years 7–11, both against the same school of 10,000 learners. The names come
from the demo school's pools, so first names and surnames recur (accents and hyphens
included), and one row in twenty is a near copy of an earlier one: a first letter mistyped,
the names swapped, an accent dropped, a letter missing. Checking such rows was quadratic:
1,000 of them took 110 s and 1.2 GB.

1. The duplicate check alone (``find_duplicates``), one date against spread. Target ≤ 3.
2. The whole check of the file (``check_table``: every cell, then the duplicates). Target ≤ 3.
3. The worst case, for information: the school's 10,000 learners born on that date too.

All are pure (the school's keys are built in memory, as ``load_context`` would read them),
so the figures are the check's own. ``--quick`` uses 2,000 rows and learners.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta

from _common import report, side_by_side

RATIO_LIMIT = 3.0
TODAY = date(2026, 1, 15)
#: The crowded date: a Year 7 birthday in 2025/26.
CROWDED = date(2013, 12, 1)
#: Years 7–11 in 2025/26 were born from 1 September 2009 to 31 August 2014.
FIRST_BIRTHDAY = date(2009, 9, 1)
SPREAD_DAYS = (date(2014, 8, 31) - FIRST_BIRTHDAY).days + 1


def _pools() -> list[object]:
    from planit_desktop.model.services.demo import names as demo_names

    return [pool for _code, weight, pools in demo_names.ETHNICITY_MIX for pool in pools * weight]


def _near_copy(first: str, surname: str, rng: random.Random) -> tuple[str, str]:
    """What a second entry of the same learner looks like."""
    way = rng.randrange(4)
    if way == 0:  # the first letter mistyped
        return ("K" if first[0] != "K" else "C") + first[1:], surname
    if way == 1:  # the names swapped
        return surname, first
    if way == 2:  # accents dropped, or the name typed in capitals
        import unicodedata

        plain = unicodedata.normalize("NFKD", surname).encode("ascii", "ignore").decode()
        return first, plain if plain != surname else surname.upper()
    cut = rng.randrange(1, max(len(surname) - 1, 2))  # a letter missing
    return first, surname[:cut] + surname[cut + 1 :]


def learners(count: int, *, crowded: bool, seed: int) -> list[tuple[str, str, date]]:
    """(first names, surname, date of birth) of ``count`` learners, as a roll mixes names.

    A near copy keeps the date of birth of the learner it copies, on a spread roll too: it
    is the same learner entered twice, and both rolls hold the same near copies.
    """
    rng = random.Random(seed)
    pools = _pools()
    drawn: list[tuple[str, str, date]] = []
    for _ in range(count):
        if drawn and rng.random() < 0.05:
            first, surname, born = rng.choice(drawn)
            drawn.append((*_near_copy(first, surname, rng), born))
            continue
        pool = rng.choice(pools)
        first = rng.choice(pool.girls + pool.boys)  # type: ignore[attr-defined]
        surname = rng.choice(pool.surnames)  # type: ignore[attr-defined]
        day = rng.randrange(SPREAD_DAYS)  # drawn on both rolls, so the names are the same
        born = CROWDED if crowded else FIRST_BIRTHDAY + timedelta(days=day)
        drawn.append((first, surname, born))
    return drawn


def school(count: int, *, crowded: bool) -> object:
    """The keys of a school's ``count`` learners, as ``load_existing`` builds them."""
    from planit_desktop.model.services.importing.duplicates import ExistingLearners

    existing = ExistingLearners()
    by_birthday: dict[date, list[tuple[int, str, str, date, str, str]]] = {}
    for number, (first, surname, born) in enumerate(
        learners(count, crowded=crowded, seed=2), start=1
    ):
        known = (number, first, surname, born, "on_roll", f"learner{number}")
        existing.by_upn[f"UPN{number:07d}"] = known
        by_birthday.setdefault(born, []).append(known)
    existing.by_birthday = by_birthday
    existing.count = count
    return existing


def table(count: int, *, crowded: bool) -> object:
    """A file of ``count`` Year 7–11 learners, read as a CSV would be."""
    from planit_desktop.model.services.importing.headers import build_table
    from planit_desktop.model.services.importing.table import SourceKind

    header = ["First Names", "Surnames", "Date of Birth", "Year Group", "Gender", "SIMS Number"]
    rows: list[tuple[int, list[object]]] = [(1, list(header))]
    for number, (first, surname, born) in enumerate(
        learners(count, crowded=crowded, seed=5), start=2
    ):
        # The year group that fits the date of birth, so no row is an error for it.
        year = 7 + 2013 - (born.year if born.month >= 9 else born.year - 1)
        values = [first, surname, born, f"Year {year}", "FM"[number % 2], f"S{number:06d}"]
        rows.append((number, values))
    return build_table(rows, source_name="bench.csv", kind=SourceKind.CSV)


def context(existing: object) -> object:
    from planit_desktop.model.services.importing.checking import CheckContext, SchoolFacts

    facts = SchoolFacts(lowest_year=7, highest_year=11, academic_year=2025, groups={})
    return CheckContext(school=facts, existing=existing, today=TODAY)  # type: ignore[arg-type]


def candidates(source: object) -> list[object]:
    from planit_desktop.model.services.importing.cells import check_row
    from planit_desktop.model.services.importing.duplicates import Candidate

    facts = context(None).school  # type: ignore[attr-defined]
    found: list[object] = []
    for row in source.rows:  # type: ignore[attr-defined]
        draft, _messages = check_row(source, row, facts, TODAY)  # type: ignore[arg-type]
        if draft is not None:
            found.append(
                Candidate(
                    row.number,
                    draft.first_names,
                    draft.surname,
                    draft.date_of_birth,
                    draft.upn,
                    draft.sims_number,
                )
            )
    return found


def main() -> None:
    from planit_desktop.model.services.importing.checking import check_table
    from planit_desktop.model.services.importing.duplicates import find_duplicates

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    args = parser.parse_args()
    count = 2_000 if args.quick else 10_000
    crowded_table, spread_table = table(count, crowded=True), table(count, crowded=False)
    crowded_school, spread_school = school(count, crowded=True), school(count, crowded=False)
    crowded_rows, spread_rows = candidates(crowded_table), candidates(spread_table)
    assert len(crowded_rows) == len(spread_rows) == count, "every row must be checkable"

    found = find_duplicates(crowded_rows, spread_school)  # type: ignore[arg-type]
    comparison = side_by_side(
        lambda: find_duplicates(crowded_rows, spread_school),  # type: ignore[arg-type]
        lambda: find_duplicates(spread_rows, spread_school),  # type: ignore[arg-type]
        runs=args.runs,
    )
    report(
        f"Duplicate check: {count:,} rows on one date vs spread, against {count:,} learners",
        {
            "one date (median)": comparison.a_median,
            "spread (median)": comparison.b_median,
            "duplicates listed (one date)": sum(len(d) for d in found.values()),
        },
        ratio=comparison.ratio,
        limit=RATIO_LIMIT,
    )
    school_context = context(spread_school)
    whole = side_by_side(
        lambda: check_table(crowded_table, school_context),  # type: ignore[arg-type]
        lambda: check_table(spread_table, school_context),  # type: ignore[arg-type]
        runs=args.runs,
    )
    report(
        f"Whole check of the file: {count:,} rows on one date vs spread",
        {"one date (median)": whole.a_median, "spread (median)": whole.b_median},
        ratio=whole.ratio,
        limit=RATIO_LIMIT,
    )
    found = find_duplicates(crowded_rows, crowded_school)  # type: ignore[arg-type]
    worst = side_by_side(
        lambda: find_duplicates(crowded_rows, crowded_school),  # type: ignore[arg-type]
        lambda: find_duplicates(spread_rows, spread_school),  # type: ignore[arg-type]
        runs=args.runs,
    )
    report(
        f"Worst case: the school's {count:,} learners on that date too, vs both spread",
        {
            "one date (median)": worst.a_median,
            "spread (median)": worst.b_median,
            "duplicates listed (one date)": sum(len(d) for d in found.values()),
        },
        ratio=worst.ratio,
    )


if __name__ == "__main__":
    main()
