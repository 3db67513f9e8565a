"""Crafted files that would exhaust the machine are refused before any reader allocates.

Each file is read in a child process whose memory is capped (``RLIMIT_AS``, 1 GiB) and whose
processor time is capped too, so a regression shows as a failed child (calamine aborts the
process when an allocation fails) rather than a dead test run. Control tests prove that the
cap is real: handed straight to calamine, the same files kill the child.
"""

from __future__ import annotations

import random
import string
import struct
import sys
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from planit_desktop.model.services.importing import Field, UnreadableFile, read_table
from tests.support import warm_start
from tests.support.import_files import HEADER, learner, write_csv, write_xlsx

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX"),
    pytest.mark.slow,  # each file is read in a child process
]

MEMORY = 1 << 30
#: Seconds of processor time the child may use: a refusal takes a small part of one.
PROCESSOR_SECONDS = 20

_CHILD = textwrap.dedent(
    """
    import resource, sys
    memory, seconds, how, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    if how == "calamine":
        from python_calamine import CalamineWorkbook
        with CalamineWorkbook.from_path(path) as workbook:
            for name in workbook.sheet_names:
                workbook.get_sheet_by_name(name).to_python()
        print("READ")
        raise SystemExit(0)
    from planit_desktop.model.services.importing import UnreadableFile, list_sheets, read_table
    try:
        list_sheets(path)
        table = read_table(path)
    except UnreadableFile as refused:
        print("REFUSED " + refused.message)
    else:
        print(f"READ {len(table.rows)}")
    """
)


@dataclass(frozen=True)
class Outcome:
    status: int
    output: str
    errors: str

    @property
    def killed(self) -> bool:
        """The child was ended by a signal: aborted by a failed allocation, or out of time."""
        return self.status < 0

    @property
    def refusal(self) -> str:
        assert self.status == 0, f"the child died ({self.status}): {self.errors[-2000:]}"
        assert self.output.startswith("REFUSED "), self.output + self.errors[-2000:]
        return self.output.removeprefix("REFUSED ").strip()


def in_child(path: Path, *, how: str = "planit") -> Outcome:
    """Read ``path`` in a child process with memory and processor time capped."""
    completed = warm_start.run(
        [sys.executable, "-c", _CHILD, str(MEMORY), str(PROCESSOR_SECONDS), how, str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return Outcome(completed.returncode, completed.stdout, completed.stderr)


# --- building crafted workbooks -------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Learners" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _header_cells() -> str:
    return "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{heading}</t></is></c>'
        for i, heading in enumerate(HEADER)
    )


def write_workbook(path: Path, sheet_data: str, *, shared: str | None = None) -> Path:
    """An .xlsx by hand: one sheet (``sheet_data`` inside <sheetData>), shared strings."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
        f"<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", shared)
    return path


def random_letters(count: int, seed: int = 1) -> str:
    """Letters that do not compress much, as a long genuine text would not."""
    table = bytes((string.ascii_lowercase * 10)[:256], "ascii")
    return random.Random(seed).randbytes(count).translate(table).decode("ascii")


def one_text_in_many_cells(path: Path, characters: int, cells: int) -> Path:
    text = random_letters(characters)
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="{cells}" '
        f'uniqueCount="1"><si><t>{text}</t></si></sst>'
    )
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(2, cells + 2)
    )
    return write_workbook(path, f'<row r="1">{_header_cells()}</row>{rows}', shared=shared)


# --- the two workbooks of the finding -------------------------------------------------------


def far_cell_workbook(path: Path) -> Path:
    """The learners' headings, and one value in the last cell a sheet has: XFD1048576."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Learners"
    sheet.append(HEADER)
    sheet["XFD1048576"] = "x"
    workbook.save(path)
    return path


def test_a_value_in_the_last_cell_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    refusal = in_child(far_cell_workbook(tmp_path / "far.xlsx")).refusal
    assert "17 billion cells (A1:XFD1048576)" in refusal
    assert "Save just the learners' sheet as a new workbook" in refusal
    assert refusal.endswith("Nothing was imported.")


def test_a_value_in_the_last_cell_without_a_dimension_is_refused(tmp_path: Path) -> None:
    # No <dimension>: the cells themselves say how far the sheet reaches.
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = write_workbook(tmp_path / "far.xlsx", f'<row r="1">{_header_cells()}</row>{far}')
    refusal = in_child(path).refusal
    assert "goes down to row 1,048,576" in refusal and "Nothing was imported." in refusal


def test_one_long_shared_text_in_eighty_thousand_cells_is_refused(tmp_path: Path) -> None:
    path = one_text_in_many_cells(tmp_path / "shared.xlsx", 1_500_000, 80_000)
    assert 1_000_000 < path.stat().st_size < 1_400_000  # about 1.2 MB, as found
    refusal = in_child(path).refusal
    assert "1,500,000 characters, more than a spreadsheet cell can hold (32,767)" in refusal


def test_a_text_of_allowed_length_shown_too_often_is_refused(tmp_path: Path) -> None:
    # Each cell is within Excel's limit; shown 80,000 times it is 2.4 billion characters.
    path = one_text_in_many_cells(tmp_path / "shared.xlsx", 30_000, 80_000)
    refusal = in_child(path).refusal
    assert "characters of text, far more than any list of learners" in refusal


def test_a_claim_of_billions_of_shared_texts_is_refused(tmp_path: Path) -> None:
    # calamine sets room aside for as many shared strings as the file claims.
    shared = f'<sst xmlns="{_MAIN}" uniqueCount="4000000000"><si><t>Ann</t></si></sst>'
    path = write_workbook(
        tmp_path / "claim.xlsx", f'<row r="1">{_header_cells()}</row>', shared=shared
    )
    assert "4 billion different texts" in in_child(path).refusal


def test_a_document_type_in_a_sheet_is_refused(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "ok.xlsx", f'<row r="1">{_header_cells()}</row>')
    laughs = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(laughs, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"?><worksheet", b'?><!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet'
                )
            target.writestr(info, data)
    with pytest.raises(UnreadableFile, match="declares a document type or entities"):
        read_table(laughs)


@pytest.mark.parametrize("build", [far_cell_workbook, "shared"])
def test_the_memory_cap_is_real(tmp_path: Path, build: object) -> None:
    """Handed straight to calamine, the crafted workbooks kill the capped child."""
    path = (
        far_cell_workbook(tmp_path / "far.xlsx")
        if callable(build)
        else one_text_in_many_cells(tmp_path / "shared.xlsx", 1_500_000, 80_000)
    )
    assert in_child(path, how="calamine").killed


def test_a_genuine_workbook_still_reads_in_the_capped_child(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ok.xlsx", [learner(i) for i in range(1, 201)])
    outcome = in_child(path)
    assert outcome.status == 0 and outcome.output.strip() == "READ 200", outcome.errors


# --- OpenDocument ---------------------------------------------------------------------------

_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)

_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type='
    '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
)


def write_ods(path: Path, rows: str) -> Path:
    header = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
        for h in HEADER
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NAMESPACES}>'
        '<office:body><office:spreadsheet><table:table table:name="Learners">'
        f"<table:table-row>{header}</table:table-row>{rows}</table:table>"
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("content.xml", content)
    return path


def test_ods_with_a_value_repeated_down_a_million_rows_is_refused(tmp_path: Path) -> None:
    cell = (
        '<table:table-cell office:value-type="string" table:number-columns-repeated="9">'
        f"<text:p>{'x' * 1000}</text:p></table:table-cell>"
    )
    rows = f'<table:table-row table:number-rows-repeated="1000000">{cell}</table:table-row>'
    path = write_ods(tmp_path / "down.ods", rows)
    assert path.stat().st_size < 10_000
    assert in_child(path, how="calamine").killed  # it copies the text into every cell
    assert "goes down to row 1,000,001" in in_child(path).refusal


def test_ods_with_a_value_repeated_across_every_column_is_refused(tmp_path: Path) -> None:
    cell = (
        '<table:table-cell office:value-type="float" office:value="1" '
        'table:number-columns-repeated="16384"/>'
    )
    rows = f'<table:table-row table:number-rows-repeated="6000">{cell}</table:table-row>'
    path = write_ods(tmp_path / "across.ods", rows)
    assert in_child(path, how="calamine").killed  # 98 million cells, under its own limit
    assert "as far right as column 16,384" in in_child(path).refusal


def test_ods_with_a_million_spaces_in_a_cell_is_refused(tmp_path: Path) -> None:
    cell = (
        '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/>'
        "</text:p></table:table-cell>"
    )
    path = write_ods(tmp_path / "spaces.ods", f"<table:table-row>{cell}</table:table-row>")
    assert "more than a spreadsheet cell can hold" in in_child(path).refusal


def test_ods_empty_repeats_as_libreoffice_writes_them_still_read(tmp_path: Path) -> None:
    # LibreOffice ends every sheet with a million empty rows of 1,024 empty cells.
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        for v in learner(1)
    )
    rows = (
        f'<table:table-row>{cells}<table:table-cell table:number-columns-repeated="1015"/>'
        "</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    outcome = in_child(write_ods(tmp_path / "libre.ods", rows))
    assert outcome.output.strip() == "READ 1", outcome.output + outcome.errors


# --- CSV ------------------------------------------------------------------------------------


def test_csv_with_a_gigantic_value_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "long.csv", [learner(1, **{"Surnames": "x" * 5_000_000})])
    refusal = in_child(path).refusal
    assert "Row 2 of long.csv holds a value of more than 131,072 characters" in refusal


def test_csv_with_a_gigantic_line_of_values_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(HEADER) + "\n" + "ab," * 10_000_000 + "\n")
    refusal = in_child(path).refusal
    assert "Row 2 of wide.csv holds more than 1,000 values" in refusal


def test_csv_whose_delimiter_guess_would_take_minutes_is_read_quickly(tmp_path: Path) -> None:
    # The standard library's guess is quadratic in its sample: 64 KB of this took 25 s.
    path = tmp_path / "quotes.csv"
    path.write_text(",".join(HEADER) + "\n" + ',"' * 60_000 + "\n")
    outcome = in_child(path)
    assert outcome.status == 0, outcome.errors


# --- old Excel (.xls) -----------------------------------------------------------------------


def write_xls(path: Path, rows: list[list[object]], *, at: tuple[int, int] | None = None) -> Path:
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Learners")
    for line, values in enumerate([HEADER, *rows]):
        for column, value in enumerate(values):
            sheet.write(line, column, value)
    if at is not None:
        sheet.write(at[0], at[1], "x")
    workbook.save(str(path))
    return path


def _workbook_stream_sectors(data: bytes) -> tuple[int, list[int], list[int]]:
    """(sector size, FAT, sectors of the Workbook stream) of a compound file from xlwt."""
    size = 1 << struct.unpack_from("<H", data, 30)[0]
    difat = [s for s in struct.unpack_from("<109I", data, 76) if s < 0xFFFFFFFA]
    fat: list[int] = []
    for sector in difat:
        fat.extend(struct.unpack_from(f"<{size // 4}I", data, (sector + 1) * size))
    directory = (struct.unpack_from("<I", data, 48)[0] + 1) * size
    for entry in range(directory, directory + size, 128):
        name = data[entry : entry + 64].decode("utf-16-le").split("\x00")[0]
        if name == "Workbook":
            sector, chain = struct.unpack_from("<I", data, entry + 116)[0], []
            while sector < 0xFFFFFFFA:
                chain.append(sector)
                sector = fat[sector]
            return size, fat, chain
    raise AssertionError("no Workbook stream")


def _patch_record(path: Path, kind: int, patch: bytes, at: int) -> Path:
    """Overwrite bytes of the first record of ``kind`` in the workbook stream, in place."""
    data = bytearray(path.read_bytes())
    size, _fat, chain = _workbook_stream_sectors(bytes(data))
    stream = b"".join(data[(s + 1) * size : (s + 2) * size] for s in chain)
    position = 0
    while position < len(stream):
        record, length = struct.unpack_from("<HH", stream, position)
        if record == kind:
            offset = position + 4 + at
            for i, byte in enumerate(patch):
                where = offset + i
                sector = chain[where // size]
                data[(sector + 1) * size + where % size] = byte
            path.write_bytes(bytes(data))
            return path
        position += 4 + length
    raise AssertionError(f"no record {kind:#06x}")


def test_xls_declaring_billions_of_rows_is_refused(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "rows.xls", [learner(1)])
    # DIMENSIONS: first row, last row + 1 (both 32-bit), first and last column + 1.
    _patch_record(path, 0x0200, struct.pack("<I", 0xFFFFFFFF), at=4)
    assert in_child(path, how="calamine").killed  # calamine reserves for all of them
    refusal = in_child(path).refusal
    assert "says its sheet “Learners” has" in refusal and "billion cells" in refusal


def test_xls_with_a_value_far_down_is_refused(tmp_path: Path) -> None:
    refusal = in_child(write_xls(tmp_path / "far.xls", [learner(1)], at=(65_000, 8))).refusal
    assert "goes down to row 65,001" in refusal


def test_xls_with_one_long_text_in_many_cells_is_refused(tmp_path: Path) -> None:
    text = random_letters(30_000)
    rows = [[text] for _ in range(40_000)]
    path = write_xls(tmp_path / "shared.xls", rows)
    refusal = in_child(path).refusal
    assert "characters of text, far more than any list of learners" in refusal


def test_xls_whose_sector_chain_loops_is_refused(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "loop.xls", [learner(1)])
    data = bytearray(path.read_bytes())
    size, fat, _chain = _workbook_stream_sectors(bytes(data))
    directory = struct.unpack_from("<I", data, 48)[0]
    # The directory's sector links back to itself: calamine would follow it for ever.
    fat_sector = struct.unpack_from("<I", data, 76)[0]
    struct.pack_into("<I", data, (fat_sector + 1) * size + 4 * directory, directory)
    path.write_bytes(bytes(data))
    assert in_child(path, how="calamine").killed
    assert "damaged or incomplete" in in_child(path).refusal


def test_a_genuine_xls_still_reads(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "ok.xls", [learner(i) for i in range(1, 51)])
    assert len(read_table(path).rows) == 50


def test_ods_saved_with_a_password_is_named_so_before_its_content_is_measured(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.ods"
    manifest = _MANIFEST.replace(
        "</manifest:manifest>",
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum-type="SHA1"/></manifest:file-entry>'
        "</manifest:manifest>",
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", random_letters(5000).encode())  # enciphered: noise
    with pytest.raises(UnreadableFile, match="protected with a password"):
        read_table(path)


# --- DfE transfer files ---------------------------------------------------------------------


def test_transfer_file_nested_without_end_is_refused(tmp_path: Path) -> None:
    from tests.support.import_files import ctf

    path = tmp_path / "deep.xml"
    path.write_text(ctf(["<Pupil>" + "<x>" * 100_000 + "</x>" * 100_000 + "</Pupil>"]))
    assert "nested more than 100 deep" in in_child(path).refusal


def test_transfer_file_of_many_elements_is_read_as_a_stream(tmp_path: Path) -> None:
    from tests.support.import_files import ctf

    # Two million elements beside the pupils: built as a tree (as they were) they do not fit
    # in 200 MB with the program; the stream keeps only the pupils' details.
    pupil = (
        "<Pupil><Surname>SMITH</Surname><Forename>JANE</Forename><DOB>2013-10-02</DOB>"
        "<Gender>F</Gender><NCyearActual>7</NCyearActual>"
        f"<History>{'<Mark/>' * 400_000}</History></Pupil>"
    )
    path = tmp_path / "many.xml"
    path.write_text(ctf([pupil] * 5))
    completed = warm_start.run(
        [sys.executable, "-c", _CHILD, str(200 << 20), str(PROCESSOR_SECONDS), "planit", str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.stdout.strip() == "READ 5", completed.stdout + completed.stderr[-2000:]


def test_a_pupil_inside_a_pupil_is_still_a_row_of_its_own(tmp_path: Path) -> None:
    from tests.support.import_files import ctf

    inner = "<Pupil><Surname>INNER</Surname><Forename>ANN</Forename></Pupil>"
    outer = f"<Pupil><Surname>OUTER</Surname>{inner}<Forename>BOB</Forename></Pupil>"
    path = tmp_path / "nested.xml"
    path.write_text(ctf([outer]))
    rows = read_table(path).rows
    assert [r.number for r in rows] == [1, 2]
    assert [r.values[Field.SURNAME] for r in rows] == ["OUTER", "INNER"]
    # The first occurrence wins, in document order, as it always did.
    assert [r.values[Field.FIRST_NAMES] for r in rows] == ["ANN", "ANN"]


def test_a_zip_of_tens_of_thousands_of_parts_is_refused_from_its_end_record(
    tmp_path: Path,
) -> None:
    # Past 65,535 parts a zip keeps its count in a zip64 record: that is read too.
    path = write_workbook(tmp_path / "parts.xlsx", f'<row r="1">{_header_cells()}</row>')
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        for number in range(70_000):
            archive.writestr(f"xl/media/p{number}", b"")
    with pytest.raises(UnreadableFile, match="it holds 70,00[0-9] parts"):
        read_table(path)


def test_a_list_of_sheets_of_megabytes_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "ok.xlsx", f'<row r="1">{_header_cells()}</row>')
    padded = tmp_path / "padded.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(padded, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(
                    b"<sheets>", f"<!--{random_letters(5 << 20)}--><sheets>".encode()
                )
            target.writestr(info, data)
    with pytest.raises(UnreadableFile, match="its part xl/workbook.xml would unpack to 5 MB"):
        read_table(padded)
