"""Text in the program's PDFs (password slips, the year-end summary): which font to embed, and
Latin-1 for the built-in fonts where this computer has none.

fpdf2's built-in fonts know Latin-1 only; a TrueType font found on this computer shows any
name as written. Both PDFs ask here, so a name looks the same on a slip and in the summary.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

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


def unicode_font() -> Path | None:
    """A TrueType font of this computer that shows any name, or None (then use :func:`latin1`)."""
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
