"""CSV files: UTF-8 (with or without a byte-order mark), else Windows-1252; delimiter sniffed.

Excel on Windows saves "CSV" in the machine's code page (Windows-1252 in the UK) and
"CSV UTF-8" with a byte-order mark; MIS exports use either, and some use semicolons or tabs.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from planit_desktop.model.services.importing.headers import build_table
from planit_desktop.model.services.importing.table import SourceKind, Table, UnreadableFile

#: A CSV of 50,000 learners is a few megabytes; anything far bigger is not a list of learners.
MAX_CSV_BYTES = 50 * 1024 * 1024
_SNIFF_BYTES = 64 * 1024


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


def read_csv(path: Path, *, name: str) -> Table:
    """Read a CSV file of learners into a :class:`Table` (row numbers as in a spreadsheet)."""
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise UnreadableFile(
            f"{name} is {size / 1024 / 1024:,.0f} MB: far larger than a list of learners. "
            "Split it into smaller files."
        )
    text = decode(path.read_bytes(), name)
    if not text.strip():
        raise UnreadableFile(f"{name} is empty: there is nothing to import.")
    sample = text[:_SNIFF_BYTES]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    # A row's number is its record's place, as a spreadsheet opening the CSV shows it (a
    # quoted value with a line break inside is still one row).
    try:
        return build_table(
            ((number, list(cells)) for number, cells in enumerate(reader, start=1)),
            source_name=name,
            kind=SourceKind.CSV,
        )
    except csv.Error as error:
        raise UnreadableFile(f"{name} is not a well-formed CSV file: {error}.") from error
