"""The one way into the year end, for the window and the command line alike.

:func:`run_year_end` takes the coordinator's :class:`YearEndChoices` and does the whole year
end in the caller's one transaction: the backup, the rollover, the renames chosen (one batch
linked to the run), and the wizard's draft thrown away; if any part fails, the transaction
rolls back and nothing has changed. :func:`undo_year_end` undoes the latest rollover and the
renames made with it. The rest are read-only helpers for the Year End tab and the wizard.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import YearEndRun
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.groups.batches import RenameResult, undo_rename_batch
from planit_desktop.model.services.year_end.apply import RolloverResult, apply_rollover
from planit_desktop.model.services.year_end.backup import backup_of
from planit_desktop.model.services.year_end.choices import YearEndChoices
from planit_desktop.model.services.year_end.draft import discard_draft
from planit_desktop.model.services.year_end.renames import batch_of_run, rename_after_rollover
from planit_desktop.model.services.year_end.undo import UndoResult, undo_rollover

#: Reports a step: (done, total, text); the wizard shows it as progress.
Report = Callable[[int, int, str], None]


@dataclass(frozen=True)
class YearEndOutcome:
    """What the year end did: the rollover, and the renames (if any were chosen)."""

    rollover: RolloverResult
    renamed: RenameResult | None

    def to_json(self) -> dict[str, Any]:
        """The rollover's JSON with the groups renamed (the command line's ``--json``)."""
        renamed = [] if self.renamed is None else self.renamed.to_json()["renamed"]
        return self.rollover.to_json() | {"groups_renamed": renamed}


@dataclass(frozen=True)
class YearEndUndone:
    """What undoing the year end did. ``renames_kept`` says why renames were left, if so."""

    undo: UndoResult
    renames_undone: RenameResult | None
    renames_kept: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The undo's JSON with the renames put back (the command line's ``--json``)."""
        undone = [] if self.renames_undone is None else self.renames_undone.to_json()["renamed"]
        return self.undo.to_json() | {
            "group_renames_undone": undone,
            "group_renames_kept": self.renames_kept,
        }


def run_year_end(
    session: Session,
    actor: Actor,
    choices: YearEndChoices,
    *,
    from_year: int,
    today: date | None = None,
    allow_early: bool = False,
    report: Report | None = None,
) -> YearEndOutcome:
    """Roll the school over out of ``from_year`` with the coordinator's ``choices``: a backup
    of the whole database first (a file beside a SQLite database; a server's own backups
    cover a server), then the rollover, then the chosen renames (one batch linked to the
    run), then the wizard's draft discarded.

    All in the caller's transaction: a refusal or failure at any step (too early, already
    done, backup not written, a rename that clashes) leaves nothing changed.
    """

    def step(done: int, text: str) -> None:
        if report is not None:
            report(done, 3, text)

    step(0, "Taking a backup, then moving learners up…")
    rollover = apply_rollover(
        session,
        actor,
        choices,
        today=today,
        allow_early=allow_early,
        from_year=from_year,
        backup=backup_of(session),
    )
    step(1, "Renaming the chosen groups…")
    renamed = (
        rename_after_rollover(session, actor, rollover.run_id, choices.renames)
        if choices.renames
        else None
    )
    step(2, "Tidying up…")
    discard_draft(session, actor, from_year)
    step(3, "Done.")
    return YearEndOutcome(rollover, renamed)


def undo_year_end(
    session: Session,
    actor: Actor,
    *,
    keep_edited: bool = False,
    move_added_back: bool = False,
    expected_added: Collection[int] | None = None,
) -> YearEndUndone:
    """Undo the latest rollover (see
    :func:`~planit_desktop.model.services.year_end.undo.undo_rollover`: learners edited since
    refuse it unless ``keep_edited``, and are then left as they are and listed; learners
    added since refuse it unless ``move_added_back``, and then move back a year group), then
    put back the group renames made with it if they can be; if they cannot (a group renamed
    again since), the renames stay and the result says why."""
    undone = undo_rollover(
        session,
        actor,
        keep_edited=keep_edited,
        move_added_back=move_added_back,
        expected_added=expected_added,
    )
    batch_id = batch_of_run(session, undone.run_id)
    if batch_id is None:
        return YearEndUndone(undone, None)
    savepoint = session.begin_nested()
    try:
        renames = undo_rename_batch(session, actor, batch_id)
    except Refused as refused:
        savepoint.rollback()
        return YearEndUndone(undone, None, refused.message)
    savepoint.commit()
    return YearEndUndone(undone, renames)


@dataclass(frozen=True)
class RolloverCounts:
    """Learners on roll per year group before and after the latest rollover (not undone)."""

    from_year: int
    to_year: int
    before: dict[int, int]
    after: dict[int, int]


def last_rollover_counts(session: Session) -> RolloverCounts | None:
    """The before and after figures the latest standing rollover stored in its summary."""
    run = session.scalars(
        select(YearEndRun)
        .where(YearEndRun.undone_at.is_(None))
        .order_by(YearEndRun.id.desc())
        .limit(1)
    ).first()
    if run is None:
        return None
    try:
        summary = json.loads(run.summary or "{}")
        before = {int(k): int(v) for k, v in summary["learners_by_year_before"].items()}
        after = {int(k): int(v) for k, v in summary["learners_by_year_after"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a summary from an older program: no figures to show
    return RolloverCounts(run.from_year, run.to_year, before, after)
