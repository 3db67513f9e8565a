"""The Subjects tab: the subjects, and which are offered to the years that choose subjects.

Administrators add, rename, retire and restore subjects and tick the offers; each change is a
service call through the context, after which the matrix is loaded again. Supervisors see
the matrix only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QDialog, QLabel, QToolBar, QVBoxLayout

from planit_desktop.model.kinds import TabTitle
from planit_desktop.model.services.subjects import offers as subjects
from planit_desktop.model.services.subjects.offers import SubjectMatrix, SubjectRow, subject_matrix
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui import events
from planit_desktop.ui.common.data_tab import DataTab
from planit_desktop.ui.common.dialogs import NameDialog
from planit_desktop.ui.common.table_model import Role, SnapshotProxy
from planit_desktop.ui.groups.tab import make_table
from planit_desktop.ui.ops import Progress, describe_failure, show_error
from planit_desktop.ui.subjects.table import SubjectMatrixModel

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor

SUPERVISOR_NOTE = (
    "You are signed in as a supervisor, so you can see the subjects offered but not change "
    "them. Only an administrator can add, rename or retire subjects or change the offers: "
    "ask one of the school's administrators."
)


def _years_text(years: tuple[int, ...]) -> str:
    names = [format_year_group(year) for year in years]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def no_subjects_text(years: tuple[int, ...]) -> str:
    """The warning for years with nothing offered: "Year 10 has no subjects offered."."""
    verb = "has" if len(years) == 1 else "have"
    return (
        f"{_years_text(years)} {verb} no subjects offered. Learners in "
        f"{'that year' if len(years) == 1 else 'those years'} will have no subjects to choose "
        "from."
    )


class SubjectsTab(DataTab):
    title = TabTitle.SUBJECTS
    explanation = (
        "The subjects offered to each year group that chooses subjects. Offers stay with "
        "their year group across a rollover: English KS3 offered to Year 9 stays offered to "
        "Year 9, to next year's Year 9 learners. So check the ticks each August. A retired "
        "subject keeps its history and can be restored."
    )
    kinds = frozenset({events.SUBJECTS, events.SCHOOL, events.ROLLOVER})

    def build(self, layout: QVBoxLayout) -> None:
        self.can_change = self.context.actor.is_administrator
        self.model = SubjectMatrixModel(self)
        self.model.editable = self.can_change
        self.proxy = SnapshotProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b00020;")
        self.warning.hide()
        self.role_note = QLabel(SUPERVISOR_NOTE)
        self.role_note.setObjectName("role_note")
        self.role_note.setWordWrap(True)
        self.role_note.setVisible(not self.can_change)
        self.dialog: QDialog | None = None

        self.add_action = self._action("&Add subject…", self.ask_add)
        self.rename_action = self._action("&Rename…", self.ask_rename)
        self.retire_action = self._action("Re&tire", self.retire)
        self.restore_action = self._action("Re&store", self.restore)
        self.change_actions = (
            self.add_action,
            self.rename_action,
            self.retire_action,
            self.restore_action,
        )
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions(list(self.change_actions))
        toolbar.setVisible(self.can_change)
        for action in self.change_actions:
            action.setVisible(self.can_change)
        layout.addWidget(self.role_note)
        layout.addWidget(self.warning)
        layout.addWidget(self.table, 1)
        layout.addWidget(toolbar)
        if self.can_change:
            self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            self.table.addActions(list(self.change_actions))
            self.model.sig_offer_requested.connect(self.set_offer)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_actions())
        self._update_actions()

    def _action(self, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # --- loading ------------------------------------------------------------------------------
    def load(self, session: Any, progress: Progress) -> SubjectMatrix:
        return subject_matrix(session, self.context.actor)

    def show_data(self, data: SubjectMatrix) -> None:
        reset = not self.model.rows()
        self.model.set_matrix(data)
        if reset:
            self.table.resizeColumnsToContents()
        if data.years_without_subjects:
            self.warning.setText(no_subjects_text(data.years_without_subjects))
            self.warning.show()
        elif not data.subjects:
            self.warning.setText("No subjects have been set up yet.")
            self.warning.show()
        else:
            self.warning.hide()
        self._update_actions()

    def selected_subject(self) -> SubjectRow | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(Role.ROW) if rows else None

    def select_subject(self, subject_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(Role.ID) == subject_id:
                self.table.selectRow(row)
                return True
        return False

    def _update_actions(self) -> None:
        chosen = self.selected_subject()
        self.add_action.setEnabled(self.can_change)
        self.rename_action.setEnabled(self.can_change and chosen is not None)
        self.retire_action.setEnabled(self.can_change and chosen is not None and not chosen.retired)
        self.restore_action.setEnabled(self.can_change and chosen is not None and chosen.retired)

    # --- changes ------------------------------------------------------------------------------
    def _change(self, fn: Callable[[Any, Actor], object], dialog: NameDialog | None = None) -> None:
        """Run ``fn(session, actor)`` as one write; the tab reloads on the announcement."""
        actor = self.context.actor

        def failed(error: BaseException) -> None:
            if dialog is not None:
                dialog.show_problem(describe_failure(error))
            else:
                show_error(self, describe_failure(error))

        self.context.run(
            self,
            lambda session, _progress: fn(session, actor),
            write=True,
            on_success=dialog.succeeded if dialog is not None else None,
            on_failure=failed,
        )

    def _open(self, dialog: NameDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()

    @Slot(int, int, bool)
    def set_offer(self, subject_id: int, year_group: int, offered: bool) -> None:
        """Offer (or stop offering) a subject to a year group: ticked in the matrix."""
        self._change(lambda s, a: subjects.set_offer(s, a, subject_id, year_group, offered))

    @Slot()
    def ask_add(self) -> None:
        dialog = NameDialog("Add a subject", "Name of the new subject:", parent=self)
        dialog.sig_name_submitted.connect(
            lambda name: self._change(lambda s, a: subjects.add_subject(s, a, name), dialog)
        )
        self._open(dialog)

    @Slot()
    def ask_rename(self) -> None:
        chosen = self.selected_subject()
        if chosen is None:
            return
        dialog = NameDialog(
            f"Rename {chosen.name}", f"New name for “{chosen.name}”:", chosen.name, self
        )
        dialog.sig_name_submitted.connect(
            lambda name: self._change(
                lambda s, a: subjects.rename_subject(s, a, chosen.id, name), dialog
            )
        )
        self._open(dialog)

    @Slot()
    def retire(self) -> None:
        """Retire the chosen subject: no longer offered, history kept (Restore undoes it)."""
        chosen = self.selected_subject()
        if chosen is not None:
            self._change(lambda s, a: subjects.retire_subject(s, a, chosen.id))

    @Slot()
    def restore(self) -> None:
        chosen = self.selected_subject()
        if chosen is not None:
            self._change(lambda s, a: subjects.restore_subject(s, a, chosen.id))
