"""Helpers for the import tests: small learner files generated on the spot (no binary blobs).

The demo school (``demo_database``) is in 2025/26 with Years 7–11; ``TODAY`` falls in it.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from planit_desktop.model.validation.upn import check_letter

TODAY = date(2026, 1, 15)
HEADER = [
    "First Names",
    "Surnames",
    "Date of Birth",
    "Year Group",
    "Tutor Group",
    "Gender",
    "Ethnicity",
    "UPN",
    "SIMS Number",
]


def upn(serial: int, *, la: int = 801) -> str:
    """A valid UPN no demo learner has (the demo uses other local-authority numbers; 801,
    Bristol's, is a real one, so the import has nothing to warn about)."""
    body = f"{la:03d}{5000 + serial // 1000:04d}14{serial % 1000:03d}"
    return check_letter(body) + body


def learner(i: int, **changes: Any) -> list[Any]:
    """A valid Year 7 row (born in 2013/14) with unusual names no demo learner has."""
    values: dict[str, Any] = {
        "First Names": f"Testa{_letters(i)}",
        "Surnames": f"Importova{_letters(i)}",
        "Date of Birth": f"{1 + i % 28:02d}/{1 + i % 8 + 0:02d}/2014",
        "Year Group": "Year 7",
        "Tutor Group": "7Q",
        "Gender": "F" if i % 2 else "M",
        "Ethnicity": "WBRI",
        "UPN": upn(i),
        "SIMS Number": f"T{i:05d}",
    }
    values.update(changes)
    return [values[h] for h in HEADER]


def _letters(i: int) -> str:
    # Names must differ by more than a letter, or the fuzzy check (rightly) finds them similar.
    words = ("bram", "cilk", "dorv", "felt", "gusk", "hipp", "jorn", "klat", "mepp", "nurd")
    return f"{words[i % 10]}{words[(i // 10) % 10]}"


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] | None = HEADER,
    title: str = "Learners",
    start_row: int = 1,
) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    lines = ([list(header)] if header else []) + [list(r) for r in rows]
    for offset, values in enumerate(lines):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=start_row + offset, column=column, value=value)
    workbook.save(path)
    return path


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def ctf(pupils: Sequence[str], *, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<CTfile><Header><DocumentName>'
        "Common Transfer File</DocumentName><CTFversion>20.0</CTFversion></Header>"
        f"<CTFpupilData>{''.join(pupils)}</CTFpupilData></CTfile>"
    )


def pupil(i: int, *, year: int = 6, born: str | None = None, reg: str | None = None) -> str:
    """A primary's Year 6 pupil of 2025/26 (born 2014/15), with a UPN no demo learner has."""
    reg_group = f"<RegGroup>{reg}</RegGroup>" if reg else ""
    return (
        f"<Pupil><UPN>{upn(900 + i)}</UPN><Surname>PRIMAROVA{'ABCDEFGHJK'[i % 10]}{i}</Surname>"
        f"<Forename>Tessa</Forename><DOB>{born or f'2014-{9 + i % 4:02d}-1{i % 9}'}</DOB>"
        f"<Gender>F</Gender><BasicDetails><NCyearActual>{year}</NCyearActual>"
        f"<Ethnicity>WSCO</Ethnicity>{reg_group}</BasicDetails></Pupil>"
    )


def primary_ctf(path: Path, pupils: list[str], *, academic_year: str | None = "2025") -> Path:
    header_year = (
        f"<SourceSchool><LEA>801</LEA><Estab>2345</Estab><AcademicYear>{academic_year}"
        "</AcademicYear></SourceSchool>"
        if academic_year is not None
        else ""
    )
    text = ctf(pupils).replace("</CTFversion>", f"</CTFversion>{header_year}", 1)
    path.write_text(text, encoding="utf-8")
    return path
