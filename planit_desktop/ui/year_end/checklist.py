"""The Year End tab's checklist: each task, what the data says, "Go there" and "Mark as done"."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.services.year_end.checklist import (
    Checklist,
    ChecklistItem,
    mark_done,
    mark_not_done,
)
from planit_desktop.ui.common.wrapping import WrappingWidget
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.year_end.models import ChecklistModel


class ChecklistPanel(WrappingWidget):
    """The checklist of the current academic year. ``navigate(tab_title)`` shows a tab.

    Held in the Year End tab's splitter; the task's explanation under the list wraps."""

    #: A task was marked done or not done (the tab reloads).
    sig_marks_changed = Signal()

    def __init__(
        self,
        context: AppContext,
        navigate: Callable[[str], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.navigate = navigate
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel("Checklist")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.model = ChecklistModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # The hint ("12 supervisors have no groups") is what the coordinator reads: it gets
        # the spare width; the task and who marked it done fit their text.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        self.table.setAccessibleName("Year-end checklist")
        self.table.setAccessibleDescription(
            "Each follow-up task of the year end, what the data says about it now, and "
            "whether it is done; select one to go there or mark it done."
        )
        self.table.doubleClicked.connect(lambda _index: self.go_there())
        layout.addWidget(self.table, 1)
        self.explanation = QLabel("")
        self.explanation.setWordWrap(True)
        self.explanation.setObjectName("task_explanation")
        layout.addWidget(self.explanation)
        buttons = QHBoxLayout()
        self.go_button = QPushButton("&Go there")
        self.mark_button = QPushButton("&Mark as done")
        # One comparison with the MIS's whole roll answers several tasks at once.
        self.mis_button = QPushButton("Check against M&IS…")
        self.mis_button.setToolTip(
            "Compare Plan-it with the school's whole roll from its MIS: year groups, groups, "
            "leavers, new learners and details, reviewed before anything changes."
        )
        self.go_button.clicked.connect(self.go_there)
        self.mark_button.clicked.connect(self.toggle_done)
        self.mis_button.clicked.connect(self.check_against_mis)
        buttons.addWidget(self.go_button)
        buttons.addWidget(self.mark_button)
        buttons.addWidget(self.mis_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._on_selected)
        self.checklist: Checklist | None = None
        self._update_buttons()

    def show_checklist(self, checklist: Checklist) -> None:
        chosen = self.current()
        self.checklist = checklist
        self.heading.setText(
            f"Checklist for {checklist.academic_year_text}: {checklist.done} of "
            f"{len(checklist.items)} tasks done"
        )
        self.model.set_rows(list(checklist.items))
        self.table.resizeColumnToContents(0)
        keys = [item.key for item in checklist.items]
        self.select(chosen.key if chosen is not None and chosen.key in keys else keys[0])

    def select(self, key: str) -> None:
        rows = [item.key for item in self.model.rows()]
        if key in rows:
            self.table.selectRow(rows.index(key))

    def current(self) -> ChecklistItem | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    @Slot(QItemSelection, QItemSelection)
    def _on_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.current()
        admin = self.context.actor.is_administrator
        self.go_button.setEnabled(item is not None)
        self.mark_button.setEnabled(item is not None and admin)
        self.mis_button.setEnabled(admin)
        self.mark_button.setText("Mark as &not done" if item and item.done else "&Mark as done")
        if not admin:
            self.mark_button.setToolTip("Only administrators can mark tasks as done.")
        self.explanation.setText(
            "" if item is None else f"{item.title}: {item.explanation} ({item.done_text()}.)"
        )

    @Slot()
    def go_there(self) -> None:
        item = self.current()
        if item is not None:
            self.navigate(item.tab)

    @Slot()
    def check_against_mis(self) -> None:
        from planit_desktop.ui.reconcile.actions import start_mis_check

        self.mis_check = start_mis_check(self, self.context)

    @Slot()
    def toggle_done(self) -> None:
        item = self.current()
        if item is None:
            return
        actor, key = self.context.actor, item.key
        if item.done:
            self.context.run(
                self,
                lambda session, _p: mark_not_done(session, actor, key),
                write=True,
                on_success=lambda _r: self.sig_marks_changed.emit(),
            )
        else:
            self.context.run(
                self,
                lambda session, _p: mark_done(session, actor, key),
                write=True,
                on_success=lambda _r: self.sig_marks_changed.emit(),
            )
