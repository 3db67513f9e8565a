"""The year-end wizard's steps as single service calls, each in the caller's one transaction.

:func:`run_year_end` is the wizard's Run step: the rollover (backup first), then the renames
the coordinator chose, then the draft thrown away; if any part fails, the transaction rolls
back and nothing has changed. :func:`undo_year_end` undoes the latest rollover and the
renames made with it. The rest are read-only helpers for the Year End tab and the wizard.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import GroupRenameBatch, YearEndRun
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.year_end import (
    Backup,
    LeavingDetails,
    RenameResult,
    RolloverResult,
    UndoResult,
    apply_rollover,
    rename_groups,
    undo_group_renames,
    undo_rollover,
)
from planit_desktop.model.services.year_end.draft import discard_draft

#: Reports a step: (done, total, text); the wizard shows it as progress.
Report = Callable[[int, int, str], None]


@dataclass(frozen=True)
class YearEndOutcome:
    """What the wizard's Run step did: the rollover, and the renames (if any were chosen)."""

    rollover: RolloverResult
    renamed: RenameResult | None


@dataclass(frozen=True)
class YearEndUndone:
    """What undoing the year end did. ``renames_kept`` says why renames were left, if so."""

    undo: UndoResult
    renames_undone: RenameResult | None
    renames_kept: str | None = None


def run_year_end(
    session: Session,
    actor: Actor,
    *,
    from_year: int,
    kept_back: Collection[int] = (),
    leaving: Mapping[int, LeavingDetails] | None = None,
    renames: Mapping[int, str] | None = None,
    backup: Backup | None = None,
    today: date | None = None,
    allow_early: bool = False,
    report: Report | None = None,
) -> YearEndOutcome:
    """Roll the school over out of ``from_year`` with the coordinator's exceptions, rename
    the chosen groups (one batch linked to the run), and discard the wizard's draft.

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
        kept_back=kept_back,
        leaving=leaving or {},
        today=today,
        allow_early=allow_early,
        from_year=from_year,
        backup=backup,
    )
    step(1, "Renaming the chosen groups…")
    renamed = rename_groups(session, actor, renames, run_id=rollover.run_id) if renames else None
    step(2, "Tidying up…")
    discard_draft(session, actor, from_year)
    step(3, "Done.")
    return YearEndOutcome(rollover, renamed)


def undo_year_end(
    session: Session,
    actor: Actor,
    *,
    move_added_back: bool = False,
    expected_added: Collection[int] | None = None,
) -> YearEndUndone:
    """Undo the latest rollover (learners edited since are left as they are and listed;
    learners added since move back a year group, if ``move_added_back``: see
    :func:`~planit_desktop.model.services.year_end.undo.undo_rollover`), then put back the
    group renames made with it if they can be; if they cannot (a group renamed again since),
    the renames stay and the result says why."""
    undone = undo_rollover(
        session,
        actor,
        keep_edited=True,
        move_added_back=move_added_back,
        expected_added=expected_added,
    )
    batch = session.scalars(
        select(GroupRenameBatch)
        .where(GroupRenameBatch.undone_at.is_(None))
        .order_by(GroupRenameBatch.id.desc())
        .limit(1)
    ).first()
    if batch is None or batch.run_id != undone.run_id:
        return YearEndUndone(undone, None)
    savepoint = session.begin_nested()
    try:
        renames = undo_group_renames(session, actor, batch.id)
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
