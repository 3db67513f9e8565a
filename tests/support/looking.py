"""A test that looks: what a coordinator would see wrong in a window, found by walking its
widgets as they are laid out now.

:func:`flaws` lists what is wrong to the eye, each :class:`Flaw` naming the widget by its
class, object name, accessible name or text, so that a failure says where to look;
:func:`assert_looks_right` fails a test with that list. What counts as a flaw:

- **squashed**: a widget smaller than the least size it asks for: its minimum size hint (or
  minimum size), and, where a layout places it, the least size that layout would give it (its
  size hint when its policy does not let it shrink, as Qt's own qSmartMinSize reckons); a
  label that wraps, or a widget whose layout wraps, lower than its text needs at its width;
- **overlapping**: two visible widgets of one parent whose rectangles meet;
- **cut off**: a label's text wider than the room it has (QLabel clips without an ellipsis),
  a button narrower than its text (its indicator counted, as the style draws it), a table's
  heading or column narrower than what it holds (the view elides those; a table whose rows
  grow to wrapped text is held to its headings only), a chart axis whose labels QtCharts
  had to truncate.

The parts a widget places itself (a table's viewport, scroll bars and headers, a combo box's
or spin box's line edit, an editor in a cell) are that widget's business; the widget a scroll
area scrolls, and what it holds, are looked at like any other.

:func:`text_scaled` makes the windows of a block at 150 % or 200 % text, as on a 1920×1080
screen, and :func:`on_screen` keeps a window within that screen (a flaw, "too big", if it
cannot be). :func:`save_grab` keeps an offscreen picture of a window in the folder named by
``PLANIT_LOOK_SHOTS``, for a person to review. :func:`unnamed` and :func:`tab_order` look at
what a screen reader and the keyboard meet.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtGui
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QScrollBar,
    QSizeGrip,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QTableView,
    QTextEdit,
    QToolButton,
    QWidget,
)

#: The folder for screenshots, when a person wants to look at them.
SHOTS_FOLDER = "PLANIT_LOOK_SHOTS"
#: A label that shortens its text to fit, with the whole text as its tooltip, sets this.
ELIDES_TO_FIT = "elides_to_fit"  # as planit_desktop.ui.common.labels sets it
#: Pixels of slack: styles round half pixels either way.
SLACK = 1
#: The screen the passes at large text fit their windows to: 1920×1080 at 100 %.
SCREEN = QSize(1920, 1080)
#: The text sizes of those passes: the application's font times these.
TEXT_SCALES = {"text150": 1.5, "text200": 2.0}
#: Widgets that place their own parts (a line edit, a clear button, an arrow).
_PLACE_THEIR_PARTS = (QComboBox, QAbstractSpinBox, QLineEdit)


@dataclass(frozen=True)
class Flaw:
    """One thing wrong to the eye."""

    kind: str  # "squashed", "overlapping", "cut off"; "too big" (on_screen)
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.detail}"


def describe(widget: QWidget) -> str:
    """The widget in words: its class and whatever names it (object name, text, title)."""
    bits = [type(widget).__name__]
    if widget.objectName():
        bits.append(f"#{widget.objectName()}")
    text = widget.accessibleName()
    if not text and isinstance(widget, QLabel | QAbstractButton):
        text = widget.text()
    elif not text and callable(getattr(widget, "title", None)):
        text = str(widget.title())  # type: ignore[attr-defined]
    text = " ".join(re.sub(r"<[^>]+>", "", text).split())
    if text:
        bits.append(repr(text if len(text) <= 50 else text[:47] + "…"))
    return " ".join(bits)


# --- which widgets are looked at ---------------------------------------------------------------
def _walk(root: QWidget) -> Iterator[QWidget]:
    """``root`` and every widget drawn with it (not windows of their own, nor what is in them)."""
    yield root
    for child in root.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if not child.isWindow() and child.isVisibleTo(root):
            yield from _walk(child)


def _is_part(widget: QWidget, root: QWidget) -> bool:
    """Whether ``widget`` is a part another widget lays out itself (a view's viewport, scroll
    bars, headers and editors in cells; a combo box's or spin box's edit; a line edit's
    clear button): its size and place are that widget's business. The widget a QScrollArea
    scrolls, and everything under it, are not parts."""
    if isinstance(widget, QScrollBar | QSizeGrip):
        return True
    child, parent = widget, widget.parentWidget()
    while parent is not None and child is not root:
        if isinstance(parent, _PLACE_THEIR_PARTS):
            return True
        if isinstance(parent, QAbstractScrollArea):
            scrolled = parent.widget() if isinstance(parent, QScrollArea) else None
            if scrolled is None or not (widget is scrolled or scrolled.isAncestorOf(widget)):
                return True
        child, parent = parent, parent.parentWidget()
    return False


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
    """The visible children of ``widget`` that its layout places."""
    layout = widget.layout()
    if layout is None:
        return []
    return [w for w in _layout_widgets(layout) if w.parentWidget() is widget and w.isVisible()]


# --- squashed ----------------------------------------------------------------------------------
def _smart_least(widget: QWidget) -> QSize:
    """The least size a layout gives ``widget``, as Qt's own qSmartMinSize reckons it: its
    minimum size where set, else its minimum size hint if its policy may shrink, else its
    size hint."""
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

    return QSize(
        one(minimum.width(), policy.horizontalPolicy(), hint.width(), least_hint.width()),
        one(minimum.height(), policy.verticalPolicy(), hint.height(), least_hint.height()),
    )


def _asked(widget: QWidget) -> QSize:
    """What a widget asks for itself: its minimum size hint, at least its minimum size; none
    in a direction its policy ignores."""
    hint = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    if not hint.isValid():
        return QSize(0, 0)
    policy, ignored = widget.sizePolicy(), QSizePolicy.Policy.Ignored
    return QSize(
        0 if policy.horizontalPolicy() == ignored else hint.width(),
        0 if policy.verticalPolicy() == ignored else hint.height(),
    )


def _squashed(widget: QWidget, *, laid_out: bool, own: bool) -> Flaw | None:
    """``widget`` smaller than it asks (``own``) or than its layout would let it be
    (``laid_out``); a wrapping label or layout lower than its text needs at its width."""
    size = widget.size()
    least = QSize(0, 0)
    if own:
        least = least.expandedTo(_asked(widget))
    if laid_out:
        least = least.expandedTo(_smart_least(widget))
    if isinstance(widget, QLabel) and widget.wordWrap():
        needed = max(widget.minimumHeight(), widget.heightForWidth(size.width()))
        if needed > size.height() + SLACK:
            return Flaw(
                "squashed",
                describe(widget),
                f"its text needs {needed} px of height at {size.width()} px, it has "
                f"{size.height()}",
            )
        least = QSize(least.width(), 0)
    layout = widget.layout()
    # A stack's own hint is its pages' preferred one: the page shown is looked at instead.
    if own and layout is not None and layout.hasHeightForWidth():
        if not isinstance(widget, QStackedWidget):
            wrapped = max(widget.minimumHeight(), layout.totalMinimumHeightForWidth(size.width()))
            smart = _smart_least(widget).height() if laid_out else 0
            least = QSize(least.width(), max(wrapped, smart))
    if size.width() + SLACK < least.width() or size.height() + SLACK < least.height():
        return Flaw(
            "squashed",
            describe(widget),
            f"{size.width()}×{size.height()} px, smaller than its least "
            f"{least.width()}×{least.height()}",
        )
    return None


# --- overlapping -------------------------------------------------------------------------------
def _siblings(parent: QWidget, root: QWidget, laid_out: list[QWidget]) -> list[QWidget]:
    """The children of ``parent`` that must not overlap: all it shows, unless it places its
    children itself (a stack, a scroll area, a part's owner): then those its layout places."""
    if isinstance(parent, QStackedWidget | QAbstractScrollArea) or _is_part(parent, root):
        return laid_out
    shown = [
        child
        for child in parent.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if not child.isWindow()
        and child.isVisibleTo(root)
        and not isinstance(child, QSizeGrip | QScrollBar)
    ]
    return shown + [w for w in laid_out if w not in shown]


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


# --- cut off -----------------------------------------------------------------------------------
def _without_mnemonic(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _label_cut_off(label: QLabel) -> Flaw | None:
    """A one-line (or hard-broken) label whose text is wider than the room inside it."""
    text = label.text()
    if label.wordWrap() or not text or not label.pixmap().isNull():
        return None  # a wrapped label is squashed, not cut off, when its text does not fit
    if label.property(ELIDES_TO_FIT) and label.toolTip() == text:
        return None  # shortened on purpose, the whole text a hover away
    indent = label.indent()
    if indent < 0:  # as QLabel reckons it: half an x inside a frame, else none
        indent = label.fontMetrics().horizontalAdvance("x") // 2 if label.frameWidth() else 0
    room = label.contentsRect().width() - 2 * label.margin() - 2 * indent
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    if rich:
        plain = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>", "\n", text)))
        lines = plain.split("\n")
    else:
        lines = (_without_mnemonic(text) if label.buddy() is not None else text).split("\n")
    needs = max(label.fontMetrics().horizontalAdvance(line) for line in lines)
    if needs > room + SLACK:
        return Flaw("cut off", describe(label), f"its text needs {needs} px, it has {room}")
    # Rich text in its own fonts (bold, larger) as the label's document lays it out.
    if rich and label.sizeHint().width() > label.width() + SLACK:
        return Flaw(
            "cut off",
            describe(label),
            f"its text needs {label.sizeHint().width()} px, it has {label.width()}",
        )
    return None


def _button_text_width(button: QAbstractButton) -> int:
    """The width a button needs for its text, as its style draws it."""
    metrics = button.fontMetrics()
    text = _without_mnemonic(button.text())
    if isinstance(button, QPushButton):
        option = QStyleOptionButton()
        option.initFrom(button)
        option.text = text
        style = button.style()
        return style.sizeFromContents(
            QStyle.ContentsType.CT_PushButton, option, metrics.size(0, text)
        ).width() - 2 * style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, option, button)
    width = metrics.horizontalAdvance(text)
    if isinstance(button, QCheckBox | QRadioButton):
        # The indicator and the space after it, as the style draws them.
        box = isinstance(button, QCheckBox)
        metric = QStyle.PixelMetric
        indicator = metric.PM_IndicatorWidth if box else metric.PM_ExclusiveIndicatorWidth
        spacing = metric.PM_CheckBoxLabelSpacing if box else metric.PM_RadioButtonLabelSpacing
        style = button.style()
        return (
            width
            + style.pixelMetric(indicator, None, button)
            + style.pixelMetric(spacing, None, button)
        )
    return width


def _button_cut_off(button: QAbstractButton) -> Flaw | None:
    if isinstance(button, QToolButton) or not button.text():
        return None
    needs = _button_text_width(button)
    if needs > button.width() + SLACK:
        return Flaw(
            "cut off", describe(button), f"its text needs {needs} px, it has {button.width()}"
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
        # A table that wraps its text and grows its rows to it shows it whole: only its
        # headings can be cut. One that wraps into rows of a fixed height elides its cells.
        grows = (
            view.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.ResizeToContents
        )
        wraps = view.wordWrap() and grows
        content = view.sizeHintForColumn(column) if model.rowCount() and not wraps else 0
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


# --- the whole window ----------------------------------------------------------------------------
def flaws(window: QWidget) -> list[Flaw]:
    """What is wrong to the eye in ``window`` (shown) as it is laid out now (let the layouts'
    pending passes run first: a window just resized or filled is not laid out yet)."""
    found: list[Flaw] = []
    placed: set[int] = set()  # the widgets some layout places
    for widget in _walk(window):
        children = laid_out_children(widget)
        placed.update(map(id, children))
        laid_out = id(widget) in placed
        own = not _is_part(widget, window)
        if widget is not window and (laid_out or own):
            flaw = _squashed(widget, laid_out=laid_out, own=own)
            if flaw is not None:
                found.append(flaw)
        found.extend(_overlapping(_siblings(widget, window, children)))
        cut: Flaw | None = None
        if isinstance(widget, QLabel):
            cut = _label_cut_off(widget)
        elif isinstance(widget, QAbstractButton):
            cut = _button_cut_off(widget)
        if cut is not None:
            found.append(cut)
        if isinstance(widget, QTableView):
            found.extend(_columns_cut_off(widget))
        if type(widget).__name__ == "QChartView":
            found.extend(_chart_cut_off(widget))
    return found


def assert_looks_right(window: QWidget, what: str = "") -> None:
    """Fail, listing every flaw, unless ``window`` looks right as it is laid out now."""
    found = flaws(window)
    if found:
        size = f"{window.width()}×{window.height()}"
        lines = "\n  ".join(map(str, found))
        raise AssertionError(f"{what or describe(window)} at {size} px:\n  {lines}")


@contextmanager
def text_scaled(scale: float, screen: QSize = SCREEN) -> Iterator[None]:
    """Inside the block, the application's font at ``scale`` times its size (1.5 and 2 for
    150 % and 200 % text) and windows opening on a ``screen``-sized screen (the program asks
    :func:`planit_desktop.ui.common.styles.screen_room`); both as before after it. Windows
    made inside take the font up whole; one made before keeps the sizes it counted from the
    font it was made with."""
    from planit_desktop.ui.common import styles

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before, room = QFont(app.font()), styles.screen_room
    font = QFont(before)
    font.setPointSizeF(before.pointSizeF() * scale)
    app.setFont(font)
    styles.screen_room = lambda _widget: QSize(  # type: ignore[assignment]
        screen.width() * 9 // 10, screen.height() * 9 // 10
    )
    try:
        yield
    finally:
        app.setFont(before)
        styles.screen_room = room  # type: ignore[assignment]


def on_screen(window: QWidget, screen: QSize = SCREEN) -> list[Flaw]:
    """``window`` at the size it opened at, kept within ``screen``; a flaw if it cannot be
    made that small (its layout's least size is larger than the screen)."""
    window.resize(window.size().boundedTo(screen))
    QApplication.processEvents()
    if window.width() > screen.width() or window.height() > screen.height():
        return [
            Flaw(
                "too big",
                describe(window),
                f"{window.width()}×{window.height()} px at the least, larger than a "
                f"{screen.width()}×{screen.height()} screen",
            )
        ]
    return []


def save_grab(window: QWidget, name: str, folder: Path | None = None) -> Path | None:
    """Save an offscreen picture of ``window`` as it is drawn now, as ``<name>.png`` in
    ``folder``, or else in ``PLANIT_LOOK_SHOTS``; nothing is saved when neither is given."""
    where = folder if folder is not None else os.environ.get(SHOTS_FOLDER)
    if not where:
        return None
    path = Path(where) / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        raise AssertionError(f"the picture {path.name} could not be saved")
    return path


# --- what a screen reader and the keyboard meet --------------------------------------------------
def _buddied(root: QWidget) -> set[int]:
    """Ids of the widgets a visible label names (its buddy), as a screen reader reads them."""
    return {
        id(label.buddy())
        for label in root.findChildren(QLabel)
        if label.buddy() is not None and label.text()
    }


def unnamed(root: QWidget, charts: tuple[type, ...] = ()) -> list[str]:
    """Inputs, tables and text-less buttons with no accessible name (nor a label naming them),
    and tables and ``charts`` with no accessible description."""
    inputs = (
        QLineEdit,
        QComboBox,
        QAbstractSpinBox,
        QTextEdit,
        QPlainTextEdit,
        QAbstractItemView,
        QAbstractSlider,
    )
    named_by_label = _buddied(root)
    found = []
    for widget in root.findChildren(QWidget):
        if widget.isWindow() or not widget.isVisibleTo(root) or _is_part(widget, root):
            continue
        needs_name = isinstance(widget, inputs) or (
            isinstance(widget, QAbstractButton) and not widget.text()
        )
        if isinstance(widget, QAbstractButton) and isinstance(widget.parentWidget(), QTabBar):
            needs_name = False  # a tab bar's scroll arrows
        if widget.objectName() == "qt_toolbar_ext_button":
            needs_name = False  # Qt's own "»", which it names itself
        if needs_name and not widget.accessibleName() and id(widget) not in named_by_label:
            found.append(f"{describe(widget)} has no accessible name")
        described = isinstance(widget, QAbstractItemView) or isinstance(widget, charts)
        if described and not widget.accessibleDescription():
            found.append(f"{describe(widget)} has no accessible description")
    return found


def tab_order(root: QWidget) -> list[QWidget]:
    """The widgets of ``root`` that Tab visits, in order, from its first focusable widget."""

    def takes_tab(widget: QWidget) -> bool:
        return (
            widget.isVisibleTo(root)
            and widget.isEnabled()
            and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
            and not widget.isWindow()
        )

    start = next((w for w in root.findChildren(QWidget) if takes_tab(w)), None)
    order: list[QWidget] = []
    widget = start
    while widget is not None and widget not in order:
        if takes_tab(widget) and (widget is root or root.isAncestorOf(widget)):
            order.append(widget)
        widget = widget.nextInFocusChain()
        if widget is start:
            break
    return order
