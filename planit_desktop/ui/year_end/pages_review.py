"""The wizard's review steps: Groups (renames with clash checks), Staff access (who loses
which groups) and Checks (problems to look at; none blocks the year end)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.services.groups.names import name_key
from planit_desktop.model.services.year_end import GroupRename
from planit_desktop.model.services.year_end.proposals import (
    members_after,
    names_not_matching,
    propose_renames,
)
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import count_of
from planit_desktop.ui.common import styles
from planit_desktop.ui.common.fitting_table import FittingTable
from planit_desktop.ui.year_end.models import AccessLossModel, CheckModel, CheckRow
from planit_desktop.ui.year_end.page import PageId, WizardData, YearEndPage, paragraph


def make_table(name: str, *, wrap_last: bool = False) -> FittingTable:
    table = FittingTable(rows=10, least_rows=4, wrap_last=wrap_last)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAccessibleName(name)
    return table


class GroupsPage(YearEndPage):
    help_text = (
        "Learners stay in their groups, and group names stay as they are unless you choose "
        "new ones here. Each group with a year in its name gets a proposal worked out from "
        "the year groups its learners will be in after the year end, counting those you keep "
        "back or mark as leaving: “8D” whose learners all move up is proposed “9D”; a group "
        "whose learners will be in more than one year group is mixed, and gets no proposal; "
        "a name whose number may not be a year (“Set 10”, “Room 101”) is yours to decide. "
        "Nothing is ticked: tick each group to rename, or press “Rename all proposed”, and "
        "check its new name (F2 or double-click to change it). Clashes are shown as you "
        "type. A top-year group is left with nobody on roll: a name such as “11A leavers "
        "2026” is proposed so that 10A can become 11A."
    )

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Groups")
        self.setSubTitle("Memberships stay, and names stay unless you choose new ones.")
        layout = QVBoxLayout(self)
        self.intro = paragraph(
            "These groups have a year in their name. A new name is proposed from the year "
            "groups each group's learners will be in; none is renamed unless you tick it. "
            "The ticked ones are renamed straight after the year end, all together (and "
            "undoing the year end puts them back)."
        )
        layout.addWidget(self.intro)
        self.table = make_table("Groups to rename")
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        # Notes are long: one line each in the table, the current row's in full below it.
        self.table.setWordWrap(False)
        layout.addWidget(self.table, 1)
        self.note = paragraph("")
        self.note.setObjectName("note")
        layout.addWidget(self.note)
        row = QHBoxLayout()
        self.rename_all = QPushButton("Rename &all proposed")
        self.rename_all.clicked.connect(self._rename_all)
        row.addWidget(self.rename_all)
        row.addStretch(1)
        layout.addLayout(row)
        self.summary = paragraph("")
        self.summary.setObjectName("summary")
        layout.addWidget(self.summary)
        #: The proposals as they stand (the Checks step reads them).
        self.latest: tuple[GroupRename, ...] = ()
        self._years_now: Mapping[int, Mapping[int, int]] = {}
        self._group_ids: dict[str, int] = {}
        self._watching = False
        self._stale = False

    def initializePage(self) -> None:
        wizard = self.year_end()
        model = wizard.renames
        if self.table.model() is not model:
            self.table.setModel(model)
            model.sig_choices_changed.connect(self._update)
            self.table.selectionModel().currentRowChanged.connect(self._show_note)
        if not self._watching:
            # A learner kept back or leaving changes what the groups will hold: the
            # proposals follow at once here, and are worked out again before this step is
            # shown when the choice was made on another (so marking a whole year group on
            # the Year groups step does not wait for the proposals each time).
            wizard.learners.sig_exceptions_changed.connect(self._choices_changed)
            self._watching = True
        if self._stale:
            self.refresh_proposals()
        self._update()

    def data_loaded(self, data: WizardData) -> None:
        self.initializePage()
        self._years_now = data.plan.group_years_now
        self._group_ids = {name_key(name): gid for gid, name in data.group_names.items()}
        self.latest = data.plan.group_renames
        self._stale = False
        self.year_end().renames.set_suggestions(self.latest, data.group_names, tick=False)
        # Every column as wide as its contents; a long note scrolls, and the selected
        # group's note is shown in full below the table.
        self.table.fit_columns()

    def proposals(self) -> tuple[GroupRename, ...]:
        """The proposals with the learners' choices as they stand in the wizard."""
        wizard = self.year_end()
        data, learners = wizard.data, wizard.learners
        if data is None:
            return ()
        plan = data.plan
        chosen = []
        for learner_id in learners.kept_back | set(learners.leaving):
            row = learners.learner(learner_id)
            if row is None:
                continue
            groups = [self._group_ids[k] for k in map(name_key, row.groups) if k in self._group_ids]
            chosen.append((groups, row.year_group, learners.outcome(row)))
        members = members_after(self._years_now, plan.highest_year, chosen)
        return propose_renames(
            data.group_names,
            members,
            lowest_year=plan.lowest_year,
            highest_year=plan.highest_year,
            leavers_year=plan.from_year + 1,
        )

    def current_proposals(self) -> tuple[GroupRename, ...]:
        """The proposals with the learners' choices as they stand (worked out if stale)."""
        if self._stale:
            self.refresh_proposals()
        return self.latest

    @Slot()
    def _choices_changed(self) -> None:
        if self.isVisible():
            self.refresh_proposals()
        else:
            self._stale = True

    @Slot()
    def refresh_proposals(self) -> None:
        """Work the proposals out again from the learners' choices as they stand."""
        if self.year_end().data is None:
            return
        self._stale = False
        self.latest = self.proposals()
        self.year_end().renames.update_suggestions(self.latest)
        self.table.fit_columns()

    @Slot()
    def _show_note(self) -> None:
        row = self.table.currentIndex().row()
        model = self.year_end().renames
        if 0 <= row < model.rowCount():
            self.note.setText(f"{model.rows()[row].old}: {model.note(row)}")
        else:
            self.note.setText("Select a group to read its note in full.")

    @Slot()
    def _rename_all(self) -> None:
        self.year_end().renames.choose_all_proposed()

    @Slot()
    def _update(self) -> None:
        model = self.year_end().renames
        self.summary.setText(model.summary("No group has a year in its name: nothing to rename."))
        self.rename_all.setEnabled(any(r.suggested for r in model.rows()))
        self._show_note()
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
        self.table = make_table("Supervisors and the groups they will lose", wrap_last=True)
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
        self.table.fit_columns()


class LearnerListDialog(QDialog):
    """The learners (or year groups) behind one check, listed to look at."""

    def __init__(self, title: str, lines: list[str], note: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        styles.keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(note))
        self.list = QListWidget()
        self.list.addItems(lines)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # As wide as its longest line (a learner's name, birth, groups and UPN), within the
        # screen: a line cut off would hide the UPN the coordinator came to read.
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(line) for line in lines), default=0)
        width = max(metrics.averageCharWidth() * 80, widest + metrics.averageCharWidth() * 8)
        room = styles.screen_room(self)
        if room is not None:
            width = min(width, room.width())
        self.resize(width, metrics.lineSpacing() * 24)


class ChecksPage(YearEndPage):
    help_text = (
        "Things worth a look before the year end: learners in no group (no supervisor can "
        "see them), year groups outside those the school serves, dates of birth that do not "
        "fit the year group, years choosing subjects with none offered, learners who may "
        "be recorded twice, and groups whose names will not match the year groups of their "
        "learners (as the renames ticked on the Groups step leave them). None of them stops "
        "the year end; all are listed in its report. "
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

    def initializePage(self) -> None:
        self._show_group_names()

    def group_names_check(self) -> CheckRow | None:
        """The groups whose names will not match their learners, with the renames ticked
        and the learners' choices as they stand."""
        wizard = self.year_end()
        groups, data = wizard.pages[PageId.GROUPS], wizard.data
        if data is None or not isinstance(groups, GroupsPage):
            return None
        problem = names_not_matching(
            groups.current_proposals(),
            wizard.renames.chosen(),
            lowest_year=data.plan.lowest_year,
            highest_year=data.plan.highest_year,
        )
        if problem is None:
            return None
        return CheckRow(problem.kind, problem.message, groups=problem.groups)

    def _show_group_names(self) -> None:
        if self.wizard() is None or self.year_end().data is None:
            return
        rows = [row for row in self.model.rows() if row.kind != "group_names"]
        check = self.group_names_check()
        self._show_rows(rows if check is None else [*rows, check])

    def _show_rows(self, rows: list[CheckRow]) -> None:
        self.model.set_rows(rows)
        self.table.fit_columns()
        self.none_label.setVisible(not rows)
        self.look_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)

    def data_loaded(self, data: WizardData) -> None:
        rows = [
            CheckRow(p.kind, p.message, p.learner_ids, p.year_groups, p.groups)
            for p in data.plan.problems
            if p.kind != "group_names"  # worked out on the screen (see initializePage)
        ]
        if data.duplicates:
            ids = tuple(i for group in data.duplicates for i in group)
            rows.append(
                CheckRow(
                    "duplicates",
                    f"{count_of(len(data.duplicates), 'set')} of learners on roll "
                    f"{'has' if len(data.duplicates) == 1 else 'have'} the same names and date "
                    "of birth: they may be one learner recorded twice.",
                    ids,
                )
            )
        self._show_rows(rows)
        self._show_group_names()

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
        lines += list(check.groups)
        if check.learner_ids:
            advice = " Correct them on the Learners or Groups tab; the year end can go ahead."
        elif check.groups:
            advice = (
                " Names stay as they are unless you choose new ones: on the Groups step, or "
                "later on the Groups tab."
            )
        else:
            advice = " Offers are set on the Subjects tab."
        note = check.message + advice
        self.dialog = LearnerListDialog("Look at them", lines, note, self)
        self.dialog.open()
