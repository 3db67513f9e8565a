"""Dialogs in GUI tests: message boxes and file dialogs recorded and answered from a queue
(the ``message_boxes`` and ``file_dialogs`` fixtures of tests/ui/conftest.py), and a modal
dialog answered once it is shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox


@dataclass
class MessageBoxes:
    """Every message box shown, as (kind, text); answers given from ``answers`` in turn."""

    shown: list[tuple[str, str]] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [text for _kind, text in self.shown]

    def _box(self, kind: str) -> Any:
        def show(_parent: object, _title: str, text: str, *args: object, **kwargs: object) -> Any:
            self.shown.append((kind, text))
            if self.answers:
                return self.answers.pop(0)
            return QMessageBox.StandardButton.Ok

        return show


@dataclass
class FileDialogs:
    """File dialogs answered from a queue of paths ("" means the coordinator cancelled)."""

    answers: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def _ask(self, _parent: object, caption: str = "", *args: object, **kwargs: object) -> Any:
        self.asked.append(caption)
        answer = self.answers.pop(0) if self.answers else ""
        return answer, ""


def answer_modal(kind: type[QDialog], answer: Callable[[Any], None]) -> None:
    """Answer the next modal dialog of class ``kind`` with ``answer`` once it is shown.

    The poll stops and lets go of ``answer`` at once (no reference cycle), so that windows
    the answer refers to are never left for the garbage collector on another thread.
    """
    timer = QTimer()
    timer.setInterval(20)
    tries = [0]

    def poll() -> None:
        modal = QApplication.activeModalWidget()
        found = isinstance(modal, kind) and modal.isVisible()
        tries[0] += 1
        if not found and tries[0] < 500:  # ten seconds, then give up rather than hang
            return
        timer.stop()
        timer.timeout.disconnect(poll)
        if not found:
            if modal is not None:
                modal.close()
            return
        try:
            answer(modal)
        except BaseException:
            modal.reject()  # a failed check must not leave the test waiting forever
            raise

    timer.timeout.connect(poll)
    timer.start()
