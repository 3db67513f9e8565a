"""Changes made by another coordinator appear in an open window without restarting.

The watcher looks at the database's change stamp when the application comes back to the
front and on a gentle timer (two indexed reads, no busy polling). When someone else changed
something, it announces the kinds of data they changed (read from their audit entries, with
the same vocabulary as our own operations: :mod:`planit_desktop.model.changes`), so that
exactly the tabs showing them reload. Our own changes are announced by the operations that
made them; the watcher only moves its stamp past them.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from planit_desktop.model.changes import ChangesSince, ChangeStamp, changes_since
from planit_desktop.ui.context import AppContext

log = logging.getLogger(__name__)

#: How often an open window looks for changes made elsewhere.
INTERVAL_MS = 30_000
#: Coming back to the window looks again, but not more often than this.
FOCUS_GAP_MS = 3_000


class ChangeWatcher(QObject):
    """Looks for changes made elsewhere to ``context``'s database while a window is open."""

    #: Someone else changed these kinds of data; they were announced to every tab.
    sig_changes_seen = Signal(object)
    #: One look at the database finished (whatever it found).
    sig_checked = Signal()

    def __init__(
        self, context: AppContext, parent: QObject | None = None, interval_ms: int = INTERVAL_MS
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._stamp: ChangeStamp | None = None
        self._ours: set[str] = set()
        self._checking = False
        self._announcing = False
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.focus_gap = QTimer(self)
        self.focus_gap.setSingleShot(True)
        self.focus_gap.setInterval(FOCUS_GAP_MS)
        context.events.sig_data_changed.connect(self._on_data_changed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.connect(self._on_application_state)
        self.timer.start()
        self.check()  # the first look only takes the stamp

    def stop(self) -> None:
        """The window no longer shows this database (a look on its way is then ignored)."""
        self._stopped = True
        self.timer.stop()
        self.context.events.sig_data_changed.disconnect(self._on_data_changed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.disconnect(self._on_application_state)

    @Slot()
    def check(self) -> None:
        """Look at the database once, in the background."""
        if self._checking or self._stopped:
            return
        self._checking = True
        stamp = self._stamp
        self.context.run(
            None,
            lambda session, _progress: changes_since(session, stamp),
            on_success=self._compare,
            on_failure=self._failed,
        )

    def _compare(self, changes: ChangesSince) -> None:
        self._checking = False
        if self._stopped:
            return
        self._stamp = changes.stamp
        # What we announced ourselves since the last look has been reloaded already.
        kinds = changes.kinds - self._ours
        self._ours.clear()
        if kinds:
            self._announcing = True
            try:
                self.context.events.announce(kinds)
            finally:
                self._announcing = False
            self.sig_changes_seen.emit(kinds)
        self.sig_checked.emit()

    def _failed(self, error: BaseException) -> None:
        # The tabs report an unreachable database themselves when the coordinator acts;
        # the next look tries again.
        self._checking = False
        log.info("could not look for changes made elsewhere: %s", error)
        if not self._stopped:
            self.sig_checked.emit()

    @Slot(object)
    def _on_data_changed(self, kinds: frozenset[str]) -> None:
        if not self._announcing:
            self._ours |= kinds

    @Slot(Qt.ApplicationState)
    def _on_application_state(self, state: Any) -> None:
        if state == Qt.ApplicationState.ApplicationActive and not self.focus_gap.isActive():
            self.focus_gap.start()
            self.check()
