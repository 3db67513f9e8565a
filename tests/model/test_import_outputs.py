"""Password outputs: the list workbook (never a formula) and the PDF slips, saved atomically."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest

from planit_desktop.model.errors import Refused
from planit_desktop.model.services import pdf_text
from planit_desktop.model.services.credentials.outputs import (
    PasswordRow,
    write_password_list,
    write_password_slips,
)

ROWS = [
    PasswordRow("bsmith1", "Bea", "Smith", "7B", "Abcdefgh23"),
    PasswordRow("zobrien1", "Zoë", "O'Brien", "7A", "Zyxwvuts98"),
    PasswordRow("eq1", '=HYPERLINK("http://x","y")', "+Plus", "7A", "Qwertyuip2"),
    PasswordRow("at1", "@Ann", "-Minus", None, "Mnbvcxzlk3"),
    PasswordRow("lw1", "Łukasz", "Wiśniewski 王", "7B", "Poiuytrew4"),
]


def test_password_list_sorted_and_never_a_formula(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_password_list(tmp_path / "passwords.xlsx", ROWS)
    sheet = load_workbook(path)["Passwords"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    # The slips' order: tutor groups in natural order, names by their letters ("+Plus"
    # with the P's), learners with no tutor group last.
    assert [v[0] for v in values] == ["zobrien1", "eq1", "bsmith1", "lw1", "at1"]
    assert values[1][1] == '=HYPERLINK("http://x","y")'
    assert sheet["B3"].quotePrefix and sheet["C3"].quotePrefix and sheet["B6"].quotePrefix
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    assert not list(tmp_path.glob("*.part"))


def test_slips_pdf_grouped_by_tutor_group(tmp_path: Path) -> None:
    many = ROWS + [
        PasswordRow(f"x{i}", "Xi", f"Surname{i:02d}", "8C", "Aaaaaaaa22") for i in range(12)
    ]
    path = write_password_slips(
        tmp_path / "slips.pdf", many, school_name="Riverside", new_page_per_group=True
    )
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    # Each group from a new page, as asked: no group (1 page), 7A (1), 7B (1), 8C: 12 slips
    # at ten a page (2).
    assert re.findall(rb"/Count (\d+)", data) == [b"5"]
    # Otherwise the groups follow on under their headings: 17 slips on two pages.
    path = write_password_slips(tmp_path / "slips.pdf", many, school_name="Riverside")
    assert re.findall(rb"/Count (\d+)", path.read_bytes()) == [b"2"]


def test_slips_without_a_unicode_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_text, "unicode_font", lambda: None)
    path = write_password_slips(tmp_path / "slips.pdf", ROWS)
    assert path.read_bytes().startswith(b"%PDF")
    assert pdf_text.latin1("Zoë Łukasz 王") == "Zoë Lukasz ?"


def test_unwritable_folder_and_file_in_use(tmp_path: Path) -> None:
    with pytest.raises(Refused, match="does not exist"):
        write_password_list(tmp_path / "missing" / "p.xlsx", ROWS)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # not when the tests run as root
            with pytest.raises(Refused, match="cannot be written to"):
                write_password_list(locked / "p.xlsx", ROWS)
    finally:
        locked.chmod(0o700)
    # A target that cannot be replaced (here a folder; on Windows, a file open in Excel).
    in_use = tmp_path / "in-use.xlsx"
    in_use.mkdir()
    with pytest.raises(Refused, match="close it there"):
        write_password_list(in_use, ROWS)
    assert not list(tmp_path.glob(".*.part"))
    # The rows are still there: saving again elsewhere works.
    assert write_password_list(tmp_path / "again.xlsx", ROWS).exists()
