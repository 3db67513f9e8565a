"""Requests to the School Support Team: the corrections they must pass on, and their workbook.

The year-end guide routes corrections of six details (first name, surname, date of birth,
year group, UPN, SIMS number) to the School Support Team. Plan-it Desktop applies them at
once and keeps each as a request; "Export support requests" writes the workbook to send and
marks those requests sent, in the same transaction and only once the file is safely saved.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Learner, Staff, SupportRequest
from planit_desktop.model.errors import Refused
from planit_desktop.model.services import audit
from planit_desktop.model.services._sql import chunks
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.workbooks import save_atomically, text_cell
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group

#: The details the School Support Team keeps, as the year-end guide names them.
SUPPORT_FIELDS: dict[str, str] = {
    "first_names": "First name",
    "surname": "Surname",
    "date_of_birth": "Date of birth",
    "year_group": "Year group",
    "upn": "UPN",
    "sims_number": "SIMS number",
}

HEADINGS = (
    "First name",
    "Surname",
    "Date of birth",
    "Year group",
    "UPN",
    "SIMS number",
    "Detail corrected",
    "Old value",
    "New value",
    "Corrected by",
    "Corrected on",
)


def shown_value(field: str, value: object) -> str:
    """A stored value as a coordinator reads it: dates day first, ``Year 9``, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    if field == "year_group" and isinstance(value, int):
        return format_year_group(value)
    return str(value)


def record_requests(
    session: Session, actor: Actor, learner_id: int, changes: Sequence[tuple[str, object, object]]
) -> int:
    """Add a support request for each (field, old, new) change of a detail the team keeps.

    Administrators only: requests follow from their corrections of learners' details.
    """
    require_administrator(session, actor, "ask the School Support Team for corrections")
    rows = [
        SupportRequest(
            learner_id=learner_id,
            field=field,
            old_value=shown_value(field, old),
            new_value=shown_value(field, new),
            requested_by=actor.login,
        )
        for field, old, new in changes
        if field in SUPPORT_FIELDS
    ]
    session.add_all(rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class SupportRequestRow:
    """One request, with the learner's identifying details as they stand now."""

    id: int
    learner_id: int
    first_names: str
    surname: str
    date_of_birth: date
    year_group: int
    upn: str | None
    sims_number: str | None
    field: str  # a key of SUPPORT_FIELDS
    old_value: str
    new_value: str
    requested_by: str  # the staff member's name where known, else their login
    requested_at: datetime
    sent_at: datetime | None
    sent_by: str | None

    @property
    def field_label(self) -> str:
        return SUPPORT_FIELDS.get(self.field, self.field)

    @property
    def sent(self) -> bool:
        return self.sent_at is not None


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote: the file, and how many requests it holds (now marked sent)."""

    path: Path
    count: int


def list_support_requests(
    session: Session, actor: Actor, *, include_sent: bool = True
) -> list[SupportRequestRow]:
    """Support requests, oldest first (administrators); sent ones too unless told not to."""
    require_administrator(session, actor, "see the support requests")
    return _rows(session, include_sent=include_sent)


def _rows(session: Session, *, include_sent: bool) -> list[SupportRequestRow]:
    who = select(Staff.name).where(Staff.login == SupportRequest.requested_by).scalar_subquery()
    query = (
        select(
            SupportRequest.id,
            SupportRequest.learner_id,
            Learner.first_names,
            Learner.surname,
            Learner.date_of_birth,
            Learner.year_group,
            Learner.upn,
            Learner.sims_number,
            SupportRequest.field,
            SupportRequest.old_value,
            SupportRequest.new_value,
            func.coalesce(who, SupportRequest.requested_by),
            SupportRequest.requested_at,
            SupportRequest.sent_at,
            SupportRequest.sent_by,
        )
        .join(Learner, Learner.id == SupportRequest.learner_id)
        .order_by(SupportRequest.requested_at, SupportRequest.id)
    )
    if not include_sent:
        query = query.where(SupportRequest.sent_at.is_(None))
    return [
        SupportRequestRow(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9] or "",
            row[10] or "",
            row[11],
            row[12],
            row[13],
            row[14],
        )  # fmt: skip
        for row in session.execute(query)
    ]


#: How the audit log names the file.
WHAT = "support requests"


def export_support_requests(
    session: Session, actor: Actor, path: str | os.PathLike[str], *, only_unsent: bool = True
) -> ExportResult:
    """Write the support requests workbook to ``path`` and mark its requests sent.

    Administrators only. The file is written whole under a temporary name and then renamed;
    only then are the requests marked sent, in the caller's transaction, so a file that
    cannot be written leaves every request unsent. Text is never written as a formula.
    """
    require_administrator(session, actor, "export support requests")
    rows = _rows(session, include_sent=not only_unsent)
    if not rows:
        raise Refused(
            "There are no unsent support requests to export."
            if only_unsent
            else "There are no support requests to export."
        )
    target = save_atomically(
        lambda temporary: _write(temporary, rows), Path(path), what="The support requests"
    )
    now = datetime.now()
    ids = [row.id for row in rows if not row.sent]
    for chunk in chunks(ids):
        session.execute(
            update(SupportRequest)
            .where(SupportRequest.id.in_(chunk))
            .values(sent_at=now, sent_by=actor.login)
        )
    audit.record(
        session,
        actor,
        "support_requests_exported",
        entity="support_request",
        detail=f"{len(rows)} requests written to {target.name}; {len(ids)} newly marked sent",
    )
    audit.file_written(session, actor, what=WHAT, path=target.resolve(), rows=len(rows))
    return ExportResult(target, len(rows))


def _write(target: Path, rows: Sequence[SupportRequestRow]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Support requests")
    for letter, width in zip(
        "ABCDEFGHIJK", (18, 20, 14, 11, 16, 13, 16, 22, 22, 20, 17), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    heading_cells = []
    for heading in HEADINGS:
        cell = text_cell(sheet, heading)
        cell.font = Font(bold=True)
        heading_cells.append(cell)
    sheet.append(heading_cells)
    for row in rows:
        values = (
            row.first_names,
            row.surname,
            format_date(row.date_of_birth),
            format_year_group(row.year_group),
            row.upn or "",
            row.sims_number or "",
            row.field_label,
            row.old_value,
            row.new_value,
            row.requested_by,
            row.requested_at.strftime("%d/%m/%Y %H:%M"),
        )
        sheet.append([text_cell(sheet, value) for value in values])
    workbook.save(target)
