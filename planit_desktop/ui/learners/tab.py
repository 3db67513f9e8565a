"""The Learners tab: every learner the coordinator may see, searchable as they type, with the
actions of the year between year ends (corrections, leavers, Create New User, secondary
passwords, support requests, export). The actions and their dialogs live in
:mod:`planit_desktop.ui.learners`.

Opened, the tab shows the first page of learners in register order at once (read by an index:
as quick for 100,000 learners as for 1,000), then reads the whole school in the background.
Until every learner is there a search, filter or sort waits, and applies when they arrive: the
first page alone would say "no matches" for learners not yet read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
)

from planit_desktop.model.kinds import TabTitle
from planit_desktop.model.services.credentials.learner_passwords import (
    learners_with_unused_secondary,
)
from planit_desktop.model.services.groups.listing import natural_key
from planit_desktop.model.services.learners.roll import (
    LearnerRow,
    first_learners,
    list_learners,
    search_tokens,
)
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import count_of
from planit_desktop.ui import events
from planit_desktop.ui.common.action_rows import ActionRows
from planit_desktop.ui.common.data_tab import DataTab
from planit_desktop.ui.common.roles import RoleBanner
from planit_desktop.ui.learners.actions import ADMIN_WHAT, LearnerActions
from planit_desktop.ui.learners.table import LearnerColumn, LearnerListModel, Only
from planit_desktop.ui.ops import Progress

ALL_YEARS = "All year groups"
ALL_GROUPS = "All groups"
#: Typing is applied this long after the last key, so a fast typist causes one refilter.
SEARCH_DELAY_MS = 150


#: The count of a supervisor who sees no learners, and why.
NO_GROUPS_YET = "No learners in your groups"
NO_GROUPS_WHY = (
    "A supervisor sees the learners in the groups assigned to them this academic year (and "
    "those they created in class until an administrator checks them). An administrator "
    "gives you your groups in the Staff & access tab."
)


@dataclass(frozen=True)
class LearnersData:
    """What the tab loads: the learners, and who holds an unused secondary password."""

    rows: list[LearnerRow]
    unused_secondary: frozenset[int]
    #: Every learner the actor may see; False for the first page alone.
    complete: bool = True


class LearnersTab(DataTab):
    title = TabTitle.LEARNERS
    explanation = (
        "Every learner on roll, and those joining next year. Type to search by name, date of "
        "birth (day first), group, UPN, SIMS number or login; narrow the list by year group or "
        "group. Double-click a learner to correct their details."
    )
    #: What a supervisor reads instead: they see their groups' learners, and a double-click
    #: shows a learner's history (corrections are administrators').
    supervisor_explanation = (
        "The learners in your groups. Type to search by name, date of birth (day first), "
        "group, UPN, SIMS number or login; narrow the list by year group or group. "
        "Double-click a learner to see their history."
    )
    kinds = frozenset({events.LEARNERS, events.GROUPS, events.ROLLOVER})
    #: How many learners are shown first, before the rest of the school is read (0: none).
    #: At most the model's batch, so the page is all there when the whole school replaces it.
    FIRST_PAGE = 250
    #: The first page is on screen; the rest is being read (``sig_tab_loaded`` follows).
    sig_first_page_shown = Signal()

    def build(self, layout: QVBoxLayout) -> None:
        actor = self.context.actor
        self.is_administrator = actor.is_administrator
        if not self.is_administrator:
            self.explanation_label.setText(self.supervisor_explanation)
        self._select_ids: set[int] = set()
        self._complete = False  # every learner is in the model (not only the first page)
        self._first_page = False  # the first page is on screen, the rest on its way
        self._sized = False  # the columns were fitted to the first rows shown
        self._go_when_complete = False  # Enter pressed in the search box before then
        self.model = LearnerListModel(self)
        self.banner = RoleBanner(actor, ADMIN_WHAT)

        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search learners…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search learners")
        self.year_filter = QComboBox()
        self.year_filter.setAccessibleName("Year group")
        self.year_filter.addItem(ALL_YEARS, None)
        self.group_filter = QComboBox()
        self.group_filter.setAccessibleName("Group")
        self.group_filter.addItem(ALL_GROUPS, None)
        self.only_filter = QComboBox()
        self.only_filter.setAccessibleName("Show")
        self.only_filter.addItem("All learners", Only.EVERYONE)
        if self.is_administrator:
            self.only_filter.addItem("To check (created in class)", Only.TO_CHECK)
        self.only_filter.addItem("With an unused secondary password", Only.UNUSED_SECONDARY)
        self.show_left = QCheckBox("Show learners who have left")
        self.count_label = QLabel("Loading learners…")
        for combo in (self.year_filter, self.group_filter, self.only_filter):
            # Long group names or choices must not widen the whole window.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(10)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count_label)
        filters.addWidget(self.year_filter)
        filters.addWidget(self.group_filter)
        filters.addWidget(self.only_filter)
        filters.addWidget(self.show_left)
        filters.addStretch(1)

        self.table = QTableView()
        self.table.setAccessibleName("Learners")
        self.table.setAccessibleDescription(
            "Every learner the search and filters show, a row each: name, date of birth, year and "
            "tutor group, UPN and status."
        )
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # register order at first
        # Sorting is switched on once every learner is there (it then sorts as the header
        # says); until then a click on a column only turns the header's arrow.
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)

        self.actions_ = LearnerActions(self)
        # Rows, so every action shows at the window's default size (none behind "»").
        acts = self.actions_
        self.toolbar = ActionRows(
            (
                (
                    "Actions on the selected learners",
                    (acts.correct, acts.history, acts.new_password, acts.mark_left)
                    + (acts.reinstate, acts.confirm, acts.merge),
                ),
                ("In class", (acts.create, acts.forgotten)),
                (
                    "Actions on all learners",
                    (acts.secondary, acts.support, acts.remove_old, acts.export),
                ),
            )
        )
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addActions(list(self.actions_.all))

        layout.addWidget(self.banner)
        layout.addLayout(search_row)
        layout.addLayout(filters)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.table, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.flush_search)
        self.search.textChanged.connect(self._on_search_typed)
        self.search.returnPressed.connect(self._go_to_table)
        for combo in (self.year_filter, self.group_filter, self.only_filter):
            combo.currentIndexChanged.connect(self._on_filter)
        self.show_left.toggled.connect(self._on_filter)
        # The view sorts the model itself once sorting is on; until then, only recount.
        header.sortIndicatorChanged.connect(self._update_count)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self.sig_tab_failed.connect(self._update_count)
        self.table.doubleClicked.connect(self._on_double_click)
        self._update_actions()

    # --- loading ---------------------------------------------------------------------------
    @Slot()
    def reload(self) -> None:
        """Read every learner (the first time, after showing the first page), in the background;
        the rows on screen stay until the new ones have been read."""
        if self._complete or self._first_page or self.FIRST_PAGE <= 0:
            super().reload()
            self._update_count()
            return
        self.start_load(self.load_first_page, self._first_page_loaded)

    def load_first_page(self, session: Any, progress: Progress) -> LearnersData:
        """The first page of learners; every learner (``complete``) when that is all of them."""
        actor = self.context.actor
        rows = first_learners(session, actor, self.FIRST_PAGE + 1, include_left=True)
        if len(rows) > self.FIRST_PAGE:  # the unused secondary passwords' filter waits too
            return LearnersData(rows[: self.FIRST_PAGE], frozenset(), complete=False)
        unused = frozenset(learners_with_unused_secondary(session, actor))
        return LearnersData(rows, unused)

    def _first_page_loaded(self, generation: int, data: LearnersData) -> None:
        if not self.is_current(generation):
            return  # a newer load is on its way
        if data.complete:
            self.finish_load(generation, data)  # a small school: that was everyone
            return
        self.problem.hide()
        self._first_page = True  # searching, filters and sorting wait (see above)
        self.model.set_rows(data.rows)
        self._fit_columns()
        self._update_count()
        self.sig_first_page_shown.emit()
        # Read the rest once the page has been painted (posted events come before timers).
        QTimer.singleShot(0, self, lambda: self._load_the_rest(generation))

    def _load_the_rest(self, generation: int) -> None:
        if self.is_current(generation) and not self._complete:
            self.reload()

    def load(self, session: Any, progress: Progress) -> LearnersData:
        actor = self.context.actor
        rows = list_learners(session, actor, include_left=True)
        return LearnersData(rows, frozenset(learners_with_unused_secondary(session, actor)))

    def show_data(self, data: LearnersData) -> None:
        keep = self._select_ids or {row.id for row in self.selected_rows()}
        self._select_ids = set()
        arriving = not self._complete  # everyone arrives: apply what was chosen meanwhile
        waited = arriving and self._waiting_choices()
        scrolled = self.table.verticalScrollBar().value()
        if arriving:  # on the rows held so far (a first page at most): cheap, not painted
            self.model.set_search_text(self.search.text())
            self._apply_filters()
        self.model.set_rows(data.rows, data.unused_secondary)
        rows = data.rows
        self._refill(
            self.year_filter,
            ALL_YEARS,
            [(format_year_group(y), y) for y in sorted({r.year_group for r in rows})],
        )
        groups = sorted({g for r in rows for g in r.groups}, key=natural_key)
        self._refill(self.group_filter, ALL_GROUPS, [(g, g) for g in groups])
        if arriving:
            self._complete = True
            self.table.setSortingEnabled(True)  # sorts as the header shows, if clicked
        self._fit_columns()
        self.select_learners(keep)
        if self._first_page and not waited:
            # The first page's rows are the first rows now: the view stays where it was.
            self.table.verticalScrollBar().setValue(scrolled)
        self._first_page = False
        self._update_count()
        self._update_actions()
        if self._go_when_complete:
            self._go_when_complete = False
            self._go_to_table()

    def _fit_columns(self) -> None:
        if not self._sized:  # only the fetched rows are measured: cheap for any school
            self.table.resizeColumnsToContents()
            self._sized = True

    def _waiting_choices(self) -> list[str]:
        """What the coordinator chose that waits for every learner (the first page shown)."""
        waiting: list[str] = []
        if search_tokens(self.search.text()):
            waiting.append("search")
        if self.only_filter.currentData() != Only.EVERYONE or self.show_left.isChecked():
            waiting.append("filter")
        if self.table.horizontalHeader().sortIndicatorSection() >= 0:
            waiting.append("sorting")
        return waiting

    @staticmethod
    def _refill(combo: QComboBox, everything: str, items: list[tuple[str, Any]]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for text, value in items:
            combo.addItem(text, value)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        # A group that no longer exists stops filtering.
        if index < 0:
            combo.currentIndexChanged.emit(0)

    @Slot()
    def _update_count(self) -> None:
        if self._complete:
            shown, total = self.model.match_count(), self.model.counted_rows()
            noun = "learner" if total == 1 else "learners"
            joining = self.model.joining_count()
            # Joining learners are listed but are not on roll: the count says so.
            also = f" ({joining:,} joining)" if joining else ""
            self.count_label.setText(f"{shown:,} of {total:,} {noun}{also}")
            self.count_label.setToolTip(
                f"{joining:,} of them are joining next year: not on roll until the year end."
                if joining
                else ""
            )
            if total == 0 and not self.is_administrator:
                # A supervisor sees only their groups' learners: say why there are none.
                self.count_label.setText(NO_GROUPS_YET)
                self.count_label.setToolTip(NO_GROUPS_WHY)
        elif self._first_page:
            self.count_label.setText(self._first_page_text())
            self.count_label.setToolTip(
                "The first learners in register order are shown while the rest are read. "
                "Searching, filtering and sorting wait for every learner, so that nobody "
                "is missed."
            )

    def _first_page_text(self) -> str:
        first = f"Showing the first {count_of(self.model.match_count(), 'learner')}"
        if not self.loading:
            return f"{first} only: the rest could not be loaded"
        waiting = self._waiting_choices()
        if not waiting:
            return f"{first}… loading the rest"
        chosen = " and ".join(filter(None, [", ".join(waiting[:-1]), waiting[-1]]))
        return f"{first}… loading the rest to apply your {chosen}"

    # --- searching and filtering -------------------------------------------------------------
    @Slot(str)
    def _on_search_typed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()
        else:
            self.flush_search()  # clearing the search box shows everyone at once

    @Slot()
    def flush_search(self) -> None:
        """Apply the search text now rather than after the typing pause (or, before every
        learner is loaded, once they are: see the module's notes)."""
        self._search_timer.stop()
        if self._complete:
            self.model.set_search_text(self.search.text())
        self._update_count()

    @Slot()
    def _go_to_table(self) -> None:
        self.flush_search()
        if not self._complete:
            self._go_when_complete = True  # to the first match, once it is known
        elif self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    @Slot()
    def _on_filter(self) -> None:
        """A filter was chosen: applied at once, or when every learner has been loaded."""
        if self._complete:
            self._apply_filters()
        self._update_count()

    def _apply_filters(self) -> None:
        self.model.set_year_group(self.year_filter.currentData())
        self.model.set_group(self.group_filter.currentData())
        self.model.set_only(Only(self.only_filter.currentData()))
        self.model.set_show_left(self.show_left.isChecked())

    def show_only(self, only: Only) -> None:
        """Choose one of the narrower lists (To check, unused secondary passwords)."""
        self.only_filter.setCurrentIndex(max(self.only_filter.findData(only), 0))

    # --- rows and selection ------------------------------------------------------------------
    def visible_rows(self) -> list[LearnerRow]:
        """Every learner passing the search and filters, in view order (exports, tests); while
        only the first page is loaded, that page as shown."""
        self.flush_search()
        return self.model.shown_rows()

    def select_column_sort(self, column: LearnerColumn, order: Qt.SortOrder) -> None:
        if self._complete:
            self.table.sortByColumn(column, order)
        else:
            self.table.horizontalHeader().setSortIndicator(column, order)  # applied later

    def selected_rows(self) -> list[LearnerRow]:
        """The learners selected, in view order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(row) for row in rows if row < self.model.rowCount()]

    def select_learners(self, learner_ids: set[int] | list[int]) -> None:
        """Select these learners where they are shown (after a reload, and for tests)."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        first: QModelIndex | None = None
        for learner_id in learner_ids:
            row = self.model.view_row_of(learner_id)
            if row is not None:
                index = self.model.index(row, 0)
                selection.select(index, flags)
                first = first or index
        if first is not None:
            selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(first)

    def select_after_load(self, learner_ids: set[int]) -> None:
        """Select these learners once the list is next reloaded (one just created)."""
        self._select_ids = set(learner_ids)

    @Slot()
    def _update_actions(self) -> None:
        self.actions_.update(self.selected_rows())
        if not self._complete:  # both need every learner (as filtered, or as candidates)
            self.actions_.merge.setEnabled(False)
        self.actions_.export.setEnabled(self._complete)

    @Slot(QModelIndex)
    def _on_double_click(self, _index: QModelIndex) -> None:
        if self.is_administrator:
            self.actions_.correct.trigger()
        else:
            self.actions_.history.trigger()
