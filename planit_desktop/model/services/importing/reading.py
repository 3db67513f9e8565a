"""Reading a file of learners, whatever it is: the kind is told by its content, not its name.

A renamed text file, an empty file, a truncated workbook, an encrypted one: each is refused
with a message saying what is wrong and what to do, and nothing is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

from planit_desktop.model.services.importing.csv_files import read_csv
from planit_desktop.model.services.importing.limits import damaged
from planit_desktop.model.services.importing.spreadsheet import (
    OLE_MAGIC,
    check_ole,
    check_zip,
    list_workbook_sheets,
    read_workbook,
)
from planit_desktop.model.services.importing.table import SheetInfo, Table, UnreadableFile
from planit_desktop.model.services.importing.transfer_file import read_transfer_file

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: What the file dialog offers.
SUPPORTED_SUFFIXES = (*SPREADSHEET_SUFFIXES, ".csv", ".xml")


def _open_check(path: Path) -> tuple[str, bytes]:
    name = path.name
    if not path.exists():
        raise UnreadableFile(f"There is no file at {path}.")
    if path.is_dir():
        raise UnreadableFile(f"{path} is a folder, not a file of learners.")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise UnreadableFile(
            f"{name} could not be opened ({error.strerror or error}). If it is open in "
            "another program, close it there and try again."
        ) from error
    if size == 0:
        raise UnreadableFile(f"{name} is empty: there is nothing to import.")
    return name, head


def _kind(path: Path, head: bytes) -> str:
    """``zip``, ``ole``, ``xml`` or ``text``, from the first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    with path.open("rb") as handle:
        start = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<") or start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "xml"
    return "text"


def _zip_suffix(path: Path, name: str) -> str:
    """``.xlsx``/``.xlsm`` or ``.ods`` from the package's own contents."""
    with check_zip(path, name) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" in names:
            return ".xlsm" if path.suffix.lower() == ".xlsm" else ".xlsx"
        if "content.xml" in names and "mimetype" in names:
            return ".ods"
        if "EncryptedPackage" in names:
            from planit_desktop.model.services.importing.limits import ENCRYPTED

            raise UnreadableFile(ENCRYPTED)
    raise UnreadableFile(
        f"{name} is a zip file but not a spreadsheet (no workbook inside). Save the learners "
        "from Excel as .xlsx and import that."
    )


def _not_spreadsheet(name: str, suffix: str) -> UnreadableFile:
    return UnreadableFile(
        f"{name} is not a {suffix} spreadsheet: its content is text (perhaps a renamed CSV or "
        "text file). Open it in Excel and save it as a workbook, or give it the .csv "
        "extension if it is a CSV file."
    )


def list_sheets(path: str | os.PathLike[str]) -> tuple[SheetInfo, ...]:
    """The worksheets of a workbook, in order, each marked hidden or not.

    A CSV or transfer file has none (an empty tuple): there is nothing to choose.
    """
    file = Path(path)
    name, head = _open_check(file)
    kind = _kind(file, head)
    if kind == "zip":
        return list_workbook_sheets(file, name, _zip_suffix(file, name))
    if kind == "ole":
        check_ole(file, head)
        return list_workbook_sheets(file, name, ".xls")
    return ()


def read_table(path: str | os.PathLike[str], *, sheet: str | None = None) -> Table:
    """Read the learner rows of the file at ``path`` (one sheet of a workbook).

    ``sheet`` names the worksheet; by default the first visible sheet that has a row of
    headings is read. Raises :class:`UnreadableFile` (an InvalidInput) for a file that
    cannot be read as learners at all; problems that concern rows are left to checking.
    """
    file = Path(path)
    name, head = _open_check(file)
    suffix = file.suffix.lower()
    kind = _kind(file, head)
    if kind == "zip":
        return read_workbook(file, name=name, suffix=_zip_suffix(file, name), sheet=sheet)
    if kind == "ole":
        check_ole(file, head)
        return read_workbook(file, name=name, suffix=".xls", sheet=sheet)
    if suffix in SPREADSHEET_SUFFIXES:
        if suffix in {".xlsx", ".xlsm", ".ods"}:
            # A zip that lost its start is damaged; text is a renamed file.
            if not _looks_like_text(file):
                raise damaged(name)
        raise _not_spreadsheet(name, suffix)
    if kind == "xml":
        return read_transfer_file(file, name=name)
    if suffix not in {".csv", ".txt", ".tsv", ""}:
        raise UnreadableFile(
            f"{name} is not a file Plan-it can import. Use an Excel workbook (.xlsx, .xls), "
            "an OpenDocument spreadsheet (.ods), a CSV file or a DfE transfer file (.xml)."
        )
    return read_csv(file, name=name)


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        start = handle.read(4096)
    try:
        start.decode("utf-8")
    except UnicodeDecodeError:
        return b"\x00" not in start and all(b >= 9 for b in start[:64])
    return b"\x00" not in start
