"""What every tab shares: a one-line explanation, loading in the background when first
shown, and refreshing itself when the app-wide signal says its kind of data changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from planit_desktop.ui.common.styles import State, mark
from planit_desktop.ui.common.wrapping import WrappingWidget
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.ops import Progress, describe_failure


class DataTab(WrappingWidget):
    """A tab whose data comes from a service. Subclasses implement :meth:`load` (on a worker
    thread, with its own Session) and :meth:`show_data` (on the GUI thread). Its least
    height is what its explanation and widgets need at its width (the tab widget asks for
    no height for a width)."""

    #: The tab's title in the main window.
    title = ""
    #: One plain sentence at the top, in the coordinator's words.
    explanation = ""
    #: Kinds of data (see ui.events) whose change makes this tab reload.
    kinds: frozenset[str] = frozenset()

    #: The tab's data was loaded and shown (each time it is reloaded).
    sig_tab_loaded = Signal()
    #: Loading failed; the message is shown in the tab.
    sig_tab_failed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.loaded = False
        self._stale = True
        self._generation = 0
        self._loading = False

        layout = QVBoxLayout(self)
        self.explanation_label = QLabel(self.explanation)
        self.explanation_label.setWordWrap(True)
        self.explanation_label.setObjectName("explanation")
        layout.addWidget(self.explanation_label)

        self.problem = QWidget()
        problem_row = QHBoxLayout(self.problem)
        problem_row.setContentsMargins(0, 0, 0, 0)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        mark(self.problem_label, State.ERROR)
        retry = QPushButton("Try again")
        retry.clicked.connect(self.reload)
        problem_row.addWidget(self.problem_label, 1)
        problem_row.addWidget(retry)
        self.problem.hide()
        layout.addWidget(self.problem)

        self.build(layout)
        context.events.sig_data_changed.connect(self._on_data_changed)

    # --- for subclasses -------------------------------------------------------------------
    def build(self, layout: QVBoxLayout) -> None:
        """Add the tab's widgets below the explanation."""
        raise NotImplementedError

    def load(self, session: Any, progress: Progress) -> Any:
        """Read what the tab shows (worker thread): return immutable snapshots only."""
        raise NotImplementedError

    def show_data(self, data: Any) -> None:
        """Put the loaded snapshots on screen (GUI thread)."""
        raise NotImplementedError

    # --- loading --------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self._loading

    @Slot()
    def reload(self) -> None:
        """Load the tab's data again in the background; the newest load wins."""
        self.start_load(self.load, self.finish_load)

    def start_load(
        self, read: Callable[[Any, Progress], Any], on_read: Callable[[int, Any], None]
    ) -> None:
        """Run ``read`` in the background, then ``on_read(generation, data)`` (a failure is
        shown in the tab). For a tab that loads in steps; :meth:`is_current` tells whether a
        newer load has started since ``generation``."""
        self._stale = False
        self._generation += 1
        generation = self._generation
        self._loading = True
        self.context.run(
            self,
            read,
            on_success=lambda data: on_read(generation, data),
            on_failure=lambda error: self._failed(generation, error),
        )

    def is_current(self, generation: int) -> bool:
        return generation == self._generation

    def finish_load(self, generation: int, data: Any) -> None:
        """Show the data of load ``generation``: the tab is loaded (unless a newer load
        is on its way, when the data is dropped)."""
        if generation != self._generation:
            return  # a newer load is on its way
        self._loading = False
        self.problem.hide()
        self.show_data(data)
        self.loaded = True
        self.sig_tab_loaded.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        message = describe_failure(error)
        self.problem_label.setText(message)
        self.problem.show()
        self.sig_tab_failed.emit(message)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Tabs load when first shown, so start-up reads only what is on screen.
        if self._stale:
            self.reload()

    @Slot(object)
    def _on_data_changed(self, kinds: frozenset[str]) -> None:
        if not kinds & self.kinds:
            return
        if self.isVisible():
            self.reload()
        else:
            self._stale = True
