"""Undoing the latest rollover from its journal: exactly what it changed, nothing else.

Learners edited since the rollover (their version moved on) are never overwritten: the
preview lists them, and the undo refuses unless the coordinator agrees to leave them as
they are (``keep_edited``), in which case they are reported in the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import Learner, School, SupervisorAccess, YearEndRun
from planit_desktop.model.errors import Refused
from planit_desktop.model.rollover_entities import RolloverJournal
from planit_desktop.model.services import audit
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.rollover import journal
from planit_desktop.model.services.rollover.apply import describe_run
from planit_desktop.model.services.rollover.plan import current_school

_SHOWN = 10  # learners named in a refusal message; the rest are counted


@dataclass(frozen=True)
class EditedLearner:
    """A learner changed after the rollover; undo leaves them as they are now."""

    learner_id: int
    name: str
    upn: str | None
    year_group: int
    status: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.learner_id,
            "name": self.name,
            "upn": self.upn,
            "year_group": self.year_group,
            "status": self.status,
        }


@dataclass(frozen=True)
class UndoPreview:
    """What undoing the latest rollover would revert, and which learners it would skip."""

    run_id: int
    from_year: int
    to_year: int
    run_at: datetime
    run_by: str
    learners_to_restore: int
    access_to_reopen: int
    edited: tuple[EditedLearner, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "from_year": format_academic_year(self.to_year),
            "to_year": format_academic_year(self.from_year),
            "rollover_run_at": self.run_at.isoformat(timespec="seconds"),
            "rollover_run_by": self.run_by,
            "learners_to_restore": self.learners_to_restore,
            "access_to_reopen": self.access_to_reopen,
            "edited_since": [row.to_json() for row in self.edited],
        }


@dataclass(frozen=True)
class UndoResult:
    """What an undo did. ``edited`` are learners left as they were (changed since)."""

    run_id: int
    from_year: int
    to_year: int
    learners_restored: int
    access_reopened: int
    edited: tuple[EditedLearner, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "undone": True,
            "academic_year": format_academic_year(self.from_year),
            "learners_restored": self.learners_restored,
            "access_reopened": self.access_reopened,
            "edited_since": [row.to_json() for row in self.edited],
        }


def latest_undoable_run(session: Session, school: School) -> YearEndRun | None:
    """The rollover that brought the school into its current academic year, if not undone."""
    return session.scalars(
        select(YearEndRun)
        .where(YearEndRun.to_year == school.academic_year, YearEndRun.undone_at.is_(None))
        .order_by(YearEndRun.id.desc())
        .limit(1)
    ).first()


def _run_to_undo(session: Session, school: School) -> YearEndRun:
    run = latest_undoable_run(session, school)
    if run is None:
        raise Refused(
            f"There is no rollover to undo: no rollover into "
            f"{format_academic_year(school.academic_year)} is recorded (or it was already "
            "undone). Nothing was changed."
        )
    return run


def edited_since(session: Session, run_id: int) -> tuple[EditedLearner, ...]:
    """Learners the run changed whose record has been changed again since."""
    j = RolloverJournal
    rows = session.execute(
        select(
            Learner.id,
            Learner.first_names,
            Learner.surname,
            Learner.upn,
            Learner.year_group,
            type_coerce(Learner.status, String),
        )
        .join(j, j.learner_id == Learner.id)
        .where(j.run_id == run_id, Learner.version != j.new_version)
        .order_by(Learner.surname, Learner.first_names, Learner.id)
    )
    return tuple(
        EditedLearner(learner_id, f"{first} {surname}", upn, year, status)
        for learner_id, first, surname, upn, year, status in rows
    )


def undo_preview(session: Session, actor: Actor) -> UndoPreview:
    """Say what undoing the latest rollover would revert and which learners it would skip."""
    require_administrator(session, actor, "undo the year-end rollover")
    school = current_school(session)
    run = _run_to_undo(session, school)
    edited = edited_since(session, run.id)
    reopen = session.scalar(
        select(func.count())
        .select_from(SupervisorAccess)
        .where(SupervisorAccess.ended_by_run_id == run.id)
    )
    return UndoPreview(
        run_id=run.id,
        from_year=run.from_year,
        to_year=run.to_year,
        run_at=run.run_at,
        run_by=run.run_by,
        learners_to_restore=journal.count_journal(session, run.id) - len(edited),
        access_to_reopen=int(reopen or 0),
        edited=edited,
    )


def _list(edited: tuple[EditedLearner, ...]) -> str:
    names = ", ".join(f"{row.name} ({row.upn or 'no UPN'})" for row in edited[:_SHOWN])
    more = len(edited) - _SHOWN
    return names + (f" and {more} more" if more > 0 else "")


def undo_rollover(session: Session, actor: Actor, *, keep_edited: bool = False) -> UndoResult:
    """Undo the latest rollover from its journal, in the caller's transaction.

    Restores year groups, statuses and leaving dates and reasons of the learners it changed,
    re-opens the group access it ended, and moves the school back to the earlier academic
    year. Learners edited since the rollover are never overwritten: unless ``keep_edited``,
    their presence refuses the undo (naming them); with it, they are left as they are and
    listed in the result. Group renames made after the rollover are a separate step
    (``undo_group_renames``). Raises Refused when there is nothing to undo.
    """
    require_administrator(session, actor, "undo the year-end rollover")
    school = current_school(session, lock=True)
    run = _run_to_undo(session, school)
    edited = edited_since(session, run.id)
    if edited and not keep_edited:
        raise Refused(
            f"{len(edited)} learner{'s were' if len(edited) > 1 else ' was'} changed after the "
            f"rollover {describe_run(run)}: {_list(edited)}. Undo would not overwrite "
            "them; undo anyway and leave them as they are, or correct them first. "
            "Nothing was changed."
        )
    detail = (
        f"Undo of the year-end rollover {format_academic_year(run.from_year)} → "
        f"{format_academic_year(run.to_year)} (run {run.id})"
    )
    journal.audit_journal(
        session,
        actor,
        run.id,
        action="rollover_undone",
        detail=detail,
        reverse=True,
        only=journal.LEARNER.c.version == journal.JOURNAL.c.new_version,
        join_learner=True,
    )
    restored = journal.revert_journal(session, run.id)
    journal.audit_access(
        session, actor, run.id, action="access_reopened", detail=detail, ended=False
    )
    reopened = journal.reopen_access(session, run.id)
    school.academic_year = run.from_year
    run.undone_at = datetime.now().replace(microsecond=0)
    run.undone_by = actor.login
    audit.record(
        session,
        actor,
        "rollover_undone",
        entity="year_end_run",
        entity_id=run.id,
        field="academic_year",
        old=format_academic_year(run.to_year),
        new=format_academic_year(run.from_year),
        detail=f"{detail}: {restored} learners restored, {reopened} group access re-opened"
        + (f", {len(edited)} edited since left as they are" if edited else ""),
    )
    session.flush()
    return UndoResult(
        run_id=run.id,
        from_year=run.from_year,
        to_year=run.to_year,
        learners_restored=restored,
        access_reopened=reopened,
        edited=edited,
    )
