"""CSV files: UTF-8 (with or without a byte-order mark), else Windows-1252; delimiter sniffed.

Excel on Windows saves "CSV" in the machine's code page (Windows-1252 in the UK) and
"CSV UTF-8" with a byte-order mark; MIS exports use either, and some use semicolons or tabs.

A CSV file is untrusted like a workbook: its size is bounded before it is read, each record
may hold only so many values (one line of 50 MB of commas would be 50 million of them) and
each value only so many characters, and the delimiter is guessed from the first few
kilobytes (the standard library's guess takes time that grows with the square of what it is
given).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from planit_desktop.model.services.importing.headers import build_table
from planit_desktop.model.services.importing.limits import NOTHING_IMPORTED
from planit_desktop.model.services.importing.table import (
    MAX_COLUMNS,
    SourceKind,
    Table,
    UnreadableFile,
)

#: A CSV of 50,000 learners is a few megabytes; anything far bigger is not a list of learners.
MAX_CSV_BYTES = 50 * 1024 * 1024
#: Values one record may hold: twice the columns a sheet may have, since a delimiter inside
#: a quoted value is counted too before the record is read.
MAX_CSV_FIELDS = 2 * MAX_COLUMNS
#: Lines a CSV file may have: 50,000 learners with room for values spread over several
#: lines and for blank lines.
MAX_CSV_LINES = 1_000_000
_SNIFF_BYTES = 64 * 1024
#: What the delimiter is guessed from: a header and the first rows of learners.
_SNIFF_CHARACTERS = 4096
# Lines as a text stream with newline="" gives them: ended by \n, \r or \r\n, kept.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def decode(raw: bytes, name: str) -> str:
    """The text of a CSV file: UTF-8 when it is valid UTF-8, else Windows-1252."""
    if b"\x00" in raw[:_SNIFF_BYTES]:
        raise UnreadableFile(
            f"{name} is not a CSV text file (it holds binary data). If it is a spreadsheet, "
            "give it its proper extension (.xlsx, .xls or .ods) or save it as CSV again."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps them rather than fail.
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


class _Lines:
    """The file's lines for :func:`csv.reader`, refusing a record with too many values.

    The reader takes lines one at a time until a record is complete; the delimiters in the
    lines it took are counted (an upper bound of the record's values) before it can build
    the record, and the count starts again at each record.
    """

    def __init__(self, text: str, delimiter: str, name: str) -> None:
        self._lines = _LINE.finditer(text)
        self._delimiter = delimiter
        self._name = name
        self.delimiters = 0
        self.lines = 0
        self.record = 1

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines).group()
        self.lines += 1
        if self.lines > MAX_CSV_LINES:
            raise UnreadableFile(
                f"{self._name} has more than {MAX_CSV_LINES:,} lines: far more than a list of "
                f"learners. Split it into smaller files. {NOTHING_IMPORTED}"
            )
        self.delimiters += line.count(self._delimiter)
        if self.delimiters >= MAX_CSV_FIELDS:
            raise UnreadableFile(
                f"Row {self.record:,} of {self._name} holds more than {MAX_CSV_FIELDS:,} values: "
                "far more than the columns of a list of learners. Save just the learners' "
                f"columns as a new CSV file and import that. {NOTHING_IMPORTED}"
            )
        return line

    def records(self, reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
        # A row's number is its record's place, as a spreadsheet opening the CSV shows it
        # (a quoted value with a line break inside is still one row).
        for cells in reader:
            yield self.record, cells
            self.record += 1
            self.delimiters = 0


def read_csv(path: Path, *, name: str) -> Table:
    """Read a CSV file of learners into a :class:`Table` (row numbers as in a spreadsheet)."""
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise UnreadableFile(
            f"{name} is {size / 1024 / 1024:,.0f} MB: far larger than a list of learners. "
            f"Split it into smaller files. {NOTHING_IMPORTED}"
        )
    text = decode(path.read_bytes(), name)
    if not text.strip():
        raise UnreadableFile(f"{name} is empty: there is nothing to import.")
    sample = text[:_SNIFF_CHARACTERS]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    lines = _Lines(text, dialect.delimiter, name)
    reader = csv.reader(lines, dialect)
    try:
        return build_table(lines.records(reader), source_name=name, kind=SourceKind.CSV)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            limit = csv.field_size_limit()
            raise UnreadableFile(
                f"Row {lines.record:,} of {name} holds a value of more than {limit:,} "
                "characters: no detail of a learner is so long (perhaps a quotation mark is "
                f"missing). Correct the file, or save it again from Excel. {NOTHING_IMPORTED}"
            ) from error
        raise UnreadableFile(f"{name} is not a well-formed CSV file: {error}.") from error
