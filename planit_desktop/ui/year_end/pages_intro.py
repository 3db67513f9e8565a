"""The wizard's first steps: Welcome, and Year groups (every learner on roll, current → new
year group, with learners kept back or leaving marked one or many at a time)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QItemSelectionModel, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.calendar import end_of_academic_year, format_academic_year
from planit_desktop.model.services.groups.listing import natural_key
from planit_desktop.model.services.year_end import NOT_AT_MY_PROVIDER, Choice, LeavingDetails
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.common.fitting_table import FittingTable
from planit_desktop.ui.common.styles import State, keep_height_for_width, mark
from planit_desktop.ui.year_end.chart import YearGroupChart
from planit_desktop.ui.year_end.models import (
    KeptSelection,
    YearEndColumn,
    YearEndLearnerProxy,
)
from planit_desktop.ui.year_end.page import WizardData, YearEndPage, paragraph


class WelcomePage(YearEndPage):
    help_text = (
        "The year end moves the school into the next academic year. This wizard shows you "
        "exactly what will change before anything does. Your choices are saved as you go: "
        "close the wizard at any time and carry on later, on this computer or another one "
        "using the same database. Press Next to start."
    )

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("The year end")
        self.setSubTitle("What happens, and who may do it.")
        layout = QVBoxLayout(self)
        self.intro = paragraph(
            "At the year end every learner on roll moves up one year group, except those you "
            "keep back. Learners in the top year complete and leave the pre-16 system, and "
            "those you mark “Not at my provider” are recorded as left. Learners stay in their "
            "groups, and group names stay as they are unless you choose new ones: the Groups "
            "step proposes names, none ticked. Supervisors lose their groups until you give "
            "them groups for the new year; "
            "administrators keep full access. Subject offers stay with their year group.\n\n"
            "A backup of the whole database is taken first, and the year end can be undone "
            "from the Year End tab. Only administrators may run it."
        )
        layout.addWidget(self.intro)
        self.status = paragraph("Reading the school's data…")
        self.status.setObjectName("status")
        layout.addWidget(self.status)
        self.discard_button = QPushButton("&Discard the saved choices and start again")
        self.discard_button.hide()
        self.discard_button.clicked.connect(lambda: self.year_end().discard_draft())
        layout.addWidget(self.discard_button, 0, Qt.AlignmentFlag.AlignLeft)
        from planit_desktop.ui.year_end.pages_mis_check import MisCheckOffer

        self.mis_check = MisCheckOffer(self, before_run=True)
        layout.addWidget(self.mis_check)
        layout.addStretch(1)

    def data_loaded(self, data: WizardData) -> None:
        plan = data.plan
        text = (
            f"This year end moves the school from {format_academic_year(plan.from_year)} to "
            f"{format_academic_year(plan.to_year)}: {sum(plan.learners_by_year_before.values()):,} "
            "learners are on roll."
        )
        if data.draft is not None:
            text += f"\n\nYour earlier choices ({data.draft.describe()}) have been restored."
        self.status.setText(text)
        self.discard_button.setVisible(data.draft is not None)
        self.completeChanged.emit()

    def show_problem(self, message: str) -> None:
        self.status.setText(message)
        mark(self.status, State.ERROR)

    def isComplete(self) -> bool:
        return self.year_end().data is not None


class LeavingDialog(QDialog):
    """When and why the chosen learners are leaving ("Not at my provider")."""

    def __init__(self, count: int, from_year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.setWindowTitle("Not at my provider")
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                f"{count:,} learner{'s' if count != 1 else ''} will be recorded as no longer at "
                "this school or provider when the year end runs."
            )
        )
        form = QFormLayout()
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        last_day = end_of_academic_year(from_year)
        self.date.setDate(QDate(last_day.year, last_day.month, last_day.day))
        self.reason = QLineEdit(NOT_AT_MY_PROVIDER)
        self.reason.setMaxLength(500)
        form.addRow("&Left on:", self.date)
        form.addRow("&Reason:", self.reason)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def details(self) -> LeavingDetails:
        day = self.date.date()
        return LeavingDetails(
            date(day.year(), day.month(), day.day()),
            " ".join(self.reason.text().split()) or NOT_AT_MY_PROVIDER,
        )


class YearGroupsPage(YearEndPage):
    help_text = (
        "Every learner on roll is listed with their year group now and after the year end. "
        "Search, or narrow the list by year group or group; select one learner or many (Ctrl "
        "or Shift with the arrows, or “Select all shown” for a whole group) and choose what "
        "happens to them: kept back in their year group, not at my provider (leaving, with a "
        "date and a reason), or moving up as usual. The numbers and the chart follow. "
        "A new search or filter starts a new selection, so that only learners you can see "
        "listed are marked."
    )

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Year groups")
        self.setSubTitle("Check who moves up. Mark learners kept back or leaving.")
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Name, UPN, SIMS number or login")
        self.search.setClearButtonEnabled(True)
        self.year_filter = QComboBox()
        self.group_filter = QComboBox()
        self.group_filter.setMinimumContentsLength(10)
        self.only_exceptions = QCheckBox("Only &kept back or leaving")
        for text, widget in (
            ("&Search:", self.search),
            ("&Year group:", self.year_filter),
            ("&Group:", self.group_filter),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget, 2 if widget is self.search else 0)
        filters.addWidget(self.only_exceptions)
        layout.addLayout(filters)

        self.proxy = YearEndLearnerProxy(self)
        # The learners come first: a dozen rows if there is room, never fewer than five.
        self.table = FittingTable(rows=12, least_rows=5)
        self.table.setModel(self.proxy)
        self.kept_selection = KeptSelection(self.table, self.proxy)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        # The headings need not know the selection (only whole rows are selected): told it,
        # each heading painted asks the model about every selected row, seconds for a whole
        # school. Its own, empty selection model keeps them out of it.
        self.table.horizontalHeader().setSelectionModel(QItemSelectionModel(self.proxy, self))
        self.table.horizontalHeader().setSortIndicator(
            YearEndColumn.SURNAME, Qt.SortOrder.AscendingOrder
        )
        self.table.setSortingEnabled(True)  # in register order to begin with
        self.table.setAccessibleName("Learners on roll")

        buttons = QHBoxLayout()
        self.select_all = QPushButton("Select &all shown")
        self.keep_back = QPushButton("Keep ba&ck")
        self.leaving = QPushButton("Not at my &provider…")
        self.moves_up = QPushButton("Moves &up as usual")
        for button in (self.select_all, self.keep_back, self.leaving, self.moves_up):
            buttons.addWidget(button)
        buttons.addStretch(1)

        figures = QHBoxLayout()
        # Four short lines of its own: not wrapped, so it asks for the width its numbers
        # need (a wrapped label beside the chart made the page taller than it said).
        self.counts = QLabel("")
        self.counts.setTextFormat(Qt.TextFormat.PlainText)
        self.counts.setObjectName("counts")
        self.counts.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.chart = YearGroupChart(
            "Learners on roll by year group", "Learners per year group, now and after (chart)"
        )
        figures.addWidget(self.counts)
        figures.addWidget(self.chart, 1)
        layout.addWidget(self.table, 3)
        layout.addLayout(buttons)
        layout.addLayout(figures, 1)

        self.search.textChanged.connect(lambda text: self._filter(text=text))
        self.year_filter.currentIndexChanged.connect(
            lambda _i: self._filter(year_group=self.year_filter.currentData())
        )
        self.group_filter.currentIndexChanged.connect(
            lambda _i: self._filter(group=self.group_filter.currentData())
        )
        self.only_exceptions.toggled.connect(lambda on: self._filter(only_exceptions=on))
        self.select_all.clicked.connect(self.table.selectAll)
        self.keep_back.clicked.connect(lambda: self.mark(Choice.KEPT_BACK))
        self.leaving.clicked.connect(self.ask_leaving)
        self.moves_up.clicked.connect(lambda: self.mark(Choice.MOVES_UP))

    def initializePage(self) -> None:
        model = self.year_end().learners
        if self.proxy.source() is not model:
            self.proxy.set_source(model)
            model.sig_exceptions_changed.connect(self.update_figures)
            self.update_figures()

    def data_loaded(self, data: WizardData) -> None:
        self.initializePage()
        self.year_filter.blockSignals(True)
        self.year_filter.clear()
        self.year_filter.addItem("All", None)
        for year in sorted({row.year_group for row in data.learners}):
            self.year_filter.addItem(format_year_group(year), year)
        self.year_filter.blockSignals(False)
        self.group_filter.blockSignals(True)
        self.group_filter.clear()
        self.group_filter.addItem("All", None)
        for name in sorted({g for row in data.learners for g in row.groups}, key=natural_key):
            self.group_filter.addItem(name, name)
        self.group_filter.blockSignals(False)
        # What the column "After the year end" may come to hold, beside what it holds now.
        leaving = f"Leaving on {format_date(end_of_academic_year(data.plan.from_year))}: "
        self.table.fit_columns([(YearEndColumn.AFTER, leaving + NOT_AT_MY_PROVIDER)])
        self.update_figures()

    def _filter(self, **changes: object) -> None:
        self.proxy.set_filters(**changes)  # type: ignore[arg-type]

    def selected_ids(self) -> list[int]:
        """The learners selected, in view order."""
        return self.proxy.learner_ids(self.kept_selection.selected_rows())

    def mark(self, kind: Choice, details: LeavingDetails | None = None) -> int:
        """Mark the selected learners; returns how many."""
        return self.year_end().learners.set_exception(self.selected_ids(), kind, details)

    @Slot()
    def ask_leaving(self) -> None:
        ids, data = self.selected_ids(), self.year_end().data
        if not ids or data is None:
            return
        dialog = LeavingDialog(len(ids), data.plan.from_year, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.year_end().learners.set_exception(ids, Choice.LEAVING, dialog.details())
        dialog.deleteLater()  # not left behind, hidden, in the wizard

    @Slot()
    def update_figures(self) -> None:
        data = self.year_end().data if self.wizard() is not None else None
        if data is None:
            return
        model, plan = self.year_end().learners, data.plan
        after = model.counts_after(plan)
        moving, completing = model.changes(plan)
        self.table.refit_last()
        self.counts.setText(
            f"{moving:,} learners move up a year group.\n"
            f"{completing:,} complete {format_year_group(plan.highest_year)}.\n"
            f"{len(model.kept_back):,} kept back.\n"
            f"{len(model.leaving):,} not at my provider (leaving)."
        )
        self.chart.show_counts(
            [
                (f"Now ({format_academic_year(plan.from_year)})", plan.learners_by_year_before),
                (f"After ({format_academic_year(plan.to_year)})", after),
            ]
        )
