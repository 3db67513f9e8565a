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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from planit_desktop.model.services import pdf_text
from planit_desktop.model.services.groups.listing import natural_key
from planit_desktop.model.services.workbooks import save_atomically, set_text
from planit_desktop.model.wording import sort_key

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


@dataclass(frozen=True, slots=True)
class PasswordRow:
    """One learner's temporary (or secondary) password, for the list and the slips."""

    login: str
    first_names: str
    surname: str
    tutor_group: str | None
    password: str
    #: The learner's year group, which orders the slips (Year 7 first); None when not known.
    year_group: int | None = None


def _group_order(group: str, year: int | None) -> tuple[bool, bool, int, tuple[object, ...]]:
    """Year 7 → 11, then the tutor group in natural order (7A, 7B, 10A, 10Z); no group last."""
    return (not group, year is None, year or 0, natural_key(group))


def in_slip_order(rows: Iterable[PasswordRow]) -> list[tuple[str, list[PasswordRow]]]:
    """The rows by tutor group ("" for none), in the order the slips and the list print them.

    Groups come by year group (the lowest of their learners'), then in natural order; the
    learners of a group by surname, then first names (:func:`~planit_desktop.model.wording.
    sort_key`: accents and case do not move a name out of its letter).
    """
    sections: dict[str, list[PasswordRow]] = {}
    for row in rows:
        sections.setdefault(row.tutor_group or "", []).append(row)
    for learners in sections.values():
        learners.sort(key=lambda r: sort_key(r.surname, r.first_names))

    def order(item: tuple[str, list[PasswordRow]]) -> tuple[object, ...]:
        group, learners = item
        years = [r.year_group for r in learners if r.year_group is not None]
        return _group_order(group, min(years) if years else None)

    return sorted(sections.items(), key=order)


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

    In the slips' order: by year group and tutor group, then surname (learners with no
    tutor group last). Text that starts like a formula (``=``, ``+``,
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

    ordered = [row for _group, learners in in_slip_order(rows) for row in learners]
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


def write_password_slips(
    path: str | os.PathLike[str],
    rows: Iterable[PasswordRow],
    *,
    school_name: str = "",
    secondary: bool = False,
    new_page_per_group: bool = False,
) -> Path:
    """Write printable password slips: as many to an A4 page as fit, under group headings.

    Slips run in two columns down each page, ten to a page when every learner shares one
    tutor group and eight or nine when each group heads a few: each tutor group under its
    heading (Year 7 first, groups in natural order), a new page only with
    ``new_page_per_group``. Each slip shows the learner's name, tutor group, login name,
    temporary password and a line of instructions, every line measured against its box
    (long names are made smaller, then wrapped); dashed lines show where to cut. With
    ``secondary`` the slips say "Secondary password" and explain how it works alongside
    the existing password. The same layout serves imports, Create New User and secondary
    passwords.
    """
    data = password_slips_bytes(
        rows, school_name=school_name, secondary=secondary, new_page_per_group=new_page_per_group
    )
    return save_atomically(_writer(data), Path(path), what="The password slips")


def password_slips_bytes(
    rows: Iterable[PasswordRow],
    *,
    school_name: str = "",
    secondary: bool = False,
    new_page_per_group: bool = False,
) -> bytes:
    """The password slips (see :func:`write_password_slips`) as the bytes of a PDF."""
    sheet = _SlipSheet(school_name, secondary=secondary)
    sections = in_slip_order(rows)
    if not sections:
        sheet.pdf.add_page()
    for number, (group, learners) in enumerate(sections):
        sheet.section(group, learners, new_page=number == 0 or new_page_per_group)
    return bytes(sheet.pdf.output())


# --- The slips' layout, in millimetres on A4 portrait ------------------------------------------
_PAGE_HEIGHT = 297.0
_MARGIN = 10.0
_COLUMNS = 2
_SLIP_WIDTH = 95.0  # two columns fill the 190 mm between the margins
#: Every slip's height: five of them and six group headings fill a column.
SLIP_HEIGHT = 46.0
_HEADING_HEIGHT = 7.0
_PADDING = 4.0  # between a slip's cut line and its text, on every side
_INNER_WIDTH = _SLIP_WIDTH - 2 * _PADDING
_POINT = 25.4 / 72  # one typographic point in millimetres
_LINE = 1.2  # a line's height, as a multiple of its font size


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of a slip: its text and font size, and the space it takes (mm)."""

    text: str
    size: float

    @property
    def height(self) -> float:
        return self.size * _POINT * _LINE


class _SlipSheet:
    """The PDF being laid out: two columns per page, filled top to bottom, left then right."""

    def __init__(self, school_name: str, *, secondary: bool) -> None:
        from fpdf import FPDF

        self.pdf: FPDF = FPDF(orientation="portrait", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=False)
        self.pdf.set_margins(_MARGIN, _MARGIN)
        self.pdf.set_title(f"Plan-it {_kind(secondary).lower()}s")
        self.secondary = secondary
        font = pdf_text.unicode_font()
        self.family = "Helvetica"
        self.text: Callable[[str], str] = pdf_text.latin1
        self.ellipsis = "..."
        if font is not None:
            self.pdf.add_font("Slips", "", str(font))
            self.family, self.text, self.ellipsis = "Slips", (lambda value: value), "…"
        self.column = _COLUMNS  # no page yet: the first slip starts one
        self.top = 0.0
        self.header = self._fit("Plan-it" + (f" – {school_name}" if school_name else ""), 8, 6)
        # The same instructions on every slip: wrapped once, not once per slip.
        instructions = SECONDARY_SLIP_INSTRUCTIONS if secondary else SLIP_INSTRUCTIONS
        self.instructions = self._wrap(instructions, 7.5, lines=3) or self._wrap(
            instructions, 6.5, lines=4, cut=True
        )

    # --- text measured against the box -----------------------------------------------------
    def _width(self, text: str, size: float) -> float:
        self.pdf.set_font(self.family, size=size)
        return float(self.pdf.get_string_width(text))

    def _fit(self, text: str, largest: float, smallest: float) -> _Line:
        """One line: at the largest size that fits, else the smallest, shortened with "…"."""
        shown = self.text(text)
        size = largest
        while size >= smallest:
            if self._width(shown, size) <= _INNER_WIDTH:
                return _Line(shown, size)
            size -= 0.5
        return _Line(self._shortened(shown, smallest), smallest)

    def _shortened(self, text: str, size: float) -> str:
        while text and self._width(text + self.ellipsis, size) > _INNER_WIDTH:
            text = text[:-1]
        return text.rstrip() + self.ellipsis

    def _wrap(self, text: str, size: float, *, lines: int, cut: bool = False) -> list[_Line]:
        """``text`` wrapped at spaces (a word too long for a line is split); [] if it needs
        more than ``lines`` lines, unless ``cut``: then the last line is shortened."""
        words = self.text(text).split()
        wrapped: list[str] = []
        current = ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            if self._width(candidate, size) <= _INNER_WIDTH:
                current = candidate
                continue
            if current:
                wrapped.append(current)
            current = word
            while self._width(current, size) > _INNER_WIDTH:  # one word wider than the box
                split = len(current) - 1
                while split > 1 and self._width(current[:split], size) > _INNER_WIDTH:
                    split -= 1
                # After a hyphen where there is one ("Smith-" / "Jones"), else mid-word.
                hyphen = current.rfind("-", 0, split) + 1
                split = hyphen if hyphen > 1 else split
                wrapped.append(current[:split])
                current = current[split:]
        if current:
            wrapped.append(current)
        if len(wrapped) > lines:
            if not cut:
                return []
            wrapped = [*wrapped[: lines - 1], self._shortened(" ".join(wrapped[lines - 1 :]), size)]
        return [_Line(line, size) for line in wrapped]

    def _name(self, text: str) -> list[_Line]:
        """The learner's name: on one line as large as fits, else wrapped on two, or three."""
        single = self._fit(text, 13, 10)
        if not single.text.endswith(self.ellipsis) or text.endswith(self.ellipsis):
            return [single]
        for size, lines in ((10, 2), (8, 3)):
            wrapped = self._wrap(text, size, lines=lines)
            if wrapped:
                return wrapped
        return self._wrap(text, 8, lines=3, cut=True)

    def _value(self, label: str, value: str, largest: float) -> list[_Line]:
        """ "Login name: …": whole, made smaller as needed, then on two lines."""
        line = self._fit(label + value, largest, 8)
        if not line.text.endswith(self.ellipsis) or value.endswith(self.ellipsis):
            return [line]
        return [self._fit(label.rstrip(), largest, 8), *self._wrap(value, 8, lines=2, cut=True)]

    # --- pages, columns, headings and slips -----------------------------------------------
    def _bottom(self) -> float:
        return _PAGE_HEIGHT - _MARGIN

    def _next_column(self) -> None:
        self.column += 1
        if self.column >= _COLUMNS:
            self.pdf.add_page()
            self.column = 0
        self.top = _MARGIN

    def _room(self, height: float) -> bool:
        return self.column < _COLUMNS and self.top + height <= self._bottom() + 1e-6

    def section(self, group: str, learners: Sequence[PasswordRow], *, new_page: bool) -> None:
        """One tutor group: its heading, then its slips; the heading never ends a column."""
        if new_page:
            self.column = _COLUMNS - 1
            self._next_column()
        heading = f"Tutor group {group}" if group else "No tutor group"
        for index, learner in enumerate(learners):
            if index == 0:
                if not self._room(_HEADING_HEIGHT + SLIP_HEIGHT):
                    self._next_column()
                self._heading(heading)
            elif not self._room(SLIP_HEIGHT):
                self._next_column()
                self._heading(f"{heading} (continued)")
            self._slip(learner, group)
            self.top += SLIP_HEIGHT

    def _x(self) -> float:
        return _MARGIN + self.column * _SLIP_WIDTH

    def _heading(self, text: str) -> None:
        line = self._fit(text, 10, 7)
        self.pdf.set_font(self.family, size=line.size)
        self.pdf.set_text_color(0, 0, 0)
        baseline = self.top + _HEADING_HEIGHT - 2.0
        self.pdf.text(self._x() + _PADDING, baseline, line.text)
        self.top += _HEADING_HEIGHT

    def _slip(self, learner: PasswordRow, group: str) -> None:
        pdf = self.pdf
        x, y = self._x(), self.top
        pdf.set_draw_color(150, 150, 150)
        pdf.set_line_width(0.2)
        pdf.set_dash_pattern(dash=2, gap=2)
        pdf.rect(x, y, _SLIP_WIDTH, SLIP_HEIGHT)
        pdf.set_dash_pattern()
        blocks: list[tuple[list[_Line], float]] = [
            ([self.header], 1.2),
            (self._name(f"{learner.first_names} {learner.surname}"), 1.2),
            ([self._fit(f"Tutor group: {group}" if group else "No tutor group", 9, 7)], 1.6),
            (self._value("Login name: ", learner.login, 11), 0.8),
            (self._value(f"{_kind(self.secondary)}: ", learner.password, 11), 1.6),
            (self.instructions, 0.0),
        ]
        room = SLIP_HEIGHT - 2 * _PADDING
        needed = sum(line.height for lines, _gap in blocks for line in lines)
        gaps = sum(gap for _lines, gap in blocks)
        # The longest names and logins take more lines: the gaps close up to make room, and
        # the instructions give way last, so that no line ever crosses the cut line.
        if needed + gaps > room:
            squeeze = max(0.0, (room - needed) / gaps) if gaps else 0.0
            blocks = [(lines, gap * squeeze) for lines, gap in blocks]
            while needed > room and len(blocks[-1][0]) > 1:
                dropped = blocks[-1][0]
                blocks[-1] = (dropped[:-1], 0.0)
                needed -= dropped[-1].height
        cursor = y + _PADDING
        pdf.set_text_color(0, 0, 0)
        for lines, gap in blocks:
            for line in lines:
                pdf.set_font(self.family, size=line.size)
                # text() places the baseline; the descenders stay inside the line's height.
                cursor += line.height
                pdf.text(x + _PADDING, cursor - line.size * _POINT * 0.25, line.text)
            cursor += gap
