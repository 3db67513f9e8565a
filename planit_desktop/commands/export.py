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

    target = writable_target(args.out)
    database = open_for_command(args)
    try:
        actor = command_actor(args, database, "export support requests")
        with database.begin() as session:
            result = export_support_requests(session, actor, target, only_unsent=not args.all)
    finally:
        database.dispose()
    print(f"Wrote {result.count:,} support requests to {result.path}; they are marked sent.")
    return 0
