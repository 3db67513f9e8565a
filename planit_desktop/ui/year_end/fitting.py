"""The wizard's window opened at the size its steps ask for (within the screen)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

from planit_desktop.ui.common import styles


def size_for_pages(window: QWidget, page_area: QWidget, pages: Iterable[QWidget]) -> QSize:
    """The size ``window`` needs for the largest of ``pages`` (shown in ``page_area``, its
    current page) without squeezing, within the screen's free area."""
    chrome = window.size() - page_area.size()
    width = height = 0
    hints = [(page, page.sizeHint()) for page in pages]
    for _page, hint in hints:
        width = max(width, hint.width())
    for page, hint in hints:
        tallest = hint.height()
        layout = page.layout()
        if layout is not None and layout.hasHeightForWidth():
            tallest = max(tallest, layout.totalHeightForWidth(width))
        height = max(height, tallest)
    wanted = QSize(width + chrome.width(), height + chrome.height())
    room = styles.screen_room(window)
    if room is not None:
        wanted = wanted.boundedTo(room)
    return wanted.expandedTo(window.minimumSizeHint()).expandedTo(window.minimumSize())
