"""The check against the MIS offered inside the year-end wizard: on its first step, before the
run (learners the MIS shows a year group behind become kept-back choices of this year end),
and on its last, after it (what still differs is corrected).

A box a page adds to its layout, so the wizard's steps stay as they are.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton

from planit_desktop.ui.year_end.page import YearEndPage

BEFORE = (
    "Compare Plan-it with the school's whole roll from its MIS first: learners the MIS has "
    "in a year group lower are offered as kept back, and leavers, new learners, tutor "
    "groups and details that differ are shown too. Nothing changes until you apply."
)
AFTER = (
    "Compare Plan-it with the MIS's roll for the new year: who has left, who is new, and "
    "which year groups, tutor groups and details still differ."
)


@runtime_checkable
class _SavesAndReloads(Protocol):
    """The wizard's own draft handling (the YearEndWizard has both)."""

    def save_draft(self) -> None: ...

    def load(self) -> None: ...


class MisCheckOffer(QGroupBox):
    """ "Check against MIS…" on a wizard page; ``before_run`` says which of the two it is."""

    def __init__(self, page: YearEndPage, *, before_run: bool) -> None:
        super().__init__("Check against the MIS")
        self.page = page
        self.before_run = before_run
        self.check: Any = None
        layout = QHBoxLayout(self)
        text = QLabel(BEFORE if before_run else AFTER)
        text.setWordWrap(True)
        layout.addWidget(text, 1)
        self.button = QPushButton("Check against &MIS…")
        self.button.setObjectName("mis_check_before" if before_run else "mis_check_after")
        self.button.clicked.connect(self.start)
        layout.addWidget(self.button)

    @Slot()
    def start(self) -> None:
        from planit_desktop.ui.reconcile.actions import start_mis_check

        wizard = self.page.year_end()
        if self.before_run and isinstance(wizard, _SavesAndReloads):
            # The choices made so far are saved first: the apply adds to them, then the
            # wizard reads them back (with any leavers and corrections applied).
            wizard.save_draft()
        self.check = start_mis_check(
            self.page,
            wizard.context,
            wizard=self.before_run,
            on_applied=self._applied,
        )

    def _applied(self, _result: object) -> None:
        wizard = self.page.year_end()
        if self.before_run and isinstance(wizard, _SavesAndReloads):
            wizard.load()
