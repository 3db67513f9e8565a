"""``planit-desktop summary [--db …] [--json]``: the school at a glance."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from planit_desktop.commands import add_db_option
from planit_desktop.model.calendar import format_academic_year

if TYPE_CHECKING:  # --help imports this module: it loads no database layer
    from planit_desktop.model.services.school import SchoolSummary


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "summary",
        help="print the school's learners per year group, groups, staff and access",
        description="Print the school name, academic year, learners on roll per year group, "
        "left and completed learners, learners joining next year, groups, staff by role and "
        "this year's supervisor access.",
    )
    add_db_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planit_desktop.commands import open_for_command
    from planit_desktop.model.services.school import summarise

    database = open_for_command(args)
    try:
        with database.read() as session:
            summary = summarise(session)
    finally:
        database.dispose()
    if args.json:
        print(json.dumps(summary.to_json(), indent=2, ensure_ascii=False))
    else:
        print(format_summary(summary))
    return 0


def format_summary(summary: SchoolSummary) -> str:
    """A short plain-text report of the summary, as the command prints it."""
    lines = [
        summary.school,
        f"Academic year {summary.academic_year_text}",
        "",
        f"Learners on roll: {summary.on_roll:,}",
    ]
    lines += [f"  Year {year:<3} {count:>8,}" for year, count in summary.learners_by_year.items()]
    lines += [
        f"Left (not at my provider): {summary.left:,}",
        f"Completed Year {summary.highest_year}: {summary.completed:,}",
    ]
    if summary.joining:
        joining_in = format_academic_year(summary.academic_year + 1)
        lines.append(f"Joining in {joining_in} (not on roll yet): {summary.joining:,}")
        lines += [f"  Year {year:<3} {n:>8,}" for year, n in summary.joining_by_year.items()]
    lines += [
        "",
        f"Groups: {summary.groups:,}",
        f"Staff: {_count(summary.administrators, 'administrator')}, "
        f"{_count(summary.supervisors, 'supervisor')} (active)",
        f"Supervisor access for {summary.academic_year_text}: "
        f"{_count(summary.supervisor_access, 'group assignment')}",
    ]
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
