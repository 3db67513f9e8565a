"""Untrusted files: each refused with a clear message (or its cells rejected), nothing imported."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from planit_desktop.model.services.importing import Field, UnreadableFile, read_table
from planit_desktop.model.services.importing.spreadsheet import ENCRYPTED, OLE_MAGIC
from planit_desktop.model.services.importing.table import MAX_DATA_ROWS
from tests.support.import_files import HEADER, learner, write_csv, write_xlsx


def test_empty_file(tmp_path: Path) -> None:
    for name in ("empty.xlsx", "empty.csv"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(UnreadableFile, match="is empty"):
            read_table(tmp_path / name)


def test_renamed_text_file(tmp_path: Path) -> None:
    path = tmp_path / "learners.xlsx"
    path.write_text("First Names,Surnames\nAnn,Lee\n")
    with pytest.raises(UnreadableFile, match="renamed CSV or text file"):
        read_table(path)


def test_truncated_workbook(tmp_path: Path) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", [learner(i) for i in range(5)])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(UnreadableFile, match="damaged or incomplete"):
        read_table(cut)


def test_corrupted_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(UnreadableFile, match="damaged or incomplete"):
        read_table(path)
    corrupt_zip = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(corrupt_zip, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(UnreadableFile, match="not a spreadsheet"):
        read_table(corrupt_zip)


def test_encrypted_workbook(tmp_path: Path) -> None:
    # An encrypted .xlsx is an OLE compound file holding an "EncryptedPackage" stream.
    directory_entry = "EncryptedPackage".encode("utf-16-le").ljust(64, b"\x00")
    path = tmp_path / "locked.xlsx"
    path.write_bytes(OLE_MAGIC + b"\x00" * 504 + directory_entry + b"\x00" * 448)
    with pytest.raises(UnreadableFile) as refused:
        read_table(path)
    assert refused.value.message == ENCRYPTED


def test_zip_bomb_refused_from_its_directory(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ok.xlsx", [learner(1)])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        # 25 MB of spaces squeezes into a few kilobytes: absurd for a sheet.
        archive.writestr("xl/worksheets/sheet9.xml", b" " * (25 * 1024 * 1024))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(UnreadableFile, match="would unpack to 25 MB"):
        read_table(bomb)


def test_more_than_fifty_thousand_rows_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    line = ",".join(str(v) for v in learner(1)) + "\n"
    path.write_text(",".join(HEADER) + "\n" + line * (MAX_DATA_ROWS + 1))
    with pytest.raises(UnreadableFile, match="more than 50,000 learner rows"):
        read_table(path)


def test_far_away_cell_refused_without_building_the_range(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "far.xlsx", [learner(1)])
    workbook = load_workbook(path)
    workbook.active.cell(row=900_000, column=1, value="x")
    workbook.save(path)
    with pytest.raises(UnreadableFile, match="row 900,000"):
        read_table(path)
    wide = write_xlsx(tmp_path / "wide.xlsx", [learner(1)])
    workbook = load_workbook(wide)
    workbook.active.cell(row=2, column=16_000, value="x")
    workbook.save(wide)
    with pytest.raises(UnreadableFile, match="too wide"):
        read_table(wide)


def test_formulas_are_found_in_their_cells(tmp_path: Path) -> None:
    rows = [
        learner(1, **{"First Names": '=HYPERLINK("http://example.com","Ann")'}),
        learner(2, **{"Date of Birth": "=DATE(2014,1,2)"}),
        learner(3),
    ]
    table = read_table(write_xlsx(tmp_path / "f.xlsx", rows))
    assert table.rows[0].formulas == {Field.FIRST_NAMES}
    assert table.rows[1].formulas == {Field.DATE_OF_BIRTH}
    assert table.rows[2].formulas == frozenset()


def test_binary_file_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(UnreadableFile, match="not a CSV text file"):
        read_table(path)


def test_folder_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="is a folder"):
        read_table(tmp_path)
    with pytest.raises(UnreadableFile, match="There is no file"):
        read_table(tmp_path / "nope.xlsx")


def test_unknown_extension_with_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [learner(1)])
    renamed = path.rename(tmp_path / "x.docx")
    with pytest.raises(UnreadableFile, match="not a file Plan-it can import"):
        read_table(renamed)
