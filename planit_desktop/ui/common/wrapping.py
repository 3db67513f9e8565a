"""A widget that asks for the height its wrapped text needs at the width it has."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget


class WrappingWidget(QWidget):
    """A panel holding text that wraps, whose least height is what its layout needs at its
    width now.

    Splitters, tab widgets and main windows ask a widget for its least size, never for its
    height at a width: a panel of wrapped text placed in one was given the height of its
    text on a single line and squeezed the fields under it (at large text, in a narrow
    window). This one answers with the height at its width, and asks again when its width
    changes."""

    def minimumSizeHint(self) -> QSize:
        least = super().minimumSizeHint()
        layout = self.layout()
        if layout is not None and self.width() > 0 and layout.hasHeightForWidth():
            least.setHeight(max(least.height(), layout.totalMinimumHeightForWidth(self.width())))
        return least

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # another width, another least height
