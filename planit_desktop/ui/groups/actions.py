"""What the Groups tab can do (administrators): each action opens a dialog if it needs one,
runs the group service through the context, and records what can be undone.

Every change is ``context.run(..., write=True)``: the tab refreshes itself on the
data-changed signal that follows, which says what the change audited (membership changes
touch the Learners tab too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QWidget

from planit_desktop.model.services.groups import editing as group_changes
from planit_desktop.model.services.groups.batches import rename_in_batch
from planit_desktop.model.services.groups.listing import GroupRow, list_groups
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.model.services.year_end import suggest_group_renames
from planit_desktop.ui.common.dialogs import NameDialog
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.groups.add_learners import AddLearnersDialog
from planit_desktop.ui.groups.dialogs import DeleteGroupDialog, GroupChooserDialog
from planit_desktop.ui.groups.history import (
    CreatedGroupEntry,
    GroupChangeEntry,
    RenameBatchEntry,
    batch_description,
    learners,
)
from planit_desktop.ui.groups.tables import DropTargetGroupModel
from planit_desktop.ui.groups.year_renames import RenameYearGroupsDialog
from planit_desktop.ui.ops import describe_failure
from planit_desktop.ui.undo import Undoable, history_for

if TYPE_CHECKING:
    from planit_desktop.model.services.groups.editing import Change


class GroupsView(Protocol):
    """The Groups tab as its actions use it (a QWidget: the parent of their dialogs)."""

    context: AppContext
    groups_model: DropTargetGroupModel

    def selected_group(self) -> GroupRow | None: ...

    def selected_learner_ids(self) -> list[int]: ...

    def select_after_load(self, group_id: int | None) -> None: ...


def _created(change: Change, typed: str) -> CreatedGroupEntry:
    name = group_changes.normalise_group_name(typed)  # as the service stored it
    return CreatedGroupEntry(f"creation of group {name}", change, name)


class GroupActions(QObject):
    """The Groups tab's actions, its dialogs, and what they record for Edit ▸ Undo."""

    def __init__(self, tab: GroupsView) -> None:
        super().__init__(cast(QWidget, tab))
        self.tab = cast(Any, tab)  # a GroupsView, and the QWidget its dialogs belong to
        self.context = tab.context
        self.history = history_for(tab.context)
        #: The dialog open now (one at a time), for the keyboard and tests.
        self.dialog: QDialog | None = None
        self.new_group = self._action("&New group…", self.ask_new_group, "Ctrl+Shift+N")
        self.rename = self._action("&Rename…", self.ask_rename, QKeySequence(Qt.Key.Key_F2))
        self.delete = self._action("&Delete…", self.ask_delete)
        self.rename_year_groups = self._action(
            "Rename &year-named groups…", self.ask_rename_year_groups
        )
        self.add_learners = self._action("&Add learners…", self.ask_add_learners, "Ctrl+Shift+A")
        self.remove = self._action(
            "Remove from &group", self.remove_selected, QKeySequence(Qt.Key.Key_Delete)
        )
        self.move_to = self._action("&Move to…", lambda: self.ask_move_or_copy(False), "Ctrl+M")
        self.copy_to = self._action(
            "&Copy to…", lambda: self.ask_move_or_copy(True), "Ctrl+Shift+M"
        )
        self.group_actions = (self.new_group, self.rename, self.delete, self.rename_year_groups)
        self.member_actions = (self.add_learners, self.remove, self.move_to, self.copy_to)
        self.all = self.group_actions + self.member_actions

    def _action(self, text: str, slot: Callable[[], object], shortcut: Any = None) -> QAction:
        action = QAction(text, self.tab)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            # Shortcuts work while the Groups tab has the focus, not from other tabs.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.tab.addAction(action)
        return action

    def update_enabled(self) -> None:
        group = self.tab.selected_group()
        members = bool(self.tab.selected_learner_ids())
        self.rename.setEnabled(group is not None)
        self.delete.setEnabled(group is not None)
        self.add_learners.setEnabled(group is not None)
        for action in (self.remove, self.move_to, self.copy_to):
            action.setEnabled(group is not None and members)

    # --- running a change -------------------------------------------------------------------
    def _change(
        self,
        fn: Callable[[Any], Change],
        entry: Callable[[Change], Undoable | None],
        dialog: Any = None,
        after: Callable[[Change], object] | None = None,
    ) -> None:
        """Run ``fn(session)`` as one write; on success record ``entry(change)`` for Undo and
        close the dialog; on refusal show the service's message in the dialog (or a box)."""

        def succeeded(change: Change) -> None:
            recorded = entry(change)
            if recorded is not None:
                self.history.push(recorded)
            if dialog is not None:
                dialog.succeeded(change)
            if after is not None:
                after(change)

        def failed(error: BaseException) -> None:
            if dialog is not None:
                dialog.show_problem(describe_failure(error))
            else:
                from planit_desktop.ui.ops import show_error

                show_error(self.tab, describe_failure(error))

        self.context.run(
            self.tab,
            lambda session, _progress: fn(session),
            write=True,
            on_success=succeeded,
            on_failure=failed,
        )

    def _open(self, dialog: QDialog) -> QDialog:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()
        return dialog

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    # --- groups -----------------------------------------------------------------------------
    @Slot()
    def ask_new_group(self) -> None:
        dialog = NameDialog("New group", "Name of the new group:", parent=self.tab)
        actor = self.context.actor

        def submitted(name: str) -> None:
            self._change(
                lambda s: group_changes.create_group(s, actor, name),
                lambda change: _created(change, name),
                dialog,
                after=lambda change: self.tab.select_after_load(change.created_group_id),
            )

        dialog.sig_name_submitted.connect(submitted)
        self._open(dialog)

    @Slot()
    def ask_rename(self) -> None:
        group = self.tab.selected_group()
        if group is None:
            return
        dialog = NameDialog(
            f"Rename {group.name}", f"New name for “{group.name}”:", group.name, self.tab
        )
        actor = self.context.actor

        def submitted(name: str) -> None:
            self._change(
                lambda s: group_changes.rename_group(s, actor, group.id, name),
                lambda change: GroupChangeEntry(
                    f"rename of {change.renamed[0][1]} to {change.renamed[0][2]}", change
                ),
                dialog,
            )

        dialog.sig_name_submitted.connect(submitted)
        self._open(dialog)

    @Slot()
    def ask_delete(self) -> None:
        group = self.tab.selected_group()
        if group is None:
            return
        others = [g for g in self.tab.groups_model.rows() if g.id != group.id]
        dialog = DeleteGroupDialog(group, others, self.tab)
        actor = self.context.actor

        def confirmed(move_to: int | None, take_out: bool) -> None:
            # Not undoable: the group and its supervisors' access are gone. Nothing older in
            # the history is dropped; each entry checks the data itself when undone.
            self._change(
                lambda s: group_changes.delete_group(
                    s, actor, group.id, move_members_to=move_to, remove_members=take_out
                ),
                lambda _change: None,
                dialog,
                after=lambda _change: self.tab.select_after_load(move_to),
            )

        dialog.sig_delete_confirmed.connect(confirmed)
        self._open(dialog)

    @Slot()
    def ask_rename_year_groups(self) -> None:
        dialog = RenameYearGroupsDialog(self.tab)
        actor = self.context.actor

        def load(session: Any, _progress: Any) -> tuple[Any, dict[int, str]]:
            suggestions = suggest_group_renames(session, actor)
            current = {g.id: g.name for g in list_groups(session, actor)}
            return suggestions, current

        self.context.run(
            dialog,
            load,
            on_success=lambda data: dialog.set_suggestions(*data),
            on_failure=lambda error: dialog.show_problem(describe_failure(error)),
        )

        def submitted(renames: dict[int, str]) -> None:
            def succeeded(result: Any) -> None:
                self.history.push(
                    RenameBatchEntry(batch_description(len(result.renamed)), result.batch_id,
                                     {r.group_id: r.new for r in result.renamed})
                )  # fmt: skip
                dialog.succeeded(result)

            self.context.run(
                self.tab,
                lambda session, _progress: rename_in_batch(session, actor, renames),
                write=True,
                on_success=succeeded,
                on_failure=lambda error: dialog.show_problem(describe_failure(error)),
            )

        dialog.sig_renames_submitted.connect(submitted)
        self._open(dialog)

    # --- members ----------------------------------------------------------------------------
    @Slot()
    def ask_add_learners(self) -> None:
        group = self.tab.selected_group()
        if group is None:
            return
        dialog = AddLearnersDialog(group.name, self.tab)
        actor = self.context.actor
        self.context.run(
            dialog,
            lambda session, _progress: list_learners(session, actor, include_left=False),
            on_success=dialog.set_learners,
            on_failure=lambda error: dialog.show_problem(describe_failure(error)),
        )

        def chosen(ids: tuple[int, ...]) -> None:
            self._change(
                lambda s: group_changes.add_members(s, actor, group.id, ids),
                lambda change: GroupChangeEntry(
                    f"adding {learners(len(change.added))} to {group.name}", change
                ),
                dialog,
            )

        dialog.sig_learners_chosen.connect(chosen)
        self._open(dialog)

    @Slot()
    def remove_selected(self) -> None:
        group, ids = self.tab.selected_group(), self.tab.selected_learner_ids()
        if group is None or not ids:
            return
        actor = self.context.actor
        # No question asked: Edit ▸ Undo puts them back, and the learners are untouched.
        self._change(
            lambda s: group_changes.remove_members(s, actor, group.id, ids),
            lambda change: GroupChangeEntry(
                f"removal of {learners(len(change.removed))} from {group.name}", change
            ),
        )

    @Slot()
    def ask_move_or_copy(self, copy: bool) -> None:
        """The keyboard's way to do what dragging does: choose the group in a list."""
        group, ids = self.tab.selected_group(), self.tab.selected_learner_ids()
        if group is None or not ids:
            return
        others = [g for g in self.tab.groups_model.rows() if g.id != group.id]
        verb = "Copy" if copy else "Move"
        dialog = GroupChooserDialog(
            f"{verb} to another group",
            f"{verb} {learners(len(ids))} from {group.name} to:",
            others,
            self.tab,
        )
        dialog.sig_group_chosen.connect(
            lambda target: self.move_or_copy(group.id, target, ids, copy, dialog)
        )
        self._open(dialog)

    def move_or_copy(
        self, from_id: int, to_id: int, ids: Sequence[int], copy: bool, dialog: Any = None
    ) -> None:
        """Move (or copy) learners between groups: from a drop, or from the chooser."""
        actor = self.context.actor
        names = {g.id: g.name for g in self.tab.groups_model.rows()}
        target = names.get(to_id, "the group")
        service = group_changes.copy_members if copy else group_changes.move_members
        self._change(
            lambda s: service(s, actor, from_id, to_id, list(ids)),
            lambda change: GroupChangeEntry(
                f"{'copy' if copy else 'move'} of {learners(len(ids))} to {target}", change
            ),
            dialog,
        )
