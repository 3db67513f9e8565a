"""Dialogs of the Groups tab: a group to choose, and what happens to a deleted group's members.

Like every :class:`~planit_desktop.ui.common.dialogs.ServiceDialog` they open without blocking
and stay open with the service's message when it refuses.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.services.groups.listing import GroupRow
from planit_desktop.ui.common.dialogs import ServiceDialog
from planit_desktop.ui.groups.history import learners


class GroupChooserDialog(ServiceDialog):
    """Choose another group (Move to…, Copy to…): type to narrow the list, Enter to choose."""

    #: The id of the group chosen.
    sig_group_chosen = Signal(int)

    def __init__(
        self, title: str, prompt: str, groups: Sequence[GroupRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(title, parent)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type to find a group…")
        self.search.setAccessibleName("Find a group")
        self.list = QListWidget()
        self.list.setAccessibleName("Groups")
        self.list.setAccessibleDescription(
            "The groups to choose from, with how many learners each holds."
        )
        for group in groups:
            item = QListWidgetItem(f"{group.name}  ({learners(group.member_count)})")
            item.setData(Qt.ItemDataRole.UserRole, group.id)
            self.list.addItem(item)
        if groups:
            self.list.setCurrentRow(0)
        for widget in (label, self.search, self.list):
            self.layout_.addWidget(widget)
        self.finish_layout()
        self.search.textChanged.connect(self._narrow)
        self.list.itemDoubleClicked.connect(lambda _item: self._submit())
        self.list.currentItemChanged.connect(lambda *_args: self._update_ok())
        self._update_ok()

    def choose(self, group_id: int) -> bool:
        """Make ``group_id`` the current choice (for the keyboard and tests)."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == group_id and not item.isHidden():
                self.list.setCurrentItem(item)
                return True
        return False

    def chosen_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None or item.isHidden() else item.data(Qt.ItemDataRole.UserRole)

    @Slot(str)
    def _narrow(self, text: str) -> None:
        wanted = text.casefold().strip()
        first = None
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(wanted not in item.text().casefold())
            if first is None and not item.isHidden():
                first = item
        current = self.list.currentItem()
        if current is None or current.isHidden():
            self.list.setCurrentItem(first)  # type: ignore[arg-type]  # None: no current item
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.chosen_id() is not None)

    @Slot()
    def _submit(self) -> None:
        chosen = self.chosen_id()
        if chosen is not None:
            self.set_busy(True)
            self.sig_group_chosen.emit(chosen)


class DeleteGroupDialog(ServiceDialog):
    """Delete a group, saying what happens to its members. The learners are always kept."""

    #: Move the members to this group id (or None), and whether to take them out instead.
    sig_delete_confirmed = Signal(object, bool)

    def __init__(
        self, group: GroupRow, others: Sequence[GroupRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(f"Delete group {group.name}", parent)
        self.group = group
        if group.member_count:
            text = (
                f"“{group.name}” has {learners(group.member_count)} on roll. What should "
                "happen to its members? The learners themselves are never deleted."
            )
        else:
            text = f"Delete the group “{group.name}”? It has no learners on roll."
        question = QLabel(text)
        question.setWordWrap(True)
        self.layout_.addWidget(question)

        self.choice = QWidget()
        choice_layout = QVBoxLayout(self.choice)
        choice_layout.setContentsMargins(0, 0, 0, 0)
        self.move_option = QRadioButton("Move them to this group:")
        self.target = QComboBox()
        self.target.setAccessibleName("Group to move the members to")
        for other in others:
            self.target.addItem(other.name, other.id)
        self.remove_option = QRadioButton(
            "Take them out of the group (they stay on roll, in their other groups)"
        )
        self.options = QButtonGroup(self)
        for option in (self.move_option, self.remove_option):
            self.options.addButton(option)
        for widget in (self.move_option, self.target, self.remove_option):
            choice_layout.addWidget(widget)
        self.layout_.addWidget(self.choice)
        self.finish_layout()
        # Nothing is chosen for the coordinator: deleting with members needs a decision.
        self.choice.setVisible(group.member_count > 0)
        if not others:
            self.move_option.setEnabled(False)
            self.target.setEnabled(False)
        self.target.currentIndexChanged.connect(lambda _i: self.move_option.setChecked(True))
        self.options.buttonToggled.connect(lambda *_args: self._update_ok())
        self._update_ok()
        self.ok_button.setText("Delete group")

    def _update_ok(self) -> None:
        needs_choice = self.choice.isVisibleTo(self) or self.group.member_count > 0
        self.ok_button.setEnabled(not needs_choice or self.options.checkedButton() is not None)

    def show_problem(self, message: str) -> None:
        # Refused because of members (those who have left count too): ask what to do.
        self.choice.setVisible(True)
        super().show_problem(message)
        self._update_ok()

    @Slot()
    def _submit(self) -> None:
        move_to = self.target.currentData() if self.move_option.isChecked() else None
        self.set_busy(True)
        self.sig_delete_confirmed.emit(move_to, self.remove_option.isChecked())
