"""A table that sizes itself from its content and the font: its columns as wide as what they
hold, the last one taking the room left but never less than its content (where the table is
too narrow it scrolls rather than cutting text off)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QWidget


class FittingTable(QTableView):
    """A table whose size hint is its columns side by side and ``rows`` rows (at least
    ``least_rows``), and whose last column takes the room left but never less than its
    content: where the table is too narrow it scrolls rather than cutting text off."""

    #: The least width of a last column that wraps, in average characters.
    WRAPPED_CHARACTERS = 40

    def __init__(
        self,
        rows: int = 12,
        least_rows: int = 5,
        *,
        wrap_last: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """``wrap_last``: the last column holds long text (a list of groups), wrapped to the
        room there is, each row as tall as its text; otherwise text stays on one line."""
        super().__init__(parent)
        self.rows, self.least_rows, self.wrap_last = rows, least_rows, wrap_last
        self._last_wanted = 0
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(wrap_last)
        if wrap_last:
            self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalHeader().hide()
        # The last column is sized here (see resizeEvent), not stretched: a stretched column
        # shrinks below its content when the table is narrow.
        self.horizontalHeader().setStretchLastSection(False)

    def fit_columns(self, samples: Iterable[tuple[int, str]] = ()) -> None:
        """Every column as wide as its heading and content (and as ``samples``: (column,
        text) pairs a column may come to hold, such as a leaver's note)."""
        self.resizeColumnsToContents()
        metrics, padding = self.fontMetrics(), self.fontMetrics().averageCharWidth() * 2
        for column, text in samples:
            wanted = metrics.horizontalAdvance(text) + padding
            if wanted > self.columnWidth(column):
                self.setColumnWidth(column, wanted)
        model = self.model()
        last = (model.columnCount() - 1) if model is not None else -1
        self._last_wanted = self.columnWidth(last) if last >= 0 else 0
        if self.wrap_last and last >= 0:
            heading = self.horizontalHeader().sectionSizeFromContents(last).width()
            least = metrics.averageCharWidth() * self.WRAPPED_CHARACTERS
            self._last_wanted = min(self._last_wanted, max(heading, least))
        self._fill_last()
        self.updateGeometry()

    def refit_last(self) -> None:
        """Widen the last column to what its rows on the screen hold now (a mark may have
        given one a longer note); asks only about the rows shown, so it is quick."""
        model = self.model()
        if model is None or model.columnCount() == 0 or self.wrap_last:
            return
        wanted = self.sizeHintForColumn(model.columnCount() - 1)
        if wanted > self._last_wanted:
            self._last_wanted = wanted
            self._fill_last()
            self.updateGeometry()

    def _columns_width(self) -> int:
        model = self.model()
        count = model.columnCount() if model is not None else 0
        widths = [self.columnWidth(c) for c in range(count) if not self.isColumnHidden(c)]
        if widths and self._last_wanted:
            widths[-1] = self._last_wanted
        return sum(widths)

    def _fill_last(self) -> None:
        model = self.model()
        if model is None or model.columnCount() == 0 or not self._last_wanted:
            return
        last = model.columnCount() - 1
        others = sum(self.columnWidth(c) for c in range(last) if not self.isColumnHidden(c))
        self.setColumnWidth(last, max(self._last_wanted, self.viewport().width() - others))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fill_last()

    def _frame_extra(self) -> QSize:
        frame = self.frameWidth() * 2
        scroll = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        header: QHeaderView = self.horizontalHeader()
        heading = 0 if header.isHidden() else header.sizeHint().height()
        return QSize(frame + scroll, frame + heading + scroll)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        extra = self._frame_extra()
        row = self.verticalHeader().defaultSectionSize()
        width = self._columns_width() or super().sizeHint().width()
        return QSize(width + extra.width(), row * self.rows + extra.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        extra = self._frame_extra()
        row = self.verticalHeader().defaultSectionSize()
        return QSize(super().minimumSizeHint().width(), row * self.least_rows + extra.height())
