"""How much an untrusted file may make the readers build, and the refusal when it asks more.

A workbook is a few kilobytes of zip that a reader unpacks into cells: one value in cell
XFD1048576 asks for 17 billion of them, and one long shared string used by 80,000 cells asks
for its text 80,000 times. Calamine (the Rust library that reads workbooks) ends the whole
process when an allocation fails, so no exception could save the window: every file is
measured first, by streaming its parts, and refused before any reader is given it.

The limits are generous for real schools. A trust's export of 50,000 learners (the most one
file may hold) in the template's nine columns is about 450,000 cells and 3 million
characters; a MIS export of the same learners with a hundred columns still fits. Every limit
is at least ten times what such a file needs, and far below what would exhaust a school PC.
A trust's 100,000 learners in the nine columns would fit every limit here too (apart from
the rows, which follow ``MAX_DATA_ROWS``): it is the rule of 50,000 rows a file that asks
for two files. A comparison of the whole roll with the MIS reads up to ``MAX_ROLL_ROWS``
(``table.rows_allowed``), a trust's every year group in one file; the other limits hold for
it unchanged, so such a file may have up to 50 columns at 100,000 rows.
"""

from __future__ import annotations

from planit_desktop.model.services.importing.table import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_DATA_ROWS,
    UnreadableFile,
    column_letter,
    data_row_limit,
)

#: The furthest row a value may sit in: the learner rows and the rows searched for headings
#: (for a whole roll, ``data_row_limit()`` rows instead of ``MAX_DATA_ROWS``).
MAX_SHEET_ROWS = MAX_DATA_ROWS + HEADER_SEARCH_ROWS
#: Cells a sheet may lay out (its rows times its columns, empty cells included, as the reader
#: builds them): 50,000 learners with 100 columns. About 200 MB in the reader at most.
MAX_SHEET_CELLS = 5_000_000
#: Cells a sheet may say it has (Excel's ``dimension``). The readers do not trust it, but a
#: declared area of more than this is no list of learners: A1:XFD1048576 is 17 billion.
MAX_DECLARED_CELLS = 100_000_000
#: Characters in one cell: Excel's own limit, so no file Excel saved has more.
MAX_CELL_TEXT = 32_767
#: Characters of text in all the cells of a workbook as read (a shared string counts once
#: for every cell that shows it): 50,000 rows of 100 ten-character values.
MAX_TEXT = 50_000_000
#: Different texts a workbook may list (its shared strings): every cell of a sheet of
#: learners is at most a few hundred thousand of them.
MAX_SHARED_STRINGS = 2_000_000
#: An old Excel (.xls) workbook holds at most 65,536 rows; one of 50,000 learners is a few
#: megabytes. Larger files are refused unread.
MAX_XLS_BYTES = 64 * 1024 * 1024
#: Characters a formula of an old Excel workbook may be printed into, counted as 64 for each
#: byte of the formula (the most a byte can become): 100,000 formulas of ordinary length.
MAX_FORMULA_TEXT = 100_000_000

NOTHING_IMPORTED = "Nothing was imported."


def amount(number: int) -> str:
    """A large count as the coordinator reads it: ``17 billion``, ``23 million``, ``4,500``."""
    if number >= 10**9:
        return f"{number / 10**9:,.0f} billion"
    if number >= 10**7:
        return f"{number / 10**6:,.0f} million"
    return f"{number:,}"


def cell_name(row: int, column: int) -> str:
    """Row and column indexes from 0 → the cell's name: (0, 0) → ``A1``."""
    return f"{column_letter(column)}{row + 1}"


def too_far_down(name: str, sheet: str, last_row: int) -> UnreadableFile:
    """``last_row`` counts from 1, as the spreadsheet shows it."""
    return UnreadableFile(
        f"The sheet “{sheet}” of {name} goes down to row {last_row:,}: more than "
        f"{data_row_limit():,} learner rows. Split it into smaller files and import them one "
        f"after another. {NOTHING_IMPORTED}"
    )


def too_wide(name: str, sheet: str, last_column: int) -> UnreadableFile:
    """``last_column`` counts from 1."""
    return UnreadableFile(
        f"The sheet “{sheet}” of {name} has values as far right as column {last_column:,}: "
        "too wide for a list of learners. Copy the learners into a new workbook and import "
        f"that. {NOTHING_IMPORTED}"
    )


def declared_too_big(name: str, sheet: str, cells: int, area: str) -> UnreadableFile:
    return UnreadableFile(
        f"{name} says its sheet “{sheet}” has {amount(cells)} cells ({area}); a school's "
        "roll has at most a few thousand rows. Save just the learners' sheet as a new "
        f"workbook and import that. {NOTHING_IMPORTED}"
    )


def too_many_cells(name: str, sheet: str, cells: int) -> UnreadableFile:
    return UnreadableFile(
        f"The sheet “{sheet}” of {name} spreads over {amount(cells)} cells, far more than a "
        f"list of learners needs (at most {amount(MAX_SHEET_CELLS)}). Save just the learners' "
        f"columns as a new workbook and import that. {NOTHING_IMPORTED}"
    )


def too_many_cells_together(name: str, cells: int) -> UnreadableFile:
    return UnreadableFile(
        f"The sheets of {name} spread over {amount(cells)} cells together, far more than a "
        f"list of learners needs (at most {amount(MAX_SHEET_CELLS)}). Save just the learners' "
        f"sheet as a new workbook and import that. {NOTHING_IMPORTED}"
    )


def cell_too_long(name: str, where: str, characters: int) -> UnreadableFile:
    """``where`` says which cell (or text) it is, e.g. “cell C7 of the sheet “Learners””."""
    return UnreadableFile(
        f"{name} was refused: {where} holds {amount(characters)} characters, more than a "
        f"spreadsheet cell can hold ({MAX_CELL_TEXT:,}). The file was not saved by a "
        "spreadsheet program, or it is damaged: save the learners from Excel as a new "
        f"workbook and import that. {NOTHING_IMPORTED}"
    )


def too_much_text(name: str, characters: int) -> UnreadableFile:
    return UnreadableFile(
        f"{name} was refused: its cells would unpack to {amount(characters)} characters of "
        f"text, far more than any list of learners (at most {amount(MAX_TEXT)}). Save just "
        f"the learners' sheet as a new workbook and import that. {NOTHING_IMPORTED}"
    )


def too_many_texts(name: str, count: int) -> UnreadableFile:
    return UnreadableFile(
        f"{name} was refused: it lists {amount(count)} different texts, far more than any "
        "list of learners. Save just the learners' sheet as a new workbook and import that. "
        f"{NOTHING_IMPORTED}"
    )


class SheetTally:
    """What one sheet would make the reader build, counted as its cells stream past.

    Each method refuses (raises :class:`UnreadableFile`) as soon as a limit is passed, so a
    crafted file is refused at its first absurd cell, without reading on. ``text`` is shared
    by the sheets of one workbook when the reader builds them all at once.
    """

    __slots__ = (
        "area", "cells", "last_column", "last_row", "max_row", "name", "sheet", "workbook"
    )  # fmt: skip

    def __init__(self, name: str, sheet: str, workbook: WorkbookTally) -> None:
        self.name = name
        self.sheet = sheet
        self.workbook = workbook
        self.cells = 0
        self.area = 0
        self.last_row = -1
        self.last_column = -1
        self.max_row = data_row_limit() + HEADER_SEARCH_ROWS

    def value(
        self, row: int, column: int, characters: int, *, rows: int = 1, columns: int = 1
    ) -> None:
        """A value at (``row``, ``column``) from 0, repeated over ``rows`` × ``columns``."""
        if characters > MAX_CELL_TEXT:
            where = f"cell {cell_name(row, column)} of the sheet “{self.sheet}”"
            raise cell_too_long(self.name, where, characters)
        last_row = row + rows - 1
        last_column = column + columns - 1
        if last_row >= self.max_row:
            raise too_far_down(self.name, self.sheet, last_row + 1)
        if last_column >= MAX_COLUMNS:
            raise too_wide(self.name, self.sheet, last_column + 1)
        grew = False
        if last_row > self.last_row:
            self.last_row, grew = last_row, True
        if last_column > self.last_column:
            self.last_column, grew = last_column, True
        if grew:
            # The reader lays the sheet out from A1 to its last row and column.
            area = (self.last_row + 1) * (self.last_column + 1)
            if area > MAX_SHEET_CELLS:
                raise too_many_cells(self.name, self.sheet, area)
            self.workbook.add_area(area - self.area)
            self.area = area
        count = rows * columns
        self.cells += count
        self.workbook.add_text(characters * count)

    def declared(self, first: tuple[int, int], last: tuple[int, int], area: str) -> None:
        """The area the sheet says it covers (first and last (row, column), from 0)."""
        rows = abs(last[0] - first[0]) + 1
        columns = abs(last[1] - first[1]) + 1
        self.declared_cells(rows * columns, area)

    def declared_cells(self, cells: int, area: str, *, limit: int = MAX_DECLARED_CELLS) -> None:
        if cells > limit:
            raise declared_too_big(self.name, self.sheet, cells, area)


class WorkbookTally:
    """Cells and text counted over all the sheets of a workbook.

    Readers of .ods and .xls build every sheet when the file is opened, and the sheets of an
    .xlsx may be read one after another to find the learners, so the limits hold for the
    sheets together as well as for each one.
    """

    __slots__ = ("area", "name", "text")

    def __init__(self, name: str) -> None:
        self.name = name
        self.text = 0
        self.area = 0

    def add_area(self, cells: int) -> None:
        self.area += cells
        if self.area > MAX_SHEET_CELLS:
            raise too_many_cells_together(self.name, self.area)

    def add_text(self, characters: int) -> None:
        self.text += characters
        if self.text > MAX_TEXT:
            raise too_much_text(self.name, self.text)

    def sheet(self, sheet: str) -> SheetTally:
        return SheetTally(self.name, sheet, self)


ENCRYPTED = "This workbook is protected with a password. Save an unprotected copy and import that."


def damaged(name: str) -> UnreadableFile:
    return UnreadableFile(
        f"{name} could not be read: it is damaged or incomplete (perhaps it was not copied "
        "whole). Open it in Excel, save it again, and import the new copy."
    )


def too_many_sheets(name: str, count: int) -> UnreadableFile:
    return UnreadableFile(
        f"{name} has {count:,} sheets: no list of learners has so many. Save just the "
        f"learners' sheet as a new workbook and import that. {NOTHING_IMPORTED}"
    )
