"""``planit-desktop import-learners FILE``: import new learners from a template, MIS export or CTF.

Exit status: 0 imported (or a clean dry run), 1 rows with errors (nothing imported unless
``--skip-invalid``) or a password file that cannot be written (nothing imported), 2 an
unreadable file or unusable arguments, 130 stopped by Ctrl-C. A password list or slips file
is required to import: the temporary passwords exist nowhere else, so they are written
(completely, synced) before the import is committed, and put in place after it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from planit_desktop.commands import (
    SIGN_IN_HELP,
    Interrupted,
    add_db_option,
    add_sign_in_options,
    command_actor,
    open_for_command,
)
from planit_desktop.model.errors import InvalidInput


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import-learners",
        help="import new learners from a spreadsheet, CSV or transfer file",
        description="Check a file of new learners (the import template, an MIS export or a "
        "DfE Common Transfer File) and import them with temporary passwords. Nothing is "
        "imported while any row has an error, unless --skip-invalid is given. Only "
        "administrators may import, and an import signs in first; --dry-run only reads, "
        "without signing in. " + SIGN_IN_HELP,
    )
    parser.add_argument("file", metavar="FILE", help=".xlsx, .xlsm, .xls, .ods, .csv or .xml")
    add_db_option(parser)
    add_sign_in_options(parser)
    parser.add_argument("--sheet", metavar="NAME", help="the worksheet to read")
    parser.add_argument("--dry-run", action="store_true", help="check only; import nothing")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows and leave the others"
    )
    parser.add_argument("--passwords-out", metavar="OUT.xlsx", help="password list workbook")
    parser.add_argument("--slips-out", metavar="OUT.pdf", help="printable password slips")
    parser.add_argument(
        "--slips-page-per-group",
        action="store_true",
        help="start each tutor group's slips on a new page (else they follow on)",
    )
    parser.add_argument(
        "--different-person",
        metavar="ROW,…",
        default="",
        help="rows that match a learner by name but are a different person: create them",
    )
    parser.add_argument(
        "--reinstate", metavar="ROW,…", default="", help="rows that are learners who came back"
    )
    parser.add_argument("--skip", metavar="ROW,…", default="", help="rows not to import")
    parser.set_defaults(func=run)


def _rows(text: str, option: str) -> list[int]:
    numbers: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit() or int(part) < 1:
            raise InvalidInput(f"{option} takes row numbers separated by commas, not “{part}”.")
        numbers.append(int(part))
    return numbers


def _decisions(args: argparse.Namespace) -> dict[int, Any]:
    from planit_desktop.model.services.importing import Decision

    decisions: dict[int, Decision] = {}
    for option, text, decision in (
        ("--different-person", args.different_person, Decision.CREATE_NEW),
        ("--reinstate", args.reinstate, Decision.REINSTATE),
        ("--skip", args.skip, Decision.SKIP),
    ):
        for number in _rows(text, option):
            if number in decisions and decisions[number] is not decision:
                raise InvalidInput(f"Row {number} is given two different decisions.")
            decisions[number] = decision
    return decisions


def _check_output(path: str | None, suffix: str, option: str) -> Path | None:
    if path is None:
        return None
    target = Path(path).expanduser().absolute()
    if target.suffix.lower() != suffix:
        raise InvalidInput(f"{option} must name a {suffix} file, not “{target.name}”.")
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput(f"{option}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise InvalidInput(f"{option}: {target} cannot be written. Choose another place.")
    return target


def run(args: argparse.Namespace) -> int:
    from planit_desktop.model.services.importing import (
        check_table,
        load_context,
        read_table,
    )
    from planit_desktop.model.services.school import get_school

    decisions = _decisions(args)
    passwords_out = _check_output(args.passwords_out, ".xlsx", "--passwords-out")
    slips_out = _check_output(args.slips_out, ".pdf", "--slips-out")
    if not args.dry_run and passwords_out is None and slips_out is None:
        raise InvalidInput(
            "Give --passwords-out OUT.xlsx or --slips-out OUT.pdf (or both): the learners' "
            "temporary passwords are shown only once and could never be recovered. "
            "Use --dry-run to check the file without importing."
        )
    table = read_table(args.file, sheet=args.sheet)
    database = open_for_command(args)
    try:
        if not args.dry_run:
            database.check_integrity()  # before any password is made for a damaged file
        with database.read() as session:
            context = load_context(session)
            school_name = get_school(session).name
        checked = check_table(table, context)
        report = _report(checked, decisions)
        blocked = bool(checked.problems) or bool(checked.blocked_rows(decisions))
        if args.dry_run or (blocked and not args.skip_invalid):
            _print(report, args.json)
            return 1 if blocked else 0
        return _import(
            args,
            database,
            checked=checked,
            decisions=decisions,
            report=report,
            passwords_out=passwords_out,
            slips_out=slips_out,
            school_name=school_name,
        )
    finally:
        database.dispose()


def _import(
    args: argparse.Namespace,
    database: Any,
    *,
    checked: Any,
    decisions: dict[int, Any],
    report: dict[str, Any],
    passwords_out: Path | None,
    slips_out: Path | None,
    school_name: str,
) -> int:
    """Sign in, then :func:`deliver_import`, and say what was imported."""
    from planit_desktop.model.services.credentials.password_files import PasswordFiles

    # Who acts is settled before the hashing and the transaction: never inside them.
    actor = command_actor(args, database, "import learners")
    result, delivery = deliver_import(
        database,
        actor,
        checked=checked,
        decisions=decisions,
        source=Path(args.file).name,
        files=PasswordFiles(passwords_out, slips_out, new_page_per_group=args.slips_page_per_group),
        school_name=school_name,
        skip_invalid=args.skip_invalid,
        quiet=args.json,
    )
    report["imported"] = result.imported
    report["created"] = len(result.created)
    report["reinstated"] = len(result.reinstated)
    report["groups_created"] = list(result.groups_created)
    report["summary"] = result.summary()
    report["outputs"] = [str(p) for p in delivery.saved]
    report["output_errors"] = list(delivery.problems)
    _print(report, args.json)
    return 1 if delivery.problems else 0


def deliver_import(
    database: Any,
    actor: Any,
    *,
    checked: Any,
    decisions: dict[int, Any],
    source: str,
    files: Any,
    school_name: str,
    skip_invalid: bool,
    quiet: bool,
) -> tuple[Any, Any]:
    """Hash, then one transaction that writes the password files before it commits; the
    import's result and the delivery (where the files are). Also used by ``reconcile``.

    Ctrl-C before the COMMIT stops the import (nothing imported, no file left); from the
    COMMIT on it waits until the files are in place, then stops, saying where they are.
    """
    from planit_desktop.model.services.credentials.delivery import PasswordDelivery
    from planit_desktop.model.services.importing import (
        hash_passwords_parallel,
        import_learners,
        plan_import,
    )

    plan = plan_import(checked, decisions, skip_invalid=skip_invalid)
    # A folder that cannot be written is said before minutes of hashing, not after.
    files.check_writable("Nothing was imported.")
    delivery: PasswordDelivery | None = None
    try:
        if not quiet:
            print(f"Preparing {plan.passwords_needed:,} temporary passwords…", file=sys.stderr)
        pairs = hash_passwords_parallel(plan.passwords_needed)
        delivery = PasswordDelivery(
            files,
            what=f"import of new learners from {source}",
            database=database.location,
            school_name=school_name,
            nothing="Nothing was imported.",
        )
        with ctrl_c_waits_once_committing(delivery), delivery:
            with database.begin() as session:
                result = import_learners(
                    session,
                    actor,
                    checked,
                    decisions=decisions,
                    password_pairs=pairs,
                    source_name=source,
                    skip_invalid=skip_invalid,
                    delivery=delivery,
                )
    except KeyboardInterrupt:
        raise Interrupted(_interrupted(delivery)) from None
    return result, delivery


@contextmanager
def ctrl_c_waits_once_committing(delivery: Any) -> Iterator[None]:
    """Ctrl-C stops at once until the COMMIT begins; from then on, once the files are in place.

    (Stopping between the COMMIT and the move would leave the passwords only under the staged
    names; the next start would put them in place, but the coordinator is here now.)

    Every press is recorded as well as raised: Python drops an exception raised while it runs
    a callback of its own (a weak reference's, a finaliser), so a press that came at such a
    moment is raised again just before the COMMIT, which it then stops, or at the end.
    """
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored or threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []

    def handler(signum: int, _frame: object) -> None:
        pressed.append(signum)
        if not (delivery.committed or delivery.state.value == "committing"):
            raise KeyboardInterrupt

    def before_commit() -> None:
        if pressed:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    delivery.before_commit = before_commit
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        delivery.before_commit = None
    if pressed:
        raise KeyboardInterrupt


def _interrupted(delivery: Any) -> str:
    """What a Ctrl-C during the import left, exactly."""
    if delivery is None or not (delivery.committed or delivery.state.value == "committing"):
        return (
            "stopped before the import was saved: nothing was imported and no password file "
            "was left."
        )
    if not delivery.committed:
        return (
            "stopped while the import was being saved; whether it was is not known yet. Start "
            "planit-desktop again (any command): it will say, and put the password files in "
            "place if it was."
        )
    files = " and ".join(str(path) for path in delivery.saved) or "files not yet in place"
    return (
        f"stopped after the import was saved: {delivery.rows:,} learners were imported, and "
        f"their temporary passwords are in {files}."
    )


def _report(checked: Any, decisions: dict[int, Any]) -> dict[str, Any]:
    from planit_desktop.model.services.importing import RowStatus, Severity

    errors: list[dict[str, object]] = [
        {"row": None, "column": None, "message": p} for p in checked.problems
    ]
    warnings: list[dict[str, object]] = []
    duplicates: list[dict[str, object]] = []
    for row in checked.settled(decisions):  # a row skipped is no longer its twin's duplicate
        decision = decisions.get(row.number)
        for message in row.messages:
            target = errors if message.severity is Severity.ERROR else warnings
            target.append(message.as_dict())
        status = row.status(decision)
        for duplicate in row.duplicates:
            entry = {
                "row": row.number,
                "column": None,
                "message": duplicate.message,
                "kind": duplicate.kind.value,
                "learner_id": duplicate.match.learner_id,
                "other_row": duplicate.match.row,
                "options": [o.value for o in row.options],
                "decision": decision.value if decision else None,
            }
            duplicates.append(entry)
            undecided = decision not in row.options
            if duplicate.blocking or (duplicate.error_until_decided and undecided):
                errors.append({k: entry[k] for k in ("row", "column", "message")})
            elif undecided and status is not RowStatus.SKIPPED:
                warnings.append({k: entry[k] for k in ("row", "column", "message")})
    counts = checked.counts(decisions)
    table = checked.table
    return {
        "file": table.source_name,
        "sheet": table.sheet,
        "rows": len(checked.rows),
        "valid": len(checked.importable_rows(decisions)),
        # Of those: learners joining next academic year, imported as joining (not on roll).
        "joining": len(checked.joining_rows(decisions)),
        "imported": 0,
        "statuses": {status.value: count for status, count in counts.items()},
        "errors": errors,
        "warnings": warnings,
        "duplicates": duplicates,
        "new_tutor_groups": list(checked.new_tutor_groups),
        "unknown_columns": list(table.unknown_columns),
        "notes": list(checked.notes),
    }


def _print(report: dict[str, Any], as_json: bool) -> None:
    from planit_desktop.model.wording import count_of

    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        return
    joining = f" ({report['joining']:,} joining next year)" if report.get("joining") else ""
    print(
        f"{report['file']}: {count_of(report['rows'], 'row')}, "
        f"{report['valid']:,} ready to import{joining}."
    )
    for note in report["notes"]:
        print(f"Note: {note}")
    for kind, items in (("Error", report["errors"]), ("Warning", report["warnings"])):
        for item in items:
            where = f"Row {item['row']}" if item["row"] is not None else "File"
            column = f", {item['column']}" if item["column"] else ""
            print(f"{kind}: {where}{column}: {item['message']}")
    if report["new_tutor_groups"]:
        print("Tutor groups to create: " + ", ".join(report["new_tutor_groups"]))
    if report.get("imported"):
        print(report.get("summary") or f"{count_of(report['imported'], 'learner')} imported.")
        for path in report.get("outputs", []):
            print(f"Saved: {path}")
    for failure in report.get("output_errors", []):
        print(f"planit-desktop: {failure}", file=sys.stderr)
