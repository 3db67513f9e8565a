"""Looking at a window as a coordinator would: what is squashed, drawn over, or cut off.

:func:`flaws` walks the visible widgets of a shown window as it is laid out now and lists
what is wrong to the eye; :func:`assert_looks_right` fails a test with that list. Made for
any window or dialog (the year-end wizard first); each finding names the widget by its
class, object name, accessible name or text, so that a failure says where to look.

What counts as a flaw:

- **squashed**: a widget placed by a layout smaller than the least size it asks for (its
  minimum size, or else its minimum size hint, as the layout itself reckons it); a label
  that wraps, shorter than the height its text needs at its width;
- **overlapping**: two visible widgets of one parent whose rectangles meet;
- **cut off**: a label's text wider than the label (QLabel clips without an ellipsis), a
  table's heading or column narrower than what it holds (the view elides those), and a
  chart axis whose labels QtCharts had to truncate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import (
    QLabel,
    QLayout,
    QSizePolicy,
    QTableView,
    QWidget,
)

#: Pixels of slack: styles round half pixels either way.
SLACK = 1


@dataclass(frozen=True)
class Flaw:
    """One thing wrong to the eye."""

    kind: str  # "squashed", "overlapping", "cut off"
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.detail}"


def describe(widget: QWidget) -> str:
    """The widget in words: its class and whatever names it (object name, text…)."""
    bits = [type(widget).__name__]
    if widget.objectName():
        bits.append(f"#{widget.objectName()}")
    text = ""
    if widget.accessibleName():
        text = widget.accessibleName()
    elif hasattr(widget, "text") and callable(widget.text):
        try:
            text = str(widget.text())
        except TypeError:
            text = ""
    elif hasattr(widget, "title") and callable(widget.title):
        text = str(widget.title())
    if text:
        text = " ".join(text.split())
        bits.append(repr(text if len(text) <= 50 else text[:47] + "…"))
    return " ".join(bits)


def _layout_widgets(layout: QLayout) -> Iterator[QWidget]:
    """The widgets a layout places, through its nested layouts."""
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        if item.widget() is not None:
            yield item.widget()
        elif item.layout() is not None:
            yield from _layout_widgets(item.layout())


def laid_out_children(widget: QWidget) -> list[QWidget]:
    """The visible children of ``widget`` that its layout places (not a scroll area's
    scroll bars, a view's headers or other parts a widget places itself)."""
    layout = widget.layout()
    if layout is None:
        return []
    return [w for w in _layout_widgets(layout) if w.parentWidget() is widget and w.isVisible()]


def _least(widget: QWidget) -> QSize:
    """The least size a layout gives ``widget`` (as Qt's own qSmartMinSize reckons it)."""
    hint, least_hint = widget.sizeHint(), widget.minimumSizeHint()
    policy, minimum = widget.sizePolicy(), widget.minimumSize()

    def one(explicit: int, policy_of: QSizePolicy.Policy, hinted: int, smallest: int) -> int:
        if explicit > 0:
            return explicit
        if policy_of == QSizePolicy.Policy.Ignored:
            return 0
        if policy_of.value & QSizePolicy.PolicyFlag.ShrinkFlag.value:
            return max(smallest, 0)
        return max(hinted, 0)

    width = one(minimum.width(), policy.horizontalPolicy(), hint.width(), least_hint.width())
    height = one(minimum.height(), policy.verticalPolicy(), hint.height(), least_hint.height())
    return QSize(width, height)


def _squashed(widget: QWidget) -> Flaw | None:
    least, size = _least(widget), widget.size()
    if isinstance(widget, QLabel) and widget.wordWrap() and widget.hasHeightForWidth():
        needed = widget.heightForWidth(size.width())
        if needed > size.height() + SLACK:
            return Flaw(
                "squashed",
                describe(widget),
                f"its text needs {needed} px of height at {size.width()} px, it has "
                f"{size.height()}",
            )
        least = QSize(least.width(), 0)
    if size.width() + SLACK < least.width() or size.height() + SLACK < least.height():
        return Flaw(
            "squashed",
            describe(widget),
            f"{size.width()}×{size.height()} px, smaller than its least "
            f"{least.width()}×{least.height()}",
        )
    return None


def _overlapping(siblings: list[QWidget]) -> Iterator[Flaw]:
    rects = [(w, w.geometry()) for w in siblings]
    for i, (first, one) in enumerate(rects):
        for second, other in rects[i + 1 :]:
            shared: QRect = one.intersected(other)
            if shared.width() > SLACK and shared.height() > SLACK:
                yield Flaw(
                    "overlapping",
                    f"{describe(first)} and {describe(second)}",
                    f"they share {shared.width()}×{shared.height()} px at "
                    f"({shared.x()}, {shared.y()})",
                )


def _label_cut_off(label: QLabel) -> Flaw | None:
    if label.wordWrap() or not label.text() or label.pixmap() is not None:
        return None
    if label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(label.text())
    ):
        wanted = label.sizeHint().width()
    else:
        metrics = label.fontMetrics()
        margins = label.contentsMargins()
        text = label.text().replace("&&", "\0") if label.buddy() is not None else label.text()
        if label.buddy() is not None:
            text = text.replace("&", "").replace("\0", "&")
        wanted = (
            max(metrics.horizontalAdvance(line) for line in text.split("\n"))
            + 2 * label.margin()
            + margins.left()
            + margins.right()
        )
    if wanted > label.width() + SLACK:
        return Flaw(
            "cut off", describe(label), f"its text needs {wanted} px, it has {label.width()}"
        )
    return None


def _columns_cut_off(view: QTableView) -> Iterator[Flaw]:
    model, header = view.model(), view.horizontalHeader()
    if model is None or not header.isVisible():
        return
    for column in range(model.columnCount()):
        if view.isColumnHidden(column):
            continue
        width = view.columnWidth(column)
        heading = header.sectionSizeFromContents(column).width()
        # A table that wraps its text grows its rows instead: only its headings can be cut.
        content = view.sizeHintForColumn(column) if model.rowCount() and not view.wordWrap() else 0
        wanted = max(heading, content)
        if wanted > width + SLACK:
            title = model.headerData(column, Qt.Orientation.Horizontal)
            yield Flaw(
                "cut off",
                f"{describe(view)} column {title!r}",
                f"its {'heading' if heading >= content else 'cells'} need {wanted} px, it has "
                f"{width}",
            )


def _chart_cut_off(view: QWidget) -> Iterator[Flaw]:
    chart = getattr(view, "chart", None)
    chart = chart() if callable(chart) else None
    if chart is None:
        return
    for axis in chart.axes():
        if axis.labelsVisible() and axis.labelsTruncated():
            yield Flaw("cut off", describe(view), f"a {type(axis).__name__}'s labels are truncated")


def _walk(widget: QWidget) -> Iterator[QWidget]:
    yield widget
    for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if child.isVisible() and not child.isWindow():
            yield from _walk(child)


def flaws(window: QWidget, *, ignore: Iterable[QWidget] = ()) -> list[Flaw]:
    """What is wrong to the eye in ``window`` (shown, laid out) as it is now; widgets in
    ``ignore`` and their children are passed over."""
    skipped = set(map(id, ignore))
    found: list[Flaw] = []
    for widget in _walk(window):
        if id(widget) in skipped or any(id(p) in skipped for p in _ancestors(widget)):
            continue
        children = laid_out_children(widget)
        for child in children:
            flaw = _squashed(child)
            if flaw is not None:
                found.append(flaw)
        found.extend(_overlapping(children))
        if isinstance(widget, QLabel):
            flaw = _label_cut_off(widget)
            if flaw is not None:
                found.append(flaw)
        if isinstance(widget, QTableView):
            found.extend(_columns_cut_off(widget))
        if type(widget).__name__ == "QChartView":
            found.extend(_chart_cut_off(widget))
    return found


def _ancestors(widget: QWidget) -> Iterator[QWidget]:
    parent = widget.parentWidget()
    while parent is not None:
        yield parent
        parent = parent.parentWidget()


def assert_looks_right(window: QWidget, what: str = "", *, ignore: Iterable[QWidget] = ()) -> None:
    """Fail, listing every flaw, unless ``window`` looks right as it is laid out now."""
    found = flaws(window, ignore=ignore)
    if found:
        size = f"{window.width()}×{window.height()}"
        lines = "\n  ".join(map(str, found))
        raise AssertionError(f"{what or describe(window)} at {size} px:\n  {lines}")


def save_grab(window: QWidget, folder: Path, name: str) -> Path:
    """An offscreen picture of ``window`` as it is drawn now, for review."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    if not window.grab().save(str(path)):
        raise AssertionError(f"the picture {path.name} could not be saved")
    return path
