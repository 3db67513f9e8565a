"""Temporary passwords out: a password list workbook and printable slips (PDF).

These files are the only place a clear-text password is ever written. When passwords are
issued, :mod:`~planit_desktop.model.services.credentials.delivery` writes them (from the bytes
made here) before the hashes are committed. ``write_password_list`` and
``write_password_slips`` save further copies: written whole to a temporary name in the target
folder and then renamed, so a failure (the file open in Excel, a read-only folder, a full
disk) leaves no half-written file.

Slips use a Unicode TrueType font found on the computer (DejaVu Sans, Arial, Segoe UI…), so
any name prints as written; on a computer with none of them, the PDF's built-in Helvetica
is used and letters outside Latin-1 are spelt without their accents ("Łukasz" → "Lukasz").
The password list workbook always holds the names exactly.
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from planit_desktop.model.services.workbooks import save_atomically, set_text

if TYPE_CHECKING:
    from fpdf import FPDF

SLIP_INSTRUCTIONS = (
    "Sign in to Plan-it with this login and temporary password. "
    "You will be asked to choose a new password straight away."
)
SECONDARY_SLIP_INSTRUCTIONS = (
    "A secondary password, given in addition to your existing one. "
    "Sign in with it and choose a new password straight away."
)

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
)
# Letters that Unicode does not split into a Latin-1 letter and an accent.
_NO_DECOMPOSITION = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Œ": "OE", "œ": "oe"}
)
_WINDOWS_FONTS = ("arial.ttf", "segoeui.ttf", "calibri.ttf")


@dataclass(frozen=True, slots=True)
class PasswordRow:
    """One learner's temporary (or secondary) password, for the list and the slips."""

    login: str
    first_names: str
    surname: str
    tutor_group: str | None
    password: str


def _sort_key(row: PasswordRow) -> tuple[str, str, str]:
    return ((row.tutor_group or "").casefold(), row.surname.casefold(), row.first_names.casefold())


def _writer(data: bytes) -> Callable[[Path], None]:
    def write(target: Path) -> None:
        target.write_bytes(data)

    return write


def _kind(secondary: bool) -> str:
    return "Secondary password" if secondary else "Temporary password"


def write_password_list(
    path: str | os.PathLike[str], rows: Iterable[PasswordRow], *, secondary: bool = False
) -> Path:
    """Write the password list workbook: login, names, tutor group, temporary password.

    Sorted by tutor group, then surname. Text that starts like a formula (``=``, ``+``,
    ``-``, ``@``) is written as plain text with Excel's quote prefix, never as a formula.
    With ``secondary`` the passwords are headed "Secondary password" (issued in addition
    to a learner's existing one).
    """
    data = password_list_bytes(rows, secondary=secondary)
    return save_atomically(_writer(data), Path(path), what="The password list")


def password_list_bytes(rows: Iterable[PasswordRow], *, secondary: bool = False) -> bytes:
    """The password list workbook (see :func:`write_password_list`) as the bytes of an .xlsx."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    ordered = sorted(rows, key=_sort_key)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Secondary passwords" if secondary else "Passwords"
    headings = ("Login name", "First Names", "Surname", "Tutor Group", _kind(secondary))
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(ordered, start=2):
        values = (row.login, row.first_names, row.surname, row.tutor_group or "", row.password)
        for column, value in enumerate(values, start=1):
            set_text(sheet.cell(row=number, column=column), value)
    for letter, width in zip("ABCDE", (18, 22, 22, 14, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _unicode_font() -> Path | None:
    candidates = [Path(p) for p in _FONT_CANDIDATES]
    windows = os.environ.get("WINDIR")
    if windows:
        candidates[:0] = [Path(windows) / "Fonts" / name for name in _WINDOWS_FONTS]
    return next((p for p in candidates if p.is_file()), None)


def latin1(text: str) -> str:
    """``text`` in Latin-1 for the PDF's built-in fonts: accents dropped only where needed."""
    kept: list[str] = []
    for char in text.translate(_NO_DECOMPOSITION):
        try:
            char.encode("latin-1")
            kept.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            kept.append("".join(c for c in base if not unicodedata.combining(c)) or "?")
    return "".join(kept)


def write_password_slips(
    path: str | os.PathLike[str],
    rows: Iterable[PasswordRow],
    *,
    school_name: str = "",
    secondary: bool = False,
) -> Path:
    """Write printable password slips: ten to an A4 page, each tutor group from a new page.

    Each slip shows the learner's name, tutor group, login name, temporary password and a
    line of instructions; dashed lines show where to cut. With ``secondary`` the slips say
    "Secondary password" and explain how it works alongside the existing password.
    """
    data = password_slips_bytes(rows, school_name=school_name, secondary=secondary)
    return save_atomically(_writer(data), Path(path), what="The password slips")


def password_slips_bytes(
    rows: Iterable[PasswordRow], *, school_name: str = "", secondary: bool = False
) -> bytes:
    """The password slips (see :func:`write_password_slips`) as the bytes of a PDF."""
    ordered = sorted(rows, key=_sort_key)
    groups: dict[str, list[PasswordRow]] = {}
    for row in ordered:
        groups.setdefault(row.tutor_group or "", []).append(row)
    return bytes(_render_slips(groups, school_name, secondary=secondary).output())


def _render_slips(
    groups: dict[str, list[PasswordRow]], school_name: str, *, secondary: bool = False
) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(f"Plan-it {_kind(secondary).lower()}s")
    font = _unicode_font()
    family = "Helvetica"
    text: Callable[[str], str] = latin1
    if font is not None:
        pdf.add_font("Slips", "", str(font))
        family, text = "Slips", (lambda value: value)
    columns, rows_per_page = 2, 5
    margin, width, height = 10.0, 95.0, 55.4
    if not groups:
        pdf.add_page()
    for group, learners in groups.items():
        pages = [learners[i : i + columns * rows_per_page] for i in range(0, len(learners), 10)]
        for page in pages:
            pdf.add_page()
            _cutting_lines(pdf, margin, width, height, columns=columns, rows=rows_per_page)
            for index, learner in enumerate(page):
                x = margin + (index % columns) * width
                y = margin + (index // columns) * height
                _slip(
                    pdf,
                    family=family,
                    text=text,
                    learner=learner,
                    group=group,
                    school_name=school_name,
                    secondary=secondary,
                    x=x,
                    y=y,
                    width=width,
                )
    return pdf


def _cutting_lines(
    draw: FPDF, margin: float, width: float, height: float, *, columns: int, rows: int
) -> None:
    draw.set_draw_color(150, 150, 150)
    draw.set_dash_pattern(dash=2, gap=2)
    for column in range(columns + 1):
        x = margin + column * width
        draw.line(x, margin, x, margin + rows * height)
    for row in range(rows + 1):
        y = margin + row * height
        draw.line(margin, y, margin + columns * width, y)
    draw.set_dash_pattern()


def _slip(
    draw: FPDF,
    *,
    family: str,
    text: Callable[[str], str],
    learner: PasswordRow,
    group: str,
    school_name: str,
    secondary: bool,
    x: float,
    y: float,
    width: float,
) -> None:
    inner = width - 10
    lines: Sequence[tuple[float, str, str]] = (
        (9, "Plan-it" + (f" – {school_name}" if school_name else ""), ""),
        (13, f"{learner.first_names} {learner.surname}", ""),
        (10, f"Tutor group: {group}" if group else "No tutor group", ""),
        (11, "Login name: ", learner.login),
        (11, f"{_kind(secondary)}: ", learner.password),
    )
    top = y + 5
    for size, label, value in lines:
        draw.set_font(family, size=size)
        draw.set_xy(x + 5, top)
        shown = text(label + value)
        while draw.get_string_width(shown) > inner and len(shown) > 4:
            shown = shown[:-2] + ("…" if family != "Helvetica" else ".")
        draw.cell(w=inner, h=size * 0.5, text=shown)
        top += size * 0.5 + 2.5
    draw.set_font(family, size=8)
    draw.set_xy(x + 5, top + 1)
    instructions = SECONDARY_SLIP_INSTRUCTIONS if secondary else SLIP_INSTRUCTIONS
    draw.multi_cell(w=inner, h=3.6, text=text(instructions))
