"""The wizard's review steps: Groups (renames with clash checks), Staff access (who loses
which groups) and Checks (problems to look at; none blocks the year end)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.services.year_end.plan import with_leavers_names
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.year_end.models import AccessLossModel, CheckModel, CheckRow
from planit_desktop.ui.year_end.page import WizardData, YearEndPage, paragraph


def make_table(name: str) -> QTableView:
    table = QTableView()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.setAccessibleName(name)
    return table


class GroupsPage(YearEndPage):
    help_text = (
        "Learners stay in their groups. A group's name does not change by itself, so “10A” "
        "would still say Year 10 after its learners move up. Tick each group to rename after "
        "the year end and check its new name (F2 or double-click to change it). Clashes are "
        "shown as you type. A top-year group is left with nobody on roll: a name such as "
        "“11A leavers 2026” is suggested so that 10A can become 11A."
    )

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Groups")
        self.setSubTitle("Memberships stay. Choose new names for groups named after a year.")
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                "These groups have a year in their name. The ticked ones are renamed straight "
                "after the year end, all together (and can be put back together)."
            )
        )
        self.table = make_table("Groups to rename")
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        layout.addWidget(self.table, 1)
        self.summary = paragraph("")
        self.summary.setObjectName("summary")
        layout.addWidget(self.summary)

    def initializePage(self) -> None:
        model = self.year_end().renames
        if self.table.model() is not model:
            self.table.setModel(model)
            model.sig_choices_changed.connect(self._update)
        self._update()

    def data_loaded(self, data: WizardData) -> None:
        self.initializePage()
        self.year_end().renames.set_suggestions(
            with_leavers_names(data.plan.group_renames, data.plan.from_year, data.group_names),
            data.group_names,
        )
        self.table.resizeColumnsToContents()

    @Slot()
    def _update(self) -> None:
        model = self.year_end().renames
        self.summary.setText(model.summary("No group has a year in its name: nothing to rename."))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.year_end().renames.problems()


class StaffPage(YearEndPage):
    help_text = (
        "At the year end supervisors lose access to their groups for the year that ends "
        "(kept as history). They see no learner until you give them groups for the new year "
        "on the Staff Access tab, where “Restore last year's assignments” gives each the "
        "groups they had. Administrators keep full access."
    )

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Staff access")
        self.setSubTitle("Supervisors lose their groups; administrators keep full access.")
        layout = QVBoxLayout(self)
        self.administrators = paragraph("")
        layout.addWidget(self.administrators)
        self.model = AccessLossModel(self)
        self.table = make_table("Supervisors and the groups they will lose")
        self.table.setModel(self.model)
        layout.addWidget(self.table, 1)

    def data_loaded(self, data: WizardData) -> None:
        plan = data.plan
        names = ", ".join(row.name for row in plan.administrators) or "none"
        self.administrators.setText(
            f"{len(plan.access_removed):,} supervisors will lose access to their groups and "
            f"need groups for the new year. Administrators keep full access: {names}."
        )
        self.model.set_rows(list(plan.access_removed))
        self.table.resizeColumnsToContents()


class LearnerListDialog(QDialog):
    """The learners (or year groups) behind one check, listed to look at."""

    def __init__(self, title: str, lines: list[str], note: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(note))
        self.list = QListWidget()
        self.list.addItems(lines)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 80, metrics.lineSpacing() * 24)


class ChecksPage(YearEndPage):
    help_text = (
        "Things worth a look before the year end: learners in no group (no supervisor can "
        "see them), year groups outside those the school serves, dates of birth that do not "
        "fit the year group, years choosing subjects with none offered, and learners who may "
        "be recorded twice. None of them stops the year end; all are listed in its report. "
        "Select one and press “Look at them”."
    )

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Checks")
        self.setSubTitle("Problems to look at. None of them stops the year end.")
        layout = QVBoxLayout(self)
        self.model = CheckModel(self)
        self.table = make_table("Checks")
        self.table.setModel(self.model)
        self.table.doubleClicked.connect(lambda _index: self.look())
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.look_button = QPushButton("&Look at them…")
        self.look_button.clicked.connect(self.look)
        row.addWidget(self.look_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.none_label = QLabel("No problems were found.")
        self.none_label.hide()
        layout.addWidget(self.none_label)
        self.dialog: LearnerListDialog | None = None

    def data_loaded(self, data: WizardData) -> None:
        rows = [
            CheckRow(p.kind, p.message, p.learner_ids, p.year_groups) for p in data.plan.problems
        ]
        if data.duplicates:
            ids = tuple(i for group in data.duplicates for i in group)
            rows.append(
                CheckRow(
                    "duplicates",
                    f"{len(data.duplicates):,} set(s) of learners on roll have the same names "
                    "and date of birth: they may be one learner recorded twice.",
                    ids,
                )
            )
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.none_label.setVisible(not rows)
        self.look_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)

    @Slot()
    def look(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        check = self.model.row_at(index.row())
        learners = self.year_end().learners
        lines = []
        for learner_id in check.learner_ids:
            row = learners.learner(learner_id)
            if row is not None:
                lines.append(
                    f"{row.surname}, {row.first_names} · born {format_date(row.date_of_birth)} · "
                    f"{format_year_group(row.year_group)} · {', '.join(row.groups) or 'no group'}"
                    f" · UPN {row.upn or 'none'}"
                )
        lines += [format_year_group(year) for year in check.year_groups]
        note = check.message + (
            " Correct them on the Learners or Groups tab; the year end can go ahead meanwhile."
            if check.learner_ids
            else " Offers are set on the Subjects tab."
        )
        self.dialog = LearnerListDialog("Look at them", lines, note, self)
        self.dialog.open()
