"""A test that looks: what a person would see wrong in a window, found by walking its widgets.

Three checks, each returning a list of findings in words (empty when the window looks right):

- :func:`too_small`: a visible widget smaller than its minimum size hint (squashed fields,
  a wrapped label shorter than its text needs);
- :func:`overlapping`: visible sibling widgets drawn over each other;
- :func:`elided`: a label or button whose text does not fit its width (cut off or elided).

:func:`look_at` runs all three. :func:`save_grab` saves an offscreen grab of the window as a
PNG in the folder named by ``PLANIT_LOOK_SHOTS``, for a person to review (nothing is saved
when it is unset).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollBar,
    QSizeGrip,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QToolButton,
    QWidget,
)

#: The folder for screenshots, when a person wants to look at them.
SHOTS_FOLDER = "PLANIT_LOOK_SHOTS"
#: A label that shortens its text to fit, with the whole text as its tooltip, sets this.
ELIDES_TO_FIT = "elides_to_fit"  # as planit_desktop.ui.common.labels sets it
#: A pixel of rounding between a hint and a geometry is not a fault.
_SLACK = 1


def _name(widget: QWidget) -> str:
    label = widget.objectName() or widget.accessibleName()
    text = ""
    if isinstance(widget, QLabel | QAbstractButton):
        text = widget.text()
    text = re.sub(r"<[^>]+>", "", text).replace("\n", " ")
    shown = f" {text[:40]!r}" if text else ""
    return f"{type(widget).__name__}{'#' + label if label else ''}{shown}"


def _inside_a_view(widget: QWidget, root: QWidget) -> bool:
    """Widgets that a scroll area or stack lays out itself (its viewport, scroll bars, editors
    in cells, a spin box's edit, a line edit's clear button): their sizes are the view's
    business."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QAbstractScrollArea | QComboBox | QAbstractSpinBox | QLineEdit):
            return True
        parent = parent.parentWidget()
    return False


def visible_widgets(root: QWidget) -> Iterator[QWidget]:
    """Every widget under ``root`` that is on screen with it (windows of their own aside)."""
    for widget in root.findChildren(QWidget):
        if widget.isWindow() or not widget.isVisibleTo(root):
            continue
        if _inside_a_view(widget, root) or isinstance(widget, QScrollBar | QSizeGrip):
            continue
        yield widget


def too_small(root: QWidget) -> list[str]:
    """Visible widgets narrower or lower than their minimum size hint asks."""
    found = []
    for widget in visible_widgets(root):
        policy = widget.sizePolicy()
        ignored = QSizePolicy.Policy.Ignored
        hint = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        if not hint.isValid():
            continue
        size = widget.size()
        narrow = policy.horizontalPolicy() != ignored and size.width() + _SLACK < hint.width()
        needed = hint.height()
        layout = widget.layout()
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed = max(widget.minimumHeight(), widget.heightForWidth(size.width()))
        elif isinstance(widget, QStackedWidget):
            pass  # a stack's hint is its pages' preferred one; the page shown is checked
        elif layout is not None and layout.hasHeightForWidth():
            needed = max(widget.minimumHeight(), layout.totalMinimumHeightForWidth(size.width()))
        low = policy.verticalPolicy() != ignored and size.height() + _SLACK < needed
        if narrow or low:
            found.append(
                f"{_name(widget)} is {size.width()}×{size.height()}, needs {hint.width()}×{needed}"
            )
    return found


def overlapping(root: QWidget) -> list[str]:
    """Pairs of visible sibling widgets drawn over each other."""
    found = []
    parents = [root, *visible_widgets(root)]
    for parent in parents:
        if isinstance(parent, QStackedWidget | QAbstractScrollArea):
            continue
        children = [
            child
            for child in parent.findChildren(QWidget, options=_direct())
            if not child.isWindow()
            and child.isVisibleTo(root)
            and not isinstance(child, QSizeGrip | QScrollBar)
        ]
        for i, first in enumerate(children):
            for second in children[i + 1 :]:
                common = first.geometry().intersected(second.geometry())
                if common.width() > _SLACK and common.height() > _SLACK:
                    found.append(f"{_name(first)} overlaps {_name(second)} by {_size(common)}")
    return found


def _direct():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.FindChildOption.FindDirectChildrenOnly


def _size(rect: QRect) -> str:
    return f"{rect.width()}×{rect.height()}"


def _button_text_width(button: QAbstractButton) -> int:
    """The width a button needs for its text, as its style draws it."""
    metrics = button.fontMetrics()
    text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    width = metrics.horizontalAdvance(text)
    if isinstance(button, QPushButton):
        option = QStyleOptionButton()
        option.initFrom(button)
        option.text = text
        return button.style().sizeFromContents(
            QStyle.ContentsType.CT_PushButton, option, metrics.size(0, text)
        ).width() - 2 * button.style().pixelMetric(
            QStyle.PixelMetric.PM_ButtonMargin, option, button
        )
    if isinstance(button, QCheckBox | QRadioButton):
        return width + metrics.height()  # the indicator is about a line square
    return width


def elided(root: QWidget) -> list[str]:
    """Labels and buttons whose text does not fit the room they have."""
    found = []
    for widget in visible_widgets(root):
        if isinstance(widget, QLabel):
            text = widget.text()
            if not text or widget.pixmap() is not None and not widget.pixmap().isNull():
                continue
            if widget.property(ELIDES_TO_FIT) and widget.toolTip() == text:
                continue  # shortened on purpose, the whole text a hover away
            room = widget.contentsRect().width() - 2 * widget.margin() - 2 * widget.indent()
            if widget.wordWrap():
                if widget.height() + _SLACK < widget.heightForWidth(widget.width()):
                    found.append(f"{_name(widget)} is cut off below its last line")
                continue
            if widget.textFormat() != widget.textFormat().PlainText and "<" in text:
                plain = re.sub(r"<br\s*/?>", "\n", text)
                text = re.sub(r"<[^>]+>", "", plain)
            widest = max(widget.fontMetrics().horizontalAdvance(line) for line in text.split("\n"))
            if widest > room + _SLACK:
                found.append(f"{_name(widget)} needs {widest} px for its text, has {room}")
        elif isinstance(widget, QAbstractButton) and not isinstance(widget, QToolButton | QTabBar):
            if not widget.text():
                continue
            if _button_text_width(widget) > widget.width() + _SLACK:
                found.append(f"{_name(widget)} is too narrow for its text")
    return found


def look_at(root: QWidget) -> list[str]:
    """Everything :func:`too_small`, :func:`overlapping` and :func:`elided` find in ``root``."""
    QApplication.processEvents()
    return too_small(root) + overlapping(root) + elided(root)


def save_grab(widget: QWidget, name: str) -> Path | None:
    """Save an offscreen grab of ``widget`` as ``<name>.png`` in ``PLANIT_LOOK_SHOTS``."""
    folder = os.environ.get(SHOTS_FOLDER)
    if not folder:
        return None
    path = Path(folder) / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(path))
    return path


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
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QAbstractSlider,
        QPlainTextEdit,
        QTextEdit,
    )

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
        if widget.isWindow() or not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QScrollBar) or _inside_a_view(widget, root):
            continue
        needs_name = isinstance(widget, inputs) or (
            isinstance(widget, QAbstractButton) and not widget.text()
        )
        if isinstance(widget, QAbstractButton) and isinstance(widget.parentWidget(), QTabBar):
            needs_name = False  # a tab bar's scroll arrows
        if widget.objectName() == "qt_toolbar_ext_button":
            needs_name = False  # Qt's own "»", which it names itself
        if needs_name and not widget.accessibleName() and id(widget) not in named_by_label:
            found.append(f"{_name(widget)} has no accessible name")
        described = isinstance(widget, QAbstractItemView) or isinstance(widget, charts)
        if described and not widget.accessibleDescription():
            found.append(f"{_name(widget)} has no accessible description")
    return found


def tab_order(root: QWidget) -> list[QWidget]:
    """The widgets of ``root`` that Tab visits, in order, from its first focusable widget."""
    from PySide6.QtCore import Qt

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
