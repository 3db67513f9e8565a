"""Background operations: results, errors in the coordinator's words, progress and cancel."""

from __future__ import annotations

import gc
import logging
import threading
import weakref
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QWidget
from sqlalchemy import func, select

from planit_desktop.model.db import Database
from planit_desktop.model.entities import Group, School
from planit_desktop.model.errors import Refused
from planit_desktop.model.services import audit
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.ops import (
    Cancelled,
    Progress,
    describe_failure,
    run_op,
    run_task,
    wait_for_operations,
)
from tests.support.dialogs import MessageBoxes


def _groups(database: Database) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(Group)) or 0)


def test_read_returns_its_result_on_the_gui_thread(qtbot: Any, database: Database) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    seen: list[Any] = []
    gui_thread = threading.current_thread()
    worker_threads: list[threading.Thread] = []

    def fn(session: Any, _progress: Progress) -> int:
        worker_threads.append(threading.current_thread())
        return int(session.scalar(select(func.count()).select_from(School)) or 0)

    op = run_op(widget, database, fn, write=False, on_success=seen.append)
    with qtbot.waitSignal(op.sig_op_finished):
        pass
    assert seen == [0]
    assert worker_threads[0] is not gui_thread


def _add_group(session: Any, name: str) -> None:
    """A group added and audited, as the groups service does."""
    session.add(Group(name=name))
    session.flush()
    audit.record(session, "tester", "group_created", entity="group", new=name)


def test_write_commits_and_announces_changes(qtbot: Any, database: Database) -> None:
    events = DataEvents()
    op = run_op(
        None,
        database,
        lambda session, _p: _add_group(session, "7A"),
        write=True,
        events=events,
    )
    with qtbot.waitSignal(events.sig_data_changed) as changed:
        pass
    # Derived from what the write audited: nobody said "groups".
    assert changed.args == [frozenset({"groups"})]
    assert op.changed.entities == {"group"}
    assert op.error is None
    assert _groups(database) == 1


def test_a_write_that_audits_nothing_on_screen_announces_nothing(
    qtbot: Any, database: Database
) -> None:
    events = DataEvents()
    announced: list[Any] = []
    events.sig_data_changed.connect(announced.append)

    def fn(session: Any, _progress: Progress) -> None:
        audit.file_written(session, "tester", what="learners export", path="learners.xlsx")
        audit.record(session, "tester", "sign_in_failed", detail="someone")

    op = run_op(None, database, fn, write=True, events=events)
    with qtbot.waitSignal(op.sig_op_finished):
        pass
    assert op.error is None
    assert op.changed.entities == {"file", ""}  # audited, and committed...
    assert announced == []  # ...but nothing any screen shows


def test_work_with_transactions_of_its_own_announces_what_they_committed(
    qtbot: Any,
    database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    """run_task's work opens its own transactions (a delivery of files around one): each one
    committed is announced, even when a later step fails; one rolled back is not."""
    events = DataEvents()
    announced: list[Any] = []
    events.sig_data_changed.connect(announced.append)

    def work(_progress: Progress) -> None:
        with database.begin() as session:
            _add_group(session, "7A")
        try:
            with database.begin() as session:
                audit.record(session, "tester", "staff_added", entity="staff")
                raise Refused("That login is taken.")
        except Refused:
            pass
        raise OSError("the file could not be moved into place")

    op = run_task(None, work, events=events)
    with qtbot.waitSignal(op.sig_op_finished):
        pass
    assert isinstance(op.error, OSError)
    assert announced == [frozenset({"groups"})]
    assert op.changed.entities == {"group"}
    assert _groups(database) == 1


def test_refusal_is_shown_as_it_is_and_nothing_written(
    qtbot: Any,
    database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    events = DataEvents()
    announced: list[Any] = []
    events.sig_data_changed.connect(announced.append)

    def fn(session: Any, _progress: Progress) -> None:
        _add_group(session, "7A")
        raise Refused("There is already a group called 7A.")

    op = run_op(None, database, fn, write=True, events=events)
    with qtbot.waitSignal(op.sig_op_failed):
        pass
    assert message_boxes.texts() == ["There is already a group called 7A."]
    assert _groups(database) == 0
    assert announced == []


def test_unexpected_error_is_explained_logged_and_rolled_back(
    qtbot: Any,
    database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    def fn(session: Any, _progress: Progress) -> None:
        session.add(Group(name="7A"))
        session.flush()
        raise ZeroDivisionError("division by zero")

    with caplog.at_level(logging.ERROR):
        op = run_op(None, database, fn, write=True)
        with qtbot.waitSignal(op.sig_op_finished):
            pass
    assert message_boxes.texts() == ["Something went wrong: division by zero; nothing was changed."]
    assert "Traceback" not in message_boxes.texts()[0]
    assert any(record.exc_info for record in caplog.records)
    assert _groups(database) == 0


def test_on_failure_replaces_the_message_box(
    qtbot: Any,
    database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    failures: list[BaseException] = []

    def fn(_session: Any, _progress: Progress) -> None:
        raise Refused("No.")

    op = run_op(None, database, fn, write=False, on_failure=failures.append)
    with qtbot.waitSignal(op.sig_op_finished):
        pass
    assert [str(f) for f in failures] == ["No."]
    assert message_boxes.shown == []


def test_progress_is_reported(qtbot: Any) -> None:
    reports: list[tuple[int, int, str]] = []
    listening = threading.Event()

    def work(progress: Progress) -> str:
        # The test connects to the signal after the work has started: without waiting for
        # that, a quick worker could report before anyone listens (seen on a busy machine).
        assert listening.wait(10)
        for done in range(1, 4):
            progress.report(done, 3, f"Step {done}")
        return "done"

    op = run_task(None, work, progress_label="Working…")
    op.sig_op_progressed.connect(lambda *args: reports.append(args))
    listening.set()
    with qtbot.waitSignal(op.sig_op_finished):
        pass
    assert op.result == "done"
    # Reports close together are thinned out, but the last one always arrives.
    assert reports[-1] == (3, 3, "Step 3")


def test_cancel_rolls_back_everything(
    qtbot: Any,
    database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    started = threading.Event()
    failures: list[BaseException] = []

    def fn(session: Any, progress: Progress) -> None:
        for batch in range(1000):
            session.add(Group(name=f"Group {batch}"))
            session.flush()
            started.set()
            progress.check()
            threading.Event().wait(0.01)

    op = run_op(
        None,
        database,
        fn,
        write=True,
        on_failure=failures.append,
        progress_label="Adding…",
        cancellable=True,
    )
    assert started.wait(10)
    op.cancel()
    with qtbot.waitSignal(op.sig_op_finished, timeout=10_000):
        pass
    assert isinstance(op.error, Cancelled)
    assert isinstance(failures[0], Cancelled)
    assert _groups(database) == 0
    assert message_boxes.shown == []


def test_callbacks_are_skipped_once_the_widget_is_gone(qtbot: Any, database: Database) -> None:
    widget = QWidget()
    seen: list[Any] = []
    gate = threading.Event()

    def fn(_session: Any, _progress: Progress) -> int:
        gate.wait(10)
        return 1

    op = run_op(widget, database, fn, write=False, on_success=seen.append)
    widget.deleteLater()
    qtbot.wait(10)
    gate.set()
    with qtbot.waitSignal(op.sig_op_finished):
        pass
    assert seen == []


@pytest.mark.parametrize(
    "progress",
    [{}, {"progress_label": "Working…", "cancellable": True}],
    ids=["quiet", "with-a-cancel-button"],
)
def test_a_finished_operation_lets_go_of_its_listeners_and_what_they_hold(
    qtbot: Any, progress: dict[str, Any]
) -> None:
    """Its outcome handlers are connected to its signals, held in C++ where the garbage
    collector cannot see them; a handler's object that keeps the operation (as dialogs and
    tabs do) would otherwise stay alive, with its database, until the program ends."""

    class Dialog:
        operation: Any = None

        def shown(self, _result: object) -> None:
            pass

    dialog = Dialog()
    dialog_alive = weakref.ref(dialog)
    dialog.operation = run_task(None, lambda _progress: 1, on_success=dialog.shown, **progress)
    operation_alive = weakref.ref(dialog.operation)
    with qtbot.waitSignal(dialog.operation.sig_op_finished):
        pass
    assert wait_for_operations()  # the worker thread, too, has let go of the operation
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the progress box
    del dialog
    gc.collect()
    assert dialog_alive() is None
    assert operation_alive() is None


def test_only_known_kinds_can_be_announced() -> None:
    with pytest.raises(ValueError, match="unknown"):
        DataEvents().announce({"weather"})


def test_failures_read_as_plain_english() -> None:
    assert describe_failure(Refused("Not now.")) == "Not now."
    assert describe_failure(Cancelled()) == "Stopped. Nothing was changed."
    assert describe_failure(KeyError("x")).startswith("Something went wrong")
