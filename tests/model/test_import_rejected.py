"""The rows left out by "import the valid rows only", written back to be fixed: the template's
nine columns and their problems, values as they stood, text never a formula."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planit_desktop.model.db import Database
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.importing import (
    Decision,
    Field,
    check_rows,
    read_table,
    row_problems,
    write_rejected_rows,
)
from tests.support.import_files import HEADER, TODAY, learner, write_xlsx


def test_blocked_rows_written_with_their_problems(demo_database: Database, tmp_path: Path) -> None:
    rows = [
        learner(1),
        learner(2, **{"Date of Birth": "31/02/2014", "First Names": "+Ann"}),
        learner(3),
        learner(4, **{"UPN": learner(3)[HEADER.index("UPN")]}),  # row 5: row 4's UPN
    ]
    table = read_table(write_xlsx(tmp_path / "in.xlsx", rows))
    with demo_database.read() as session:
        checked = check_rows(session, table, today=TODAY)
    blocked = checked.blocked_rows({})
    assert [r.number for r in blocked] == [3, 4, 5]
    # "+Ann" is refused as formula-like text too (cell A3), beside the impossible date.
    problems = row_problems(blocked[0])
    assert "cell A3" in problems[0] and "Date of Birth" in problems[1]
    out = write_rejected_rows(tmp_path / "fix.xlsx", checked, {}, rows=blocked[:1])
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]] == [*HEADER, "Problems"]
    values = [c.value for c in sheet[2]]
    assert values[0] == "+Ann" and sheet.cell(row=2, column=1).data_type == "s"
    assert values[2] == "31/02/2014"  # kept as typed, for the coordinator to correct
    assert values[8] == "T00002"
    assert values[9].startswith("Was row 3. First Names:") and "Date of Birth:" in values[9]
    # Every blocked row by default; the same UPN is named on both rows that share it.
    everything = load_workbook(write_rejected_rows(tmp_path / "all.xlsx", checked)).active
    assert everything.max_row == 4
    assert "UPN" in everything.cell(row=3, column=10).value
    assert list(read_table(tmp_path / "all.xlsx").unknown_columns) == ["Problems"]


def test_sims_typed_in_the_preview_and_dates_kept_as_dates(
    demo_database: Database, tmp_path: Path
) -> None:
    rows = [learner(1, **{"Year Group": "Year 3"})]
    table = read_table(write_xlsx(tmp_path / "in.xlsx", rows))
    table = table.with_value(2, Field.DATE_OF_BIRTH, date(2014, 5, 6))
    table = table.with_value(2, Field.SIMS_NUMBER, "007")
    with demo_database.read() as session:
        checked = check_rows(session, table, today=TODAY)
    sheet = load_workbook(write_rejected_rows(tmp_path / "fix.xlsx", checked)).active
    assert sheet.cell(row=2, column=3).value.date() == date(2014, 5, 6)
    assert sheet.cell(row=2, column=3).number_format == "dd/mm/yyyy"
    assert sheet.cell(row=2, column=9).value == "007"  # text: the zeros stay
    assert "Year Group" in sheet.cell(row=2, column=10).value


def test_undecided_duplicate_named_and_unwritable_place_refused(
    demo_database: Database, tmp_path: Path
) -> None:
    rows = [learner(1), learner(1, **{"UPN": None, "SIMS Number": None})]
    with demo_database.read() as session:
        checked = check_rows(session, read_table(write_xlsx(tmp_path / "in.xlsx", rows)))
    twin = checked.row(3)
    assert twin.needs_decision
    assert any("same name" in p for p in row_problems(twin))
    assert row_problems(twin, Decision.CREATE_NEW) == []
    with pytest.raises(Refused, match="does not exist"):
        write_rejected_rows(tmp_path / "nowhere" / "fix.xlsx", checked)
    assert not list(tmp_path.glob("*.part"))
