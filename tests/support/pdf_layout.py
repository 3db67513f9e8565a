"""Where a PDF's text and boxes are, read back from the file itself (for the slips' tests).

The widths come from the PDF's own font data (the ``/W`` widths of an embedded TrueType
font, or the published widths of the built-in Helvetica), as a viewer measures them: not
from the code that laid the slips out. Coordinates are in millimetres from the page's top
left corner, as the layout is written.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream

_POINT = 25.4 / 72


@dataclass(frozen=True)
class TextRun:
    """One string drawn: its text, font size and extent (mm)."""

    text: str
    size: float
    left: float
    right: float
    baseline: float

    @property
    def top(self) -> float:
        return self.baseline - self.size * _POINT * 0.8  # ascenders

    @property
    def bottom(self) -> float:
        return self.baseline + self.size * _POINT * 0.25  # descenders


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def holds(self, run: TextRun) -> bool:
        return (
            self.left <= run.left
            and run.right <= self.right
            and self.top <= run.top
            and run.bottom <= self.bottom
        )

    def touches(self, run: TextRun) -> bool:
        return not (
            run.right <= self.left
            or run.left >= self.right
            or run.bottom <= self.top
            or run.top >= self.bottom
        )


@dataclass(frozen=True)
class Page:
    runs: tuple[TextRun, ...]
    boxes: tuple[Box, ...]


class _Font:
    def __init__(self, resource: Any) -> None:
        self.two_bytes = "/DescendantFonts" in resource
        self.widths: dict[int, float] = {}
        self.unicode: dict[int, str] = {}
        self.default = 1000.0
        if self.two_bytes:
            descendant = resource["/DescendantFonts"][0].get_object()
            self.default = float(descendant.get("/DW", 1000))
            widths = list(descendant.get("/W", []))
            at = 0
            while at < len(widths):
                first = int(widths[at])
                following = widths[at + 1]
                if isinstance(following, list) or hasattr(following, "__iter__"):
                    for offset, width in enumerate(following):
                        self.widths[first + offset] = float(width)
                    at += 2
                else:
                    for code in range(first, int(following) + 1):
                        self.widths[code] = float(widths[at + 2])
                    at += 3
            cmap = resource["/ToUnicode"].get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    self.unicode[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
            for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                for low, high, text in re.findall(
                    r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
                ):
                    for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                        self.unicode[code] = chr(int(text, 16) + offset)
        else:
            from fpdf.fonts import CORE_FONTS_CHARWIDTHS

            name = str(resource["/BaseFont"]).lstrip("/").lower()
            self.core = CORE_FONTS_CHARWIDTHS[name]

    def measure(self, raw: bytes) -> tuple[str, float]:
        """The text and its width in thousandths of the font size."""
        if self.two_bytes:
            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            text = "".join(self.unicode.get(code, "?") for code in codes)
            return text, sum(self.widths.get(code, self.default) for code in codes)
        text = raw.decode("cp1252", "replace")
        return text, float(sum(self.core.get(char, 500) for char in text))


def _raw_bytes(value: Any) -> bytes:
    """The string's bytes exactly as in the file (pypdf decodes it as text for us)."""
    original = getattr(value, "original_bytes", None)
    if isinstance(original, bytes):
        return original
    return bytes(value) if isinstance(value, bytes) else str(value).encode("latin-1")


def read_layout(data: bytes) -> list[Page]:
    """Every page's text runs and rectangles, in millimetres from the top left."""
    reader = PdfReader(io.BytesIO(data))
    pages: list[Page] = []
    for page in reader.pages:
        height = float(page.mediabox.height)
        fonts = {
            name: _Font(ref.get_object())
            for name, ref in page["/Resources"].get("/Font", {}).items()
        }
        runs: list[TextRun] = []
        boxes: list[Box] = []
        font: _Font | None = None
        size = 0.0
        x = y = 0.0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                font, size = fonts[operands[0]], float(operands[1])
            elif operator == b"BT":
                x = y = 0.0
            elif operator == b"Td":
                x, y = x + float(operands[0]), y + float(operands[1])
            elif operator == b"Tj":
                assert font is not None
                text, width = font.measure(_raw_bytes(operands[0]))
                left = x * _POINT
                runs.append(
                    TextRun(
                        text,
                        size,
                        left,
                        left + width / 1000 * size * _POINT,
                        (height - y) * _POINT,
                    )
                )
            elif operator == b"re":
                left, bottom, width, rise = (float(v) for v in operands)
                top_pt, bottom_pt = sorted((height - bottom, height - bottom - rise))
                boxes.append(
                    Box(
                        min(left, left + width) * _POINT,
                        top_pt * _POINT,
                        max(left, left + width) * _POINT,
                        bottom_pt * _POINT,
                    )
                )
        pages.append(Page(tuple(runs), tuple(boxes)))
    return pages
