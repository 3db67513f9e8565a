"""``planit-desktop reconcile FILE``: check Plan-it against the school's whole roll from its MIS.

Exit status, as for the import: 0 compared (and applied what was asked); 1 the file was refused
(not a whole roll, another school's, nothing that identifies its learners), a service refused
the apply, the new learners have rows with errors, or a password file could not be written
(nothing changed in each case); 2 an unreadable file or unusable arguments; 130 Ctrl-C.

The comparison shows Plan-it's learners beside the file's, so even ``--dry-run`` signs in (as an
administrator): it changes nothing, and is recorded for the Year End checklist's hints.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from planit_desktop.commands import (
    SIGN_IN_HELP,
    add_db_option,
    add_sign_in_options,
    command_actor,
    open_for_command,
)
from planit_desktop.commands.import_learners import _check_output, deliver_import
from planit_desktop.model.errors import InvalidInput

#: --apply-… option → the category it accepts (every row that can be accepted as proposed).
APPLY_OPTIONS = {
    "apply_leavers": "not_in_mis",
    "apply_groups": "groups_differ",
    "apply_corrections": "details_differ",
    "apply_year_groups": "year_group_differs",
    "apply_reinstate": "reinstate",
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "reconcile",
        help="check Plan-it against the school's whole roll from its MIS",
        description="Compare Plan-it with the school's whole roll exported from its MIS "
        "(xlsx, xls, ods, csv, or a Common Transfer File of the school's own pupils): new "
        "learners, learners probably left, year groups and tutor groups that differ, details "
        "to correct, leavers back on the roll, and rows that could be more than one learner. "
        "--dry-run only compares; otherwise each --apply-… option applies its category "
        "(every row that can be applied as proposed) in one transaction, and --import-new "
        "imports the new learners as one batch with temporary passwords. Only administrators "
        "may compare, since the comparison shows Plan-it's learners: every run signs in. "
        + SIGN_IN_HELP,
    )
    parser.add_argument("file", metavar="FILE", help=".xlsx, .xlsm, .xls, .ods, .csv or .xml")
    add_db_option(parser)
    add_sign_in_options(parser)
    parser.add_argument("--sheet", metavar="NAME", help="the worksheet to read")
    parser.add_argument("--dry-run", action="store_true", help="compare only; change nothing")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    apply = parser.add_argument_group("what to apply (without --dry-run)")
    apply.add_argument(
        "--apply-leavers",
        action="store_true",
        help="mark the learners not in the file as Not at my provider (see --left-on, --reason)",
    )
    apply.add_argument(
        "--apply-groups", action="store_true", help="move learners to the file's tutor groups"
    )
    apply.add_argument(
        "--apply-corrections",
        action="store_true",
        help="correct names, dates of birth, UPNs and SIMS numbers, with support requests",
    )
    apply.add_argument(
        "--apply-year-groups",
        action="store_true",
        help="before the year end: keep back at it; after: correct the year group (with a "
        "support request)",
    )
    apply.add_argument(
        "--correct-year-groups",
        action="store_true",
        help="with --apply-year-groups: correct the year group even before the year end",
    )
    apply.add_argument(
        "--apply-reinstate", action="store_true", help="put leavers on the file's roll back on roll"
    )
    apply.add_argument(
        "--import-new",
        action="store_true",
        help="import the new learners (needs --passwords-out or --slips-out)",
    )
    apply.add_argument("--passwords-out", metavar="OUT.xlsx", help="password list workbook")
    apply.add_argument("--slips-out", metavar="OUT.pdf", help="printable password slips")
    apply.add_argument(
        "--left-on", metavar="DD/MM/YYYY", help="with --apply-leavers: the day they left (today)"
    )
    apply.add_argument(
        "--reason", metavar="TEXT", help="with --apply-leavers: why (Not at my provider)"
    )
    parser.add_argument("--report", metavar="OUT.xlsx", help="write the comparison's report")
    parser.set_defaults(func=run)


def _check_arguments(args: argparse.Namespace) -> list[str]:
    """The categories asked for; InvalidInput for options that do not go together."""
    categories = [category for option, category in APPLY_OPTIONS.items() if getattr(args, option)]
    if args.dry_run and (categories or args.import_new):
        raise InvalidInput(
            "--dry-run changes nothing: it does not go with --apply-… or --import-new."
        )
    if args.correct_year_groups and not args.apply_year_groups:
        raise InvalidInput("--correct-year-groups goes with --apply-year-groups.")
    if (args.left_on or args.reason) and not args.apply_leavers:
        raise InvalidInput("--left-on and --reason go with --apply-leavers.")
    if (args.passwords_out or args.slips_out) and not args.import_new:
        raise InvalidInput("--passwords-out and --slips-out go with --import-new.")
    if args.import_new and not (args.passwords_out or args.slips_out):
        raise InvalidInput(
            "Give --passwords-out OUT.xlsx or --slips-out OUT.pdf (or both) with --import-new: "
            "the new learners' temporary passwords are shown only once. Nothing was changed."
        )
    if not args.dry_run and not categories and not args.import_new and not args.report:
        raise InvalidInput(
            "Say what to apply (--apply-leavers, --apply-groups, --apply-corrections, "
            "--apply-year-groups, --apply-reinstate, --import-new), or give --dry-run to "
            "compare only. Nothing was changed."
        )
    return categories


def _left_on(text: str | None) -> date | None:
    if text is None:
        return None
    from planit_desktop.model.validation.dates import parse_date

    try:
        return parse_date(text)
    except InvalidInput as error:
        raise InvalidInput(f"--left-on: {error.message}") from None


def run(args: argparse.Namespace) -> int:
    from planit_desktop.model.services import reconcile
    from planit_desktop.model.services.reconcile import Category, Review
    from planit_desktop.model.services.reconcile.as_data import review_as_data
    from planit_desktop.model.services.reconcile.roll import TASK

    categories = _check_arguments(args)
    left_on = _left_on(args.left_on)
    passwords_out = _check_output(args.passwords_out, ".xlsx", "--passwords-out")
    slips_out = _check_output(args.slips_out, ".pdf", "--slips-out")
    report_out = _check_output(args.report, ".xlsx", "--report")
    table = reconcile.read_roll_file(args.file, sheet=args.sheet)
    database = open_for_command(args)
    try:
        if not args.dry_run:
            database.check_integrity()
        actor = command_actor(args, database, TASK)
        with database.read() as session:
            roll = reconcile.load_roll(session, actor)
            before = reconcile.before_year_end(session)
        comparison = reconcile.compare(table, roll, before_year_end=before)
        review = Review(comparison, today=date.today())
        if left_on is not None:
            review.left_on = left_on
        if args.reason:
            review.left_reason = args.reason.strip() or review.left_reason
        for category in categories:
            review.accept_all(Category(category))
        if args.correct_year_groups:
            _correct_year_groups(review)
        if args.import_new:
            review.accept_all(Category.NEW_LEARNERS)
        output = review_as_data(review)
        if comparison.usable:
            with database.begin() as session:
                reconcile.record_check(
                    session,
                    actor,
                    source_name=comparison.source_name,
                    found={c.value: n for c, n in comparison.counts().items()},
                )
        if report_out is not None:
            _write_report(database, actor, review, report_out, output)
        if not comparison.usable:
            _print(output, args.json)
            return 1
        if args.dry_run or not (categories or args.import_new):
            _print(output, args.json)
            return 0
        return _apply(
            args,
            database,
            actor,
            review,
            output=output,
            passwords_out=passwords_out,
            slips_out=slips_out,
            roll=roll,
        )
    finally:
        database.dispose()


def _correct_year_groups(review: Any) -> None:
    """The accepted year-group rows corrected rather than kept back (where they can be)."""
    from dataclasses import replace

    from planit_desktop.model.services.reconcile import Action, Category

    for difference in review.accepted(Category.YEAR_GROUP_DIFFERS):
        if Action.CORRECT in difference.actions:
            decision = review.decision(difference)
            review.decide(difference, replace(decision, action=Action.CORRECT))


def _write_report(
    database: Any, actor: Any, review: Any, target: Path, output: dict[str, Any]
) -> None:
    from planit_desktop.model.personal_files import write_recorded
    from planit_desktop.model.services import reconcile

    write_recorded(
        database,
        actor,
        what=reconcile.REPORT_WHAT,
        write=lambda: reconcile.write_reconcile_report(review, target, by=actor.login),
    )
    output["report"] = str(target)


def _apply(
    args: argparse.Namespace,
    database: Any,
    actor: Any,
    review: Any,
    *,
    output: dict[str, Any],
    passwords_out: Path | None,
    slips_out: Path | None,
    roll: Any,
) -> int:
    """The accepted categories in one transaction, then the new learners through the import."""
    from planit_desktop.model.services import reconcile
    from planit_desktop.model.services.credentials.password_files import PasswordFiles
    from planit_desktop.model.services.importing import check_table, load_context

    checked = None
    if args.import_new and review.import_rows():
        # Checked before anything is applied: rows the import refuses stop the whole run.
        with database.read() as session:
            checked = check_table(review.import_table(), load_context(session))
        blocked = checked.problems or checked.blocked_rows({})
        if blocked:
            from planit_desktop.commands.import_learners import _report

            output["import"] = _report(checked, {})
            _print(output, args.json)
            print(
                "planit-desktop: the new learners cannot be imported as they are (see the "
                "errors above); import them with import-learners once the file is put right. "
                "Nothing was changed.",
                file=sys.stderr,
            )
            return 1
    plan = review.plan()
    output["applied"] = {}
    if not plan.is_empty:
        with database.begin() as session:
            result = reconcile.apply_reconciliation(session, actor, plan)
        output["applied"] = {k: v for k, v in plan.applied.items() if v}
        output["done"] = result.describe()
    status = 0
    if checked is not None:
        files = PasswordFiles(passwords_out, slips_out)
        imported, delivery = deliver_import(
            database,
            actor,
            checked=checked,
            decisions={},
            source=Path(args.file).name,
            files=files,
            school_name=roll.school_name,
            skip_invalid=False,
            quiet=args.json,
        )
        output["applied"][reconcile.Category.NEW_LEARNERS.value] = imported.imported
        output["outputs"] = [str(p) for p in delivery.saved]
        output["output_errors"] = list(delivery.problems)
        status = 1 if delivery.problems else 0
    elif args.import_new:
        output["applied"][reconcile.Category.NEW_LEARNERS.value] = 0
    _print(output, args.json)
    return status


def _print(output: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(output, indent=2, ensure_ascii=False, default=str))
        return
    from planit_desktop.model.services.reconcile import Category

    print(output["summary"])
    for problem in output["problems"]:
        print(f"Refused: {problem}")
    for warning in output["warnings"]:
        print(f"Warning: {warning}")
    for note in output["notes"]:
        print(f"Note: {note}")
    if output["problems"]:
        return
    for category in Category:
        count = output["counts"][category.value]
        print(f"{category.heading}: {count:,}")
    if output.get("done"):
        print(f"Applied: {output['done']}.")
    new = output.get("applied", {}).get(Category.NEW_LEARNERS.value)
    if new:
        print(f"Imported {new:,} new learners.")
        for path in output.get("outputs", []):
            print(f"Saved: {path}")
    for failure in output.get("output_errors", []):
        print(f"planit-desktop: {failure}", file=sys.stderr)
    if output.get("report"):
        print(f"Report saved: {output['report']}")
