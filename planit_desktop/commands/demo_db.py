"""``planit-desktop demo-db PATH``: make a demo school database to try things on.

A new file is built under a temporary name and renamed when complete, so an interrupted run
never leaves a half-made database under the name asked for. An existing file is only used
if it is an empty Plan-it database; anything else is refused before it is touched.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from planit_desktop.model.errors import InvalidInput, Refused

if TYPE_CHECKING:  # --help imports this module: it loads no database layer
    from planit_desktop.model.services.demo.school import DemoSchool

# Tables that hold a school's data: any row in one means the database is in use.
_DATA_TABLES = ("school", "learner", "learner_group", "staff", "subject")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo-db",
        help="create a demo school database",
        description="Create a realistic demo school in a new database file (or an empty "
        "Plan-it database) and print the demo staff sign-in details.",
    )
    parser.add_argument("path", metavar="PATH", help="the database file to create")
    # Numbers are checked by the command, not argparse, so a mistake reads as one line.
    parser.add_argument("--learners", metavar="N", default="1000", help="learners on roll")
    parser.add_argument("--seed", metavar="S", default="1", help="same seed, same school")
    parser.add_argument(
        "--academic-year", metavar="YEAR", default="2025/26", help="e.g. 2025/26 (the default)"
    )
    parser.add_argument("--school-name", metavar="NAME", help="the demo school's name")
    parser.set_defaults(func=run)


def _whole_number(text: str, what: str) -> int:
    try:
        return int(text.replace(",", "").replace("_", "").strip())
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number, not “{text}”.") from None


def run(args: argparse.Namespace) -> int:
    from planit_desktop.config import hide_password, is_url, resolve_database
    from planit_desktop.model.calendar import parse_academic_year
    from planit_desktop.model.services.demo.school import MAX_LEARNERS

    learners = _whole_number(args.learners, "--learners")
    if not 1 <= learners <= MAX_LEARNERS:
        raise InvalidInput(f"--learners must be between 1 and {MAX_LEARNERS:,}, not {learners:,}.")
    seed = _whole_number(args.seed, "--seed")
    academic_year = parse_academic_year(args.academic_year)
    if args.school_name is not None and not args.school_name.strip():
        raise InvalidInput("--school-name must not be empty.")

    options = {
        "learners": learners,
        "seed": seed,
        "academic_year": academic_year,
        "school_name": args.school_name,
    }
    if is_url(args.path):
        made = _make(args.path, options)
        where = hide_password(args.path)
    else:
        path = Path(args.path).expanduser().resolve()
        if path.exists():
            _check_existing(path)
            made = _make(resolve_database(str(path)), options)
        else:
            made = _make_new_file(path, options)
        where = str(path)
    _print_report(made, where)
    return 0


def _check_existing(path: Path) -> None:
    """Refuse, without changing it, a file that is not an empty Plan-it database."""
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder, not a database file.")
    if path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise InvalidInput(f"{path} is not a Plan-it database; it was left as it is.")
    try:
        # Read-only, so that not even the journal mode of someone else's file changes.
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
            if tables and "alembic_version" not in tables:
                raise InvalidInput(f"{path} is not a Plan-it database; it was left as it is.")
            in_use = any(
                connection.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone()
                for table in _DATA_TABLES
                if table in tables
            )
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise InvalidInput(f"{path} cannot be read as a Plan-it database ({error}).") from None
    if in_use:
        raise InvalidInput(
            f"{path} already holds a school's data, so no demo school was added. "
            "Give a new file name; nothing was changed."
        )


def _make(url: str, options: dict[str, object]) -> DemoSchool:
    from planit_desktop.model.actor import Actor
    from planit_desktop.model.db import open_database
    from planit_desktop.model.services.demo.school import create_demo_school

    database = open_database(url)
    try:
        with database.begin() as session:
            # A new file has no staff to sign in as: it is made by its founder (no sign-in).
            return create_demo_school(session, actor=Actor.founder(), **options)  # type: ignore[arg-type]
    except Refused as refused:
        # For this command a database in use is unusable input, like any other wrong path.
        raise InvalidInput(refused.message) from None
    finally:
        database.dispose()


def _make_new_file(path: Path, options: dict[str, object]) -> DemoSchool:
    """Build into ``PATH.part`` beside the target, then rename: all or nothing."""
    from planit_desktop.config import sqlite_url

    if not path.parent.is_dir():
        raise InvalidInput(
            f"The folder {path.parent} does not exist, so no database can be made there."
        )
    partial = path.with_name(path.name + ".part")
    leftovers = [partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))]
    for leftover in leftovers:  # from an earlier run that was killed
        leftover.unlink(missing_ok=True)
    try:
        made = _make(sqlite_url(partial), options)
        os.replace(partial, path)
    except BaseException:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        raise
    return made


def _print_report(made: DemoSchool, where: str) -> None:
    from planit_desktop.model.calendar import format_academic_year

    admins, supervisors = made.administrators, made.supervisors
    print(f"Made the demo school “{made.school_name}” in {where}")
    print(f"  academic year      {format_academic_year(made.academic_year)}")
    print(f"  learners on roll   {made.learners:,} (Years 7–11)")
    print(f"  also on record     {made.left:,} left, {made.completed:,} completed last year")
    print(f"  groups             {made.groups:,}; subjects {made.subjects}")
    print(f"  staff              {len(admins)} administrators, {len(supervisors)} supervisors")
    print()
    print("Sign-in details of the demo staff accounts:")
    for line in made.sign_in_details():
        print(f"  {line}")
    print("These passwords are public: use the demo school for trying things out only.")
