"""Exporting learners: the rows as filtered or the whole school, never a live formula; the CLI."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from planit_desktop.cli import main
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry
from planit_desktop.model.errors import PermissionDenied, Refused
from planit_desktop.model.services.learners.exporting import HEADINGS, export_learners
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.model.services.learners.support_requests import HEADINGS_ROW
from tests.support.corrections import ADA, ZOE, correct, count
from tests.support.sign_in import TEST_ADMIN_PASSWORD, command_line_sign_in


def read_back(path: Path) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"  # user text never becomes a formula
    return list(sheet.iter_rows(values_only=True))


def test_every_learner_on_roll_with_text_kept_as_text(
    school: Database, admin: Actor, tmp_path: Path
) -> None:
    correct(school, admin, ADA, surname="=Lee+1", first_names="@Ada")
    with school.begin() as session:
        written = export_learners(session, admin, tmp_path / "learners.xlsx")
    rows = read_back(written)
    assert rows[0] == HEADINGS
    assert rows[1:] == [
        ("=Lee+1", "@Ada", datetime(2012, 1, 15), "Year 9", "9B", "H801200001001", "0001",
         "On roll", "learner1"),
        ("O'Brien", "Zoë", datetime(2014, 3, 3), "Year 7", "7A, Oak", "B801200005001", "0002",
         "On roll", "learner2"),
    ]  # fmt: skip
    # Recorded as a file of personal data written, with its full path and its rows.
    with school.read() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "file_written")).one()
    assert (entry.actor, entry.field, entry.new_value) == (
        admin.login,
        "learners export",
        str(written.resolve()),
    )
    assert entry.detail == f"learners export written to {written.resolve()} (2 rows)"
    with school.begin() as session:
        export_learners(session, admin, written, include_left=True)
    assert [row[0] for row in read_back(written)[1:]] == ["=Lee+1", "O'Brien", "Smith"]


def test_the_rows_given_are_exported_and_supervisors_only_their_own(
    school: Database, admin: Actor, sam: Actor, tmp_path: Path
) -> None:
    with school.read() as session:
        everyone = list_learners(session, admin)
        filtered = [row for row in everyone if row.id == ZOE]
    with school.begin() as session:
        export_learners(session, sam, tmp_path / "mine.xlsx", rows=filtered)
    assert [row[0] for row in read_back(tmp_path / "mine.xlsx")[1:]] == ["O'Brien"]
    with pytest.raises(PermissionDenied), school.begin() as session:
        export_learners(session, sam, tmp_path / "all.xlsx", rows=everyone)
    assert not (tmp_path / "all.xlsx").exists()
    with school.begin() as session:
        export_learners(session, sam, tmp_path / "seen.xlsx", include_left=True)
    assert [row[0] for row in read_back(tmp_path / "seen.xlsx")[1:]] == ["O'Brien", "Smith"]


def test_an_unwritable_target_is_refused_and_leaves_nothing(
    school: Database, admin: Actor, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Refused, match="could not be saved"), school.begin() as session:
        export_learners(session, admin, folder)
    assert list(folder.iterdir()) == []
    assert count(school, AuditEntry, AuditEntry.action == "file_written") == 0


def _sign_in_as(admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line signs in as the ``admin`` fixture's Test Admin."""
    command_line_sign_in(tmp_path / "sign-in", admin.login, TEST_ADMIN_PASSWORD).use_in(monkeypatch)


def test_the_export_learners_command(
    school: Database,
    admin: Actor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _sign_in_as(admin, tmp_path, monkeypatch)
    db = school.url
    out = tmp_path / "learners.xlsx"
    assert main(["export", "learners", str(out), "--db", db]) == 0
    assert "Wrote 2 learners to" in capsys.readouterr().out
    assert len(read_back(out)) == 3
    assert main(["--db", db, "export", "learners", str(out), "--include-left"]) == 0
    assert len(read_back(out)) == 4


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing/learners.xlsx", "the folder"),
        ("learners.csv", "must end in .xlsx"),
        (".", "a folder"),
    ],
)
def test_the_command_refuses_an_unwritable_path_in_one_line(
    school: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    target: str,
    message: str,
) -> None:
    path = tmp_path / target
    if target == ".":
        path = tmp_path / "a folder.xlsx"
        path.mkdir()
    assert main(["export", "learners", str(path), "--db", school.url]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error and "Traceback" not in error


def test_the_export_support_requests_command(
    school: Database,
    admin: Actor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _sign_in_as(admin, tmp_path, monkeypatch)
    db = school.url
    out = tmp_path / "requests.xlsx"
    assert main(["export", "support-requests", str(out), "--db", db]) == 1  # none yet
    assert "no unsent support requests" in capsys.readouterr().err
    correct(school, admin, ADA, surname="Byron")
    assert main(["export", "support-requests", str(out), "--db", db]) == 0
    assert "Wrote 1 support request to" in capsys.readouterr().out
    assert len(read_back(out)) == HEADINGS_ROW + 1  # the school's details, headings, 1 row
    assert main(["export", "--db", db]) == 2
    assert "Say what to export" in capsys.readouterr().err


def test_the_command_asks_for_the_dfe_number_and_records_it(
    school: Database,
    admin: Actor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from planit_desktop.model.entities import School
    from planit_desktop.model.services.school import school_details

    with school.begin() as session:
        row = session.get(School, 1)
        assert row is not None
        row.la_code = row.establishment_number = None
    _sign_in_as(admin, tmp_path, monkeypatch)
    correct(school, admin, ADA, surname="Byron")
    out = tmp_path / "requests.xlsx"
    assert main(["export", "support-requests", str(out), "--db", school.url]) == 1
    error = capsys.readouterr().err
    assert "--dfe-number 123/4567" in error and error.count("\n") == 1 and not out.exists()
    bad = ["export", "support-requests", str(out), "--db", school.url, "--dfe-number", "12/3"]
    assert main(bad) == 2 and "not a local authority code" in capsys.readouterr().err
    good = [*bad[:-1], "802-4002"]
    assert main(good) == 0
    with school.read() as session:
        assert school_details(session).dfe_number == "802/4002"
    assert read_back(out)[2][:2] == ("DfE number", "802/4002")
