"""The rollover report workbook: its sheets, and text that must never become a formula."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Learner
from planit_desktop.model.errors import InvalidInput, NotFound, PermissionDenied, Refused
from planit_desktop.model.services.year_end import (
    LeavingDetails,
    YearEndChoices,
    apply_rollover,
    rename_after_rollover,
    write_rollover_report,
)
from tests.support.rollover import small_school

FORMULA = '=HYPERLINK("x")'


@pytest.fixture
def rolled_over(database: Database, admin: Actor) -> dict[str, int]:
    with database.begin() as session:
        ids = small_school(session)
        session.get_one(Learner, ids["ten"]).surname = FORMULA
        session.get_one(Learner, ids["eleven"]).first_names = "+44 Caller"
    with database.begin() as session:
        choices = YearEndChoices(
            kept_back=frozenset({ids["seven"]}), leaving={ids["nine"]: LeavingDetails()}
        )
        result = apply_rollover(session, admin, choices, today=date(2026, 8, 1))
        rename_after_rollover(session, admin, result.run_id, {ids["group:7A"]: "8A"})
    return ids


def test_report_sheets_say_what_changed(
    database: Database, rolled_over: dict[str, int], admin: Actor, tmp_path: Path
) -> None:
    target = tmp_path / "report.xlsx"
    with database.read() as session:
        assert write_rollover_report(session, admin, None, target) == target
    book = load_workbook(target)
    assert book.sheetnames == ["Summary", "Learners", "Access removed", "Group renames", "Problems"]
    summary = " ".join(str(row[0].value) for row in book["Summary"].iter_rows() if row[0].value)
    assert "2025/26 to 2026/27" in summary and "completed Year 11" in summary
    learners = [[c.value for c in row] for row in book["Learners"].iter_rows()]
    assert learners[0][:5] == [
        "Surname",
        "First names",
        "UPN",
        "Year group before",
        "Year group after",
    ]
    by_upn = {row[2]: row for row in learners[1:]}
    assert by_upn["B801200005001"][3:7] == ["Year 10", "Year 11", "on roll", "on roll"]
    assert by_upn["K936123415001"][6] == "completed"
    assert by_upn["P207000016049"][6].startswith("left")
    assert by_upn["H801200001001"][6] == "kept back"
    access = [[c.value for c in row] for row in book["Access removed"].iter_rows()]
    assert ["Sam Supervisor", "sam", "10A"] in access
    renames = [[c.value for c in row] for row in book["Group renames"].iter_rows()]
    assert ["7A", "8A", "renamed", None] in renames or ["7A", "8A", "renamed", ""] in renames
    problems = [row[0].value for row in book["Problems"].iter_rows()]
    assert any("in no group" in str(p) for p in problems)
    assert not list(tmp_path.glob("*.part"))


def test_names_never_become_formulas(
    database: Database, rolled_over: dict[str, int], admin: Actor, tmp_path: Path
) -> None:
    target = tmp_path / "report.xlsx"
    with database.read() as session:
        write_rollover_report(session, admin, None, target)
    with zipfile.ZipFile(target) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in archive.read(n) and b"<f " not in archive.read(n) for n in sheets)
    cells = [c for row in load_workbook(target)["Learners"].iter_rows() for c in row]
    formula_cell = next(c for c in cells if c.value == FORMULA)
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix
    assert next(c for c in cells if c.value == "+44 Caller").data_type == "s"


def test_report_refusals(
    database: Database, admin: Actor, supervisor_actor: Actor, tmp_path: Path
) -> None:
    with database.begin() as session:
        small_school(session)
    with database.read() as session:
        with pytest.raises(NotFound, match="No rollover has been run"):
            write_rollover_report(session, admin, None, tmp_path / "r.xlsx")
        with pytest.raises(InvalidInput, match="xlsx"):
            write_rollover_report(session, admin, None, tmp_path / "r.csv")
        with pytest.raises(PermissionDenied):
            write_rollover_report(session, supervisor_actor, None, tmp_path / "r.xlsx")


def test_unwritable_report_leaves_nothing(
    database: Database, rolled_over: dict[str, int], admin: Actor, tmp_path: Path
) -> None:
    missing = tmp_path / "no such folder" / "report.xlsx"
    with pytest.raises(Refused, match="could not be written"), database.read() as session:
        write_rollover_report(session, admin, None, missing)
    assert not missing.parent.exists()
