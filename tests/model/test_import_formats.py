"""OpenDocument (.ods) and old Excel (.xls) files through calamine, and the sheet size limit:
a genuine large sheet is read, a zip bomb is refused from its directory."""

from __future__ import annotations

import os
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from planit_desktop.model.services.importing import (
    Field,
    SheetInfo,
    UnreadableFile,
    list_sheets,
    read_table,
)
from planit_desktop.model.services.importing.spreadsheet import MAX_SHEET_BYTES
from tests.support.import_files import HEADER, learner, write_xlsx

_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type='
    '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
    'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def _ods_cell(value: Any) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, tuple):  # ("formula", "of:=1+1", shown)
        _kind, formula, shown = value
        return (
            f'<table:table-cell table:formula="{formula}" office:value-type="float" '
            f'office:value="{shown}"><text:p>{shown}</text:p></table:table-cell>'
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def write_ods(path: Path, sheets: list[tuple[str, bool, list[list[Any]]]]) -> Path:
    """A minimal OpenDocument spreadsheet, by hand: (name, hidden, rows) per sheet."""
    hidden_style = (
        '<office:automatic-styles><style:style style:name="hidden" style:family="table">'
        '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
    )
    tables = "".join(
        f'<table:table table:name="{escape(name)}"'
        + (' table:style-name="hidden"' if hidden else "")
        + ">"
        + "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, hidden, rows in sheets
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NAMESPACES} '
        f'office:version="1.2">{hidden_style}<office:body><office:spreadsheet>{tables}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        # The mimetype comes first and uncompressed, as the OpenDocument format requires.
        mimetype = zipfile.ZipInfo("mimetype")
        archive.writestr(mimetype, "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("content.xml", content)
    return path


def test_ods_rows_dates_numbers_and_hidden_sheets(tmp_path: Path) -> None:
    rows = [
        HEADER,
        learner(1, **{"Date of Birth": date(2014, 3, 4)}),
        [None] * len(HEADER),  # a blank row between data
        learner(2, **{"Year Group": 7}),
    ]
    path = write_ods(tmp_path / "learners.ods", [("Notes", True, [["x"]]), ("Pupils", False, rows)])
    assert list_sheets(path) == (SheetInfo("Notes", True), SheetInfo("Pupils", False))
    table = read_table(path)
    assert table.sheet == "Pupils"
    assert [r.number for r in table.rows] == [2, 4]
    first, second = (r.values for r in table.rows)
    assert first[Field.FIRST_NAMES] == "Testacilkbram"
    assert first[Field.DATE_OF_BIRTH] == date(2014, 3, 4)  # a date cell, as a date
    assert second[Field.YEAR_GROUP] == 7
    assert table.problems == ()


def test_ods_formulas_are_refused_in_their_cells(tmp_path: Path) -> None:
    # Once the whole file was refused without saying where; now each cell is named.
    rows = [
        ["Notes about the list"],
        HEADER,
        learner(1),
        learner(2, **{"Year Group": ("formula", "of:=3+4", 7)}),
        learner(3),
    ]
    other = [["x", ("formula", "of:=1+1", 2)]]  # another sheet's formulas do not matter
    path = write_ods(tmp_path / "f.ods", [("Other", False, other), ("Learners", False, rows)])
    table = read_table(path, sheet="Learners")
    assert table.problems == ()
    assert [r.formulas for r in table.rows] == [frozenset(), {Field.YEAR_GROUP}, frozenset()]
    repeated = [HEADER, *[learner(1)] * 2]
    content = write_ods(tmp_path / "r.ods", [("Learners", False, repeated)])
    # A formula in a row repeated three times counts in each of the three.
    with zipfile.ZipFile(content) as archive:
        xml = archive.read("content.xml").decode()
    cell = _ods_cell(("formula", "of:=3+4", 7))
    row = "<table:table-row>" + "".join(
        cell if h == "Year Group" else _ods_cell(v) for h, v in zip(HEADER, learner(4), strict=True)
    )
    xml = xml.replace(
        "</table:table>",
        row.replace("<table:table-row>", '<table:table-row table:number-rows-repeated="3">')
        + "</table:table-row></table:table>",
    )
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("content.xml", xml)
    table = read_table(content)
    assert [r.number for r in table.rows if r.formulas] == [4, 5, 6]


def test_xls_formulas_are_refused_in_their_cells(tmp_path: Path) -> None:
    # calamine gives a formula's last result: once taken silently, now refused where it is.
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    workbook.add_sheet("Notes").write(0, 0, xlwt.Formula("1+1"))
    sheet = workbook.add_sheet("Learners")
    for column, heading in enumerate(HEADER):
        sheet.write(0, column, heading)
    for line, number in enumerate((1, 2), start=1):
        for column, value in enumerate(learner(number)):
            if number == 2 and HEADER[column] == "Surnames":
                sheet.write(line, column, xlwt.Formula('"Smi"&"th"'))
            else:
                sheet.write(line, column, value)
    path = tmp_path / "f.xls"
    workbook.save(str(path))
    table = read_table(path, sheet="Learners")
    assert [r.formulas for r in table.rows] == [frozenset(), {Field.SURNAME}]


def test_ods_named_but_damaged(tmp_path: Path) -> None:
    whole = write_ods(tmp_path / "whole.ods", [("Learners", False, [HEADER, learner(1)])])
    cut = tmp_path / "cut.ods"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(UnreadableFile, match="damaged or incomplete"):
        read_table(cut)


def test_xls_read_through_calamine(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Learners")
    day = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for column, heading in enumerate(HEADER):
        sheet.write(0, column, heading)
    for line, number in enumerate((1, 2), start=1):
        for column, value in enumerate(learner(number)):
            if HEADER[column] == "Date of Birth":
                sheet.write(line, column, date(2014, 3, number), day)
            else:
                sheet.write(line, column, value)
    workbook.add_sheet("Old").visibility = 1  # hidden
    path = tmp_path / "learners.xls"
    workbook.save(str(path))
    assert list_sheets(path) == (SheetInfo("Learners", False), SheetInfo("Old", True))
    table = read_table(path)
    assert [r.values[Field.DATE_OF_BIRTH] for r in table.rows] == [
        date(2014, 3, 1),
        date(2014, 3, 2),
    ]
    assert table.rows[1].values[Field.UPN] == learner(2)[HEADER.index("UPN")]


def _with_sheet(tmp_path: Path, name: str, sheet_xml: bytes, method: int) -> Path:
    source = write_xlsx(tmp_path / "source.xlsx", [learner(1), learner(2)])
    target = tmp_path / name
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", method) as archive:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            archive.writestr(info.filename, data)
    return target


def test_a_plain_sheet_over_the_old_twenty_megabytes_is_read(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "small.xlsx", [learner(1), learner(2)])
    with zipfile.ZipFile(source) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    # 22 MB of incompressible padding in an XML comment: as big as a genuine 50,000-row
    # sheet, and compressing like real data, not like a bomb.
    padding = os.urandom(11 * 1024 * 1024).hex().encode()
    declaration_end = sheet.index(b"?>") + 2 if sheet.startswith(b"<?xml") else 0
    big = sheet[:declaration_end] + b"<!--" + padding + b"-->" + sheet[declaration_end:]
    assert 20 * 1024 * 1024 < len(big) < MAX_SHEET_BYTES
    path = _with_sheet(tmp_path, "big.xlsx", big, zipfile.ZIP_STORED)
    table = read_table(path)
    assert [r.values[Field.FIRST_NAMES] for r in table.rows] == ["Testacilkbram", "Testadorvbram"]


def test_a_zip_bomb_under_the_size_limit_is_still_refused(tmp_path: Path) -> None:
    # 30 MB of one repeated row squeezes to a few tens of kilobytes: a ratio no sheet has.
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
    bomb_sheet = b"<worksheet><sheetData>" + row * (30 * 1024 * 1024 // len(row)) + b"</sheetData>"
    path = _with_sheet(tmp_path, "bomb.xlsx", bomb_sheet + b"</worksheet>", zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 300_000
    with pytest.raises(UnreadableFile, match="far more than any real spreadsheet"):
        read_table(path)


def test_a_sheet_over_the_limit_is_refused_from_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planit_desktop.model.services.importing import spreadsheet

    # The limit lowered for the test: the same check, without writing 64 MB.
    monkeypatch.setattr(spreadsheet, "MAX_SHEET_BYTES", 1024 * 1024)
    sheet = b"<!--" + os.urandom(600 * 1024).hex().encode() + b"-->" + b"<worksheet/>"
    path = _with_sheet(tmp_path, "wide.xlsx", sheet, zipfile.ZIP_STORED)
    with pytest.raises(UnreadableFile, match="more than a sheet of learners can need"):
        read_table(path)
