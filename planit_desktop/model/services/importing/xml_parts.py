"""Measuring the XML inside an .xlsx or .ods before calamine is given it.

Each part that calamine would build cells from is streamed once through expat (never held
whole in memory), and the cells are placed as calamine places them: an .xlsx cell at its
``r`` reference or after the previous one (to within a row for cells outside any row, which
only a crafted file has), an .ods cell after the columns and rows its neighbours repeat.
What calamine would build (the area of each sheet, the text a shared string shows once for
each cell that shows it, every repeated value of an .ods) is counted on a
:class:`WorkbookTally`, which refuses the file at the first cell past a limit.

A document type declaration is refused outright: no part of a workbook has one, and it is
how entity expansion ("billion laughs") and external entities get in.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from typing import IO
from xml.parsers import expat

from planit_desktop.model.services.importing.limits import (
    MAX_CELL_TEXT,
    MAX_SHARED_STRINGS,
    MAX_SHEET_CELLS,
    NOTHING_IMPORTED,
    SheetTally,
    WorkbookTally,
    cell_too_long,
    too_many_cells,
    too_many_texts,
)
from planit_desktop.model.services.importing.table import UnreadableFile

#: The most rows and columns calamine gives an .ods sheet (it caps repeats there).
_ODS_MAX_ROWS = 1_048_576
_ODS_MAX_COLUMNS = 16_384
_CHUNK = 1 << 20
_FEED = 8 << 20
#: Text is added to a workbook's count a million characters at a time.
_TEXT_BATCH = 1_000_000
# What marks a part calamine reads cells from, in UTF-8 and in UTF-16 either way round.
_SHEET_MARKS = tuple(
    re.compile(re.escape(word.encode(encoding)))
    for word in ("sheetData",)
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_REFERENCE = re.compile(r"([A-Za-z]*)([0-9]+)")


def declares_document_type(name: str) -> UnreadableFile:
    return UnreadableFile(
        f"{name} was refused: a part of it declares a document type or entities, which no "
        "spreadsheet program writes (it is a way to make a reader expand text without end). "
        f"Save the learners as a new workbook and import that. {NOTHING_IMPORTED}"
    )


def _parser(name: str) -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> None:
        raise declares_document_type(name)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _parse(
    parser: expat.XMLParserType, stream: IO[bytes], name: str, damaged: UnreadableFile
) -> None:
    # A refusal raised in a handler comes out of expat as it is. The part is fed in large
    # pieces: expat reads a long comment or tag again from its start each time more of it
    # arrives, so the small pieces ParseFile uses make one 20 MB comment take minutes.
    try:
        while chunk := stream.read(_FEED):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, ValueError, OSError, zipfile.BadZipFile) as error:
        raise damaged from error


def _local(tag: str) -> str:
    return tag.rpartition(":")[2] if ":" in tag else tag


def _reference(text: str) -> tuple[int, int | None] | None:
    """``C7`` → (6, 2); ``7`` → (6, None): a reference as calamine reads it, from 0."""
    match = _REFERENCE.fullmatch(text)
    if match is None or int(match[2]) == 0:
        return None
    column = 0
    for letter in match[1].upper():
        column = column * 26 + ord(letter) - 64
    return int(match[2]) - 1, (column - 1 if column else None)


def _has_sheet_data(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            if any(mark.search(window) for mark in _SHEET_MARKS):
                return True
            tail = chunk[-32:]
    return False


def check_xlsx(
    archive: zipfile.ZipFile,
    name: str,
    sheet_names: Mapping[str, str],
    damaged: UnreadableFile,
) -> bool:
    """Refuse the workbook if its sheets would make calamine build too much.

    Every part holding ``sheetData`` is measured, not only the ones the workbook lists: the
    parts calamine will read are not trusted to be the ones it names. ``sheet_names`` maps
    a part to its sheet's name, for messages. Returns whether any sheet holds a formula.
    """
    tally = WorkbookTally(name)
    lengths: list[int] = []
    parts = [info for info in archive.infolist() if not info.is_dir()]
    for info in parts:
        if info.filename.replace("\\", "/").lower().endswith("sharedstrings.xml"):
            found = _shared_string_lengths(archive, info, name, damaged)
            # Two lists of shared strings (only a crafted file has them): the longer counts.
            lengths = [max(pair) for pair in zip(lengths, found, strict=False)] + (
                found[len(lengths) :] if len(found) > len(lengths) else lengths[len(found) :]
            )
    formulas = False
    for info in parts:
        # A listed sheet is measured whatever it holds; any other part if it holds cells.
        if info.filename in sheet_names or _has_sheet_data(archive, info):
            sheet = sheet_names.get(info.filename, info.filename)
            formulas |= _check_xlsx_sheet(archive, info, tally.sheet(sheet), lengths, damaged)
    return formulas


def _shared_string_lengths(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, damaged: UnreadableFile
) -> list[int]:
    """The length of each shared string, in order (calamine holds them all while reading)."""
    lengths: list[int] = []
    depth = 0  # inside an <si>: the string's own elements
    current = 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth, current
        local = _local(tag)
        if depth:
            depth += 1
        elif local == "si":
            depth, current = 1, 0
            if len(lengths) >= MAX_SHARED_STRINGS:
                raise too_many_texts(name, len(lengths) + 1)
        elif local == "sst":
            # calamine sets room aside for as many strings as the file claims to have.
            claimed = attributes.get("uniqueCount", "").strip()
            if claimed.isdigit() and int(claimed) > MAX_SHARED_STRINGS:
                raise too_many_texts(name, int(claimed))

    def end(_tag: str) -> None:
        nonlocal depth
        if depth:
            depth -= 1
            if depth == 0:
                if current > MAX_CELL_TEXT:
                    where = f"text number {len(lengths) + 1:,} of its shared texts"
                    raise cell_too_long(name, where, current)
                lengths.append(current)

    def text(data: str) -> None:
        nonlocal current
        if depth:
            current += len(data)

    parser = _parser(name)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    with archive.open(info) as stream:
        _parse(parser, stream, name, damaged)
    return lengths


def _check_xlsx_sheet(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    sheet: SheetTally,
    lengths: list[int],
    damaged: UnreadableFile,
) -> bool:
    """Stream one worksheet part, placing each cell as calamine's cell reader does; return
    whether it holds a formula.

    The handlers run for every element of a sheet of 50,000 learners, so they do as little
    as they can. Only the starts of elements are followed: a cell's place is known at its
    start, and whether it has a value at the start of its ``<v>`` or ``<is>``. Text written
    in the cells themselves is not counted, since it cannot be longer than the part, whose
    size the zip checks bound; text shown from the shared strings can, and is counted for
    each cell that shows it. The tally hears only of cells that reach further than any
    before them, and of that text in bulk.
    """
    shared_count = len(lengths)
    reading = False  # after <sheetData>: calamine reads no cell before it
    row_index = -1  # the row calamine is in: a row without ``r`` follows the one before
    column_index = 0
    row = column = 0  # the place of the cell being read
    reach_row = reach_column = -1  # the furthest the tally has been told of
    shared = False
    in_shared_value = False
    index_text: list[str] = []
    text_so_far = 0
    formulas = False
    columns = _COLUMNS
    letters = _LETTERS

    def reaches(characters: int) -> None:
        nonlocal reach_row, reach_column
        sheet.value(row, column, characters)  # refuses, or notes the reach
        reach_row, reach_column = sheet.last_row, sheet.last_column

    def shared_value_ends() -> None:
        # The text of a shared cell's <v> is the number of its shared string.
        nonlocal in_shared_value, text_so_far
        in_shared_value = False
        index = "".join(index_text).strip()
        index_text.clear()
        if not index:
            return  # an empty <v>: calamine makes no cell of it
        number = int(index) if index.isdigit() else 0
        characters = lengths[number] if number < shared_count else 0
        if characters > MAX_CELL_TEXT or row > reach_row or column > reach_column:
            reaches(characters)
        else:
            text_so_far += characters
            if text_so_far > _TEXT_BATCH:
                sheet.workbook.add_text(text_so_far)
                text_so_far = 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal reading, row_index, column_index, row, column, shared, in_shared_value
        nonlocal formulas
        if in_shared_value:
            shared_value_ends()
        local = tag if ":" not in tag else _local(tag)
        if local == "c":
            if not reading:
                return
            reference = attributes.get("r")
            if reference is None:
                row, column = max(row_index, 0), column_index
            else:
                # ``C7`` → row 6, column 2, read as calamine reads it (inline: every cell).
                digits = reference.lstrip(letters)
                name = reference[: len(reference) - len(digits)]
                found = columns.get(name)
                if found is None or not digits.isdigit() or not digits.isascii():
                    row, found = _cell_reference(reference, damaged)
                    if found is None:
                        raise damaged  # calamine refuses a reference without a column
                else:
                    row = int(digits) - 1
                    if row < 0:
                        raise damaged
                column = found
            column_index = column + 1
            shared = attributes.get("t") == "s"
        elif local == "v" or local == "is":  # noqa: PLR1714 (the quickest test here)
            if not reading:
                return
            if shared and local == "v":
                in_shared_value = True
            elif row > reach_row or column > reach_column:
                reaches(0)
        elif local == "t":
            return
        elif local == "f":
            formulas = True
        elif local == "row":
            if not reading:
                return
            reference = attributes.get("r")
            if reference is not None:
                row_index = _cell_reference(reference, damaged)[0]
            else:
                row_index += 1
            column_index = 0
        elif not reading:
            if local == "sheetData":
                reading = True
            elif local == "dimension":
                _declared(sheet, attributes.get("ref", ""))

    def text(data: str) -> None:
        if in_shared_value and len(index_text) < 4:
            index_text.append(data)

    parser = _parser(sheet.name)
    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    with archive.open(info) as stream:
        _parse(parser, stream, sheet.name, damaged)
    if in_shared_value:
        shared_value_ends()
    sheet.workbook.add_text(text_so_far)
    return formulas


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_COLUMNS: dict[str, int] = {}


def _cell_reference(text: str, damaged: UnreadableFile) -> tuple[int, int | None]:
    """``C7`` → (6, 2), ``7`` → (6, None), from 0, as calamine reads a reference; a
    reference calamine cannot read is refused as damaged (calamine would fail on it)."""
    digits = text.lstrip(_LETTERS)
    if not digits.isdigit() or not digits.isascii() or int(digits) == 0:
        raise damaged
    letters = text[: len(text) - len(digits)]
    if not letters:
        return int(digits) - 1, None
    column = _COLUMNS.get(letters)
    if column is None:
        column = 0
        for letter in letters.upper():
            column = column * 26 + ord(letter) - 64
        column -= 1
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = column
    return int(digits) - 1, column


def _declared(sheet: SheetTally, area: str) -> None:
    corners = [_reference(corner) for corner in area.split(":")]
    if not corners or len(corners) > 2 or any(c is None or c[1] is None for c in corners):
        return  # calamine refuses a malformed dimension itself, before reading any cell
    first, last = corners[0], corners[-1]
    assert first is not None and last is not None
    assert first[1] is not None and last[1] is not None
    sheet.declared((first[0], first[1]), (last[0], last[1]), area)


def check_ods(archive: zipfile.ZipFile, name: str, damaged: UnreadableFile) -> None:
    """Refuse the spreadsheet if its ``content.xml`` would make calamine build too much.

    Calamine builds every sheet of an .ods when the file is opened, repeating a cell's value
    for each column and row the file says it repeats, so the repeats are counted, not the
    elements: one element may stand for 16,384 columns of a million rows.
    """
    try:
        info = archive.getinfo("content.xml")
    except KeyError:
        return  # calamine refuses an .ods without content
    tally = WorkbookTally(name)
    state = _OdsState(tally)
    parser = _parser(name)
    parser.StartElementHandler = state.start
    parser.EndElementHandler = state.end
    parser.CharacterDataHandler = state.text
    with archive.open(info) as stream:
        _parse(parser, stream, name, damaged)


_VALUE_ATTRIBUTES = frozenset({"value", "string-value", "date-value", "time-value"})


def _repeats(attributes: Mapping[str, str], key: str) -> int:
    for attribute, value in attributes.items():
        if _local(attribute) == key:
            text = value.strip()
            if not text.isdigit():
                raise ValueError(f"{key} is not a number")
            return int(text)
    return 1


class _OdsState:
    """Calamine's reading of ``content.xml``, counted rather than built."""

    def __init__(self, tally: WorkbookTally) -> None:
        self.tally = tally
        self.sheet: SheetTally | None = None
        self.pushed_total = 0  # cells calamine holds before it lays the sheets out
        self.rows = 0  # rows of the current table so far (repeats included, capped)
        self.row_repeats = 0
        self.row_pushed = 0  # cells of the current row held (the trailing empty ones are not)
        self.pending_empty = 0
        self.in_row = False
        self.cell_depth = 0  # inside a cell: its elements
        self.cell_repeats = 1
        self.cell_text = 0
        self.cell_has_value = False
        self.reads_content = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        local = _local(tag)
        if self.cell_depth:
            self.cell_depth += 1
            if local == "p":
                self.cell_text += 1  # a line break between paragraphs
            elif local == "s":
                self.cell_text += _repeats(attributes, "c")
            self._check_cell_text()
            return
        if local == "table":
            sheet_name = next(
                (value for key, value in attributes.items() if _local(key) == "name"), "?"
            )
            self.sheet = self.tally.sheet(sheet_name)
            self.rows = 0
        elif local == "table-row" and self.sheet is not None:
            repeats = _repeats(attributes, "number-rows-repeated")
            self.row_repeats = min(repeats, max(_ODS_MAX_ROWS - self.rows, 0))
            self.row_pushed = 0
            self.pending_empty = 0
            self.in_row = True
        elif local in ("table-cell", "covered-table-cell") and self.in_row:
            self.cell_depth = 1
            self.cell_repeats = _repeats(attributes, "number-columns-repeated")
            self.cell_text = 0
            self.cell_has_value = False
            self.reads_content = False
            for key, value in attributes.items():
                attribute = _local(key)
                if attribute in _VALUE_ATTRIBUTES:
                    self.cell_has_value = True
                    self.cell_text += len(value)
                elif attribute == "boolean-value":
                    self.cell_has_value = True
                elif attribute == "formula":
                    # The formula is kept beside the value, repeated like it.
                    self.cell_has_value = True
                    self.cell_text += len(value)
                elif attribute == "value-type" and value == "string":
                    self.cell_has_value = True
                    self.reads_content = True
            self._check_cell_text()

    def _check_cell_text(self) -> None:
        if self.cell_text > MAX_CELL_TEXT and self.sheet is not None:
            where = f"a cell of the sheet “{self.sheet.sheet}”"
            raise cell_too_long(self.tally.name, where, self.cell_text)

    def end(self, tag: str) -> None:
        if self.cell_depth:
            self.cell_depth -= 1
            if self.cell_depth == 0:
                self._end_cell()
            return
        local = _local(tag)
        if local == "table-row" and self.in_row:
            self.in_row = False
            self.rows += self.row_repeats
        elif local == "table" and self.sheet is not None and not self.in_row:
            self.sheet = None

    def _end_cell(self) -> None:
        sheet = self.sheet
        assert sheet is not None
        # Earlier empty cells are held once a cell follows them; each cell's repeats are
        # capped at the widest sheet calamine makes, counting the cells held so far.
        flushed = min(self.pending_empty, max(_ODS_MAX_COLUMNS - self.row_pushed, 0))
        self.row_pushed += flushed
        repeats = min(self.cell_repeats, max(_ODS_MAX_COLUMNS - self.row_pushed, 0))
        self.pending_empty = 0
        if not self.cell_has_value:
            self.pending_empty = repeats
            self._hold(flushed)
            return
        self._hold(flushed + repeats)
        if repeats and self.row_repeats:
            sheet.value(
                self.rows,
                self.row_pushed,
                self.cell_text,
                rows=self.row_repeats,
                columns=repeats,
            )
        self.row_pushed += repeats

    def _hold(self, cells: int) -> None:
        self.pushed_total += cells
        if self.pushed_total > MAX_SHEET_CELLS and self.sheet is not None:
            raise too_many_cells(self.tally.name, self.sheet.sheet, self.pushed_total)

    def text(self, data: str) -> None:
        if self.cell_depth and self.reads_content:
            self.cell_text += len(data)
            self._check_cell_text()
