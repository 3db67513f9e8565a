"""``planit-desktop rollover``: preview, apply, undo or report the year-end rollover.

Exit status: 0 done; 1 refused (already done, too early, learners edited or added since,
groups renamed since, nothing to undo, the database busy with another rollover); 2 unusable
input (an unknown UPN, bad arguments, a database that cannot be opened).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from planit_desktop.commands import (
    SIGN_IN_HELP,
    add_db_option,
    add_sign_in_options,
    command_actor,
    open_for_command,
)
from planit_desktop.model.errors import DatabaseUnavailable, InvalidInput, NotFound, Refused


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rollover",
        help="preview, apply, undo or report the year-end rollover",
        description="The year-end rollover: learners move up a year group, the top year "
        "completes, supervisors' access for the ending year ends, the academic year "
        "advances; group names stay as they are. A backup is written first, and the wizard's "
        "saved choices are discarded; --undo also puts back every group name the year end "
        "changed. --preview with --keep-back and --left shows the names proposed for groups "
        "from the year groups their learners will be in. Only "
        "administrators may run it. --preview "
        "only reads, without signing in; --apply, --undo and --report change the school or "
        f"write its learners' data to a file, so they sign in first. {SIGN_IN_HELP}",
    )
    add_db_option(parser)
    add_sign_in_options(parser)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--preview", action="store_true", help="show what would change")
    action.add_argument("--apply", action="store_true", help="roll over to the next year")
    action.add_argument("--undo", action="store_true", help="undo the latest rollover")
    action.add_argument("--report", metavar="OUT.xlsx", help="write the rollover report")
    parser.add_argument(
        "--keep-back",
        metavar="UPN,…",
        default="",
        help="with --apply or --preview: learners kept back",
    )
    parser.add_argument(
        "--left",
        metavar="UPN,…",
        default="",
        help="with --apply or --preview: learners who have left",
    )
    parser.add_argument(
        "--left-reason", metavar="TEXT", default=None, help="reason recorded for --left"
    )
    parser.add_argument(
        "--allow-early", action="store_true", help="allow the rollover before 1 August"
    )
    parser.add_argument(
        "--keep-edited",
        action="store_true",
        help="with --undo: undo even if some learners were edited since (they stay as they are)",
    )
    parser.add_argument(
        "--move-added-back",
        action="store_true",
        help="with --undo: undo even if learners were added since the rollover (imported or "
        "created in class); they move back a year group with the school, so that doing the "
        "year end again puts them back where they were added",
    )
    parser.add_argument(
        "--keep-renamed",
        action="store_true",
        help="with --undo: undo even if groups the year end renamed were renamed again since "
        "(or their old names taken); they keep their names, every other name is put back",
    )
    parser.add_argument("--run", type=int, default=None, help="with --report: which rollover")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def _upns(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _check_arguments(args: argparse.Namespace) -> None:
    if not (args.apply or args.preview) and (args.keep_back or args.left or args.left_reason):
        raise InvalidInput("--keep-back, --left and --left-reason go with --apply or --preview.")
    if args.allow_early and not args.apply:
        raise InvalidInput("--allow-early goes with --apply.")
    if (args.keep_edited or args.move_added_back or args.keep_renamed) and not args.undo:
        raise InvalidInput("--keep-edited, --move-added-back and --keep-renamed go with --undo.")
    if args.run is not None and args.report is None:
        raise InvalidInput("--run goes with --report.")


def run(args: argparse.Namespace) -> int:
    _check_arguments(args)
    database = open_for_command(args)
    try:
        if args.preview:
            return _preview(database, args)
        if args.apply:
            return _busy_is_refusal(_apply, database, args)
        if args.undo:
            return _busy_is_refusal(_undo, database, args)
        return _report(database, args)
    finally:
        database.dispose()


def _busy_is_refusal(step: Any, database: Any, args: argparse.Namespace) -> int:
    """Another rollover (or program) holding the database is a refusal, not bad input."""
    try:
        return int(step(database, args))
    except DatabaseUnavailable as error:
        if "busy" not in error.message:
            raise
        raise Refused(
            f"{error.message} (Perhaps another rollover is running.) Nothing was changed."
        ) from error


def _print(lines: Iterable[str]) -> None:
    for line in lines:
        print(line)


def _choices(session: Any, args: argparse.Namespace) -> Any:
    """The year-end choices given by --keep-back, --left and --left-reason."""
    from planit_desktop.model.services.year_end import (
        LeavingDetails,
        YearEndChoices,
        resolve_upns,
    )

    try:
        kept = resolve_upns(session, _upns(args.keep_back))
        leaving = resolve_upns(session, _upns(args.left))
    except NotFound as error:
        raise InvalidInput(error.message) from error
    details = LeavingDetails(reason=args.left_reason) if args.left_reason else LeavingDetails()
    return YearEndChoices(
        kept_back=frozenset(kept.values()),
        leaving=dict.fromkeys(leaving.values(), details),
    )


def _preview(database: Any, args: argparse.Namespace) -> int:
    from planit_desktop.model.services.year_end.plan import read_rollover_plan

    with database.read() as session:
        plan = read_rollover_plan(session, _choices(session, args))
    if args.json:
        print(json.dumps(plan.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(_plan_lines(plan.to_json(), "would"))
    return 0


def _plan_lines(data: dict[str, Any], verb: str) -> list[str]:
    lines = [
        f"Rollover from {data['from_year']} to {data['to_year']}: learners {verb} move as follows.",
        f"  {data['moving_up']} move up one year group; {data['completed']} complete "
        f"Year {data['completed_year_group']}; {len(data['kept_back'])} kept back; "
        f"{len(data['left'])} leave; {data.get('joining', 0)} joining put on roll.",
        "  On roll by year group before → after: "
        + ", ".join(
            f"Y{year}: {count} → {data['learners_by_year_after'].get(year, 0)}"
            for year, count in data["learners_by_year_before"].items()
        ),
        f"  Supervisor access ending: {sum(len(a['groups']) for a in data['access_removed'])} "
        f"group assignments of {len(data['access_removed'])} staff; administrators keep "
        "full access.",
    ]
    renames = [r for r in data["group_renames"] if r["to"]]
    if renames and verb == "would":
        lines.append(
            "  Group names stay as they are unless you choose; names proposed from the year "
            "groups their learners will be in: "
            + ", ".join(f"{r['from']} → {r['to']} ({_years(r)})" for r in renames)
        )
    lines += [
        f"  Group {r['from']}: {r['note']}"
        for r in data["group_renames"]
        if not r["to"] and (r.get("mixed") or r.get("ambiguous")) and verb == "would"
    ]
    lines += [f"  Check: {problem['message']}" for problem in data["problems"]]
    return lines


def _years(rename: dict[str, Any]) -> str:
    years = rename.get("years_after") or {}
    if not years:
        return "nobody left on roll"
    return ", ".join(f"Y{year}: {count}" for year, count in years.items())


def _apply(database: Any, args: argparse.Namespace) -> int:
    from planit_desktop.model.services.school import get_school
    from planit_desktop.model.services.year_end.run import run_year_end

    # A damaged file is refused before anyone signs in to change it (signing in writes).
    database.check_integrity()
    actor = command_actor(args, database, "run the year-end rollover")
    # The year this command means to roll over out of, read before waiting for the write
    # lock: if another rollover gets there first, this one is refused, not done twice.
    with database.read() as session:
        from_year = get_school(session).academic_year
    with database.begin() as session:
        choices = _choices(session, args)
        # The window's way in: the backup, the rollover, and the wizard's draft discarded.
        outcome = run_year_end(
            session, actor, choices, from_year=from_year, allow_early=args.allow_early
        )
    data = outcome.to_json()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print(_plan_lines(data, "did"))
        print(f"Done: the school is now in {data['academic_year']}.")
        print(f"Backup: {data['backup']}")
    return 0


def _undo(database: Any, args: argparse.Namespace) -> int:
    from planit_desktop.model.services.year_end import LearnersAddedSince
    from planit_desktop.model.services.year_end.rule import moved_back
    from planit_desktop.model.services.year_end.run import GroupsRenamedSince, undo_year_end

    # The undo finds its learners through the indexes; a damaged file is refused before
    # anyone signs in to change it (signing in writes).
    database.check_integrity()
    actor = command_actor(args, database, "undo the year-end rollover")
    try:
        with database.begin() as session:
            # The window's way out: the group renames made with the rollover go back too.
            undone = undo_year_end(
                session,
                actor,
                keep_edited=args.keep_edited,
                move_added_back=args.move_added_back,
                keep_renamed=args.keep_renamed,
            )
    except LearnersAddedSince as refused:
        raise Refused(
            f"{refused.message} To undo and move them back, give --move-added-back."
        ) from refused
    except GroupsRenamedSince as refused:
        raise Refused(
            f"{refused.message} To undo and leave them as they are, give --keep-renamed."
        ) from refused
    data, result = undone.to_json(), undone.undo
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(
            f"Rollover undone: the school is back in {data['academic_year']}; "
            f"{result.learners_restored} learners restored, {result.access_reopened} group "
            "access re-opened."
        )
        for row in result.edited:
            print(f"  Left as edited since: {row.name} ({row.upn or 'no UPN'})")
        for added in result.added:
            print(
                f"  Added since ({added.how}), moved back from Year {added.year_group} to "
                f"Year {moved_back(added.year_group)}: {added.name} ({added.upn or 'no UPN'})"
            )
        if undone.renames_undone is not None:
            print(
                "  Group names put back: "
                + ", ".join(f"{r.old} → {r.new}" for r in undone.renames_undone.renamed)
            )
        for left in undone.names_left:
            print(f"  Group name not put back: {left.describe()}")
    return 0


def _report(database: Any, args: argparse.Namespace) -> int:
    from planit_desktop.model.personal_files import write_report
    from planit_desktop.model.services.year_end import REPORT_WHAT, write_rollover_report

    actor = command_actor(args, database, "write the rollover report")
    path = write_report(
        database,
        actor,
        what=REPORT_WHAT,
        write=lambda session: write_rollover_report(session, actor, args.run, Path(args.report)),
    )
    if args.json:
        print(json.dumps({"report": str(path)}))
    else:
        print(f"Report written to {path}", file=sys.stdout)
    return 0
