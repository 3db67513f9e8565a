"""DfE Common Transfer Files (``CTfile`` XML): each ``Pupil`` becomes one row.

Elements are found by name anywhere under each ``Pupil`` (not by position), so the order of
elements and their nesting across CTF versions do not matter; ``Gender`` and the newer
``Sex`` are both read. Which expected details were found in no pupil is reported. The
header's ``AcademicYear`` (the September-start year of the data: a pupil's ``NCyearActual``
is their year group in it) is read too, so that checking can move year groups on to the
school's own academic year.

The standard library's XML parser expands entities declared inside the document, so a
document with a ``DOCTYPE`` or an ``ENTITY`` is refused before parsing ("billion laughs").
The file is read as a stream of elements, never built into a tree: only the details of the
pupil being read are held, so a file of millions of elements (or nested a million deep)
cannot fill the memory, and the text kept for all the pupils together is bounded.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.parsers import expat

from planit_desktop.model.services.importing.limits import MAX_TEXT, NOTHING_IMPORTED
from planit_desktop.model.services.importing.table import (
    CellValue,
    Field,
    SourceKind,
    SourceRow,
    Table,
    UnreadableFile,
    data_row_limit,
)

MAX_CTF_BYTES = 100 * 1024 * 1024
#: Elements may nest this deep (a CTF pupil's details are a few levels down).
MAX_CTF_DEPTH = 100
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
#: The element names any field is read from.
_NAMES = frozenset(name for names in _ELEMENTS.values() for name in names)
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


def _entity_declared(name: str) -> UnreadableFile:
    return UnreadableFile(
        f"{name} was refused: it declares a document type or entities, which a DfE "
        "Common Transfer File never does."
    )


class _Pupils:
    """Collects each Pupil's details as the elements stream past.

    For every open Pupil (a Pupil inside another is a row of its own too, as it always
    was), the first text of each leaf element by name is kept, but only for the names a
    field is read from: everything else is passed over as it streams.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.root: str | None = None
        self.depth = 0
        self.open: list[tuple[int, dict[str, str]]] = []  # (depth, details) per open Pupil
        self.rows: list[tuple[int, dict[str, str]]] = []  # (number, details), in order
        self.leaf = True  # the innermost open element has no child (yet)
        self.text: list[str] = []
        self.kept = 0
        self.limit = data_row_limit()
        self.header_depth = 0  # the depth of the open Header element, 0 outside it
        self.academic_year: str | None = None  # the header's AcademicYear, as written

    def start(self, tag: str, _attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_CTF_DEPTH:
            raise UnreadableFile(
                f"{self.name} was refused: its elements are nested more than "
                f"{MAX_CTF_DEPTH} deep, which no transfer file is. {NOTHING_IMPORTED}"
            )
        if self.root is None:
            self.root = _local(tag)
            if self.root != "CTfile":
                raise UnreadableFile(
                    f"{self.name} is an XML file but not a DfE Common Transfer File "
                    "(no CTfile element)."
                )
        self.leaf = True
        self.text.clear()
        if _local(tag) == "Header" and not self.header_depth and not self.open:
            self.header_depth = self.depth
        if _local(tag) == "Pupil":
            if len(self.rows) >= self.limit:
                raise UnreadableFile(
                    f"{self.name} has more than {self.limit:,} pupils. Split it into smaller files."
                )
            details: dict[str, str] = {}
            self.open.append((self.depth, details))
            self.rows.append((len(self.rows) + 1, details))

    def end(self, tag: str) -> None:
        local = _local(tag)
        if self.header_depth and not self.open:
            if local == "AcademicYear" and self.leaf and self.academic_year is None:
                # The source school's (the first): the year the data is of.
                self.academic_year = "".join(self.text).strip()[:20]
            if self.depth == self.header_depth:
                self.header_depth = 0
        if self.leaf and self.text and self.open and local in _NAMES:
            value = "".join(self.text)
            for _depth, details in self.open:
                # The first occurrence wins: a pupil's own details come before history.
                if local not in details:
                    details[local] = value
                    self.kept += len(value)
            if self.kept > MAX_TEXT:
                from planit_desktop.model.services.importing.limits import too_much_text

                raise too_much_text(self.name, self.kept)
        if self.open and self.open[-1][0] == self.depth:
            self.open.pop()
        self.depth -= 1
        self.leaf = False  # the parent now has a child
        self.text.clear()

    def characters(self, data: str) -> None:
        # Only a leaf's text is kept; text beside child elements is not a detail.
        if self.leaf and (self.open or self.header_depth):
            self.text.append(data)


def _parse_pupils(raw: bytes, name: str) -> _Pupils:
    pupils = _Pupils(name)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> None:
        raise _entity_declared(name)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = pupils.start
    parser.EndElementHandler = pupils.end
    parser.CharacterDataHandler = pupils.characters
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as error:
        raise UnreadableFile(
            f"{name} is not a well-formed XML file ({_expat_message(error)}). It may be "
            "damaged or incomplete."
        ) from error
    return pupils


_ACADEMIC_YEAR = re.compile(r"^(?P<start>\d{4})(?:\s*[/-]\s*(?P<end>\d{2}|\d{4}))?$")


def academic_year_of(text: str) -> int | None:
    """The September-start year a header's ``AcademicYear`` names: ``2025``, ``2025/26`` and
    ``2025-2026`` are all 2025 (the DfE's writer puts 2025 in a file made in June 2026).
    None when it is no such year."""
    match = _ACADEMIC_YEAR.match(text.strip())
    if match is None:
        return None
    start = int(match["start"])
    end = match["end"]
    if end is not None and int(end) % 100 != (start + 1) % 100:
        return None
    return start if 2000 <= start <= 2100 else None


def _expat_message(error: expat.ExpatError) -> str:
    return f"{expat.ErrorString(error.code)}: line {error.lineno}, column {error.offset}"


def read_transfer_file(path: Path, *, name: str) -> Table:
    """Read the pupils of a Common Transfer File into a :class:`Table`."""
    size = path.stat().st_size
    if size > MAX_CTF_BYTES:
        raise UnreadableFile(f"{name} is too large to be a transfer file of learners.")
    raw = path.read_bytes()
    if _DECLARATIONS.search(raw) or _DECLARATIONS.search(_as_utf8(raw)):
        raise _entity_declared(name)
    parsed = _parse_pupils(raw, name)
    del raw
    if parsed.root is None:
        raise UnreadableFile(f"{name} is not a well-formed XML file. It may be damaged.")
    rows: list[SourceRow] = []
    found: set[Field] = set()
    for number, by_name in parsed.rows:
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
    academic_year: int | None = None
    if parsed.academic_year is not None:
        academic_year = academic_year_of(parsed.academic_year)
        if academic_year is None:
            problems.append(
                f"The header of {name} gives its academic year (AcademicYear) as "
                f"“{parsed.academic_year}”, which is not a year such as 2025: the pupils' "
                "year groups cannot be read without it. Ask the school that sent it for a "
                "new file."
            )
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
        academic_year=academic_year,
    )
