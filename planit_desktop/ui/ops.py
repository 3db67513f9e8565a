"""The one way the window runs a service call: off the GUI thread, with a Session of its own.

::

    run_op(self, database, lambda session, progress: groups.list_groups(session, actor),
           write=False, on_success=self._show_groups)

The work gets its own Session (``database.begin()`` to write, ``database.read()`` to look)
and a :class:`Progress` it may report to and check for cancellation between batches. Its
result, or its error, comes back to the GUI thread as a signal. A coordinator sees a
:class:`PlanitError`'s message as it is; anything else becomes "Something went wrong: …;
nothing was changed." with the details in the log, never a traceback. After the work, the
app-wide :class:`DataEvents` announces what its committed transactions changed, derived from
their audit entries (:mod:`planit_desktop.model.changes`): no caller says it by hand. Each
tab refreshes itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    SIGNAL,
    QEventLoop,
    QMetaMethod,
    QObject,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget
from shiboken6 import isValid

from planit_desktop.model import changes
from planit_desktop.model.changes import Changes
from planit_desktop.model.errors import PermissionDenied, PlanitError
from planit_desktop.ui.events import DataEvents

log = logging.getLogger(__name__)

T = TypeVar("T")
TITLE = "Plan-it Desktop"
# Progress reports closer together than this are not sent on: the GUI would drown in them.
_REPORT_INTERVAL = 0.05


class Cancelled(PlanitError):
    """The coordinator stopped the work; its transaction was rolled back."""

    def __init__(self, message: str = "Stopped. Nothing was changed.") -> None:
        super().__init__(message)


class Progress:
    """Handed to the work: how far it got, and whether the coordinator pressed Cancel.

    Both are safe to use from the worker thread.
    """

    def __init__(self, reporter: Callable[[int, int, str], None] | None = None) -> None:
        self._reporter = reporter
        self._cancel = threading.Event()
        self._last_report = 0.0

    def report(self, done: int, total: int, text: str = "") -> None:
        """``done`` of ``total`` steps (``total`` 0: unknown); ``text`` replaces the label."""
        now = time.monotonic()
        if self._reporter is None:
            return
        if done < total and now - self._last_report < _REPORT_INTERVAL:
            return
        self._last_report = now
        self._reporter(done, total, text)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the coordinator pressed Cancel (call between batches)."""
        if self._cancel.is_set():
            raise Cancelled()


def describe_failure(error: BaseException) -> str:
    """The message a coordinator sees for ``error``: never a traceback."""
    if isinstance(error, PlanitError):
        return error.message
    return f"Something went wrong: {error or type(error).__name__}; nothing was changed."


def show_error(parent: QWidget | None, message: str) -> None:
    """A plain warning box with ``message``; the one place ops put errors in front of people."""
    QMessageBox.warning(parent if parent is not None and isValid(parent) else None, TITLE, message)


class Operation(QObject, Generic[T]):
    """One background operation. Its signals arrive on the GUI thread."""

    #: done, total (0: unknown) and an optional new label, reported by the work.
    sig_op_progressed = Signal(int, int, str)
    #: What the work's committed transactions changed (a model.changes.Changes), before
    #: the outcome; announced on the DataEvents given.
    sig_op_changed = Signal(object)
    #: The work's result, after a write is committed.
    sig_op_succeeded = Signal(object)
    #: The exception that stopped the work (its transaction rolled back).
    sig_op_failed = Signal(object)
    #: Emitted last, whatever happened, after the callbacks ran.
    sig_op_finished = Signal()
    # From the worker thread: (result, error, changes). Queued to this object's (the GUI)
    # thread.
    _sig_worker_done = Signal(object, object, object)

    def __init__(self, progress_label: str | None) -> None:
        super().__init__()
        self.progress = Progress(self._report)
        self.progress_label = progress_label
        self.result: T | None = None
        self.error: BaseException | None = None
        #: What the transactions the work committed audited (known once it is done).
        self.changed: Changes = changes.NOTHING
        self.done = False
        self._sig_worker_done.connect(self._on_worker_done, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        """Ask the work to stop at its next check; it rolls back and fails with Cancelled."""
        self.progress.cancel()

    def wait(self) -> None:
        """Keep the GUI responsive in a local event loop until the operation has finished
        (for steps that cannot go on without the result, such as start-up)."""
        if self.done:
            return
        loop = QEventLoop()
        self.sig_op_finished.connect(loop.quit)
        if not self.done:
            loop.exec()

    def _report(self, done: int, total: int, text: str) -> None:
        self.sig_op_progressed.emit(done, total, text)

    def _run(self, work: Callable[[Progress], T]) -> None:
        # On the worker thread: nothing may escape from here.
        with changes.collect() as committed:
            try:
                if self.progress.cancelled:
                    raise Cancelled()
                result: Any = work(self.progress)
                error: BaseException | None = None
            except Exception as caught:  # reported to the GUI thread, never raised there
                result, error = None, caught
                if not isinstance(caught, PlanitError):
                    log.error("Background operation failed", exc_info=caught)
        try:
            self._sig_worker_done.emit(result, error, committed.changes)
        except RuntimeError:
            pass  # the application is shutting down: nobody is left to tell

    @Slot(object, object, object)
    def _on_worker_done(
        self, result: T | None, error: BaseException | None, committed: Changes
    ) -> None:
        self.result, self.error, self.done = result, error, True
        self.changed = committed
        self.sig_op_changed.emit(committed)
        if error is None:
            self.sig_op_succeeded.emit(result)
        else:
            self.sig_op_failed.emit(error)
        self.sig_op_finished.emit()
        _running.discard(self)
        self._let_go_of_listeners()

    def _let_go_of_listeners(self) -> None:
        """Disconnect everything listening to this operation, now that it has said all it will.

        A Python function connected to a signal is held by the connection, in C++, where the
        garbage collector cannot see it: a callback that reaches back to this operation (an
        outcome handler whose object keeps the operation, as most do) would otherwise keep
        both, and the dialog, tab and database behind them, alive for as long as the program
        runs.
        """
        # Each signal of this class, asked by its signature: QMetaMethod.fromSignal would keep
        # the operation alive itself, and disconnecting a signal nobody listens to warns.
        # From QObject's own methods on: a connection to a method of this operation that is
        # not a slot gives it a meta-object of its own, whose offset is past this class's.
        meta = root = self.metaObject()
        while (parent := root.superClass()) is not None:
            root = parent  # QObject's
        for index in range(root.methodCount(), meta.methodCount()):
            method = meta.method(index)
            if method.methodType() != QMetaMethod.MethodType.Signal:
                continue
            if self.receivers(SIGNAL(bytes(method.methodSignature().data()).decode())):
                getattr(self, bytes(method.name().data()).decode()).disconnect()


# Operations still running, so that nothing is collected under the worker's feet.
_running: set[Operation[Any]] = set()
_pool: QThreadPool | None = None


def thread_pool() -> QThreadPool:
    global _pool  # noqa: PLW0603 - one pool for the whole application, made on first use
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(4)
    return _pool


def busy() -> bool:
    """Whether an operation is running, or done with its outcome not yet delivered (an
    outcome that starts another operation keeps this true throughout)."""
    return bool(_running)


def wait_for_operations(timeout_ms: int = 30_000) -> bool:
    """Block until every running operation ended (at quit, and between tests)."""
    return _pool is None or _pool.waitForDone(timeout_ms)


def run_task(
    parent: QWidget | None,
    work: Callable[[Progress], T],
    *,
    on_success: Callable[[T], object] | None = None,
    on_failure: Callable[[BaseException], object] | None = None,
    progress_label: str | None = None,
    cancellable: bool = False,
    events: DataEvents | None = None,
) -> Operation[T]:
    """Run ``work(progress)`` on a worker thread; see the module's description.

    ``on_success``/``on_failure`` are called on the GUI thread, and only while ``parent``
    still exists. Without ``on_failure`` a failure is shown in a message box (a cancellation
    is not: the coordinator asked for it). What every transaction the work committed audited
    is announced on ``events`` first, success or not (a transaction rolled back announces
    nothing).
    """
    operation: Operation[T] = Operation(progress_label)
    dialog = _progress_dialog(parent, operation, cancellable) if progress_label else None

    def changed(committed: Changes) -> None:
        kinds = committed.kinds
        if kinds and events is not None and isValid(events):
            events.announce(kinds)

    def succeeded(result: T) -> None:
        if dialog is not None and isValid(dialog):
            dialog.close()
            dialog.deleteLater()
        if on_success is not None and (parent is None or isValid(parent)):
            on_success(result)

    def failed(error: BaseException) -> None:
        if dialog is not None and isValid(dialog):
            dialog.close()
            dialog.deleteLater()
        if isinstance(error, PermissionDenied) and events is not None and isValid(events):
            events.sig_refused.emit()  # the window looks again at who is signed in
        if parent is not None and not isValid(parent):
            return
        if on_failure is not None:
            on_failure(error)
        elif not isinstance(error, Cancelled):
            show_error(parent, describe_failure(error))

    operation.sig_op_changed.connect(changed)
    operation.sig_op_succeeded.connect(succeeded)
    operation.sig_op_failed.connect(failed)
    _running.add(operation)
    thread_pool().start(lambda: operation._run(work))
    return operation


def run_op(
    parent: QWidget | None,
    database: Any,
    fn: Callable[[Any, Progress], T],
    *,
    write: bool,
    events: DataEvents | None = None,
    on_success: Callable[[T], object] | None = None,
    on_failure: Callable[[BaseException], object] | None = None,
    progress_label: str | None = None,
    cancellable: bool = False,
) -> Operation[T]:
    """Run the service call ``fn(session, progress)`` in a Session of its own, off the GUI thread.

    ``write=True``: one transaction (``database.begin()``), committed when ``fn`` returns and
    rolled back if it raises (including :class:`Cancelled`); what it audited is then
    announced on ``events``. ``write=False``: a read-only session (``database.read()``).
    """

    def work(progress: Progress) -> T:
        opened = database.begin() if write else database.read()
        with opened as session:
            result = fn(session, progress)
            # A cancel pressed during the last batch still stops the commit.
            if write:
                progress.check()
            return result

    return run_task(
        parent,
        work,
        on_success=on_success,
        on_failure=on_failure,
        progress_label=progress_label,
        cancellable=cancellable,
        events=events,
    )


def _progress_dialog(
    parent: QWidget | None, operation: Operation[Any], cancellable: bool
) -> QProgressDialog:
    dialog = QProgressDialog(operation.progress_label or "", "Cancel", 0, 0, parent)
    dialog.setWindowTitle(TITLE)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)  # quick work finishes before any dialog flashes up
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if cancellable:
        dialog.canceled.connect(operation.cancel)
    else:
        dialog.setCancelButton(None)

    def progressed(done: int, total: int, text: str) -> None:
        if not isValid(dialog):
            return
        if text:
            dialog.setLabelText(text)
        dialog.setMaximum(max(total, 0))
        if total:
            dialog.setValue(min(done, total))

    operation.sig_op_progressed.connect(progressed)
    return dialog
