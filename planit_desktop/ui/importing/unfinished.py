"""At start-up: what a change that issued passwords left when the program stopped half-way.

The model settles it (:func:`~planit_desktop.model.services.credentials.unfinished.settle_at_start`:
the password files put in place if the change was saved, removed if not); the window says
which, once, in a message box.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from planit_desktop.ui import ops


def report_unfinished(parent: QWidget | None, database: Any) -> ops.Operation[list[str]]:
    """Settle ``database``'s unfinished password files in the background; tell what happened."""
    from planit_desktop.model.services.credentials.unfinished import settle_at_start

    def tell(messages: list[str]) -> None:
        if messages:
            QMessageBox.information(parent, ops.TITLE, "\n\n".join(messages))

    return ops.run_task(parent, lambda _progress: settle_at_start(database), on_success=tell)
