"""``planit-desktop export learners OUT.xlsx`` and ``export support-requests OUT.xlsx``.

Exit status: 0 written; 1 refused (nothing to export); 2 a file that cannot be written
there, or unusable arguments, with one line saying why. Files are written whole or not at
all, and no text in them can become a formula.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from planit_desktop.commands import SIGN_IN_HELP, add_db_option, add_sign_in_options
from planit_desktop.model.errors import InvalidInput, Refused
from planit_desktop.model.wording import count_of


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write learners or support requests to a workbook",
        description="Write the school's learners, or the support requests for the School "
        f"Support Team, to an .xlsx workbook. Each signs in first. {SIGN_IN_HELP}",
    )
    add_db_option(parser)
    parser.set_defaults(func=_no_kind)
    kinds = parser.add_subparsers(title="what to export", metavar="WHAT")

    learners = kinds.add_parser(
        "learners",
        help="every learner on roll (and those who left, with --include-left)",
        description="Write every learner on roll to OUT.xlsx: names, date of birth, year "
        "group, groups, UPN, SIMS number, status and login name (a supervisor: the learners "
        f"in their groups). It signs in first. {SIGN_IN_HELP}",
    )
    learners.add_argument("out", metavar="OUT.xlsx", help="the workbook to write")
    add_db_option(learners)
    add_sign_in_options(learners)
    learners.add_argument(
        "--include-left", action="store_true", help="also learners who left or completed"
    )
    learners.set_defaults(func=run_learners)

    requests = kinds.add_parser(
        "support-requests",
        help="corrections to send to the School Support Team; marks them sent",
        description="Write the unsent support requests (corrected learner details) to "
        "OUT.xlsx for the School Support Team, and mark them sent. Administrators only; it "
        f"signs in first. {SIGN_IN_HELP}",
    )
    requests.add_argument("out", metavar="OUT.xlsx", help="the workbook to write")
    add_db_option(requests)
    add_sign_in_options(requests)
    requests.add_argument(
        "--all", action="store_true", help="include requests already sent (marked sent again)"
    )
    requests.add_argument(
        "--dfe-number",
        metavar="LAESTAB",
        help="record the school's DfE number first (local authority code and establishment "
        "number, e.g. 123/4567); the workbook needs it once",
    )
    requests.set_defaults(func=run_support_requests)


def _no_kind(args: argparse.Namespace) -> int:
    raise InvalidInput("Say what to export: learners or support-requests (see export --help).")


def writable_target(text: str) -> Path:
    """The .xlsx file to write, or InvalidInput saying in one line why it cannot be."""
    target = Path(text).expanduser()
    if target.suffix.lower() != ".xlsx":
        raise InvalidInput(f"The file to write must end in .xlsx, not “{target.name}”.")
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput(f"{target} cannot be written: the folder {folder} does not exist.")
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; give a file name ending in .xlsx.")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise InvalidInput(f"{target} cannot be written: choose a folder you can write to.")
    return target


def run_learners(args: argparse.Namespace) -> int:
    from planit_desktop.commands import command_actor, open_for_command
    from planit_desktop.model.services.learners.exporting import export_learners
    from planit_desktop.model.services.learners.roll import list_learners

    target = writable_target(args.out)
    database = open_for_command(args)
    try:
        # Supervisors may, as in the window: the export holds only the learners they can see.
        actor = command_actor(args, database, "export learners", administrators_only=False)
        # Read first, then write the file in a short transaction that only records the export.
        with database.read() as session:
            rows = list_learners(session, actor, include_left=args.include_left)
        with database.begin() as session:
            try:
                written = export_learners(session, actor, target, rows=rows)
            except Refused as error:  # the file could not be saved after all
                raise InvalidInput(error.message) from error
    finally:
        database.dispose()
    print(f"Wrote {len(rows):,} learners to {written}.")
    return 0


def run_support_requests(args: argparse.Namespace) -> int:
    from planit_desktop.commands import command_actor, open_for_command
    from planit_desktop.model.services.learners.support_requests import export_support_requests
    from planit_desktop.model.services.school import (
        SchoolDetailsMissing,
        parse_dfe_number,
        set_school_details,
    )

    target = writable_target(args.out)
    dfe_number = parse_dfe_number(args.dfe_number) if args.dfe_number else None
    database = open_for_command(args)
    try:
        actor = command_actor(args, database, "export support requests")
        with database.begin() as session:
            if dfe_number is not None:
                la_code, establishment = dfe_number
                set_school_details(
                    session, actor, la_code=la_code, establishment_number=establishment
                )
            try:
                result = export_support_requests(session, actor, target, only_unsent=not args.all)
            except SchoolDetailsMissing as error:
                raise Refused(
                    "The School Support Team finds a school by its DfE number, which is not "
                    "recorded yet: export again with --dfe-number 123/4567 (the local "
                    "authority code and establishment number)."
                ) from error
    finally:
        database.dispose()
    print(
        f"Wrote {count_of(result.count, 'support request')} to {result.path}; "
        f"{'it is' if result.count == 1 else 'they are'} marked sent."
    )
    return 0
