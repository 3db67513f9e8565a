"""A tab's actions as rows of text buttons, so every action shows at the window's default
size instead of hiding behind a toolbar's "»"."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolBar, QVBoxLayout, QWidget


class ActionRows(QWidget):
    """One named toolbar per row of actions; answers ``widgetForAction`` like a QToolBar."""

    def __init__(
        self, rows: Sequence[tuple[str, Sequence[QAction]]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.toolbars: list[QToolBar] = []
        for name, actions in rows:
            toolbar = QToolBar(name)
            toolbar.setAccessibleName(name)
            toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            toolbar.addActions(list(actions))
            layout.addWidget(toolbar)
            self.toolbars.append(toolbar)

    def widgetForAction(self, action: QAction) -> QWidget | None:
        """The button of ``action`` (None when it is in no row)."""
        for toolbar in self.toolbars:
            widget = toolbar.widgetForAction(action)
            if widget is not None:
                return widget
        return None
