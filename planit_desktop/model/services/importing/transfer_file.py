"""DfE Common Transfer Files (``CTfile`` XML): each ``Pupil`` becomes one row.

Elements are found by name anywhere under each ``Pupil`` (not by position), so the order of
elements and their nesting across CTF versions do not matter; ``Gender`` and the newer
``Sex`` are both read. Which expected details were found in no pupil is reported.

The standard library's XML parser expands entities declared inside the document, so a
document with a ``DOCTYPE`` or an ``ENTITY`` is refused before parsing ("billion laughs").
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from planit_desktop.model.services.importing.table import (
    MAX_DATA_ROWS,
    CellValue,
    Field,
    SourceKind,
    SourceRow,
    Table,
    UnreadableFile,
)

MAX_CTF_BYTES = 100 * 1024 * 1024
_DECLARATIONS = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)

# Field → element names to look for, best first. Legal names come before preferred ones,
# which sit in their own elements (PreferredSurname…), so a plain "Surname" is the legal one.
_ELEMENTS: dict[Field, tuple[str, ...]] = {
    Field.UPN: ("UPN",),
    Field.SURNAME: ("Surname", "LegalSurname"),
    Field.FIRST_NAMES: ("Forename", "LegalForename"),
    Field.DATE_OF_BIRTH: ("DOB", "DateOfBirth"),
    Field.SEX: ("Sex", "Gender"),
    Field.YEAR_GROUP: ("NCyearActual", "NCyear"),
    Field.ETHNICITY: ("Ethnicity", "EthnicityCode"),
    Field.TUTOR_GROUP: ("RegGroup", "FormGroup", "TutorGroup"),
    Field.SIMS_NUMBER: ("AdmissionNo", "AdmissionNumber", "Adno"),
}
_EXPECTED = (
    Field.UPN,
    Field.SURNAME,
    Field.FIRST_NAMES,
    Field.DATE_OF_BIRTH,
    Field.SEX,
    Field.YEAR_GROUP,
    Field.ETHNICITY,
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _as_utf8(raw: bytes) -> bytes:
    # A UTF-16 document would hide its declarations from a byte search.
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:4]:
        try:
            return raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return raw
    return b""


def read_transfer_file(path: Path, *, name: str) -> Table:
    """Read the pupils of a Common Transfer File into a :class:`Table`."""
    size = path.stat().st_size
    if size > MAX_CTF_BYTES:
        raise UnreadableFile(f"{name} is too large to be a transfer file of learners.")
    raw = path.read_bytes()
    if _DECLARATIONS.search(raw) or _DECLARATIONS.search(_as_utf8(raw)):
        raise UnreadableFile(
            f"{name} was refused: it declares a document type or entities, which a DfE "
            "Common Transfer File never does."
        )
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as error:
        raise UnreadableFile(
            f"{name} is not a well-formed XML file ({error}). It may be damaged or incomplete."
        ) from error
    if _local(root.tag) != "CTfile":
        raise UnreadableFile(
            f"{name} is an XML file but not a DfE Common Transfer File (no CTfile element)."
        )
    pupils = [element for element in root.iter() if _local(element.tag) == "Pupil"]
    if len(pupils) > MAX_DATA_ROWS:
        raise UnreadableFile(
            f"{name} has more than {MAX_DATA_ROWS:,} pupils. Split it into smaller files."
        )
    rows: list[SourceRow] = []
    found: set[Field] = set()
    for number, pupil in enumerate(pupils, start=1):
        by_name: dict[str, str] = {}
        for element in pupil.iter():
            tag = _local(element.tag)
            # The first occurrence wins: a pupil's own details come before nested history.
            if tag not in by_name and element.text is not None and len(element) == 0:
                by_name[tag] = element.text
        values: dict[Field, CellValue] = {}
        for field, names in _ELEMENTS.items():
            value = next((by_name[n] for n in names if n in by_name), None)
            values[field] = value
            if value is not None:
                found.add(field)
        rows.append(SourceRow(number=number, values=values))
    problems: list[str] = []
    if not rows:
        problems.append(f"{name} is a transfer file with no pupils in it.")
    notes: list[str] = []
    not_found = [f for f in _EXPECTED if f not in found and rows]
    if not_found:
        names_missing = ", ".join(f"{f.value} ({'/'.join(_ELEMENTS[f])})" for f in not_found)
        notes.append(f"Not found for any pupil in the transfer file: {names_missing}.")
    return Table(
        source_name=name,
        kind=SourceKind.TRANSFER_FILE,
        sheet=None,
        header_row=0,
        headings={field: field.value for field in Field},
        columns={field: _ELEMENTS[field][0] for field in Field},
        rows=tuple(rows),
        missing_columns=(),
        problems=tuple(problems),
        notes=tuple(notes),
    )
