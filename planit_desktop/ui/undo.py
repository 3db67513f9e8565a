"""Edit ▸ Undo and Redo: a history of changes that a service can reverse.

A tab pushes an :class:`Undoable` after its change has been committed. Undoing runs the
entry's reversal through the context (a write of its own, off the GUI thread), which
announces what the reversal audited, like any other change; the reversal returns the entry
that puts the change back, which becomes the Redo. The history
moves only when the service succeeded, so a failed undo (the data changed since) shows the
service's message, takes that entry off the list and leaves the rest as it was.

There is one history per open database, cleared when another database is opened. This
module is Qt only: the entries that call services live with their tabs.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget
from shiboken6 import isValid

from planit_desktop.ui import ops

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor
    from planit_desktop.ui.context import AppContext

#: Entries kept; older ones fall off the bottom.
LIMIT = 100
TAKEN_OFF = "It has been taken off the Undo list."


class Undoable(Protocol):
    """A committed change that can be reversed."""

    @property
    def description(self) -> str:
        """What the change did, to follow "Undo " or "Redo ": "move of 3 learners to 8B"."""
        ...

    def reverse(self, session: Any, actor: Actor) -> Undoable:
        """Reverse the change (worker thread, inside the write); return the entry that
        re-applies it."""
        ...


class UndoHistory(QObject):
    """The undo and redo lists of one open database."""

    #: The lists changed (an entry pushed, undone, redone, dropped, or everything cleared).
    sig_history_changed = Signal()
    #: An undo or redo failed; the service's message.
    sig_history_failed = Signal(str)

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._undo: list[Undoable] = []
        self._redo: list[Undoable] = []
        self._busy = False

    # --- reading --------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """An undo or redo is running: nothing else may start until it has finished."""
        return self._busy

    def can_undo(self) -> bool:
        return bool(self._undo) and not self._busy

    def can_redo(self) -> bool:
        return bool(self._redo) and not self._busy

    def undo_text(self) -> str:
        return f"Undo {self._undo[-1].description}" if self._undo else "Undo"

    def redo_text(self) -> str:
        return f"Redo {self._redo[-1].description}" if self._redo else "Redo"

    def undo_entries(self) -> list[Undoable]:
        """Newest last (a copy)."""
        return list(self._undo)

    def redo_entries(self) -> list[Undoable]:
        """The next to redo last (a copy)."""
        return list(self._redo)

    # --- changing -------------------------------------------------------------------------
    def push(self, entry: Undoable) -> None:
        """Record a change that has just been committed. Anything to redo is forgotten:
        it was undone before this change and may no longer fit."""
        self._undo.append(entry)
        del self._undo[:-LIMIT]
        self._redo.clear()
        self.sig_history_changed.emit()

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self.sig_history_changed.emit()

    def undo(self, parent: QWidget | None = None) -> ops.Operation[Any] | None:
        """Undo the newest change; None if there is nothing to undo or a step is running."""
        return self._step(self._undo, self._redo, parent) if self.can_undo() else None

    def redo(self, parent: QWidget | None = None) -> ops.Operation[Any] | None:
        """Re-apply the change undone last."""
        return self._step(self._redo, self._undo, parent) if self.can_redo() else None

    def _step(
        self, source: list[Undoable], target: list[Undoable], parent: QWidget | None
    ) -> ops.Operation[Any]:
        entry = source[-1]
        actor = self.context.actor
        self._busy = True
        self.sig_history_changed.emit()

        def done(opposite: Undoable) -> None:
            self._busy = False
            if source and source[-1] is entry:
                source.pop()
                target.append(opposite)
            self.sig_history_changed.emit()

        def failed(error: BaseException) -> None:
            self._busy = False
            if source and source[-1] is entry:
                source.pop()  # it would fail again: the data is no longer as it left it
            message = f"{ops.describe_failure(error)} {TAKEN_OFF}"
            self.sig_history_changed.emit()
            self.sig_history_failed.emit(message)
            ops.show_error(parent if parent is not None and isValid(parent) else None, message)

        # No parent for the operation itself: the history must hear the outcome even if the
        # widget that asked has gone.
        return self.context.run(
            None,
            lambda session, _progress: entry.reverse(session, actor),
            write=True,
            on_success=done,
            on_failure=failed,
        )


# One history per open database, found here and held by what shows it (the window's Edit
# menu, the Groups tab's actions). The list holds both by weak reference (databases are not
# hashable, so they are compared by identity): a history holds its context and so its
# database, and a strong list would keep every database ever opened, with its engine and
# its cache of statements, for the life of the process.
_histories: list[tuple[weakref.ref[Any], weakref.ref[UndoHistory]]] = []


def history_for(context: AppContext) -> UndoHistory:
    """The undo history of ``context``'s database, made on first use; the caller holds it."""
    found: UndoHistory | None = None
    live = []
    for database_ref, history_ref in _histories:
        history = history_ref()
        if database_ref() is None or history is None or not isValid(history):
            continue
        live.append((database_ref, history_ref))
        if database_ref() is context.database:
            found = history
    _histories[:] = live
    if found is not None:
        return found
    made = UndoHistory(context)
    _histories.append((weakref.ref(context.database), weakref.ref(made)))
    return made


def forget(database: Any) -> None:
    """Clear and drop the history of ``database`` (another database is being shown)."""
    for database_ref, history_ref in list(_histories):
        history = history_ref()
        if database_ref() is database:
            if history is not None and isValid(history):
                history.clear()
            _histories.remove((database_ref, history_ref))


class UndoActions(QObject):
    """The Edit menu's Undo and Redo actions, following whichever history is bound."""

    def __init__(self, window: QWidget, menu: QMenu) -> None:
        super().__init__(window)
        self._window = window
        self.history: UndoHistory | None = None
        self.undo_action = QAction("Undo", window)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = QAction("Redo", window)
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        menu.addAction(self.undo_action)
        menu.addAction(self.redo_action)
        self.undo_action.triggered.connect(self._undo)
        self.redo_action.triggered.connect(self._redo)
        self._update()

    def bind(self, history: UndoHistory) -> None:
        """Follow ``history`` (the newly opened database's); the one followed before is
        cleared and forgotten."""
        if self.history is history:
            return
        if self.history is not None and isValid(self.history):
            self.history.sig_history_changed.disconnect(self._update)
            forget(self.history.context.database)
        self.history = history
        history.sig_history_changed.connect(self._update)
        self._update()

    @Slot()
    def _update(self) -> None:
        history = self.history
        self.undo_action.setEnabled(history is not None and history.can_undo())
        self.redo_action.setEnabled(history is not None and history.can_redo())
        self.undo_action.setText(history.undo_text() if history is not None else "Undo")
        self.redo_action.setText(history.redo_text() if history is not None else "Redo")

    @Slot()
    def _undo(self) -> None:
        if self.history is not None:
            self.history.undo(self._window)

    @Slot()
    def _redo(self) -> None:
        if self.history is not None:
            self.history.redo(self._window)
