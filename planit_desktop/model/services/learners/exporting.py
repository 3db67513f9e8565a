"""Exporting the learners table to a workbook: the rows as filtered, or the whole school.

The file is written whole under a temporary name and renamed; every text cell is plain text,
so a name typed as ``=HYPERLINK(…)`` can never become a live formula. Gender and ethnicity
are not exported: ethnicity is special-category data, written out only where needed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.errors import PermissionDenied
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services import audit
from planit_desktop.model.services.learners.roll import LearnerRow, list_learners
from planit_desktop.model.services.permissions import visible_group_ids
from planit_desktop.model.services.workbooks import save_atomically, text_cell
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import STATUS_WORDS

HEADINGS = (
    "Surname",
    "First names",
    "Date of birth",
    "Year group",
    "Groups",
    "UPN",
    "SIMS number",
    "Status",
    "Login name",
)
#: How the audit log names the file.
WHAT = "learners export"


def export_learners(
    session: Session,
    actor: Actor,
    path: str | os.PathLike[str],
    *,
    rows: Sequence[LearnerRow] | None = None,
    include_left: bool = False,
) -> Path:
    """Write learners to an .xlsx workbook at ``path``; returns the path written.

    ``rows`` are the table's rows as filtered in the window; None exports every learner on
    roll, or joining next academic year, that ``actor`` may see (and those who left too with
    ``include_left``). Supervisors
    may export only learners they can see. The export is audited with its path (it carries
    personal data), so call it inside a write transaction.
    """
    if rows is None:
        chosen: Sequence[LearnerRow] = list_learners(
            session, actor, include_left=include_left, include_joining=True
        )
    else:
        chosen = rows
        if visible_group_ids(session, actor) is not None:
            allowed = {row.id for row in list_learners(session, actor)}
            if any(row.id not in allowed for row in chosen):
                raise PermissionDenied(
                    "You can export only the learners in your groups.",
                    actor_login=actor.login,
                    action="export learners outside their groups",
                )
    target = save_atomically(
        lambda temporary: _write(temporary, chosen), Path(path), what="The export"
    )
    audit.file_written(session, actor, what=WHAT, path=target.resolve(), rows=len(chosen))
    return target


def _write(target: Path, rows: Sequence[LearnerRow]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Learners")
    for letter, width in zip("ABCDEFGHI", (20, 20, 13, 11, 24, 16, 13, 11, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    headings = []
    for heading in HEADINGS:
        cell = text_cell(sheet, heading)
        cell.font = Font(bold=True)
        headings.append(cell)
    sheet.append(headings)
    for row in rows:
        born = WriteOnlyCell(sheet, value=row.date_of_birth)
        born.number_format = "DD/MM/YYYY"
        sheet.append(
            [
                text_cell(sheet, row.surname),
                text_cell(sheet, row.first_names),
                born,
                text_cell(sheet, format_year_group(row.year_group)),
                text_cell(sheet, ", ".join(row.groups)),
                text_cell(sheet, row.upn or ""),
                text_cell(sheet, row.sims_number or ""),
                text_cell(
                    sheet, STATUS_WORDS.get(LearnerStatus(row.status).value, str(row.status))
                ),
                text_cell(sheet, row.login),
            ]
        )
    workbook.save(target)
