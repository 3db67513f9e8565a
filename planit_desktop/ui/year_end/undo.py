"""Undo the last rollover from the Year End tab: say exactly what will be put back, which
learners were changed since (they are left as they are) and which were added since (they move
back a year group with the school, named with their year groups before and after), then undo
after a yes, refused if more learners were added meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.services.year_end import UndoPreview, undo_preview
from planit_desktop.model.services.year_end.run import YearEndUndone, undo_year_end
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.ops import TITLE

_SHOWN = 10


def preview_text(preview: UndoPreview) -> str:
    """The question asked before undoing, in plain words."""
    when = preview.run_at
    text = (
        f"Undo the year end from {format_academic_year(preview.from_year)} to "
        f"{format_academic_year(preview.to_year)}, done on {when.day} {when:%B %Y at %H:%M} "
        f"by {preview.run_by}?\n\n"
        f"• {preview.learners_to_restore:,} learners get back their year group and status.\n"
        f"• {preview.access_to_reopen:,} supervisor group assignments are given back.\n"
        f"• The school goes back to {format_academic_year(preview.from_year)}.\n"
        "• Groups renamed with the year end get their old names back, if none was renamed "
        "again since."
    )
    if preview.edited:
        names = ", ".join(row.name for row in preview.edited[:_SHOWN])
        more = len(preview.edited) - _SHOWN
        text += (
            f"\n\n{len(preview.edited):,} learners were changed after the year end and will be "
            f"left as they are now: {names}" + (f" and {more:,} more" if more > 0 else "") + "."
        )
    if preview.added:
        names = ", ".join(
            f"{row.name} ({format_year_group(row.year_group)} → "
            f"{format_year_group(row.year_group - 1)}, {row.how})"
            for row in preview.added[:_SHOWN]
        )
        more = len(preview.added) - _SHOWN
        text += (
            f"\n\n{len(preview.added):,} learners were added after the year end, with year "
            f"groups of {format_academic_year(preview.to_year)}: {names}"
            + (f" and {more:,} more" if more > 0 else "")
            + f". They will move back a year group with the school, to where they were in "
            f"{format_academic_year(preview.from_year)}, so that doing the year end again "
            "puts them back where they were added."
        )
    return text


def result_text(undone: YearEndUndone) -> str:
    result = undone.undo
    text = (
        f"The year end was undone: the school is back in "
        f"{format_academic_year(result.from_year)}. {result.learners_restored:,} learners "
        f"restored, {result.access_reopened:,} group assignments given back."
    )
    if undone.renames_undone is not None:
        text += f" {len(undone.renames_undone.renamed):,} groups have their old names again."
    if undone.renames_kept:
        text += f" The group names were left as they are: {undone.renames_kept}"
    if result.edited:
        text += f" {len(result.edited):,} learners changed since were left as they are."
    if result.added:
        text += (
            f" {len(result.added):,} learners added since moved back a year group with the school."
        )
    return text


def undo_last_rollover(
    parent: QWidget, context: AppContext, on_done: Callable[[YearEndUndone], object] | None = None
) -> None:
    """Show what undo would do, ask, and undo (in the background) if the coordinator agrees."""
    actor = context.actor

    def ask(preview: UndoPreview) -> None:
        answer = QMessageBox.question(
            parent,
            TITLE,
            preview_text(preview),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        added = [row.learner_id for row in preview.added]

        def undo(session: Any, _progress: Any) -> YearEndUndone:
            context.database.check_integrity()  # never undo into a damaged file
            # Learners edited since were shown and are left as they are.
            return undo_year_end(
                session, actor, keep_edited=True, move_added_back=True, expected_added=added
            )

        context.run(
            parent,
            undo,
            write=True,
            on_success=done,
            progress_label="Undoing the year end…",
        )

    def done(undone: YearEndUndone) -> None:
        QMessageBox.information(parent, TITLE, result_text(undone))
        if on_done is not None:
            on_done(undone)

    context.run(parent, lambda session, _p: undo_preview(session, actor), on_success=ask)
