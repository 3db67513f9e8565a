"""File ▸ School details…: the school's name and DfE number, which the School Support Team
finds a school by. The support-request export opens the same dialog when the number is not
recorded yet, and carries on once it is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from planit_desktop.model.services.school import (
    SchoolDetails,
    school_details,
    set_school_details,
)
from planit_desktop.ui import ops
from planit_desktop.ui.common.dialogs import ServiceDialog
from planit_desktop.ui.common.roles import explain_unavailable

if TYPE_CHECKING:
    from planit_desktop.ui.context import AppContext

WHY = (
    "The School Support Team finds a school by its DfE number: the local authority code "
    "(3 digits) and the establishment number (4 digits), written 123/4567. Support requests "
    "carry it."
)


class SchoolDetailsDialog(ServiceDialog):
    """The school's name, local authority code and establishment number; OK saves them."""

    #: The details were saved (a SchoolDetails).
    sig_details_saved = Signal(object)

    def __init__(
        self, context: AppContext, details: SchoolDetails, parent: QWidget | None = None
    ) -> None:
        super().__init__("School details", parent)
        self.context = context
        why = QLabel(WHY)
        why.setWordWrap(True)
        self.name_edit = QLineEdit(details.name)
        self.la_code_edit = QLineEdit(details.la_code or "")
        self.la_code_edit.setPlaceholderText("123")
        self.la_code_edit.setMaxLength(5)  # room for stray spaces; the service checks digits
        self.establishment_edit = QLineEdit(details.establishment_number or "")
        self.establishment_edit.setPlaceholderText("4567")
        self.establishment_edit.setMaxLength(6)
        form = QFormLayout()
        form.addRow("School &name:", self.name_edit)
        form.addRow("&Local authority code:", self.la_code_edit)
        form.addRow("&Establishment number:", self.establishment_edit)
        for label, edit in (
            ("School name", self.name_edit),
            ("Local authority code", self.la_code_edit),
            ("Establishment number", self.establishment_edit),
        ):
            edit.setAccessibleName(label)
            edit.textEdited.connect(lambda _text: self.problem.hide())
        self.layout_.addWidget(why)
        self.layout_.addLayout(form)
        self.finish_layout()
        reason = explain_unavailable(context.actor, "change the school's details")
        if reason:
            for edit in (self.name_edit, self.la_code_edit, self.establishment_edit):
                edit.setReadOnly(True)
            self.show_problem(reason)
            self.ok_button.setEnabled(False)
        elif details.la_code:
            self.establishment_edit.setFocus()
        else:
            self.la_code_edit.setFocus()

    @Slot()
    def _submit(self) -> None:
        self.set_busy(True)
        actor = self.context.actor
        name, la_code = self.name_edit.text(), self.la_code_edit.text()
        establishment = self.establishment_edit.text()
        self.context.run(
            self,
            lambda session, _p: set_school_details(
                session, actor, name=name, la_code=la_code, establishment_number=establishment
            ),
            write=True,
            on_success=self._saved,
            on_failure=lambda error: self.show_problem(ops.describe_failure(error)),
        )

    def _saved(self, details: SchoolDetails) -> None:
        self.sig_details_saved.emit(details)
        self.succeeded(details)


def show_school_details(
    context: AppContext,
    parent: QWidget | None,
    *,
    then: Callable[[SchoolDetails], object] | None = None,
    note: str | None = None,
) -> None:
    """Read the school's details and open the dialog on them; ``then`` runs once saved.

    ``note`` (e.g. why the dialog opened) is shown above the form.
    """

    def opened(details: SchoolDetails) -> None:
        dialog = SchoolDetailsDialog(context, details, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if note:
            label = QLabel(note)
            label.setWordWrap(True)
            label.setObjectName("note")
            dialog.layout_.insertWidget(0, label)
        if then is not None:
            dialog.sig_details_saved.connect(then)
        opened_dialogs.append(dialog)
        dialog.finished.connect(lambda _code: opened_dialogs.remove(dialog))
        dialog.open()

    context.run(
        parent,
        lambda session, _p: school_details(session),
        on_success=opened,
        on_failure=lambda error: ops.show_error(parent, ops.describe_failure(error)),
    )


#: The dialogs open now (kept referenced while open; tests find them here).
opened_dialogs: list[SchoolDetailsDialog] = []
