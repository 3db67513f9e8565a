"""An MIS export of the demo school, with known differences, for the comparison's tests.

:func:`mis_export` reads the demo school's roll and writes it as a SIMS-style export (xlsx or
CSV) or as a Common Transfer File of the school's own pupils, with exactly these changes,
each to different learners: 5 new learners, 3 learners left out, 2 a year group lower, 2 in
the other tutor group of their year, 2 with another surname, and 1 learner who left in
Plan-it back on the roll. :data:`EXPECTED` holds those counts; :func:`snapshot`,
:func:`changed_between` and :func:`audited` say which learners a change touched, and
:func:`write_rows` writes rows of an export (or a part of them) to another workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select

from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Group, GroupMembership, Learner
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.reconcile import Category
from planit_desktop.model.validation.upn import check_letter

TUTOR_GROUP = re.compile(r"^\d{1,2}[A-Z]\d*$")
HEADINGS = ("Adno", "UPN", "Legal Surname", "Legal Forename", "DOB", "Gender", "Year", "Reg Group")
SURNAME_SUFFIX = "-Marsh"


#: The differences :func:`mis_export` makes, per category.
EXPECTED = {
    Category.NEW_LEARNERS: 5,
    Category.NOT_IN_MIS: 3,
    Category.YEAR_GROUP_DIFFERS: 2,
    Category.GROUPS_DIFFER: 2,
    Category.DETAILS_DIFFER: 2,
    Category.REINSTATE: 1,
    Category.AMBIGUOUS: 0,
}


def snapshot(database: Database) -> dict[int, tuple[Any, ...]]:
    """Every learner's details, status and groups: what a category may change."""
    with database.read() as session:
        groups: dict[int, set[str]] = {}
        for learner_id, name in session.execute(
            select(GroupMembership.learner_id, Group.name).join(Group)
        ):
            groups.setdefault(learner_id, set()).add(name)
        return {
            learner.id: (
                learner.first_names, learner.surname, learner.date_of_birth,
                learner.year_group, learner.upn, learner.sims_number, learner.status,
                frozenset(groups.get(learner.id, ())),
            )
            for learner in session.scalars(select(Learner))
        }  # fmt: skip


def changed_between(before: dict[int, Any], after: dict[int, Any]) -> set[int]:
    return {lid for lid in before.keys() | after.keys() if before.get(lid) != after.get(lid)}


def audited(database: Database, action: str) -> list[int | None]:
    with database.read() as session:
        return list(
            session.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == action))
        )


def write_rows(
    path: Path, rows: list[dict[str, Any]], headings: tuple[str, ...] = HEADINGS
) -> Path:
    """``rows`` (as :attr:`MisExport.rows` holds them) written to a workbook at ``path``."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headings))
    for row in rows:
        sheet.append(_values(row, text_dates=False))
    workbook.save(path)
    return path


@dataclass
class MisExport:
    """The file written and who was changed in it (Plan-it learner ids, MIS row numbers)."""

    path: Path
    rows: list[dict[str, Any]]
    new_rows: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    year_groups: dict[int, int] = field(default_factory=dict)  # learner → year in the file
    groups: dict[int, str] = field(default_factory=dict)  # learner → tutor group in the file
    surnames: dict[int, str] = field(default_factory=dict)  # learner → surname in the file
    returning: int = 0
    row_of: dict[int, int] = field(default_factory=dict)  # learner → row number in the file


def _roll(database: Database) -> tuple[list[Any], dict[int, str], list[Any]]:
    with database.read() as session:
        learners = list(session.scalars(select(Learner).order_by(Learner.id)))
        names = dict(session.execute(select(Group.id, Group.name)).all())
        tutor: dict[int, str] = {}
        for learner_id, group_id in session.execute(
            select(GroupMembership.learner_id, GroupMembership.group_id)
        ):
            if TUTOR_GROUP.match(names[group_id]):
                tutor[learner_id] = names[group_id]
        session.expunge_all()
    on_roll = [x for x in learners if x.status is LearnerStatus.ON_ROLL]
    left = [x for x in learners if x.status is LearnerStatus.LEFT]
    return on_roll, tutor, left


def _row(learner: Any, tutor: str | None) -> dict[str, Any]:
    return {
        "sims": learner.sims_number,
        "upn": learner.upn,
        "surname": learner.surname,
        "first": learner.first_names,
        "dob": learner.date_of_birth,
        "sex": learner.sex or "",
        "year": learner.year_group,
        "tutor": tutor or "",
    }


def mis_export(database: Database, folder: Path, *, kind: str = "xlsx") -> MisExport:
    """Write the demo school's MIS export (``kind``: xlsx, csv or ctf) into ``folder``."""
    on_roll, tutor, left = _roll(database)
    forms: dict[int, list[str]] = {}
    for name in sorted(set(tutor.values())):
        forms.setdefault(int(re.match(r"\d+", name)[0]), []).append(name)  # type: ignore[index]
    used: set[int] = set()

    def pick(test: Any, count: int) -> list[Any]:
        chosen = [x for x in on_roll if x.id not in used and x.id in tutor and test(x)][:count]
        assert len(chosen) == count
        used.update(x.id for x in chosen)
        return chosen

    missing = pick(lambda x: True, 3)
    year_moved = pick(lambda x: x.year_group in (9, 10), 1) + pick(lambda x: x.year_group == 10, 1)
    group_moved = pick(lambda x: len(forms[x.year_group]) > 1, 2)
    renamed = pick(lambda x: x.year_group in (8, 11), 2)
    export = MisExport(folder / f"mis-roll.{'xml' if kind == 'ctf' else kind}", [])
    first = 1 if kind == "ctf" else 2  # a transfer file numbers its pupils; a sheet has headings
    export.missing = [x.id for x in missing]
    rows: list[dict[str, Any]] = []
    for learner in on_roll:
        if learner.id in export.missing:
            continue
        row = _row(learner, tutor.get(learner.id))
        if learner in year_moved:
            row["year"] = learner.year_group - 1
            export.year_groups[learner.id] = row["year"]
        if learner in group_moved:
            mine = tutor[learner.id]
            row["tutor"] = next(f for f in forms[learner.year_group] if f != mine)
            export.groups[learner.id] = row["tutor"]
        if learner in renamed:
            row["surname"] = learner.surname + SURNAME_SUFFIX
            export.surnames[learner.id] = row["surname"]
        export.row_of[learner.id] = len(rows) + first
        rows.append(row)
    back = left[0]
    export.returning = back.id
    export.row_of[back.id] = len(rows) + first
    rows.append(_row(back, tutor.get(back.id)))
    for i in range(5):
        year = 7 + i
        reception = 2025 - year
        body = f"936{3001 + i:04d}{reception % 100:02d}{900 + i:03d}"
        rows.append(
            {
                "sims": f"90000{i}",
                "upn": check_letter(body) + body,
                "surname": f"Quennell{'abcde'[i]}",
                "first": f"Ottoline{'vwxyz'[i]}",
                "dob": date(2025 - year - 5, 10, 3 + i),
                "sex": "F",
                "year": year,
                "tutor": forms[year][0],
            }
        )
        export.new_rows.append(len(rows) - 1 + first)
    export.rows = rows
    {"xlsx": _xlsx, "csv": _csv, "ctf": _ctf}[kind](export.path, rows)
    return export


def _values(row: dict[str, Any], *, text_dates: bool) -> list[Any]:
    dob = row["dob"].strftime("%d/%m/%Y") if text_dates else row["dob"]
    return [row["sims"], row["upn"], row["surname"], row["first"], dob, row["sex"],
            row["year"], row["tutor"]]  # fmt: skip


def _xlsx(path: Path, rows: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Students")
    sheet.append(HEADINGS)
    for row in rows:
        sheet.append(_values(row, text_dates=False))
    workbook.save(path)


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    import csv

    with path.open("w", newline="", encoding="cp1252", errors="replace") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADINGS)
        for row in rows:
            writer.writerow(_values(row, text_dates=True))


def _ctf(path: Path, rows: list[dict[str, Any]]) -> None:
    pupils = "".join(
        "<Pupil>"
        f"<UPN>{escape(row['upn'])}</UPN><Surname>{escape(row['surname'])}</Surname>"
        f"<Forename>{escape(row['first'])}</Forename><DOB>{row['dob'].isoformat()}</DOB>"
        f"<Sex>{row['sex']}</Sex><BasicDetails><NCyearActual>{row['year']}</NCyearActual>"
        f"</BasicDetails><RegGroup>{escape(row['tutor'])}</RegGroup>"
        f"<AdmissionNo>{escape(row['sims'])}</AdmissionNo>"
        "<Contacts><Contact><Surname>Parent</Surname><Forename>Someone</Forename></Contact>"
        "</Contacts></Pupil>"
        for row in rows
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><CTfile><Header>'
        "<DocumentName>Common Transfer File</DocumentName><CTFversion>20.0</CTFversion>"
        "<DocumentQualifier>full</DocumentQualifier><SourceSchool><LEA>936</LEA>"
        "<Estab>4001</Estab><SchoolName>Riverside Academy (demo)</SchoolName>"
        "<AcademicYear>2025</AcademicYear></SourceSchool><DestSchool><LEA>936</LEA>"
        "<Estab>4001</Estab></DestSchool></Header>"
        f"<CTFpupilData>{pupils}</CTFpupilData></CTfile>",
        encoding="utf-8",
    )
