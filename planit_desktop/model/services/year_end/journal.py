"""The rollover journal: set-based statements that record, apply, revert and audit a rollover.

Every statement here touches all affected learners at once (INSERT … SELECT, UPDATE … FROM);
none loops over learners in Python, except to hash the audit entries onto the audit chain
(each entry's hash depends on the one before it), which reads one SELECT and inserts in
batches. The journal keeps each learner's values before and after, so undo is the same
UPDATE run backwards, and the report can say what changed for whom.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Learner, RolloverJournal, SupervisorAccess
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services import audit
from planit_desktop.model.services._sql import COUNTED, cast_table, rowcount
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.year_end import rule
from planit_desktop.model.services.year_end.choices import LeavingDetails

LEARNER = cast_table(Learner)
JOURNAL = cast_table(RolloverJournal)
ACCESS = cast_table(SupervisorAccess)

ON_ROLL = LearnerStatus.ON_ROLL.value
COMPLETED = LearnerStatus.COMPLETED.value
LEFT = LearnerStatus.LEFT.value
JOINING = LearnerStatus.JOINING.value

_JOURNAL_COLUMNS = [
    "run_id",
    "learner_id",
    "old_year_group",
    "old_status",
    "old_left_on",
    "old_left_reason",
    "old_version",
    "new_year_group",
    "new_status",
    "new_left_on",
    "new_left_reason",
    "new_version",
]


def journal_movers(
    session: Session,
    run_id: int,
    *,
    top_year: int,
    rule_applies: ColumnElement[bool],
    completed_on: date,
    completed_reason: str,
) -> int:
    """Journal every learner on roll whom the rule moves up or completes (those for whom
    ``rule_applies``: nothing else was chosen for them), in one INSERT … SELECT."""
    status = type_coerce(Learner.status, String)
    tops = rule.completes(Learner.year_group, top_year)
    chosen = select(
        literal(run_id),
        Learner.id,
        Learner.year_group,
        status,
        Learner.left_on,
        Learner.left_reason,
        Learner.version,
        # A learner who completes keeps their year group, as history.
        case((tops, Learner.year_group), else_=rule.moved_up(Learner.year_group)),
        case((tops, literal(COMPLETED)), else_=status),
        case((tops, literal(completed_on, Date())), else_=Learner.left_on),
        case((tops, literal(completed_reason)), else_=Learner.left_reason),
        Learner.version + 1,
    ).where(Learner.status == ON_ROLL, rule_applies)
    result = session.execute(insert(JOURNAL).from_select(_JOURNAL_COLUMNS, chosen), **COUNTED)
    return rowcount(result)


def journal_joiners(session: Session, run_id: int) -> int:
    """Journal every learner joining in the new academic year: on roll from it, in the year
    group they were given when imported (they are not moved up), in one INSERT … SELECT."""
    status = type_coerce(Learner.status, String)
    chosen = select(
        literal(run_id),
        Learner.id,
        Learner.year_group,
        status,
        Learner.left_on,
        Learner.left_reason,
        Learner.version,
        Learner.year_group,
        literal(ON_ROLL),
        Learner.left_on,
        Learner.left_reason,
        Learner.version + 1,
    ).where(Learner.status == JOINING)
    result = session.execute(insert(JOURNAL).from_select(_JOURNAL_COLUMNS, chosen), **COUNTED)
    return rowcount(result)


def journal_leavers(session: Session, run_id: int, leavers: Mapping[int, LeavingDetails]) -> int:
    """Journal the learners leaving ("Not at my provider"), each with their own date and reason.

    The coordinator names these one by one, so they are few; one executemany INSERT.
    """
    if not leavers:
        return 0
    current = session.execute(
        select(
            Learner.id,
            Learner.year_group,
            type_coerce(Learner.status, String),
            Learner.left_on,
            Learner.left_reason,
            Learner.version,
        ).where(Learner.id.in_(leavers))
    )
    rows = [
        {
            "run_id": run_id,
            "learner_id": learner_id,
            "old_year_group": year,
            "old_status": status,
            "old_left_on": left_on,
            "old_left_reason": reason,
            "old_version": version,
            "new_year_group": year,
            "new_status": LEFT,
            "new_left_on": leavers[learner_id].left_on,
            "new_left_reason": leavers[learner_id].reason,
            "new_version": version + 1,
        }
        for learner_id, year, status, left_on, reason, version in current
    ]
    session.execute(insert(JOURNAL), rows)
    return len(rows)


def apply_journal(session: Session, run_id: int) -> int:
    """Give every journalled learner their new values (one UPDATE … FROM)."""
    result = session.execute(
        update(LEARNER)
        .where(LEARNER.c.id == JOURNAL.c.learner_id, JOURNAL.c.run_id == run_id)
        .values(
            year_group=JOURNAL.c.new_year_group,
            status=JOURNAL.c.new_status,
            left_on=JOURNAL.c.new_left_on,
            left_reason=JOURNAL.c.new_left_reason,
            version=JOURNAL.c.new_version,
        )
    )
    return rowcount(result)


def unchanged_since(run_id: int) -> ColumnElement[bool]:
    """SQL: the learner still holds exactly what the rollover gave them (version unchanged)."""
    return and_(
        LEARNER.c.id == JOURNAL.c.learner_id,
        JOURNAL.c.run_id == run_id,
        LEARNER.c.version == JOURNAL.c.new_version,
    )


def revert_journal(session: Session, run_id: int) -> int:
    """Give the journalled learners back their old values, except those edited since.

    The version still moves forward, so a form opened before the undo cannot save over it.
    """
    result = session.execute(
        update(LEARNER)
        .where(unchanged_since(run_id))
        .values(
            year_group=JOURNAL.c.old_year_group,
            status=JOURNAL.c.old_status,
            left_on=JOURNAL.c.old_left_on,
            left_reason=JOURNAL.c.old_left_reason,
            version=LEARNER.c.version + 1,
        )
    )
    return rowcount(result)


def _text(column: ColumnElement[int]) -> ColumnElement[str]:
    return cast(column, String)


def audit_journal(
    session: Session,
    actor: Actor,
    run_id: int,
    *,
    action: str,
    detail: str,
    reverse: bool = False,
    only: ColumnElement[bool] | None = None,
    join_learner: bool = False,
) -> int:
    """One audit entry per journalled learner, naming the field that changed.

    A learner whose status changes is audited by status ("on_roll" → "completed"); one who
    moves up by year group ("10" → "11"). ``reverse`` audits an undo (new → old). One SELECT
    says what to audit; its rows are hashed onto the audit chain and inserted in batches,
    numbered in learner order, so the same rollover of the same data writes the same rows.
    """
    require_administrator(session, actor, "run or undo the year-end rollover")
    j = JOURNAL.c
    before, after = (j.new_status, j.old_status) if reverse else (j.old_status, j.new_status)
    years_before, years_after = (
        (j.new_year_group, j.old_year_group) if reverse else (j.old_year_group, j.new_year_group)
    )
    status_changed = j.old_status != j.new_status
    chosen = select(
        j.learner_id,
        case((status_changed, literal("status")), else_=literal("year_group")),
        case((status_changed, before), else_=_text(years_before)),
        case((status_changed, after), else_=_text(years_after)),
    ).where(j.run_id == run_id)
    if join_learner:  # ``only`` may then test the learner as it is now
        chosen = chosen.select_from(JOURNAL.join(LEARNER, LEARNER.c.id == j.learner_id))
    if only is not None:
        chosen = chosen.where(only)
    # Ids in learner order: without ORDER BY they follow whatever order the server's plan of
    # the moment reads the journal in, so one rollover of the same data gives other rows.
    chosen = chosen.order_by(j.learner_id)
    return audit.record_select(
        session, actor, chosen, action=action, entity="learner", detail=detail
    )


def end_access(session: Session, run_id: int, academic_year: int, now: datetime) -> int:
    """End every open group access of ``academic_year``; the rows stay as history."""
    result = session.execute(
        update(ACCESS)
        .where(ACCESS.c.academic_year == academic_year, ACCESS.c.ended_at.is_(None))
        .values(ended_at=now, ended_by_run_id=run_id)
    )
    return rowcount(result)


def reopen_access(session: Session, run_id: int) -> int:
    """Re-open the access rows that the rollover ``run_id`` ended."""
    result = session.execute(
        update(ACCESS)
        .where(ACCESS.c.ended_by_run_id == run_id)
        .values(ended_at=None, ended_by_run_id=None)
    )
    return rowcount(result)


def audit_access(
    session: Session, actor: Actor, run_id: int, *, action: str, detail: str, ended: bool
) -> int:
    """One audit entry per access row ended (or re-opened) by the run (one SELECT, then
    hashed onto the audit chain and inserted in batches), numbered in access-row order."""
    require_administrator(session, actor, "run or undo the year-end rollover")
    a = ACCESS.c
    state = (literal("open"), literal("ended")) if ended else (literal("ended"), literal("open"))
    chosen = select(
        a.id,
        state[0],
        state[1],
        literal(detail)
        + literal(" (staff ")
        + _text(a.staff_id)
        + literal(", group ")
        + _text(a.group_id)
        + literal(")"),
    ).where(a.ended_by_run_id == run_id)
    # Ids in access-row order, not in the order the UPDATE just left the rows on disk (which
    # depends on its plan: an index scan before autovacuum has run, a table scan after).
    chosen = chosen.order_by(a.id)
    return audit.record_select(
        session, actor, chosen, action=action, entity="supervisor_access", field="ended_at"
    )


def count_journal(session: Session, run_id: int) -> int:
    """How many learners the run changed."""
    total = session.scalar(
        select(func.count()).select_from(JOURNAL).where(JOURNAL.c.run_id == run_id)
    )
    return int(total or 0)
