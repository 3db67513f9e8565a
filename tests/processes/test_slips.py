"""Password slips: as many to an A4 page as fit, under tutor-group headings, in year order,
every line inside its slip (read back from the PDF: page count, text and boxes)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from planit_desktop.model.services import pdf_text
from planit_desktop.model.services.credentials.outputs import (
    PasswordRow,
    in_slip_order,
    password_list_bytes,
    password_slips_bytes,
)
from tests.support.pdf_layout import Page, TextRun, read_layout

LONG_FIRST = "Maximiliana Alexandrina Bartholomea Wilhelmina"
LONG_SURNAME = "Featherstonehaugh-Cholmondeley-Wolstenholme-Montmorency"


def _groups(count: int) -> list[str]:
    names = [f"{year}{letter}" for year in (7, 8, 9, 10, 11) for letter in "ABCDEZ"]
    return names[:count]


def _learners(count: int, groups: list[str]) -> list[PasswordRow]:
    rows = []
    for i in range(count):
        group = groups[i % len(groups)]
        first, surname = ("Zoë", f"Ó Briain {i}") if i % 3 else ("Ann", f"Smith {i}")
        if i == 4:
            first, surname = LONG_FIRST, LONG_SURNAME
        rows.append(
            PasswordRow(
                f"learner{i:02d}", first, surname, group, f"Pw{i:02d}abcdef", int(group[:-1])
            )
        )
    return rows


def _slips(page: Page) -> list[tuple[object, list[TextRun]]]:
    return [(box, [run for run in page.runs if box.touches(run)]) for box in page.boxes]


def _assert_every_line_inside(pages: list[Page], rows: list[PasswordRow]) -> None:
    found: set[str] = set()
    for page in pages:
        for box, runs in _slips(page):
            assert runs, f"an empty slip at {box}"
            for run in runs:
                assert box.holds(run), f"{run.text!r} runs over its slip's cut line ({box})"  # type: ignore[attr-defined]
            # A long login may wrap onto the next line: compared without line breaks.
            text = "".join(run.text for run in runs).replace(" ", "")
            for row in rows:
                if f"Loginname:{row.login}" in text:
                    assert row.password in text
                    found.add(row.login)
        # Headings sit between slips, never on one.
        for run in page.runs:
            assert any(box.holds(run) for box in page.boxes) or not any(
                box.touches(run) for box in page.boxes
            )
    assert found == {row.login for row in rows}


def _headings(pages: list[Page]) -> list[str]:
    """The group headings in reading order: page by page, left column, then right."""
    found = []
    for page in pages:
        outside = [r for r in page.runs if not any(b.touches(r) for b in page.boxes)]
        found.extend(r.text for r in sorted(outside, key=lambda r: (r.left > 100, r.baseline)))
    return found


def test_25_learners_in_23_groups_on_three_pages(tmp_path: Path) -> None:
    rows = _learners(25, _groups(23))
    data = password_slips_bytes(rows, school_name="Riverside Academy")
    pages = read_layout(data)
    assert len(pages) <= 3
    assert sum(len(page.boxes) for page in pages) == 25
    assert all(8 <= len(page.boxes) <= 10 for page in pages[:-1])
    _assert_every_line_inside(pages, rows)
    # The longest name was made to fit, not cut: every word of it is on the slip.
    text = "".join(run.text for page in pages for run in page.runs).replace(" ", "")
    assert f"{LONG_FIRST}{LONG_SURNAME}".replace(" ", "") in text
    # And as pixels: pdftoppm renders the pages (look at them when changing the layout).
    if shutil.which("pdftoppm"):
        pdf = tmp_path / "slips.pdf"
        pdf.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True
        )
        assert len(list(tmp_path.glob("page-*.png"))) == len(pages)


def test_groups_in_year_then_natural_order() -> None:
    rows = [
        PasswordRow("a", "Ann", "Able", "10B", "Pw1abcdefg", 10),
        PasswordRow("b", "Bea", "Best", "7A", "Pw2abcdefg", 7),
        PasswordRow("c", "Cal", "Cole", "10A", "Pw3abcdefg", 10),
        PasswordRow("d", "Dee", "Dunn", "10Z", "Pw4abcdefg", 10),
        PasswordRow("e", "Eve", "Eden", "Kestrel", "Pw5abcdefg", 8),  # a Year 8 group
        PasswordRow("f", "Fay", "Ford", None, "Pw6abcdefg", 9),
        PasswordRow("g", "Gus", "Grey", "9C", "Pw7abcdefg", 9),
    ]
    expected = ["7A", "Kestrel", "9C", "10A", "10B", "10Z", ""]
    assert [group for group, _learners in in_slip_order(rows)] == expected
    pages = read_layout(password_slips_bytes(rows))
    assert len(pages) == 1
    assert _headings(pages) == [f"Tutor group {g}" if g else "No tutor group" for g in expected]
    # The password list is in the same order.
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(password_list_bytes(rows))).active
    assert sheet is not None
    logins = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert logins == ["b", "e", "g", "c", "a", "d", "f"]


def test_names_sorted_by_letter_within_a_group() -> None:
    rows = [
        PasswordRow("z", "Li", "Zhang", "7A", "Pw1abcdefg", 7),
        PasswordRow("o", "Aoife", "Ó Briain", "7A", "Pw2abcdefg", 7),
        PasswordRow("p", "Sam", "Patel", "7A", "Pw3abcdefg", 7),
        PasswordRow("l", "Bea", "lewis", "7A", "Pw4abcdefg", 7),
    ]
    ((_group, learners),) = in_slip_order(rows)
    assert [row.surname for row in learners] == ["lewis", "Ó Briain", "Patel", "Zhang"]


def test_one_group_fills_ten_to_a_page_and_continues() -> None:
    rows = _learners(25, ["8B"])
    pages = read_layout(password_slips_bytes(rows))
    assert [len(page.boxes) for page in pages] == [10, 10, 5]
    _assert_every_line_inside(pages, rows)
    assert _headings(pages)[:2] == ["Tutor group 8B", "Tutor group 8B (continued)"]


def test_a_new_page_for_each_group_only_when_asked() -> None:
    rows = _learners(12, _groups(4))
    assert len(read_layout(password_slips_bytes(rows))) == 2
    pages = read_layout(password_slips_bytes(rows, new_page_per_group=True))
    assert len(pages) == 4
    assert [_headings([page]) for page in pages] == [
        ["Tutor group 7A"],
        ["Tutor group 7B"],
        ["Tutor group 7C"],
        ["Tutor group 7D"],
    ]


@pytest.mark.parametrize("secondary", [False, True])
def test_secondary_slips_and_built_in_font_stay_inside(
    secondary: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _learners(9, _groups(3)) + [
        PasswordRow(
            "w" * 40, "W" * 30, "M" * 60, "A very long tutor group name " * 4, "Pw9abcdefg", 7
        )
    ]
    for unicode_font in (True, False):
        if not unicode_font:
            monkeypatch.setattr(pdf_text, "unicode_font", lambda: None)
        elif pdf_text.unicode_font() is None:
            continue  # this computer has no TrueType font: the built-in one is tried below
        pages = read_layout(password_slips_bytes(rows, secondary=secondary))
        _assert_every_line_inside(pages, rows)
        words = "Secondary password" if secondary else "Temporary password"
        assert any(run.text.startswith(words) for page in pages for run in page.runs)
