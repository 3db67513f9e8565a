"""Requests to the School Support Team: the corrections they must pass on, and their workbook.

The year-end guide routes corrections of six details (first name, surname, date of birth,
year group, UPN, SIMS number) to the School Support Team. Plan-it Desktop applies them at
once and keeps each as a request; "Export support requests" writes the workbook to send and
marks those requests sent, in the same transaction and only once the file is safely saved.
The requests sent together are a batch (they share the moment they were sent), and any
earlier batch can be written again, as it was sent, for a team that lost the file.

The workbook says which school asks (its name and DfE number: the team finds a school by
it, so an export waits until it is recorded), who sent the batch and when, and prints
landscape, fitting the page width, with the headings on every page.
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
from planit_desktop.model.services.school import SchoolDetails, require_dfe_number
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


def _rows(
    session: Session, *, include_sent: bool, batch: datetime | None = None
) -> list[SupportRequestRow]:
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
    if batch is not None:
        query = query.where(SupportRequest.sent_at == batch)
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


@dataclass(frozen=True, slots=True)
class SentBatch:
    """The requests exported together: when, by whom (a name where known) and how many."""

    sent_at: datetime
    sent_by: str
    count: int

    def describe(self) -> str:
        """How the batch is offered: "Sent 02/12/2026 at 10:15 by Ann Smith: 3 requests"."""
        noun = "request" if self.count == 1 else "requests"
        return (
            f"Sent {self.sent_at:%d/%m/%Y} at {self.sent_at:%H:%M} by {self.sent_by}: "
            f"{self.count:,} {noun}"
        )


def list_sent_batches(session: Session, actor: Actor) -> list[SentBatch]:
    """The batches of requests sent so far, newest first (administrators only)."""
    require_administrator(session, actor, "see the support requests")
    who = select(Staff.name).where(Staff.login == SupportRequest.sent_by).scalar_subquery()
    query = (
        select(
            SupportRequest.sent_at,
            func.coalesce(func.max(who), func.max(SupportRequest.sent_by)),
            func.count(),
        )
        .where(SupportRequest.sent_at.is_not(None))
        .group_by(SupportRequest.sent_at)
        .order_by(SupportRequest.sent_at.desc())
    )
    return [SentBatch(at, by or "", count) for at, by, count in session.execute(query)]


#: How the audit log names the file.
WHAT = "support requests"


def export_support_requests(
    session: Session,
    actor: Actor,
    path: str | os.PathLike[str],
    *,
    only_unsent: bool = True,
    batch: datetime | None = None,
) -> ExportResult:
    """Write the support requests workbook to ``path`` and mark its requests sent.

    Administrators only; the school's DfE number must be recorded first
    (:class:`~planit_desktop.model.services.school.SchoolDetailsMissing` otherwise). With
    ``batch`` (a :attr:`SentBatch.sent_at`), that earlier batch is written again as it was
    sent and nothing is marked. The file is written whole under a temporary name and then
    renamed; only then are the requests marked sent, in the caller's transaction, so a file
    that cannot be written leaves every request unsent. Text is never written as a formula.
    """
    require_administrator(session, actor, "export support requests")
    school = require_dfe_number(session)
    if batch is not None:
        rows = _rows(session, include_sent=True, batch=batch)
        if not rows:
            raise Refused(
                f"No support requests were sent on {batch:%d/%m/%Y} at {batch:%H:%M}: "
                "that batch may have gone with its learners. Choose another batch."
            )
    else:
        rows = _rows(session, include_sent=not only_unsent)
    if not rows:
        raise Refused(
            "There are no unsent support requests to export."
            if only_unsent
            else "There are no support requests to export."
        )
    now = datetime.now()
    if batch is not None:
        sent_by = _staff_name(session, rows[0].sent_by)
        requested = (
            f"{sent_by}, {batch:%d/%m/%Y} at {batch:%H:%M} "
            f"(exported again by {actor.name or actor.login}, {now:%d/%m/%Y} at {now:%H:%M})"
        )
    else:
        requested = f"{actor.name or actor.login}, {now:%d/%m/%Y} at {now:%H:%M}"
    target = save_atomically(
        lambda temporary: _write(temporary, rows, school, requested),
        Path(path),
        what="The support requests",
    )
    ids = [] if batch is not None else [row.id for row in rows if not row.sent]
    for chunk in chunks(ids):
        session.execute(
            update(SupportRequest)
            .where(SupportRequest.id.in_(chunk))
            .values(sent_at=now, sent_by=actor.login)
        )
    detail = f"{len(rows)} requests written to {target.name}; {len(ids)} newly marked sent"
    if batch is not None:
        detail += f" (the batch sent {batch:%d/%m/%Y %H:%M}, exported again)"
    audit.record(
        session,
        actor,
        "support_requests_exported",
        entity="support_request",
        detail=detail,
    )
    audit.file_written(session, actor, what=WHAT, path=target.resolve(), rows=len(rows))
    return ExportResult(target, len(rows))


def _staff_name(session: Session, login: str | None) -> str:
    if not login:
        return "someone unknown"
    name = session.scalar(select(Staff.name).where(Staff.login == login))
    return name or login


#: Where the headings row is: below the school's details and who asked.
HEADINGS_ROW = 6


def _write(
    target: Path, rows: Sequence[SupportRequestRow], school: SchoolDetails, requested: str
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.properties import PageSetupProperties

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Support requests")
    for letter, width in zip(
        "ABCDEFGHIJK", (18, 20, 14, 11, 16, 13, 16, 22, 22, 20, 17), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    # Printed: landscape A4, as many pages tall as needed but one page wide, the headings
    # on every page and the school on every page's header.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = "1"
    sheet.page_setup.fitToHeight = "0"
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{HEADINGS_ROW}:{HEADINGS_ROW}"
    # "&" starts a header code: a school named "A & B" is written "A && B".
    sheet.oddHeader.center.text = f"Support requests: {school.name} ({school.dfe_number})".replace(
        "&", "&&"
    )
    sheet.oddFooter.center.text = "Page &P of &N"
    sheet.freeze_panes = f"A{HEADINGS_ROW + 1}"
    bold = Font(bold=True)

    def pair(label: str, value: str) -> list[object]:
        cell = text_cell(sheet, label)
        cell.font = bold
        return [cell, text_cell(sheet, value)]

    title = text_cell(sheet, "Corrections for the School Support Team")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append(pair("School", school.name))
    sheet.append(pair("DfE number", school.dfe_number or ""))
    sheet.append(pair("Requested by", requested))
    sheet.append([])
    heading_cells = []
    for heading in HEADINGS:
        cell = text_cell(sheet, heading)
        cell.font = bold
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
