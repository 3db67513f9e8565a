"""Correct details…: a learner's details checked as the coordinator types, saved only without
errors, and never over a colleague's save (the conflict is shown with the values as they now
stand, and the coordinator may reload them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.errors import StaleRecord
from planit_desktop.model.services.groups.listing import GroupRow
from planit_desktop.model.services.learners.corrections import (
    FIELD_LABELS,
    CorrectionResult,
    FieldProblem,
    check_correction,
    correct_learner,
)
from planit_desktop.model.services.learners.details import LearnerDetails
from planit_desktop.model.services.learners.support_requests import shown_value
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import label as start_label
from planit_desktop.ui import ops
from planit_desktop.ui.common.styles import State, keep_height_for_width, mark
from planit_desktop.ui.learners.history import show_history

if TYPE_CHECKING:
    from planit_desktop.ui.context import AppContext

CHECK_DELAY_MS = 200
CONFLICT = "Someone else changed this learner while you were editing."
TEXT_FIELDS = ("first_names", "surname", "date_of_birth", "upn", "sims_number", "ethnicity")
SEX_CHOICES = (("Not recorded", None), ("F", "F"), ("M", "M"), ("U (not known)", "U"))


@dataclass(frozen=True)
class CorrectionSetup:
    """What the dialog needs, read in one background operation."""

    details: LearnerDetails
    groups: list[GroupRow]
    lowest_year: int
    highest_year: int
    #: The academic year the year groups offered mean (a rollover meanwhile refuses the save).
    academic_year: int | None = None


def _shown(field: str, value: object) -> str:
    return shown_value(field, value)


class CorrectionDialog(QDialog):
    """Correct one learner's details (administrators); see the module's description."""

    #: The correction was saved (a CorrectionResult).
    sig_correction_saved = Signal(object)
    #: The typed values were checked and the problems shown.
    sig_checked = Signal()

    def __init__(
        self, context: AppContext, setup: CorrectionSetup, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        details = setup.details
        self.academic_year = setup.academic_year
        self.learner_id = details.id
        self.setWindowTitle(f"Correct details of {details.first_names} {details.surname}")
        self.fields: dict[str, QWidget] = {}
        self.problems: dict[str, QLabel] = {}
        self._check_generation = 0
        self._checked = True
        self._busy = False
        self._errors = False

        form = QFormLayout()
        hints = {
            "date_of_birth": "dd/mm/yyyy",
            "upn": "Not known",
            "ethnicity": "A code such as WBRI, or empty",
        }
        for field in TEXT_FIELDS:
            edit = QLineEdit()
            edit.setAccessibleName(start_label(FIELD_LABELS[field]))
            edit.setPlaceholderText(hints.get(field, ""))
            edit.textEdited.connect(self._typed)
            self.fields[field] = edit
        year = QComboBox()
        for number in range(setup.lowest_year, setup.highest_year + 1):
            year.addItem(format_year_group(number), number)
        sex = QComboBox()
        for text, code in SEX_CHOICES:
            sex.addItem(text, code)
        groups = QListWidget()
        groups.setAccessibleName("Groups")
        groups.setAccessibleDescription(
            "The groups the learner belongs to this year; tick or untick to change them."
        )
        # A few groups in sight, the rest a scroll away: counted in lines of the font.
        groups.setMaximumHeight(groups.fontMetrics().lineSpacing() * 8)
        for group in setup.groups:
            item = QListWidgetItem(group.name)
            item.setData(Qt.ItemDataRole.UserRole, group.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            groups.addItem(item)
        self.fields.update({"year_group": year, "sex": sex, "groups": groups})
        for field in FIELD_LABELS:
            label = QLabel()
            label.setWordWrap(True)
            label.hide()
            self.problems[field] = label
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(self.fields[field])
            column.addWidget(label)
            form.addRow(start_label(FIELD_LABELS[field]) + ":", column)
            # The row's label names its field for a screen reader (and Alt+letter moves there).
            name = form.labelForField(column)
            if isinstance(name, QLabel):
                name.setBuddy(self.fields[field])
        year.currentIndexChanged.connect(self._typed)
        sex.currentIndexChanged.connect(self._typed)
        groups.itemChanged.connect(self._typed)

        self.conflict = QFrame()
        self.conflict.setFrameShape(QFrame.Shape.StyledPanel)
        conflict_layout = QHBoxLayout(self.conflict)
        self.conflict_label = QLabel()
        self.conflict_label.setWordWrap(True)
        mark(self.conflict_label, State.ERROR)
        self.reload_button = QPushButton("Reload their values")
        self.reload_button.clicked.connect(self._reload)
        conflict_layout.addWidget(self.conflict_label, 1)
        conflict_layout.addWidget(self.reload_button)
        self.conflict.hide()
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        mark(self.problem, State.ERROR)
        self.problem.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.history_button = self.buttons.addButton(
            "History…", QDialogButtonBox.ButtonRole.HelpRole
        )
        self.history_button.clicked.connect(self.show_history)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        note = QLabel(
            "Changes to the name, date of birth, year group, UPN or SIMS number are also "
            "recorded as a request to the School Support Team."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.conflict)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        keep_height_for_width(self)  # the note and the problems under fields wrap

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check_now)
        self._fill(details.as_dict())

    # --- the values ---------------------------------------------------------------------------
    def _fill(self, values: Mapping[str, object]) -> None:
        """Show ``values`` (a LearnerDetails as a dict) as the starting point of the edit."""
        self.version = int(values["version"])  # type: ignore[call-overload]
        self.name = f"{values['first_names']} {values['surname']}"
        self._original: dict[str, object] = {}
        for field in TEXT_FIELDS:
            text = _shown(field, values.get(field))
            edit = self.fields[field]
            assert isinstance(edit, QLineEdit)
            edit.setText(text)
            self._original[field] = text
        year, sex, groups = self._year(), self._sex(), self._groups()
        for combo, value in ((year, values["year_group"]), (sex, values.get("sex"))):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)
        self._original["year_group"] = year.currentData()
        self._original["sex"] = sex.currentData()
        chosen = set(values.get("group_ids") or ())  # type: ignore[call-overload]
        groups.blockSignals(True)
        for row in range(groups.count()):
            item = groups.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        groups.blockSignals(False)
        self._original["groups"] = frozenset(chosen)
        self._show_problems([])
        self._update_buttons()

    def _year(self) -> QComboBox:
        combo = self.fields["year_group"]
        assert isinstance(combo, QComboBox)
        return combo

    def _sex(self) -> QComboBox:
        combo = self.fields["sex"]
        assert isinstance(combo, QComboBox)
        return combo

    def _groups(self) -> QListWidget:
        widget = self.fields["groups"]
        assert isinstance(widget, QListWidget)
        return widget

    def current_values(self) -> dict[str, object]:
        values: dict[str, object] = {}
        for field in TEXT_FIELDS:
            edit = self.fields[field]
            assert isinstance(edit, QLineEdit)
            values[field] = edit.text()
        values["year_group"] = self._year().currentData()
        values["sex"] = self._sex().currentData()
        groups = self._groups()
        values["groups"] = frozenset(
            groups.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(groups.count())
            if groups.item(row).checkState() == Qt.CheckState.Checked
        )
        return values

    def changes(self) -> dict[str, object]:
        """Only what the coordinator changed: an old value is not judged by today's rules."""
        return {
            field: value
            for field, value in self.current_values().items()
            if value != self._original[field]
        }

    # --- checking as typed ----------------------------------------------------------------------
    @Slot()
    def _typed(self) -> None:
        self._checked = False
        self._update_buttons()
        self._timer.start()

    @Slot()
    def check_now(self) -> None:
        """Ask the service what is wrong with the values as typed (nothing is written)."""
        self._timer.stop()
        self._check_generation += 1
        generation, changes, learner_id = self._check_generation, self.changes(), self.learner_id
        self.context.run(
            self,
            lambda session, _p: check_correction(session, learner_id, changes),
            on_success=lambda problems: self._checked_result(generation, problems),
            on_failure=self._show_failure,
        )

    def _checked_result(self, generation: int, problems: Sequence[FieldProblem]) -> None:
        if generation != self._check_generation:
            return  # the coordinator typed again since
        self._checked = True
        self._show_problems(problems)
        self._update_buttons()
        self.sig_checked.emit()

    def _show_problems(self, problems: Sequence[FieldProblem]) -> None:
        by_field: dict[str, list[FieldProblem]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem)
        self._errors = any(problem.is_error for problem in problems)
        for field, label in self.problems.items():
            found = by_field.get(field, [])
            label.setText(" ".join(problem.message for problem in found))
            error = any(problem.is_error for problem in found)
            mark(label, State.ERROR if error else State.WARNING)
            label.setVisible(bool(found))

    def _update_buttons(self) -> None:
        ready = self._checked and not self._errors and not self._busy and bool(self.changes())
        self.save_button.setEnabled(ready)

    # --- saving ---------------------------------------------------------------------------------
    @Slot()
    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        self._busy = True
        self._update_buttons()
        self.problem.hide()
        actor, learner_id, changes, version = (
            self.context.actor,
            self.learner_id,
            self.changes(),
            self.version,
        )
        year = self.academic_year
        self.context.run(
            self,
            lambda session, _p: correct_learner(
                session,
                actor,
                learner_id,
                changes,
                expected_version=version,
                academic_year=year,
            ),
            write=True,
            on_success=self._saved,
            on_failure=self._save_failed,
        )

    def _saved(self, result: CorrectionResult) -> None:
        self._busy = False
        self.sig_correction_saved.emit(result)
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        self._busy = False
        if isinstance(error, StaleRecord):
            self._stale = error.current
            self.conflict_label.setText(f"{CONFLICT} {self._describe(error.current)}")
            self.conflict.show()
        else:
            self._show_failure(error)
        self._update_buttons()

    def _show_failure(self, error: BaseException) -> None:
        self.problem.setText(ops.describe_failure(error))
        self.problem.show()

    @staticmethod
    def _describe(values: Mapping[str, Any]) -> str:
        parts = [
            f"{FIELD_LABELS[field]}: {_shown(field, values.get(field)) or 'not recorded'}"
            for field in ("first_names", "surname", "year_group", "upn", "sims_number")
        ]
        parts.insert(2, f"date of birth: {format_date(values['date_of_birth'])}")
        groups = ", ".join(values.get("groups") or ()) or "none"
        return "Their details now: " + "; ".join(parts) + f"; groups: {groups}."

    @Slot()
    def _reload(self) -> None:
        """Start again from the values as they now stand (what was typed is replaced)."""
        self.conflict.hide()
        self._fill(self._stale)

    @Slot()
    def show_history(self) -> None:
        show_history(self.context, self.learner_id, self.name, self)
