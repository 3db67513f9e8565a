"""A table that sizes itself from its content and the font: its columns as wide as what they
hold, the last one taking the room left but never less than its content (where the table is
too narrow it scrolls rather than cutting text off). A column of names may wrap instead, so
that a narrow table grows its rows before it scrolls sideways."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QWidget

#: What a wrapped line cannot break: a word, with the hyphen it may break after.
_WORDS = re.compile(r"[^\s-]+-?|-")


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
        wrap: int | None = None,
        hold_columns: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """``wrap_last``: the last column holds long text (a list of groups), wrapped to the
        room there is, each row as tall as its text; otherwise text stays on one line.

        ``wrap``: the column of names (supervisors, surnames) that gives up its width first
        where the table is narrow, its text wrapping and its rows growing, down to its
        longest word and its heading; only then does the table scroll sideways.

        ``hold_columns``: the table asks for every column (the wrapping one at its heading)
        as its least width, so a layout gives it that room rather than have it scroll."""
        super().__init__(parent)
        self.rows, self.least_rows, self.wrap_last = rows, least_rows, wrap_last
        self.wrap, self.hold_columns = wrap, hold_columns
        self._last_wanted = 0
        self._wrap_wanted = self._wrap_least = self._wrap_heading = 0
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(wrap_last or wrap is not None)
        if wrap_last or wrap is not None:
            self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if wrap_last:
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        if wrap is not None:
            # A row of one line as tall as in every other table; wrapped rows grow from it.
            rows_header = self.verticalHeader()
            rows_header.setMinimumSectionSize(rows_header.defaultSectionSize())
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
        if self.wrap is not None and 0 <= self.wrap <= last:
            self._measure_wrap(padding)
        self._fill_last()
        self.updateGeometry()

    def _measure_wrap(self, padding: int) -> None:
        """How wide the wrapping column would be on one line, its heading, and its least: its
        longest word, which cannot wrap (a few hundred rows a group: quick). Lines break at
        spaces and after hyphens, as Qt wraps them."""
        model, column, metrics = self.model(), self.wrap, self.fontMetrics()
        assert model is not None and column is not None
        self._wrap_wanted = self.columnWidth(column)
        self._wrap_heading = self.horizontalHeader().sectionSizeFromContents(column).width()
        longest = 0
        for row in range(model.rowCount()):
            text = model.index(row, column).data()
            for word in _WORDS.findall(str(text or "")):
                longest = max(longest, metrics.horizontalAdvance(word) + padding)
        self._wrap_least = min(self._wrap_wanted, max(self._wrap_heading, longest))

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

    def _wanted(self) -> dict[int, int]:
        """Each shown column's width on one line (the last as measured, not as filled)."""
        model = self.model()
        count = model.columnCount() if model is not None else 0
        widths = {c: self.columnWidth(c) for c in range(count) if not self.isColumnHidden(c)}
        if widths and self._last_wanted:
            widths[count - 1] = self._last_wanted
        if self.wrap in widths and self._wrap_wanted:
            widths[self.wrap] = self._wrap_wanted
        return widths

    def _columns_width(self) -> int:
        return sum(self._wanted().values())

    def _fill_last(self) -> None:
        model = self.model()
        if model is None or model.columnCount() == 0 or not self._last_wanted:
            return
        last = model.columnCount() - 1
        widths, room = self._wanted(), self.viewport().width()
        short = sum(widths.values()) - room
        if self.wrap in widths and self._wrap_wanted and short > 0:
            # The names wrap first: their column gives up what is missing, down to its least.
            widths[self.wrap] = max(self._wrap_least, self._wrap_wanted - short)
            self.setColumnWidth(self.wrap, widths[self.wrap])
        others = sum(width for column, width in widths.items() if column != last)
        self.setColumnWidth(last, max(widths.get(last, 0), room - others))

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
        width = super().minimumSizeHint().width()
        if self.hold_columns:
            widths = self._wanted()
            if self.wrap in widths and self._wrap_wanted:
                # Its heading in full; a longer word than that may still scroll.
                widths[self.wrap] = min(self._wrap_wanted, self._wrap_heading)
            width = max(width, sum(widths.values()) + extra.width())
        return QSize(width, row * self.least_rows + extra.height())
