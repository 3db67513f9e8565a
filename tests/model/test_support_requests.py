"""Support requests: recorded with corrections of the six details, exported once, marked sent."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, School
from planit_desktop.model.errors import InvalidInput, PermissionDenied, Refused
from planit_desktop.model.services.learners.support_requests import (
    HEADINGS,
    HEADINGS_ROW,
    export_support_requests,
    list_sent_batches,
    list_support_requests,
)
from planit_desktop.model.services.school import (
    SchoolDetailsMissing,
    parse_dfe_number,
    school_details,
    set_school_details,
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
    # The headings follow the school's details and who asked (HEADINGS_ROW); the rows follow.
    rows = list(sheet.iter_rows(min_row=HEADINGS_ROW, values_only=True))
    assert rows[0] == HEADINGS
    assert rows[1][:9] == (
        "+Zoe", "=HYPERLINK(\"http://x\",\"y\")", "03/03/2014", "Year 7", "B801200005001",
        "0002", "First name", "Zoë", "+Zoe",
    )  # fmt: skip
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            assert cell.data_type != "f"  # never a live formula
    first = HEADINGS_ROW + 1
    assert sheet[f"B{first}"].quotePrefix and sheet[f"A{first}"].quotePrefix
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


# --- the school's details, who asked and when, batches sent, printing ---------------------------


def _clear_dfe_number(database: Database) -> None:
    with database.begin() as session:
        row = session.get(School, 1)
        assert row is not None
        row.la_code = row.establishment_number = None


def test_the_workbook_names_the_school_who_asked_and_when_and_prints_one_page_wide(
    school: Database, admin: Actor, tmp_path: Path
) -> None:
    correct(school, admin, ADA, surname="Byron")
    before = datetime.now().replace(second=0, microsecond=0)
    with school.begin() as session:
        result = export_support_requests(session, admin, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(result.path).active
    assert sheet is not None
    assert sheet["A2"].value == "School" and sheet["B2"].value == "Test School"
    assert sheet["A3"].value == "DfE number" and sheet["B3"].value == "801/4001"
    asked = sheet["B4"].value
    assert sheet["A4"].value == "Requested by" and asked.startswith(f"{admin.name}, ")
    when = datetime.strptime(asked.split(", ", 1)[1], "%d/%m/%Y at %H:%M")
    assert before <= when <= datetime.now()
    assert "801/4001" in sheet.oddHeader.center.text
    setup = sheet.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${HEADINGS_ROW}:${HEADINGS_ROW}"


def test_no_export_until_the_dfe_number_is_recorded(
    school: Database, admin: Actor, tmp_path: Path
) -> None:
    correct(school, admin, ADA, surname="Byron")
    _clear_dfe_number(school)
    with school.begin() as session:
        with pytest.raises(SchoolDetailsMissing, match="DfE number"):
            export_support_requests(session, admin, tmp_path / "r.xlsx")
        assert not any(r.sent for r in list_support_requests(session, admin))
    assert not (tmp_path / "r.xlsx").exists()
    with school.begin() as session:
        set_school_details(session, admin, la_code=" 801", establishment_number="4001 ")
        assert export_support_requests(session, admin, tmp_path / "r.xlsx").count == 1


def test_an_earlier_batch_is_written_again_as_it_was_sent(
    school: Database, admin: Actor, tmp_path: Path
) -> None:
    correct(school, admin, ADA, surname="Byron")
    with school.begin() as session:
        export_support_requests(session, admin, tmp_path / "first.xlsx")
    correct(school, admin, ZOE, surname="Byrne", first_names="Zoe")
    with school.begin() as session:
        export_support_requests(session, admin, tmp_path / "second.xlsx")
    with school.read() as session:
        batches = list_sent_batches(session, admin)
        sent = {r.field: (r.sent_at, r.sent_by) for r in list_support_requests(session, admin)}
    assert [b.count for b in batches] == [2, 1]  # newest first
    assert batches[0].sent_at > batches[1].sent_at and batches[1].sent_by == admin.name
    assert batches[1].describe().endswith(f"by {admin.name}: 1 request")
    with school.begin() as session:
        again = export_support_requests(
            session, admin, tmp_path / "again.xlsx", batch=batches[1].sent_at
        )
    assert again.count == 1
    first = list(openpyxl.load_workbook(tmp_path / "first.xlsx").active.values)
    written = list(openpyxl.load_workbook(again.path).active.values)
    assert written[HEADINGS_ROW:] == first[HEADINGS_ROW:]  # the same requests, as sent
    assert "exported again" in written[3][1] and written[3][1].startswith(admin.name)
    with school.read() as session:
        after = {r.field: (r.sent_at, r.sent_by) for r in list_support_requests(session, admin)}
        assert after == sent  # writing a batch again marks nothing
        assert list_sent_batches(session, admin) == batches
    with pytest.raises(Refused, match="No support requests were sent on"):
        with school.begin() as session:
            export_support_requests(session, admin, tmp_path / "x.xlsx", batch=datetime(2001, 1, 1))
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("123/4567", ("123", "4567")), ("123-4567", ("123", "4567")), (" 1234567 ", ("123", "4567"))],
)
def test_a_dfe_number_is_read_in_its_usual_forms(typed: str, expected: tuple[str, str]) -> None:
    assert parse_dfe_number(typed) == expected


@pytest.mark.parametrize(
    ("la_code", "number", "message"),
    [
        ("12", "4567", "not a local authority code: it has exactly 3 digits"),
        ("12a", "4567", "not a local authority code"),
        ("123", "45678", "not an establishment number"),
        ("١٢٣", "4567", "not a local authority code"),  # digits, but not ASCII ones
        ("123", "", "The establishment number is missing"),
        ("", "4567", "The local authority code is missing"),
    ],
)
def test_a_wrong_dfe_number_is_refused_and_nothing_changes(
    school: Database, admin: Actor, la_code: str, number: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message), school.begin() as session:
        set_school_details(session, admin, la_code=la_code, establishment_number=number)
    with school.read() as session:
        assert school_details(session).dfe_number == "801/4001"


def test_school_details_are_audited_and_an_administrators_to_change(
    school: Database, admin: Actor, sam: Actor
) -> None:
    with school.begin() as session:
        details = set_school_details(
            session, admin, name="  Test   Academy ", la_code="802", establishment_number="4001"
        )
    assert (details.name, details.dfe_number) == ("Test Academy", "802/4001")
    with school.read() as session:
        changed = session.execute(
            select(AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value)
            .where(AuditEntry.action == "school changed")
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(row) for row in changed] == [
        ("name", "Test School", "Test Academy"),
        ("la_code", "801", "802"),
    ]  # the unchanged establishment number is not audited
    with pytest.raises(PermissionDenied), school.begin() as session:
        set_school_details(session, sam, la_code="999", establishment_number="9999")
    with school.read() as session:
        assert school_details(session).dfe_number == "802/4001"
