"""Undoing the latest rollover from its journal: exactly what it changed, nothing else.

Learners edited since the rollover (their version moved on) are never overwritten: the
preview lists them, and the undo refuses unless the coordinator agrees to leave them as
they are (``keep_edited``), in which case they are reported in the result.

Learners added since the rollover (imported, reinstated by an import, created in class) were
given a year group of the new academic year. Left as they are, a new Year 7 would sit in
last year's Year 7 once the school is back in it, and move into Year 8 when the year end is
done again. So undo moves them back a year group with the school (a new Year 7 is in Year 6,
as they were in the earlier year; doing the year end again puts them back where they were
added). The preview lists them, and the undo refuses unless the coordinator agrees to that
(``move_added_back``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, type_coerce, update
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import (
    AuditEntry,
    Learner,
    RolloverJournal,
    School,
    SupervisorAccess,
    YearEndRun,
)
from planit_desktop.model.errors import Refused
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services import audit
from planit_desktop.model.services._sql import chunks
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import get_school
from planit_desktop.model.services.year_end import journal, rule
from planit_desktop.model.services.year_end.apply import describe_run
from planit_desktop.model.validation.years import format_year_group

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
class AddedLearner:
    """A learner added after the rollover; undo moves them back a year group with the school."""

    learner_id: int
    name: str
    upn: str | None
    year_group: int
    how: str  # "imported", "created in class", "reinstated by an import"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.learner_id,
            "name": self.name,
            "upn": self.upn,
            "year_group": self.year_group,
            "year_group_after_undo": rule.moved_back(self.year_group),
            "added": self.how,
        }


class LearnersAddedSince(Refused):
    """Undo refused: learners were added since the rollover, and moving them back was not agreed."""

    def __init__(self, message: str, added: tuple[AddedLearner, ...]) -> None:
        super().__init__(message)
        self.added = added


#: The audit actions that add a learner with a year group of the school's current year.
ADDED_ACTIONS = {
    "learner created": "imported",
    "learner_quick_created": "created in class",
    "learner reinstated": "reinstated by an import",
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
    added: tuple[AddedLearner, ...] = ()

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
            "added_since": [row.to_json() for row in self.added],
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
    #: Learners added since the rollover, moved back a year group with the school.
    added: tuple[AddedLearner, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "undone": True,
            "academic_year": format_academic_year(self.from_year),
            "learners_restored": self.learners_restored,
            "access_reopened": self.access_reopened,
            "edited_since": [row.to_json() for row in self.edited],
            "added_since_moved_back": [row.to_json() for row in self.added],
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


def added_since(session: Session, run: YearEndRun) -> tuple[AddedLearner, ...]:
    """Learners on roll added after ``run`` (imported, reinstated by an import, created in
    class), as the audit records them: the entries written after the run's own."""
    mark = session.scalar(
        select(func.max(AuditEntry.id)).where(
            AuditEntry.action == "rollover",
            AuditEntry.entity == "year_end_run",
            AuditEntry.entity_id == run.id,
        )
    )
    if mark is None:
        return ()
    how: dict[int, str] = {}
    for learner_id, action in session.execute(
        select(AuditEntry.entity_id, AuditEntry.action)
        .where(
            AuditEntry.id > mark,
            AuditEntry.entity == "learner",
            AuditEntry.action.in_(ADDED_ACTIONS),
        )
        .order_by(AuditEntry.id)
    ):
        if learner_id is not None:
            how.setdefault(learner_id, ADDED_ACTIONS[action])
    if not how:
        return ()
    journalled = select(RolloverJournal.learner_id).where(RolloverJournal.run_id == run.id)
    found: list[AddedLearner] = []
    ids = sorted(how)
    for chunk in chunks(ids):
        rows = session.execute(
            select(
                Learner.id, Learner.first_names, Learner.surname, Learner.upn, Learner.year_group
            ).where(
                Learner.id.in_(chunk),
                Learner.id.not_in(journalled),
                Learner.status == LearnerStatus.ON_ROLL,
            )
        )
        found.extend(
            AddedLearner(learner_id, f"{first} {surname}", upn, year, how[learner_id])
            for learner_id, first, surname, upn, year in rows
        )
    found.sort(key=lambda row: (row.year_group, row.name.casefold(), row.learner_id))
    return tuple(found)


def undo_preview(session: Session, actor: Actor) -> UndoPreview:
    """Say what undoing the latest rollover would revert and which learners it would skip."""
    require_administrator(session, actor, "undo the year-end rollover")
    school = get_school(session)
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
        added=added_since(session, run),
    )


def _list(edited: tuple[EditedLearner, ...]) -> str:
    names = ", ".join(f"{row.name} ({row.upn or 'no UPN'})" for row in edited[:_SHOWN])
    more = len(edited) - _SHOWN
    return names + (f" and {more} more" if more > 0 else "")


def undo_rollover(
    session: Session,
    actor: Actor,
    *,
    keep_edited: bool = False,
    move_added_back: bool = False,
    expected_added: Collection[int] | None = None,
) -> UndoResult:
    """Undo the latest rollover from its journal, in the caller's transaction.

    Restores year groups, statuses and leaving dates and reasons of the learners it changed,
    re-opens the group access it ended, and moves the school back to the earlier academic
    year. Learners edited since the rollover are never overwritten: unless ``keep_edited``,
    their presence refuses the undo (naming them); with it, they are left as they are and
    listed in the result. Learners added since the rollover are moved back a year group with
    the school (see the module's description): unless ``move_added_back``, their presence
    refuses the undo (:class:`LearnersAddedSince`, naming them). ``expected_added`` (the ids
    the coordinator was shown) refuses the undo if others were added meanwhile. Group
    renames made after the rollover are a separate step (``undo_group_renames``). Raises
    Refused when there is nothing to undo.
    """
    require_administrator(session, actor, "undo the year-end rollover")
    school = get_school(session, lock=True)
    run = _run_to_undo(session, school)
    edited = edited_since(session, run.id)
    if edited and not keep_edited:
        raise Refused(
            f"{len(edited)} learner{'s were' if len(edited) > 1 else ' was'} changed after the "
            f"rollover {describe_run(run)}: {_list(edited)}. Undo would not overwrite "
            "them; undo anyway and leave them as they are, or correct them first. "
            "Nothing was changed."
        )
    added = added_since(session, run)
    if added and not move_added_back:
        raise LearnersAddedSince(
            f"{len(added)} learner{'s were' if len(added) > 1 else ' was'} added after the "
            f"rollover {describe_run(run)}: {_list_added(added)}. Their year groups are "
            f"those of {format_academic_year(run.to_year)}, so undo would move them back a "
            f"year group with the school, to where they were in "
            f"{format_academic_year(run.from_year)} (doing the year end again puts them back "
            "where they were added). Undo only if that is agreed. Nothing was changed.",
            added,
        )
    if expected_added is not None and set(expected_added) != {a.learner_id for a in added}:
        raise Refused(
            "Learners were added or changed since the undo was looked at: look at what undo "
            "will do again. Nothing was changed."
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
    _move_back(session, actor, added, detail)
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
        + (f", {len(edited)} edited since left as they are" if edited else "")
        + (f", {len(added)} added since moved back a year group" if added else ""),
    )
    session.flush()
    return UndoResult(
        run_id=run.id,
        from_year=run.from_year,
        to_year=run.to_year,
        learners_restored=restored,
        access_reopened=reopened,
        edited=edited,
        added=added,
    )


def _list_added(added: tuple[AddedLearner, ...]) -> str:
    names = ", ".join(
        f"{row.name} ({format_year_group(row.year_group)}, {row.how})" for row in added[:_SHOWN]
    )
    more = len(added) - _SHOWN
    return names + (f" and {more} more" if more > 0 else "")


def _move_back(
    session: Session, actor: Actor, added: tuple[AddedLearner, ...], detail: str
) -> None:
    """Learners added since the rollover go back a year group with the school (audited)."""
    ids = [row.learner_id for row in added]
    session.flush()
    for chunk in chunks(ids):
        session.execute(
            update(Learner)
            .where(Learner.id.in_(chunk))
            .values(year_group=rule.moved_back(Learner.year_group), version=Learner.version + 1)
            .execution_options(synchronize_session=False)
        )
    audit.record_many(
        session,
        actor,
        (
            {
                "action": "rollover_undone",
                "entity": "learner",
                "entity_id": row.learner_id,
                "field": "year_group",
                "old": row.year_group,
                "new": rule.moved_back(row.year_group),
                "detail": f"{detail}: {row.how} after the rollover, so moved back a year "
                "group with the school",
            }
            for row in added
        ),
    )
    moved = set(ids)
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Learner) and loaded.id in moved:
            session.expire(loaded)  # the ORM's copy is out of date
