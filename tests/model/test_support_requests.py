"""Support requests: recorded with corrections of the six details, exported once, marked sent."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.errors import PermissionDenied, Refused
from planit_desktop.model.services.learners.support_requests import (
    HEADINGS,
    export_support_requests,
    list_support_requests,
)
from tests.support.corrections import ADA, ZOE, correct


def test_only_the_six_details_make_requests_and_the_list_shows_current_details(
    school: Database, admin: Actor
) -> None:
    correct(school, admin, ADA, surname="Byron", sex="M", ethnicity="WIRI", groups=[1])
    correct(school, admin, ADA, year_group="10", upn="", sims_number="A-77")
    with school.read() as session:
        rows = list_support_requests(session, admin)
    assert [(r.field, r.old_value, r.new_value) for r in rows] == [
        ("surname", "Lovelace", "Byron"),
        ("year_group", "Year 9", "Year 10"),
        ("upn", "H801200001001", ""),
        ("sims_number", "0001", "A-77"),
    ]
    first = rows[0]
    assert (first.surname, first.year_group, first.upn, first.sims_number) == (
        "Byron",
        10,
        None,
        "A-77",
    )
    assert first.field_label == "Surname" and not first.sent
    assert first.requested_by == admin.name  # a member of staff: shown by name


def test_export_writes_the_workbook_and_marks_the_requests_sent(
    school: Database, admin: Actor, tmp_path: Path
) -> None:
    correct(school, admin, ZOE, surname='=HYPERLINK("http://x","y")', first_names="+Zoe")
    out = tmp_path / "requests.xlsx"
    with school.begin() as session:
        result = export_support_requests(session, admin, out)
    assert (result.path, result.count) == (out, 2)
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADINGS
    assert rows[1][:9] == (
        "+Zoe", "=HYPERLINK(\"http://x\",\"y\")", "03/03/2014", "Year 7", "B801200005001",
        "0002", "First name", "Zoë", "+Zoe",
    )  # fmt: skip
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"  # never a live formula
    assert sheet["B2"].quotePrefix and sheet["A2"].quotePrefix
    with school.read() as session:
        listed = list_support_requests(session, admin)
        assert all(r.sent and r.sent_by == admin.login for r in listed)
        assert list_support_requests(session, admin, include_sent=False) == []
    with pytest.raises(Refused, match="no unsent support requests"), school.begin() as session:
        export_support_requests(session, admin, tmp_path / "again.xlsx")
    assert not (tmp_path / "again.xlsx").exists()
    with school.begin() as session:
        assert export_support_requests(session, admin, out, only_unsent=False).count == 2


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_a_file_that_cannot_be_written_marks_nothing_sent(
    school: Database, admin: Actor, tmp_path: Path, where: str
) -> None:
    correct(school, admin, ADA, surname="Byron")
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "no such folder" / "out.xlsx" if where == "missing folder" else folder
    with school.begin() as session:
        with pytest.raises(Refused, match="could not be saved"):
            export_support_requests(session, admin, target)
        # Even inside the same transaction, nothing was marked before the file was safe.
        assert not any(r.sent for r in list_support_requests(session, admin))
    assert list(folder.iterdir()) == []  # no half-written file left behind


def test_supervisors_may_not_see_or_export_requests(
    school: Database,
    admin: Actor,
    sam: Actor,
    tmp_path: Path,
) -> None:
    correct(school, admin, ZOE, surname="Byrne")
    with pytest.raises(PermissionDenied), school.begin() as session:
        list_support_requests(session, sam)
    with pytest.raises(PermissionDenied), school.begin() as session:
        export_support_requests(session, sam, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
    with school.read() as session:
        assert not list_support_requests(session, admin)[0].sent
