"""A scroll area that gives way in height only (a tab on a low screen, or in large text)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QStyle, QWidget


class VerticalScrollArea(QScrollArea):
    """Scrolls what it holds up and down, never sideways.

    It asks for the width what it holds needs, so the window is made that wide, and only its
    height gives way. What it holds is given the whole height there is, and scrolls only
    when that is less than its least height at this width (QScrollArea's own resizing gives
    it the height it would like instead, so it scrolled where everything could have shown).
    """

    def __init__(self, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(False)  # sized here, see _fit_body
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(body)
        # What it holds asks for another size (a longer text, more rows): fit it again.
        body.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            self._fit_body()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_body()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_body()

    @staticmethod
    def _least_height(body: QWidget, width: int) -> int:
        layout = body.layout()
        least = body.minimumSizeHint().height()
        if layout is not None and layout.hasHeightForWidth():
            least = max(least, layout.totalMinimumHeightForWidth(width))
        return least

    def _fit_body(self) -> None:
        body = self.widget()
        if body is None:
            return
        room = self.maximumViewportSize()  # with no scroll bar shown
        width = room.width()
        height = self._least_height(body, width)
        if height > room.height():  # it scrolls: the bar takes its width from the body
            width -= self.verticalScrollBar().sizeHint().width()
            height = self._least_height(body, width)
        body.resize(width, max(height, room.height()))

    def minimumSizeHint(self) -> QSize:
        least = super().minimumSizeHint()
        body = self.widget()
        if body is None:
            return least
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        width = body.minimumSizeHint().width() + 2 * self.frameWidth() + bar
        return QSize(max(least.width(), width), least.height())
