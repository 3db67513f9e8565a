"""Workbooks (.xlsx, .xlsm, .xls, .ods) read with python-calamine, after safety checks.

A workbook from outside is untrusted: before calamine unpacks anything, the sizes in the zip
directory are checked (a zip bomb is refused without being inflated), an encrypted workbook
is recognised by its ``EncryptedPackage`` stream, and what calamine would build is measured
by streaming the file (:mod:`.xml_parts` for .xlsx and .ods, :mod:`.xls_file` for .xls): one
stray value in cell XFD1048576, or one long text shown in 80,000 cells, is refused before
calamine could try to allocate it (it would end the process, not raise). Calamine gives a
formula's cached value, not the formula, so formulas are found in the sheet's XML.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

from planit_desktop.model.services.importing.headers import build_table, known_field
from planit_desktop.model.services.importing.limits import (
    ENCRYPTED,
    NOTHING_IMPORTED,
    damaged,
    too_many_sheets,
)
from planit_desktop.model.services.importing.table import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    CellValue,
    SheetInfo,
    SourceKind,
    Table,
    UnreadableFile,
    data_row_limit,
)

#: Unpacked size allowed for one sheet (and for the workbook's shared text). A genuine
#: 50,000-row sheet of the nine columns is about 23 MB of XML, so the bound is generous;
#: the compression ratio below is what really stops a zip bomb.
MAX_SHEET_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
#: Real spreadsheets compress XML about 5–20 times; a bomb compresses thousands of times.
MAX_RATIO = 150
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_ODS_FORMULA = re.compile(rb"table:formula=")
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
_DECLARATIONS = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
#: The workbook's list of sheets and its relationships are read whole (by calamine and by
#: us); a workbook with hundreds of sheets and names has a few hundred kilobytes of them.
MAX_LIST_BYTES = 4 * 1024 * 1024
#: Sheets a workbook may have: a few per year group at most in any real school's file.
MAX_SHEETS = 1_000
#: Parts (files inside the zip) a workbook may have: each sheet is two or three, a picture
#: one; a real workbook has tens, a big one hundreds.
MAX_ZIP_PARTS = 10_000
# The end record is at most 22 bytes and a 65,535-byte comment from the end of the file.
_END_SEARCH = 22 + 65_535


def check_ole(path: Path, head: bytes) -> None:
    """Refuse an encrypted workbook (an OLE file holding an ``EncryptedPackage`` stream)."""
    if not head.startswith(OLE_MAGIC):
        return
    # Directory entries are UTF-16 names; an encrypted .xlsx is an OLE file with this one.
    # The name sits in the directory sectors, which are small: a bounded read finds it.
    with path.open("rb") as handle:
        content = handle.read(MAX_TOTAL_BYTES)
    if "EncryptedPackage".encode("utf-16-le") in content:
        raise UnreadableFile(ENCRYPTED)


def _zip_entries(path: Path) -> int:
    """How many parts a zip's directory says it has, read from its end record alone.

    Opening the zip reads the whole directory into memory, a few hundred bytes a part: a
    file of a million empty parts would take hundreds of megabytes before any check.
    """
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        start = max(size - _END_SEARCH, 0)
        handle.seek(start)
        tail = handle.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) < end + 22:
            return 0  # no end record: zipfile refuses the file itself
        entries = int.from_bytes(tail[end + 10 : end + 12], "little")
        locator = end - 20
        if entries == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
            # A zip64 file keeps the count in a larger record the locator points to.
            handle.seek(int.from_bytes(tail[locator + 8 : locator + 16], "little"))
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06":
                entries = int.from_bytes(record[32:40], "little")
        return entries


def check_zip(path: Path, name: str) -> zipfile.ZipFile:
    """Open a zip-based workbook after checking the sizes its directory declares."""
    try:
        entries = _zip_entries(path)
    except OSError as error:
        raise damaged(name) from error
    if entries > MAX_ZIP_PARTS:
        raise UnreadableFile(
            f"{name} was refused: it holds {entries:,} parts, where a workbook has a few dozen "
            "(it looks made to overwhelm the computer). Copy the learners into a new workbook "
            f"and import that. {NOTHING_IMPORTED}"
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise damaged(name) from error
    try:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            sheet_like = info.filename.endswith(".xml")
            unpacked = f"{info.file_size / 1024 / 1024:,.0f} MB"
            if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
                raise UnreadableFile(
                    f"{name} was refused: one of its parts would unpack to {unpacked} from "
                    f"{info.compress_size / 1024:,.0f} KB, far more than any real spreadsheet "
                    "(it looks made to overwhelm the computer). Copy the learners into a new "
                    "workbook and import that."
                )
            if sheet_like and info.file_size > MAX_SHEET_BYTES:
                raise UnreadableFile(
                    f"{name} was refused: one of its parts would unpack to {unpacked}, more "
                    f"than a sheet of learners can need ({MAX_SHEET_BYTES // 1024 // 1024} MB). "
                    "Copy the learners into a new workbook and import that."
                )
        if total > MAX_TOTAL_BYTES:
            raise UnreadableFile(
                f"{name} was refused: it would unpack to {total / 1024 / 1024:,.0f} MB. "
                "Copy the learners into a new workbook and import that."
            )
    except BaseException:
        archive.close()
        raise
    return archive


def check_workbook(path: Path, name: str, suffix: str) -> bool:
    """Refuse a workbook that would make calamine build more than any list of learners.

    Runs before calamine opens the file: calamine builds every sheet of an .ods or .xls as it
    opens it, and an .xlsx's shared strings, and a failed allocation there ends the process.
    Returns False when an .xlsx was seen to hold no formula (its sheets need no search for
    them), True otherwise.
    """
    if suffix == ".xls":
        from planit_desktop.model.services.importing.xls_file import check_xls

        check_xls(path, name)
        return True
    from planit_desktop.model.services.importing.xml_parts import check_ods, check_xlsx

    with check_zip(path, name) as archive:
        try:
            if suffix == ".ods":
                _check_ods_encryption(archive, name)
                check_ods(archive, name, damaged(name))
                return True
            sheet_names = _sheet_parts(archive, name)
            parts = {part: sheet for sheet, part in sheet_names.items()}
            return check_xlsx(archive, name, parts, damaged(name))
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as error:
            # A part that does not inflate to what the directory says (a bad checksum).
            raise damaged(name) from error


def _check_ods_encryption(archive: zipfile.ZipFile, name: str) -> None:
    """An .ods saved with a password says so in its manifest (its content is then noise)."""
    manifest = _list_part(archive, "META-INF/manifest.xml", name)
    if manifest is not None and any(
        element.tag.rsplit("}", 1)[-1] == "encryption-data" for element in manifest.iter()
    ):
        raise UnreadableFile(ENCRYPTED)


def list_workbook_sheets(path: Path, name: str, suffix: str) -> tuple[SheetInfo, ...]:
    """The workbook's worksheets in order, with whether each is hidden (after the checks)."""
    check_workbook(path, name, suffix)
    return _listed_sheets(path, name)


def _listed_sheets(path: Path, name: str) -> tuple[SheetInfo, ...]:
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(path) as workbook:
            return _worksheets(workbook, name)
    except UnreadableFile:
        raise
    except BaseException as error:  # calamine raises its own errors and plain ones
        raise _calamine_error(error, name) from error


def _worksheets(workbook: Any, name: str) -> tuple[SheetInfo, ...]:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    sheets = tuple(
        SheetInfo(meta.name, meta.visible is not SheetVisibleEnum.Visible)
        for meta in workbook.sheets_metadata
        if meta.typ in (SheetTypeEnum.WorkSheet,)
    )
    if len(sheets) > MAX_SHEETS:
        raise too_many_sheets(name, len(sheets))
    return sheets


def _calamine_error(error: BaseException, name: str) -> UnreadableFile:
    """calamine's failure in the coordinator's words; anything but a reader's failure (an
    interrupt, the program ending) goes on as it is."""
    from python_calamine import PasswordError

    # A Rust panic inside calamine arrives as pyo3's PanicException, a BaseException.
    if not isinstance(error, Exception) and type(error).__name__ != "PanicException":
        raise error
    if isinstance(error, PasswordError) or "password" in str(error).lower():
        return UnreadableFile(ENCRYPTED)
    return damaged(name)


def read_workbook(path: Path, *, name: str, suffix: str, sheet: str | None) -> Table:
    """Read one sheet of a workbook into a :class:`Table` (the first visible one by default)."""
    from python_calamine import CalamineWorkbook

    date1904 = False
    xls_formulas: dict[str, frozenset[tuple[int, int]]] = {}
    if suffix == ".xls":
        from planit_desktop.model.services.importing.xls_file import check_xls

        xls_formulas = check_xls(path, name)
        with_formulas = True
    else:
        with_formulas = check_workbook(path, name, suffix)
    if suffix in {".xlsx", ".xlsm"}:
        with check_zip(path, name) as archive:
            date1904 = _xlsx_date1904(archive, name)
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            sheets = _worksheets(workbook, name)
            if not sheets:
                raise UnreadableFile(f"{name} has no worksheets to import from.")
            chosen, rows = _choose_sheet(workbook, sheets, sheet, name)
    except UnreadableFile:
        raise
    except BaseException as error:
        raise _calamine_error(error, name) from error
    # Every format names its formula cells, so each is refused where it is.
    formulas: frozenset[tuple[int, int]] = frozenset()
    notes: list[str] = []
    if suffix in {".xlsx", ".xlsm"} and with_formulas:
        with zipfile.ZipFile(path) as archive:
            formulas = _xlsx_formula_cells(archive, chosen, name)
    elif suffix == ".ods":
        with zipfile.ZipFile(path) as archive:
            formulas = _ods_formula_cells(archive, chosen, name)
    elif suffix == ".xls":
        formulas = xls_formulas.get(chosen, frozenset())
    visible = [s for s in sheets if not s.hidden]
    if sheet is None and len(visible) > 1:
        notes.append(
            f"The workbook has {len(visible)} sheets; “{chosen}” was read. Choose another "
            "sheet if the learners are elsewhere."
        )
    table = build_table(
        rows,
        source_name=name,
        kind=SourceKind.SPREADSHEET,
        sheet=chosen,
        formula_cells=formulas,
        date1904=date1904,
        sheets=sheets,
        notes=tuple(notes),
    )
    return table


def _choose_sheet(
    workbook: Any, sheets: tuple[SheetInfo, ...], wanted: str | None, name: str
) -> tuple[str, list[tuple[int, list[CellValue]]]]:
    if wanted is not None:
        if wanted not in {s.name for s in sheets}:
            listed = ", ".join(f"“{s.name}”" for s in sheets)
            raise UnreadableFile(f"{name} has no sheet called “{wanted}”. Its sheets: {listed}.")
        return wanted, _sheet_rows(workbook, wanted, name)
    candidates = [s.name for s in sheets if not s.hidden] or [sheets[0].name]
    first: tuple[str, list[tuple[int, list[CellValue]]]] | None = None
    for candidate in candidates:
        rows = _sheet_rows(workbook, candidate, name)
        first = first or (candidate, rows)
        if any(_looks_like_header(cells) for _n, cells in rows[:HEADER_SEARCH_ROWS]):
            return candidate, rows
    assert first is not None
    return first


def _looks_like_header(cells: list[CellValue]) -> bool:
    return len({known_field(cell) for cell in cells} - {None}) >= 3


def _sheet_rows(workbook: Any, sheet: str, name: str) -> list[tuple[int, list[CellValue]]]:
    data = workbook.get_sheet_by_name(sheet)
    end = data.end
    if end is None:
        return []
    last_row, last_column = end
    if last_column >= MAX_COLUMNS:
        raise UnreadableFile(
            f"The sheet “{sheet}” of {name} has values as far right as column "
            f"{last_column + 1:,}: too wide for a list of learners. Copy the learners into a "
            "new workbook and import that."
        )
    rows = data_row_limit()
    if last_row >= rows + HEADER_SEARCH_ROWS:
        raise UnreadableFile(
            f"The sheet “{sheet}” of {name} goes down to row {last_row + 1:,}: more than "
            f"{rows:,} learner rows. Split it into smaller files and import them "
            "one after another."
        )
    # Not skipping the empty area keeps index i at spreadsheet row i + 1 and column j at j + 1.
    values = data.to_python(skip_empty_area=False)
    return [(index + 1, row) for index, row in enumerate(values)]


def _list_part(archive: zipfile.ZipFile, part: str, name: str) -> ElementTree.Element | None:
    """A small part read whole (the list of sheets, relationships), or None if absent."""
    try:
        info = archive.getinfo(part)
    except KeyError:
        return None
    if info.file_size > MAX_LIST_BYTES:
        raise UnreadableFile(
            f"{name} was refused: its part {part} would unpack to "
            f"{info.file_size / 1024 / 1024:,.0f} MB, far more than any workbook's. Save the "
            f"learners' sheet as a new workbook and import that. {NOTHING_IMPORTED}"
        )
    data = archive.read(info)
    if _DECLARATIONS.search(data):
        from planit_desktop.model.services.importing.xml_parts import declares_document_type

        raise declares_document_type(name)
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return None


def _xlsx_date1904(archive: zipfile.ZipFile, name: str) -> bool:
    root = _list_part(archive, "xl/workbook.xml", name)
    if root is None:
        return False
    properties = root.find(f"{_MAIN}workbookPr")
    flag = properties.get("date1904", "") if properties is not None else ""
    return flag.lower() in {"1", "true"}


def _sheet_parts(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Each sheet's name → its zip entry, from workbook.xml and its relationships."""
    workbook = _list_part(archive, "xl/workbook.xml", name)
    relations = _list_part(archive, "xl/_rels/workbook.xml.rels", name)
    if workbook is None or relations is None:
        return {}
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in relations.iter(f"{_PKG_REL}Relationship")
    }
    parts: dict[str, str] = {}
    for element in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(element.get(f"{_REL}id"), "")
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        parts.setdefault(element.get("name", ""), part)
        if len(parts) > MAX_SHEETS:
            raise too_many_sheets(name, len(parts))
    return parts


def _sheet_part(archive: zipfile.ZipFile, sheet: str, name: str) -> str | None:
    """The zip entry of the sheet called ``sheet``."""
    return _sheet_parts(archive, name).get(sheet)


def _xlsx_formula_cells(
    archive: zipfile.ZipFile, sheet: str, name: str
) -> frozenset[tuple[int, int]]:
    """(row number, column index) of every cell holding a formula in ``sheet``."""
    part = _sheet_part(archive, sheet, name)
    if part is None or part not in archive.namelist():
        return frozenset()
    # A byte scan first: most sheets have no formula, and then no XML is parsed at all.
    found, tail = False, b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            if _FORMULA.search(tail + chunk):
                found = True
                break
            tail = chunk[-64:]
    if not found:
        return frozenset()
    cells: set[tuple[int, int]] = set()
    row_number, column = 0, -1
    try:
        with archive.open(part) as stream:
            for _event, element in ElementTree.iterparse(stream, events=("start",)):
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "row":
                    row_number = int(element.get("r") or row_number + 1)
                    column = -1
                elif tag == "c":
                    match = _CELL_REF.match(element.get("r") or "")
                    column = _column_index(match[1]) if match else column + 1
                    if match:
                        row_number = int(match[2])
                elif tag == "f":
                    cells.add((row_number, column))
    except (ElementTree.ParseError, ValueError) as error:
        raise damaged(name) from error
    return frozenset(cells)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_CELLS = {f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell"}
#: Formula cells recorded at most: a formula in each of 20 columns of 50,000 rows.
_MAX_FORMULA_CELLS = 1_000_000


def _ods_formula_cells(
    archive: zipfile.ZipFile, sheet: str, name: str
) -> frozenset[tuple[int, int]]:
    """(row number, column index) of every cell holding a formula in the .ods sheet ``sheet``.

    Rows and cells may stand for many (``number-rows-repeated``, ``number-columns-repeated``):
    counted, never expanded, so a sheet that repeats an empty row a million times costs
    nothing. Only columns a learner's row can have (:data:`MAX_COLUMNS`) are recorded.
    """
    try:
        info = archive.getinfo("content.xml")
    except KeyError:
        return frozenset()
    # A byte scan first: most sheets have no formula, and then no XML is parsed at all.
    found, tail = False, b""
    with archive.open(info) as stream:
        while chunk := stream.read(1 << 20):
            if _ODS_FORMULA.search(tail + chunk):
                found = True
                break
            tail = chunk[-32:]
    if not found:
        return frozenset()
    name_attribute, formula = f"{_ODS_TABLE}name", f"{_ODS_TABLE}formula"
    rows_repeated = f"{_ODS_TABLE}number-rows-repeated"
    columns_repeated = f"{_ODS_TABLE}number-columns-repeated"
    cells: set[tuple[int, int]] = set()
    # Repeated rows recorded at most (one row repeated a million times is refused elsewhere).
    row_limit = data_row_limit() + HEADER_SEARCH_ROWS
    inside = False
    row_number = column = 0
    rows = 1
    try:
        with archive.open(info) as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                tag = element.tag
                if tag == f"{_ODS_TABLE}table":
                    if event == "start":
                        inside, row_number = element.get(name_attribute) == sheet, 0
                    elif inside:
                        break
                    element.clear()
                elif not inside:
                    if event == "end" and tag == f"{_ODS_TABLE}table-row":
                        element.clear()
                elif tag == f"{_ODS_TABLE}table-row":
                    if event == "start":
                        column, rows = 0, int(element.get(rows_repeated) or 1)
                    else:
                        row_number += rows
                        element.clear()
                elif tag in _ODS_CELLS and event == "start":
                    repeat = int(element.get(columns_repeated) or 1)
                    if element.get(formula) is not None:
                        for row in range(row_number + 1, row_number + 1 + min(rows, row_limit)):
                            for offset in range(min(repeat, max(MAX_COLUMNS - column, 0))):
                                cells.add((row, column + offset))
                        if len(cells) > _MAX_FORMULA_CELLS:
                            raise UnreadableFile(
                                f"{name} was refused: it holds more formulas than a list of "
                                "learners could need. Replace them with their values (copy, "
                                f"then paste values only) and import again. {NOTHING_IMPORTED}"
                            )
                    column += repeat
    except (ElementTree.ParseError, ValueError) as error:
        raise damaged(name) from error
    return frozenset(cells)
