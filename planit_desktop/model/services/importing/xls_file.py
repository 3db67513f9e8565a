"""Measuring an old Excel workbook (.xls) before calamine is given it.

An .xls is a little file system (an OLE compound file) holding one stream of records: the
workbook's shared strings, then each sheet's cells. Calamine reads every sheet when it opens
the file, and it trusts what the file says: the number of allocation-table sectors, the
chains that link sectors (a loop in one never ends), the area a sheet declares (it sets room
aside for all of it), the length of every text. So the compound file is walked here first,
the way calamine walks it, and the records are counted on a :class:`WorkbookTally`; anything
calamine would trip over with a panic (an index past the end of a table) is refused as
damaged, anything that would make it build too much is refused as too big.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

from planit_desktop.model.services.importing.limits import (
    MAX_CELL_TEXT,
    MAX_FORMULA_TEXT,
    MAX_SHARED_STRINGS,
    MAX_SHEET_CELLS,
    MAX_XLS_BYTES,
    NOTHING_IMPORTED,
    SheetTally,
    WorkbookTally,
    cell_too_long,
    too_many_texts,
)
from planit_desktop.model.services.importing.table import UnreadableFile

_ENDOFCHAIN = 0xFFFFFFFE
_DIFSECT = 0xFFFFFFFC
_RESERVED = 0xFFFFFFFA
#: calamine sets room aside for this many allocation-table entries read from the header.
_MAX_RESERVED_ENTRIES = 1 << 24
_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")
#: The most characters one byte of a formula can be printed as (a run of spaces).
_FORMULA_CHARACTERS_PER_BYTE = 64
#: The most sheets calamine is asked to build.
_MAX_SHEETS = 1_000

_CONTINUE = 0x003C
_FILEPASS = 0x002F
_EOF = 0x000A
_BOF = 0x0809
_BOUNDSHEET = 0x0085
_SST = 0x00FC
_DIMENSIONS = 0x0200
_NUMBER = 0x0203
_LABEL = 0x0204
_RSTRING = 0x00D6
_BOOLERR = 0x0205
_STRING = 0x0207
_RK = 0x027E
_LABELSST = 0x00FD
_MULRK = 0x00BD
_FORMULA = 0x0006


def _damaged(name: str) -> UnreadableFile:
    from planit_desktop.model.services.importing.limits import damaged

    return damaged(name)


def _u16(data: bytes | memoryview, at: int) -> int:
    return int.from_bytes(data[at : at + 2], "little")


def _u32(data: bytes | memoryview, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "little")


def check_xls(path: Path, name: str) -> dict[str, frozenset[tuple[int, int]]]:
    """Refuse an .xls that would make calamine build too much, or trip it into a panic.

    Returns each sheet's formula cells, (row number, column index), by the sheet's name:
    calamine gives a formula's last result, which may not be what the coordinator meant.
    """
    size = path.stat().st_size
    if size > MAX_XLS_BYTES:
        raise UnreadableFile(
            f"{name} is {size / 1024 / 1024:,.0f} MB: far larger than an old Excel workbook of "
            "learners can be. Save the learners from Excel as .xlsx and import that. "
            f"{NOTHING_IMPORTED}"
        )
    data = path.read_bytes()
    stream = _CompoundFile(data, name).workbook_stream()
    if stream is None:
        return {}
    return _check_records(stream, name)


class _CompoundFile:
    """The parts of an OLE compound file calamine reads, checked as calamine reads them."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data = data
        self.name = name
        if len(data) < 512:
            raise _damaged(name)
        shift = _u16(data, 30)
        if shift not in (9, 12):
            raise _damaged(name)
        self.sector_size = 1 << shift
        self.version = _u16(data, 26)
        self.maxid = len(data) // self.sector_size
        fat_len = _u32(data, 44)
        # calamine reads its count of DIFAT entries from bytes 62-65 and reserves room.
        if fat_len > self.maxid + 1 or _u32(data, 62) > _MAX_RESERVED_ENTRIES:
            raise _damaged(name)
        self.fats = self._fat(_u32(data, 68))
        self.directories = self._directories(_u32(data, 48))
        self.mini_fats: list[int] = []
        self.ministream = b""
        mini_fat_len = _u32(data, 64)
        if mini_fat_len > 0:
            if mini_fat_len > self.maxid + 1:
                raise _damaged(name)
            root_start, root_len = self.directories[0][1], self.directories[0][2]
            self.ministream = self._chain(root_start, root_len)
            minifat = self._chain(_u32(data, 60), mini_fat_len * self.sector_size)
            self.mini_fats = _words(minifat)

    def _sector(self, sector: int) -> bytes:
        """Sector ``sector``'s bytes (the header takes the first sector's place)."""
        start = (sector + 1) * self.sector_size
        if sector > self.maxid or start >= len(self.data):
            raise _damaged(self.name)  # calamine errs, or panics slicing past its data
        return self.data[start : start + self.sector_size]

    def _fat(self, difat_sector: int) -> list[int]:
        difat = _words(self.data[76:512])
        seen: set[int] = set()
        while difat_sector < _RESERVED:
            if difat_sector in seen or len(seen) > self.maxid:
                raise _damaged(self.name)  # calamine would go round the loop for ever
            seen.add(difat_sector)
            difat.extend(_words(self._sector(difat_sector)))
            if not difat:
                raise _damaged(self.name)
            difat_sector = difat.pop()
        fat_sectors = [sector for sector in difat if sector < _DIFSECT]
        if len(fat_sectors) > self.maxid + 1:
            raise _damaged(self.name)  # the same sectors listed again and again
        fats: list[int] = []
        for sector in fat_sectors:
            fats.extend(_words(self._sector(sector)))
        return fats

    def _chain(self, sector: int, length: int) -> bytes:
        """The bytes of the chain from ``sector``, at most ``length`` of them, as calamine
        collects them; a loop, or a link past the table, is refused."""
        pieces: list[bytes] = []
        collected = 0
        seen: set[int] = set()
        while sector != _ENDOFCHAIN:
            if sector in seen:
                raise _damaged(self.name)
            seen.add(sector)
            piece = self._sector(sector)[: max(length - collected, 0)]
            pieces.append(piece)
            collected += len(piece)
            if collected >= length:
                break
            if sector >= len(self.fats):
                raise _damaged(self.name)  # calamine would panic on the index
            sector = self.fats[sector]
        return b"".join(pieces)

    def _directories(self, start: int) -> list[tuple[str, int, int]]:
        raw = self._chain(start, len(self.data) + self.sector_size)
        if not raw or len(raw) % 128:
            raise _damaged(self.name)
        entries = []
        for offset in range(0, len(raw), 128):
            entry = raw[offset : offset + 128]
            name = entry[:64].decode("utf-16-le", errors="replace").split("\x00", 1)[0]
            length = (
                _u32(entry, 120)
                if self.sector_size == 512
                else int.from_bytes(entry[120:128], "little")
            )
            entries.append((name, _u32(entry, 116), length))
        return entries

    def workbook_stream(self) -> bytes | None:
        """The workbook stream's bytes, or None when there is none (calamine says so)."""
        for wanted in _STREAMS:
            for entry_name, start, length in self.directories:
                if entry_name == wanted:
                    if length > len(self.data):
                        raise _damaged(self.name)
                    if length < 4096:
                        return self._mini_chain(start, length)
                    return self._chain(start, length)
        return None

    def _mini_chain(self, sector: int, length: int) -> bytes:
        pieces: list[bytes] = []
        collected = 0
        seen: set[int] = set()
        while sector != _ENDOFCHAIN:
            start = sector * 64
            if sector in seen or start + 64 > len(self.ministream):
                raise _damaged(self.name)
            seen.add(sector)
            piece = self.ministream[start : start + 64][: max(length - collected, 0)]
            pieces.append(piece)
            collected += len(piece)
            if collected >= length:
                break
            if sector >= len(self.mini_fats):
                raise _damaged(self.name)
            sector = self.mini_fats[sector]
        return b"".join(pieces)


def _words(data: bytes) -> list[int]:
    usable = len(data) - len(data) % 4
    return [int.from_bytes(data[i : i + 4], "little") for i in range(0, usable, 4)]


def _records(
    stream: memoryview, position: int
) -> Iterator[tuple[int, memoryview, list[memoryview]]]:
    """(type, data, continues) from ``position`` on, as calamine's record iterator gives."""
    end = len(stream)
    while end - position >= 4:
        kind = _u16(stream, position)
        length = _u16(stream, position + 2)
        if end - position < length + 4:
            return  # calamine stops with an error here
        data = stream[position + 4 : position + 4 + length]
        position += 4 + length
        continues: list[memoryview] = []
        while end - position > 4 and _u16(stream, position) == _CONTINUE:
            length = _u16(stream, position + 2)
            if end - position < length + 4:
                return
            continues.append(stream[position + 4 : position + 4 + length])
            position += 4 + length
        yield kind, data, continues


def _check_records(raw: bytes, name: str) -> dict[str, frozenset[tuple[int, int]]]:
    stream = memoryview(raw)
    tally = WorkbookTally(name)
    strings: list[int] = []
    sheets: list[tuple[int, str]] = []
    biff8 = True
    for kind, data, continues in _records(stream, 0):
        if kind == _EOF:
            break
        if kind == _FILEPASS and len(data) >= 2 and _u16(data, 0) != 0:
            from planit_desktop.model.services.importing.limits import ENCRYPTED

            raise UnreadableFile(ENCRYPTED)  # the records after it are enciphered
        if kind == _BOF and len(data) >= 2:
            biff8 = _u16(data, 0) == 0x0600
        elif kind == _BOUNDSHEET and len(data) >= 8:
            position = _u32(data, 0)
            if position > len(stream):
                raise _damaged(name)  # calamine would panic slicing the stream
            sheets.append((position, _sheet_label(data, biff8) or f"sheet {len(sheets) + 1}"))
            if len(sheets) > _MAX_SHEETS:
                from planit_desktop.model.services.importing.limits import too_many_sheets

                raise too_many_sheets(name, len(sheets))
        elif kind == _SST:
            strings = _shared_strings(data, continues, name)
    formula_bytes = 0
    formulas: dict[str, frozenset[tuple[int, int]]] = {}
    for position, label in sheets:
        cells: set[tuple[int, int]] = set()
        formula_bytes += _check_sheet(raw, position, tally.sheet(label), strings, cells)
        formulas.setdefault(label, frozenset(cells))
        if formula_bytes * _FORMULA_CHARACTERS_PER_BYTE > MAX_FORMULA_TEXT:
            raise UnreadableFile(
                f"{name} was refused: it holds more formulas than a list of learners could "
                "need. Save just the learners' sheet, with values instead of formulas, as a "
                f"new .xlsx workbook and import that. {NOTHING_IMPORTED}"
            )
    return formulas


def _check_sheet(
    raw: bytes,
    position: int,
    sheet: SheetTally,
    strings: list[int],
    formulas: set[tuple[int, int]],
) -> int:
    """Count one sheet's cells as calamine builds them; the bytes of its formulas.

    Adds each formula cell to ``formulas`` as (row number, column index).

    A sheet of 50,000 learners is half a million records, so the loop reads each record's
    header and place with ``struct`` and tells the tally only of cells that reach further
    than any before them, and of the text in bulk.
    """
    unpack = struct.unpack_from
    end = len(raw)
    strings_count = len(strings)
    depth = 0
    started = False
    formula_row = formula_column = 0
    formula_bytes = 0
    text = 0

    def note(row: int, column: int, characters: int, columns: int = 1) -> None:
        nonlocal text
        if (
            characters > MAX_CELL_TEXT
            or row > sheet.last_row
            or column + columns - 1 > sheet.last_column
        ):
            sheet.value(row, column, characters, columns=columns)
        else:
            text += characters * columns
            if text > 1_000_000:
                sheet.workbook.add_text(text)
                text = 0

    while end - position >= 4:
        kind, length = unpack("<HH", raw, position)
        start = position + 4
        position = start + length
        if position > end:
            break  # calamine stops with an error here
        if depth:
            depth += 1 if kind == _BOF else -1 if kind == _EOF else 0
            continue
        if kind == _LABELSST:
            if length >= 10:
                row, column = unpack("<HH", raw, start)
                index = unpack("<I", raw, start + 6)[0]
                if index < strings_count:
                    note(row, column, strings[index])
        elif kind in (_RK, _NUMBER, _BOOLERR):
            if length >= 6:
                row, column = unpack("<HH", raw, start)
                note(row, column, 0)
        elif kind == _MULRK:
            count = (length - 6) // 6
            if count > 0:
                row, column = unpack("<HH", raw, start)
                note(row, column, 0, count)
        elif kind in (_LABEL, _RSTRING):
            if length >= 8:
                # calamine sets room aside for the length the record gives, not the text.
                row, column, _style, characters = unpack("<HHHH", raw, start)
                note(row, column, characters)
        elif kind == _FORMULA:
            if length >= 20:
                formula_row, formula_column = unpack("<HH", raw, start)
                note(formula_row, formula_column, 0)
                formulas.add((formula_row + 1, formula_column))
                formula_bytes += length - 20
        elif kind == _STRING:
            if length >= 2:
                note(formula_row, formula_column, unpack("<H", raw, start)[0])
        elif kind == _DIMENSIONS:
            _declared(sheet, memoryview(raw)[start:position])
        elif kind == _BOF:
            depth, started = (1, started) if started else (0, True)
        elif kind == _EOF:
            break
    sheet.workbook.add_text(text)
    return formula_bytes


def _sheet_label(data: memoryview, biff8: bool) -> str:
    """A BoundSheet record's sheet name, for messages."""
    characters = data[6]
    if not biff8:
        return bytes(data[7 : 7 + characters]).decode("cp1252", errors="replace")
    if data[7] & 0x1:
        return bytes(data[8 : 8 + 2 * characters]).decode("utf-16-le", errors="replace")
    return bytes(data[8 : 8 + characters]).decode("latin-1", errors="replace")


def _declared(sheet: SheetTally, data: memoryview) -> None:
    """calamine sets room aside for every cell a sheet's DIMENSIONS record declares."""
    if len(data) == 10:
        first_row, last_row = _u16(data, 0), _u16(data, 2)
        first_column, last_column = _u16(data, 4), _u16(data, 6)
    elif len(data) == 14:
        first_row, last_row = _u32(data, 0), _u32(data, 4)
        first_column, last_column = _u16(data, 8), _u16(data, 10)
    else:
        return  # calamine refuses the record itself
    if first_column > 0xFF or last_column < first_column:
        first_column = 0
    if last_row >= 1 and last_column >= 1:
        end = (last_row - 1, last_column - 1)
    else:
        end = (first_row, first_column)
    # As calamine computes it, in unsigned 32-bit arithmetic that wraps round.
    rows = (end[0] - first_row + 1) & 0xFFFFFFFF
    columns = (end[1] - first_column + 1) & 0xFFFFFFFF
    area = f"{rows:,} rows by {columns:,} columns"
    sheet.declared_cells(rows * columns, area, limit=MAX_SHEET_CELLS)


def _shared_strings(data: memoryview, continues: list[memoryview], name: str) -> list[int]:
    """The length of each string of the SST record, walked over its CONTINUE records."""
    if len(data) < 8:
        return []  # calamine refuses the record
    pieces = [data[8:], *continues]
    piece, at = 0, 0
    lengths: list[int] = []

    def available() -> int:
        return len(pieces[piece]) - at

    def next_piece() -> bool:
        nonlocal piece, at
        if piece + 1 >= len(pieces):
            return False
        piece, at = piece + 1, 0
        return True

    def skip(count: int) -> None:
        nonlocal at
        while count > 0:
            if available() == 0 and not next_piece():
                raise _damaged(name)
            step = min(count, available())
            at += step
            count -= step

    while available() > 0 or next_piece():
        if available() == 0:
            lengths.append(0)  # an empty CONTINUE: calamine reads an empty string
            continue
        if available() < 3:
            raise _damaged(name)
        current = pieces[piece]
        characters = _u16(current, at)
        flags = current[at + 2]
        at += 3
        runs = extension = 0
        if flags & 0x8:
            if available() < 2:
                raise _damaged(name)
            runs = _u16(pieces[piece], at)
            at += 2
        if flags & 0x4:
            if available() < 4:
                raise _damaged(name)
            extension = int.from_bytes(pieces[piece][at : at + 4], "little", signed=True)
            at += 4
            if extension < 0:
                raise _damaged(name)
        if characters > MAX_CELL_TEXT:
            where = f"text number {len(lengths) + 1:,} of its shared texts"
            raise cell_too_long(name, where, characters)
        wide = bool(flags & 0x1)
        remaining = characters
        while remaining > 0:
            width = 2 if wide else 1
            taken = min(remaining, available() // width)
            at += taken * width
            remaining -= taken
            if remaining > 0:
                if not next_piece() or available() == 0:
                    raise _damaged(name)
                wide = bool(pieces[piece][at] & 0x1)
                at += 1
        skip(runs * 4)
        skip(extension)
        lengths.append(characters)
        if len(lengths) > MAX_SHARED_STRINGS:
            raise too_many_texts(name, len(lengths))
    return lengths
