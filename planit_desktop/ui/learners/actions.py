"""What the coordinator does in the Learners tab. Each action asks what it must (in a dialog
of this package), then calls its service through ``context.run(..., write=True)``; the tab
refreshes itself when the change (what the service audited) is announced. Administrator
actions are disabled for supervisors, with the reason (the services refuse them anyway)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol, cast

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.credentials.forgotten import prepare_forgotten_password
from planit_desktop.model.services.credentials.learner_passwords import prepare_temporary_password
from planit_desktop.model.services.groups.listing import list_groups
from planit_desktop.model.services.learners.details import learner_details
from planit_desktop.model.services.learners.exporting import export_learners
from planit_desktop.model.services.learners.in_class import QuickCreateResult, quick_create
from planit_desktop.model.services.learners.leavers import (
    mark_left,
    reinstate,
    remove_old_leavers_data,
)
from planit_desktop.model.services.learners.merging import confirm_checked, merge_learners
from planit_desktop.model.services.learners.roll import LearnerRow
from planit_desktop.model.services.school import get_school
from planit_desktop.model.wording import count_of
from planit_desktop.ui import ops
from planit_desktop.ui.common.action_rows import ActionRows
from planit_desktop.ui.common.roles import disable_with_reason, explain_unavailable
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.learners.correction import CorrectionDialog, CorrectionSetup
from planit_desktop.ui.learners.forgotten import (
    OLD_PASSWORD,
    ForgottenPasswordDialog,
    ForgottenRequest,
)
from planit_desktop.ui.learners.history import show_history
from planit_desktop.ui.learners.leavers import MarkLeftDialog, RemoveOldLeaversDialog
from planit_desktop.ui.learners.merge import MergeDialog
from planit_desktop.ui.learners.quick_create import (
    NewLearner,
    QuickCreateDialog,
    QuickCreateSetup,
    show_learner_password,
)
from planit_desktop.ui.learners.secondary import SchoolSetup, show_secondary_passwords
from planit_desktop.ui.learners.support import show_support_requests
from planit_desktop.ui.learners.table import LearnerListModel


class LearnersView(Protocol):
    """The Learners tab as its actions use it (a QWidget: the parent of their dialogs)."""

    context: AppContext
    toolbar: ActionRows
    model: LearnerListModel

    def visible_rows(self) -> list[LearnerRow]: ...

    def selected_rows(self) -> list[LearnerRow]: ...

    def select_after_load(self, learner_ids: set[int]) -> None: ...


#: What supervisors cannot do here, as the reason shown to them says it.
ADMIN_WHAT = (
    "correct learners' details, record leavers, check learners created in class, issue "
    "secondary passwords or see support requests"
)
CREATED_IN_CLASS = "The learner is marked “created in class” until an administrator checks them."


def _open(dialog: QWidget) -> Any:
    from PySide6.QtCore import Qt

    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()  # type: ignore[attr-defined]
    return dialog


class LearnerActions(QObject):
    """The tab's actions, enabled to fit the selection and the person's role."""

    def __init__(self, tab: LearnersView) -> None:
        super().__init__(cast(QWidget, tab))
        self.tab = cast(Any, tab)  # a LearnersView, and the QWidget its dialogs belong to
        self.context = tab.context
        self.dialog: Any = None  # the dialog last opened (for the keyboard and tests)
        self.correct = self._action("Correct details…", self.correct_selected)
        self.history = self._action("History…", self.history_of_selected)
        self.mark_left = self._action("Not at my provider…", self.mark_selected_left)
        self.reinstate = self._action("Reinstate", self.reinstate_selected)
        self.remove_old = self._action("Remove old leavers' data…", self.remove_old_leavers)
        self.create = self._action("Create New User…", self.create_learner)
        self.new_password = self._action("New temporary password…", self.new_password_for_selected)
        self.forgotten = self._action("Forgotten Password…", self.forgotten_password)
        self.confirm = self._action("Confirm", self.confirm_selected)
        self.merge = self._action("Merge with…", self.merge_selected)
        self.secondary = self._action("Secondary passwords…", self.secondary_passwords)
        self.support = self._action("Support requests…", self.support_requests)
        self.export = self._action("Export…", self.export_shown)
        self.all = (
            self.correct,
            self.history,
            self.create,
            self.forgotten,
            self.new_password,
            self.mark_left,
            self.reinstate,
            self.confirm,
            self.merge,
            self.secondary,
            self.support,
            self.remove_old,
            self.export,
        )
        self.for_administrators = (
            self.correct,
            self.mark_left,
            self.reinstate,
            self.confirm,
            self.merge,
            self.secondary,
            self.support,
            self.remove_old,
        )
        self.correct.setToolTip("Correct the selected learner's details (or double-click)")
        self.export.setToolTip("Save the learners as listed, with the search and filters")
        self.create.setToolTip(
            "Add a learner who is missing from Plan-it, confirmed by your own password"
        )
        self.forgotten.setToolTip(
            "Give a learner who forgot their password a new temporary password, found by "
            "their login name or their name and date of birth, confirmed by your own password"
        )
        self.new_password.setToolTip(
            "Give the selected learner a new temporary password, shown once (supervisors: "
            "for a learner created in class who never received theirs)"
        )

    def _action(self, text: str, slot: Any) -> QAction:
        action = QAction(text, self.tab)
        action.triggered.connect(slot)
        return action

    def update(self, rows: Sequence[LearnerRow]) -> None:
        """Enable what fits the selected learners (administrator actions off for supervisors)."""
        admin = self.context.actor.is_administrator
        one = len(rows) == 1
        on_roll = [row.status is LearnerStatus.ON_ROLL for row in rows]
        self.correct.setEnabled(admin and one)
        self.history.setEnabled(one)
        self.new_password.setEnabled(one and (admin or bool(rows[0].needs_check)))
        self.mark_left.setEnabled(admin and bool(rows) and all(on_roll))
        gone = (LearnerStatus.LEFT, LearnerStatus.COMPLETED)
        self.reinstate.setEnabled(admin and one and rows[0].status in gone)
        self.confirm.setEnabled(admin and bool(rows) and all(row.needs_check for row in rows))
        self.merge.setEnabled(admin and one)
        for action in (self.secondary, self.support, self.remove_old):
            action.setEnabled(admin)
        reason = explain_unavailable(self.context.actor, ADMIN_WHAT)
        if reason is not None:
            widgets = [self.tab.toolbar.widgetForAction(a) for a in self.for_administrators]
            disable_with_reason([w for w in widgets if w is not None], reason)
            for action in self.for_administrators:
                action.setToolTip(reason)

    def _one(self) -> LearnerRow | None:
        rows: list[LearnerRow] = self.tab.selected_rows()
        if len(rows) != 1:
            ops.show_error(self.tab, "Choose one learner in the list first.")
            return None
        return rows[0]

    def _tell(self, text: str) -> None:
        QMessageBox.information(self.tab, ops.TITLE, text)

    # --- correcting -------------------------------------------------------------------------------
    @Slot()
    def correct_selected(self) -> None:
        row = self._one()
        if row is None:
            return
        actor, learner_id = self.context.actor, row.id

        def read(session: Any, _p: ops.Progress) -> CorrectionSetup:
            school = get_school(session)
            return CorrectionSetup(
                learner_details(session, actor, learner_id),
                list_groups(session, actor),
                school.lowest_year,
                school.highest_year,
                school.academic_year,
            )

        self.context.run(self.tab, read, on_success=self._open_correction)

    def _open_correction(self, setup: CorrectionSetup) -> None:
        self.dialog = _open(CorrectionDialog(self.context, setup, self.tab))

    @Slot()
    def history_of_selected(self) -> None:
        row = self._one()
        if row is not None:
            self.dialog = show_history(self.context, row.id, row.full_name, self.tab)

    # --- leavers ----------------------------------------------------------------------------------
    @Slot()
    def mark_selected_left(self) -> None:
        rows = self.tab.selected_rows()
        if not rows:
            ops.show_error(self.tab, "Choose the learners who have left in the list first.")
            return
        dialog = MarkLeftDialog(rows, self.tab)
        ids = [row.id for row in rows]
        actor = self.context.actor

        def chosen(left_on: date, reason: str) -> None:
            self.context.run(
                dialog,
                lambda session, _p: mark_left(session, actor, ids, left_on=left_on, reason=reason),
                write=True,
                on_success=dialog.succeeded,
                on_failure=lambda error: dialog.show_problem(ops.describe_failure(error)),
            )

        dialog.sig_left_chosen.connect(chosen)
        self.dialog = _open(dialog)

    @Slot()
    def reinstate_selected(self) -> None:
        row = self._one()
        if row is None:
            return
        actor, learner_id = self.context.actor, row.id
        self.tab.select_after_load({learner_id})
        self.context.run(
            self.tab,
            lambda session, _p: reinstate(session, actor, learner_id),
            write=True,
        )

    @Slot()
    def remove_old_leavers(self) -> None:
        dialog = RemoveOldLeaversDialog(self.context, self.tab)
        actor = self.context.actor

        def confirmed(ids: tuple[int, ...], years: int) -> None:
            self.context.run(
                dialog,
                lambda session, _p: remove_old_leavers_data(session, actor, ids, years=years),
                write=True,
                on_success=lambda count: self._removed(dialog, count),
                on_failure=lambda error: dialog.show_problem(ops.describe_failure(error)),
                progress_label="Removing old leavers' data…",
            )

        dialog.sig_removal_confirmed.connect(confirmed)
        self.dialog = _open(dialog)

    def _removed(self, dialog: RemoveOldLeaversDialog, count: int) -> None:
        dialog.succeeded()
        self._tell(f"The personal data of {count:,} old leavers was removed.")

    # --- Create New User and the administrators' check ----------------------------------------
    @Slot()
    def create_learner(self) -> None:
        actor = self.context.actor

        def read(session: Any, _p: ops.Progress) -> QuickCreateSetup:
            school = get_school(session)
            return QuickCreateSetup(
                [group.name for group in list_groups(session, actor)],
                school.lowest_year,
                school.highest_year,
                school.name,
                actor.is_administrator,
                school.academic_year,
            )

        self.context.run(self.tab, read, on_success=self._open_quick_create)

    def _open_quick_create(self, setup: QuickCreateSetup) -> None:
        dialog = QuickCreateDialog(setup, self.tab)
        actor = self.context.actor

        def submitted(new: NewLearner) -> None:
            self.context.run(
                dialog,
                lambda session, _p: quick_create(
                    session,
                    actor,
                    first_names=new.first_names,
                    surname=new.surname,
                    date_of_birth=new.date_of_birth,
                    year_group=new.year_group,
                    tutor_group=new.tutor_group,
                    confirm_duplicates=new.confirm_duplicates,
                    staff_password=new.staff_password,
                    academic_year=setup.academic_year,
                ),
                write=True,
                on_success=lambda result: self._created(dialog, setup, result),
                on_failure=lambda error: dialog.show_problem(ops.describe_failure(error)),
            )

        dialog.sig_learner_submitted.connect(submitted)
        self.dialog = _open(dialog)

    def _created(
        self, dialog: QuickCreateDialog, setup: QuickCreateSetup, result: QuickCreateResult
    ) -> None:
        if not result.created:
            dialog.show_duplicates(result.duplicates, result.warnings)
            return
        dialog.succeeded()
        if result.learner_id is not None:
            self.tab.select_after_load({result.learner_id})
        assert result.prepared is not None
        notes = [*result.warnings, CREATED_IN_CLASS]
        self.dialog = show_learner_password(
            self.context, result.prepared, setup.school_name, self.tab, notes=notes
        )

    @Slot()
    def new_password_for_selected(self) -> None:
        """A new temporary password for one learner, shown once (it works once closed).

        Administrators may give any learner one; a supervisor, a learner created in class
        whose first password never reached them (the service says so otherwise).
        """
        row = self._one()
        if row is None:
            return
        actor, learner_id = self.context.actor, row.id

        def read(session: Any, _p: ops.Progress) -> tuple[Any, str]:
            return prepare_temporary_password(session, actor, learner_id), get_school(session).name

        self.context.run(
            self.tab,
            read,
            on_success=lambda found: setattr(
                self,
                "dialog",
                show_learner_password(self.context, found[0], found[1], self.tab),
            ),
            progress_label="Preparing a temporary password…",
        )

    @Slot()
    def forgotten_password(self) -> None:
        """Forgotten Password…: open to every member of staff (the service checks who and
        their password); the new password is shown once and works once delivered."""
        self.context.run(
            self.tab,
            lambda session, _p: get_school(session).name,
            on_success=self._open_forgotten,
        )

    def _open_forgotten(self, school_name: str) -> None:
        dialog = ForgottenPasswordDialog(self.tab)
        actor = self.context.actor

        def submitted(request: ForgottenRequest) -> None:
            # A write transaction, so that a wrong staff password is audited as refused.
            self.context.run(
                dialog,
                lambda session, _p: prepare_forgotten_password(
                    session,
                    actor,
                    staff_password=request.staff_password,
                    login=request.login,
                    first_names=request.first_names,
                    surname=request.surname,
                    date_of_birth=request.date_of_birth,
                ),
                write=True,
                on_success=lambda prepared: self._forgotten_found(dialog, prepared, school_name),
                on_failure=lambda error: dialog.show_problem(ops.describe_failure(error)),
                progress_label="Checking your password…",
            )

        dialog.sig_request_submitted.connect(submitted)
        self.dialog = _open(dialog)

    def _forgotten_found(
        self, dialog: ForgottenPasswordDialog, prepared: Any, school_name: str
    ) -> None:
        dialog.succeeded()
        self.dialog = show_learner_password(
            self.context, prepared, school_name, self.tab, notes=[OLD_PASSWORD]
        )

    @Slot()
    def confirm_selected(self) -> None:
        ids = [row.id for row in self.tab.selected_rows() if row.needs_check]
        if not ids:
            return
        actor = self.context.actor

        def confirm(session: Any, _p: ops.Progress) -> None:
            for learner_id in ids:
                confirm_checked(session, actor, learner_id)

        self.tab.select_after_load(set(ids))
        self.context.run(self.tab, confirm, write=True)

    @Slot()
    def merge_selected(self) -> None:
        row = self._one()
        if row is None:
            return
        dialog = MergeDialog(row, self.tab.model.rows(), self.tab)
        actor = self.context.actor

        def chosen(keep: int, remove: int, force: bool) -> None:
            self.tab.select_after_load({keep})
            self.context.run(
                dialog,
                lambda session, _p: merge_learners(session, actor, keep, remove, force=force),
                write=True,
                on_success=dialog.succeeded,
                on_failure=lambda error: dialog.show_problem(ops.describe_failure(error)),
            )

        dialog.sig_merge_chosen.connect(chosen)
        self.dialog = _open(dialog)

    # --- passwords, support requests, export ------------------------------------------------------
    @Slot()
    def secondary_passwords(self) -> None:
        def read(session: Any, _p: ops.Progress) -> SchoolSetup:
            school = get_school(session)
            return SchoolSetup(school.name, school.lowest_year, school.highest_year)

        self.context.run(
            self.tab,
            read,
            on_success=lambda setup: setattr(
                self, "dialog", show_secondary_passwords(self.context, setup, self.tab)
            ),
        )

    @Slot()
    def support_requests(self) -> None:
        self.dialog = show_support_requests(self.context, self.tab)

    @Slot()
    def export_shown(self) -> None:
        """Save the learners as filtered in the tab to a workbook (the export is audited)."""
        rows = self.tab.visible_rows()
        if not rows:
            ops.show_error(self.tab, "No learners are listed: change the search or filters.")
            return
        path, _filter = QFileDialog.getSaveFileName(
            self.tab, "Export learners", "learners.xlsx", "Excel workbook (*.xlsx)"
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        actor = self.context.actor
        self.context.run(
            self.tab,
            lambda session, _p: export_learners(session, actor, path, rows=rows),
            write=True,
            on_success=lambda written: self._tell(
                f"{count_of(len(rows), 'learner')} "
                f"{'was' if len(rows) == 1 else 'were'} saved to {written}."
            ),
            progress_label="Saving the learners…",
        )
