"""Writing files for the coordinator: never half-written, and never a live formula.

Every workbook the program writes (reports, password lists, support requests, exports)
goes through :func:`save_atomically` and makes its cells with :func:`text_cell` or
:func:`set_text`, so a learner surnamed ``=HYPERLINK(…)`` stays text in every program.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planit_desktop.model.errors import Refused

# A spreadsheet program treats text starting with these as a formula (formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _clean(value: object) -> object:
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters cannot be stored in a workbook; they are never meant.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def set_text(cell: Any, value: object) -> None:
    """Put ``value`` in an openpyxl cell; text is always text, shown exactly as typed."""
    value = _clean(value)
    cell.value = value
    if isinstance(value, str):
        # openpyxl takes any text starting with "=" for a formula: force plain text.
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def text_cell(sheet: Any, value: object) -> Any:
    """A cell for a write-only sheet whose text can never become a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet)
    set_text(cell, value)
    return cell


def save_atomically(write: Callable[[Path], None], path: Path, *, what: str) -> Path:
    """Call ``write(temporary_path)``, then rename it to ``path``; Refused if impossible.

    ``what`` names the file in messages ("The password list"). Nothing is left behind on
    failure, and a file already at ``path`` stays as it was until the new one is complete.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise Refused(f"{what} could not be saved: the folder {folder} does not exist.")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part", dir=folder)
        os.close(handle)
    except OSError as error:
        raise Refused(
            f"{what} could not be saved in {folder}: the folder cannot be written to "
            f"({error.strerror or error}). Choose another folder."
        ) from error
    partial = Path(temporary)
    try:
        write(partial)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise Refused(
            f"{what} could not be saved as {path}: {error.strerror or error}. If the file is "
            "open in another program, close it there, or choose another name, and save again."
        ) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path
