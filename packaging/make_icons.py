"""Render the icon's SVG source into the files each platform wants, with Qt alone.

    .venv/bin/python packaging/make_icons.py

Writes, from ``packaging/icons/planit-desktop.svg``:

- ``packaging/icons/planit-desktop.ico`` (Windows: the programs, the installer, the MSI),
- ``packaging/icons/planit-desktop.icns`` (macOS: the application bundle),
- ``packaging/icons/planit-desktop-512.png`` (Linux desktop files, stores, documents),
- the window icon's PNGs inside the package (``planit-desktop-<size>.png`` in the folder
  named by ``WINDOW_ICONS``), which the program loads at start-up without needing QtSvg.

ICO and ICNS are simple containers of PNG images, written here directly (Windows Vista and
later, and macOS 10.7 and later, read PNG entries), so no image library is needed beyond Qt.
The outputs are committed; run this again only after changing the SVG.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "icons" / "planit-desktop.svg"
ICONS = HERE / "icons"
WINDOW_ICONS = HERE.parent / "planit_desktop" / "ui" / "icons"
WINDOW_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# (type, size) of the PNG entries of an .icns file: 1x and 2x ("retina") sizes.
ICNS_ENTRIES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """The SVG drawn at ``size`` × ``size`` pixels, as PNG bytes (transparent background)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode the {size}px icon as PNG")
    return bytes(data.data())


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """An .ico holding one PNG per size (a size of 256 is written as 0, as the format says)."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    directory = b""
    for size in sizes:
        side = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(images[size]), offset)
        offset += len(images[size])
    return header + directory + b"".join(images[size] for size in sizes)


def icns_bytes(entries: list[tuple[bytes, bytes]]) -> bytes:
    """An .icns holding the given (type, PNG) entries."""
    body = b"".join(kind + struct.pack(">I", 8 + len(png)) + png for kind, png in entries)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write(path: Path, data: bytes) -> None:
    """Write ``data`` whole or not at all (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    print(f"wrote {path.relative_to(HERE.parent)} ({len(data):,} bytes)")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"make_icons: {SOURCE} is not a valid SVG", file=sys.stderr)
        return 1
    sizes = set(WINDOW_SIZES) | set(ICO_SIZES) | {size for _kind, size in ICNS_ENTRIES}
    png = {size: render_png(renderer, size) for size in sorted(sizes)}
    for size in WINDOW_SIZES:
        write(WINDOW_ICONS / f"planit-desktop-{size}.png", png[size])
    write(ICONS / "planit-desktop-512.png", png[512])
    write(ICONS / "planit-desktop.ico", ico_bytes({size: png[size] for size in ICO_SIZES}))
    write(ICONS / "planit-desktop.icns", icns_bytes([(k, png[s]) for k, s in ICNS_ENTRIES]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
