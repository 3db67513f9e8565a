"""The rollover report: a workbook for the coordinator's records.

Sheets: Summary (plain words), Learners (what changed for each), Access removed, Group
renames, Problems. Written in openpyxl's write-only mode (a whole school fits in little
memory) to a temporary name, then renamed, so a half-written report never exists. Text from
the database (names typed by people) is always written as text, never as a formula.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import (
    GroupRenameBatch,
    GroupRenameEntry,
    Learner,
    RolloverJournal,
    YearEndRun,
)
from planit_desktop.model.errors import InvalidInput, NotFound, Refused
from planit_desktop.model.services._sql import chunks
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.workbooks import save_atomically, text_cell
from planit_desktop.model.services.year_end.apply import describe_run
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group

_STATUS = {
    "on_roll": "on roll",
    "completed": "completed",
    "left": "left (not at my provider)",
    "joining": "joining",
}


def _append(sheet: WriteOnlyWorksheet, values: Sequence[object]) -> None:
    sheet.append([text_cell(sheet, value) for value in values])


def _year(value: int | None) -> str:
    return "" if value is None else format_year_group(value)


def _run(session: Session, run_id: int | None) -> YearEndRun:
    query = select(YearEndRun).order_by(YearEndRun.id.desc()).limit(1)
    if run_id is not None:
        query = select(YearEndRun).where(YearEndRun.id == run_id)
    run = session.scalars(query).first()
    if run is None:
        raise NotFound(
            "No rollover has been run yet, so there is no report to write."
            if run_id is None
            else f"There is no rollover number {run_id}."
        )
    return run


#: How the audit log names the report (written from a read-only session, it is recorded by
#: the caller: ``personal_files.write_report``).
REPORT_WHAT = "rollover report"


def write_rollover_report(
    session: Session, actor: Actor, run_id: int | None, path: Path | str
) -> Path:
    """Write the report of rollover ``run_id`` (None: the latest) to ``path`` (.xlsx).

    Raises NotFound when there is no such rollover, InvalidInput for a path that is not an
    .xlsx file name, Refused when the file cannot be written (nothing is left behind). It
    names every learner the rollover changed: write it through
    :func:`~planit_desktop.model.personal_files.write_report`, which records it in the audit
    log (:data:`REPORT_WHAT`).
    """
    require_administrator(session, actor, "write the rollover report")
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise InvalidInput(f"The report is an Excel workbook: name it …xlsx, not “{target.name}”.")
    if not target.parent.is_dir():  # checked first: a failed save leaves openpyxl half-open
        raise Refused(
            f"The report could not be written to {target} (the folder {target.parent} "
            "does not exist)."
        )
    run = _run(session, run_id)
    summary: dict[str, Any] = json.loads(run.summary or "{}")
    book = Workbook(write_only=True)
    _summary_sheet(book.create_sheet("Summary"), run, summary)
    _learners_sheet(session, book.create_sheet("Learners"), run, summary)
    _access_sheet(book.create_sheet("Access removed"), summary)
    _renames_sheet(session, book.create_sheet("Group renames"), run, summary)
    _problems_sheet(session, book.create_sheet("Problems"), summary)
    return save_atomically(book.save, target, what="The rollover report")


def _summary_sheet(sheet: WriteOnlyWorksheet, run: YearEndRun, summary: dict[str, Any]) -> None:
    sheet.column_dimensions["A"].width = 110
    before, after = format_academic_year(run.from_year), format_academic_year(run.to_year)
    top = format_year_group(int(summary.get("completed_year_group", 11)))
    lines = [
        f"Plan-it year-end rollover from {before} to {after}",
        "",
        f"The rollover was done {describe_run(run)}.",
        f"{summary.get('moving_up', 0)} learners moved up one year group.",
        f"{summary.get('completed', 0)} learners completed {top} and left the pre-16 "
        "system (status completed).",
        f"{len(summary.get('kept_back', []))} learners were kept back in their year group.",
        f"{len(summary.get('left', []))} learners were recorded as not at this provider.",
        f"{summary.get('access_ended', 0)} supervisor group assignments for {before} ended; "
        "administrators keep full access. Supervisors need new groups for "
        f"{after} before they can see any learner.",
        "Group memberships, group names and subject offers were not changed.",
    ]
    if summary.get("joining"):
        lines.insert(7, f"{summary['joining']} learners joining in {after} were put on roll.")
    lines += [
        f"Backup taken before the rollover: {summary.get('backup', 'none')}.",
    ]
    if run.undone_at is not None:
        lines.append(
            f"This rollover was UNDONE on {format_date(run.undone_at.date())} by {run.undone_by}."
        )
    problems = summary.get("problems", [])
    lines.append(
        f"{len(problems)} kinds of problem were found; see the Problems sheet."
        if problems
        else "No problems were found."
    )
    for line in lines:
        _append(sheet, [line])


def _learners_sheet(
    session: Session, sheet: WriteOnlyWorksheet, run: YearEndRun, summary: dict[str, Any]
) -> None:
    _append(
        sheet,
        [
            "Surname",
            "First names",
            "UPN",
            "Year group before",
            "Year group after",
            "Status before",
            "Status after",
            "Leaving date",
            "Leaving reason",
        ],
    )
    j = RolloverJournal
    rows = session.execute(
        select(
            Learner.surname,
            Learner.first_names,
            Learner.upn,
            j.old_year_group,
            j.new_year_group,
            j.old_status,
            j.new_status,
            j.new_left_on,
            j.new_left_reason,
        )
        .join(j, j.learner_id == Learner.id)
        .where(j.run_id == run.id)
        .order_by(Learner.surname, Learner.first_names, Learner.id)
        .execution_options(yield_per=2000)
    )
    for surname, first, upn, old_year, new_year, old_status, new_status, left_on, why in rows:
        _append(
            sheet,
            [
                surname,
                first,
                upn or "",
                _year(old_year),
                _year(new_year),
                _STATUS.get(old_status, old_status),
                _STATUS.get(new_status, new_status),
                format_date(left_on) if left_on and new_status != old_status else "",
                why if new_status != old_status else "",
            ],
        )
    for kept in summary.get("kept_back", []):
        year = _year(kept.get("year_group"))
        name = str(kept.get("name", ""))
        _append(sheet, [name, "", kept.get("upn") or "", year, year, "on roll", "kept back"])


def _access_sheet(sheet: WriteOnlyWorksheet, summary: dict[str, Any]) -> None:
    _append(sheet, ["Supervisor", "Login", "Group whose access ended"])
    for loss in summary.get("access_removed", []):
        for group in loss.get("groups", []):
            _append(sheet, [loss.get("name", ""), loss.get("login", ""), group])
    _append(sheet, [])
    _append(sheet, ["Administrators (keep full access)", "Login"])
    for admin in summary.get("administrators_keep_access", []):
        _append(sheet, [admin.get("name", ""), admin.get("login", "")])


def _renames_sheet(
    session: Session, sheet: WriteOnlyWorksheet, run: YearEndRun, summary: dict[str, Any]
) -> None:
    _append(sheet, ["Group name before", "Group name after", "State", "Note"])
    applied = session.execute(
        select(GroupRenameEntry.old_name, GroupRenameEntry.new_name, GroupRenameBatch.undone_at)
        .join(GroupRenameBatch, GroupRenameBatch.id == GroupRenameEntry.batch_id)
        .where(GroupRenameBatch.run_id == run.id)
        .order_by(GroupRenameBatch.id, GroupRenameEntry.old_name)
    )
    renamed = set()
    for old, new, undone in applied:
        renamed.add(old)
        _append(sheet, [old, new, "renamed, then undone" if undone else "renamed", ""])
    for rename in summary.get("group_renames", []):
        if rename.get("from") in renamed:
            continue
        note = rename.get("clash") or ("emptied by the rollover" if rename.get("emptied") else "")
        _append(sheet, [rename.get("from"), rename.get("to") or "", "suggested", note])


def _problems_sheet(session: Session, sheet: WriteOnlyWorksheet, summary: dict[str, Any]) -> None:
    problems = summary.get("problems", [])
    _append(sheet, ["Problem", "Surname", "First names", "UPN", "Year group"])
    for problem in problems:
        ids = [int(i) for i in problem.get("learner_ids", [])]
        if not ids:
            _append(sheet, [problem.get("message", "")])
            # A check of groups lists each group on a row of its own (text cells, so a
            # group's name can never become a formula).
            for line in problem.get("groups", []):
                _append(sheet, [line])
            continue
        for surname, first, upn, year in _learner_details(session, ids):
            _append(sheet, [problem.get("message", ""), surname, first, upn or "", _year(year)])


def _learner_details(
    session: Session, ids: list[int]
) -> Iterable[tuple[str, str, str | None, int]]:
    for chunk in chunks(ids):
        yield from session.execute(
            select(Learner.surname, Learner.first_names, Learner.upn, Learner.year_group)
            .where(Learner.id.in_(chunk))
            .order_by(Learner.surname, Learner.first_names)
        )
