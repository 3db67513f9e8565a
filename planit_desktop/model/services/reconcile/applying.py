"""Apply: the accepted rows of a comparison, in the caller's one transaction, each through the
service that owns that change (corrections, leavers, reinstating, groups, the year end's
draft), so permissions, audit entries and support requests are theirs.

Undo reverses the whole apply in one step, through the same services, and returns the plan
that applies it again (Redo). What cannot be undone is said: the new learners imported
after a comparison are the import's (their temporary passwords have been handed out), and a
correction undone is corrected back with a support request of its own, as the correction
dialog would do, since the first request may already have gone to the School Support Team.

Order matters: the corrections come first, each checked against the version of the learner
the comparison read (a learner changed since by someone else refuses the whole apply:
compare again), then the other changes, which move the learners' versions on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Learner
from planit_desktop.model.errors import PlanitError, Refused
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.groups import editing as groups
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.model.services.learners.leavers import mark_left, reinstate
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.reconcile.review import ApplyPlan, GroupMove
from planit_desktop.model.services.reconcile.summary import record_check
from planit_desktop.model.services.school import hold_academic_year
from planit_desktop.model.services.year_end.choices import Choice, YearEndChoices
from planit_desktop.model.services.year_end.draft import load_draft, save_draft

NOTHING = "Nothing was changed."
_CHUNK = 500


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did: its plan, and what undoing it needs."""

    plan: ApplyPlan
    #: Each group change made, in order (undone in reverse).
    group_changes: tuple[groups.Change, ...]
    #: Learners reinstated: (id, status, left on, reason) before.
    reinstated: tuple[tuple[int, LearnerStatus, date | None, str | None], ...]
    #: Learners added to the kept-back choices of the year end (not there before).
    kept_back: tuple[int, ...]
    #: Every learner changed → their version after the apply.
    versions: Mapping[int, int]

    def describe(self) -> str:
        return self.plan.describe()


def _named(error: PlanitError, who: str) -> Refused:
    return Refused(f"{who}: {error.message} Compare the file again. {NOTHING}")


def _versions(session: Session, ids: set[int]) -> dict[int, int]:
    ordered = sorted(ids)
    found: dict[int, int] = {}
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        found.update(
            session.execute(select(Learner.id, Learner.version).where(Learner.id.in_(chunk))).all()
        )
    return found


def apply_reconciliation(
    session: Session, actor: Actor, plan: ApplyPlan, *, today: date | None = None
) -> ApplyResult:
    """Apply ``plan`` (a review's accepted rows) in the caller's transaction; administrators.

    Refused, with nothing changed, when the school moved into another academic year since
    the comparison, when a learner was changed by someone else since (compare again), or
    when any service refuses a row (its message, naming the learner).
    """
    require_administrator(session, actor, "apply a comparison with the MIS")
    if plan.is_empty:
        raise Refused(f"No row is accepted, so there is nothing to apply. {NOTHING}")
    hold_academic_year(
        session, plan.academic_year, while_="the file was being compared", nothing=NOTHING
    )
    day = today or date.today()
    for correction in plan.corrections:
        try:
            correct_learner(
                session,
                actor,
                correction.learner_id,
                correction.changes,
                expected_version=correction.expected_version,
                today=day,
                academic_year=plan.academic_year,
            )
        except PlanitError as error:
            raise _named(error, correction.name) from error
    added_back = _keep_back(session, actor, plan.academic_year, plan.kept_back)
    reinstated = []
    for learner_id in plan.reinstate:
        learner = session.get(Learner, learner_id)
        before = (
            (learner_id, learner.status, learner.left_on, learner.left_reason)
            if learner is not None
            else None
        )
        try:
            reinstate(session, actor, learner_id)
        except PlanitError as error:
            who = "A learner" if learner is None else f"{learner.first_names} {learner.surname}"
            raise _named(error, who) from error
        assert before is not None
        reinstated.append(before)
    changes = _move(session, actor, plan.moves)
    if plan.leavers:
        mark_left(
            session,
            actor,
            plan.leavers,
            left_on=plan.left_on or day,
            reason=plan.left_reason,
            today=day,
        )
    touched = (
        {c.learner_id for c in plan.corrections}
        | set(plan.reinstate)
        | set(plan.leavers)
        | {m.learner_id for m in plan.moves}
    )
    record_check(
        session, actor, source_name=plan.source_name, found=plan.found, applied=plan.applied
    )
    return ApplyResult(plan, changes, tuple(reinstated), added_back, _versions(session, touched))


def _keep_back(session: Session, actor: Actor, year: int, ids: tuple[int, ...]) -> tuple[int, ...]:
    """Add ``ids`` to the year end's kept-back choices (its draft); those added."""
    if not ids:
        return ()
    saved = load_draft(session, actor, year)
    choices = saved.choices if saved is not None else YearEndChoices()
    added = tuple(i for i in ids if i not in choices.kept_back)
    # Kept back replaces any leaving chosen for them before, as the wizard's choice does.
    save_draft(session, actor, year, choices.with_choice(ids, Choice.KEPT_BACK))
    return added


def _forget_kept_back(session: Session, actor: Actor, year: int, ids: tuple[int, ...]) -> None:
    if not ids:
        return
    saved = load_draft(session, actor, year)
    if saved is None or not saved.choices.kept_back & set(ids):
        return
    choices = saved.choices
    save_draft(session, actor, year, replace(choices, kept_back=choices.kept_back - set(ids)))


def _move(
    session: Session, actor: Actor, moves: tuple[GroupMove, ...]
) -> tuple[groups.Change, ...]:
    """The group moves, batched by (from, to): a move per batch, then adds and removals."""
    if not moves:
        return ()
    made: list[groups.Change] = []
    created: dict[str, int] = {}
    for move in moves:
        if move.to_group_id is None and move.to_group_name.casefold() not in created:
            change = groups.create_group(session, actor, move.to_group_name)
            assert change.created_group_id is not None
            created[move.to_group_name.casefold()] = change.created_group_id
            made.append(change)
    moving: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    adding: defaultdict[int, list[int]] = defaultdict(list)
    removing: defaultdict[int, list[int]] = defaultdict(list)
    for move in moves:
        target = move.to_group_id
        if target is None:
            target = created[move.to_group_name.casefold()]
        first, *others = move.from_group_ids or (None,)
        if first is None:
            adding[target].append(move.learner_id)
        else:
            moving[(first, target)].append(move.learner_id)
        for group_id in others:
            removing[group_id].append(move.learner_id)
    for (source, target), ids in sorted(moving.items()):
        made.append(groups.move_members(session, actor, source, target, ids))
    for target, ids in sorted(adding.items()):
        made.append(groups.add_members(session, actor, target, ids))
    for source, ids in sorted(removing.items()):
        made.append(groups.remove_members(session, actor, source, ids))
    return tuple(made)


def undo_reconciliation(
    session: Session, actor: Actor, result: ApplyResult, *, today: date | None = None
) -> ApplyPlan:
    """Reverse ``result`` in the caller's transaction; returns the plan that re-applies it.

    Refused, with nothing changed, when the school moved into another academic year, or a
    learner it changed has been changed again since (their details, groups or status).
    """
    require_administrator(session, actor, "undo a comparison with the MIS")
    plan = result.plan
    hold_academic_year(session, plan.academic_year, while_="it was being undone", nothing=NOTHING)
    day = today or date.today()
    for correction in plan.corrections:
        try:
            correct_learner(
                session,
                actor,
                correction.learner_id,
                correction.old,
                expected_version=result.versions.get(correction.learner_id, 0),
                today=day,
                academic_year=plan.academic_year,
            )
        except PlanitError as error:
            raise _named(error, correction.name) from error
    for learner_id in plan.leavers:
        reinstate(session, actor, learner_id)
    again: defaultdict[tuple[date, str], list[int]] = defaultdict(list)
    for learner_id, _status, left_on, reason in result.reinstated:
        again[(left_on or day, reason or plan.left_reason)].append(learner_id)
    for (left_on, reason), ids in sorted(again.items()):
        mark_left(session, actor, ids, left_on=left_on, reason=reason, today=max(day, left_on))
    for change in reversed(result.group_changes):
        groups.undo_change(session, actor, change)
    _forget_kept_back(session, actor, plan.academic_year, result.kept_back)
    versions = _versions(session, {c.learner_id for c in plan.corrections})
    record_check(session, actor, source_name=plan.source_name, found=plan.found, applied={})
    return replace(
        plan,
        corrections=tuple(
            replace(c, expected_version=versions.get(c.learner_id, c.expected_version))
            for c in plan.corrections
        ),
    )
