"""Applying the rollover: one transaction, a backup first, a handful of set-based statements.

Order inside the caller's write transaction: lock the school row, check (inside the lock)
that this academic year has not already been rolled over, check the date, take the backup,
then journal → update learners → end access → audit → advance the academic year → record
the run. Any failure rolls the whole transaction back: nothing is half-done.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import School, YearEndRun
from planit_desktop.model.errors import PlanitError, Refused
from planit_desktop.model.services import audit
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import get_school
from planit_desktop.model.services.year_end import journal
from planit_desktop.model.services.year_end.choices import YearEndChoices
from planit_desktop.model.services.year_end.plan import (
    build_plan,
    check_choices,
    rule_applies,
)
from planit_desktop.model.services.year_end.plan_types import RolloverPlan
from planit_desktop.model.validation.years import format_year_group

#: Takes a label and writes a backup of the whole database; returns where (None: the
#: server's own backups cover it). Raises Refused when it cannot be written.
Backup = Callable[[str], "str | None"]

SERVER_BACKUP = "covered by the database server's own backups"


@dataclass(frozen=True)
class RolloverResult:
    """What a rollover did: its run, the plan it carried out, and where the backup is."""

    run_id: int
    plan: RolloverPlan
    run_at: datetime
    run_by: str
    backup_path: str | None
    learners_changed: int
    access_ended: int

    def to_json(self) -> dict[str, Any]:
        """The plan's JSON with the run's own facts (the command line's ``--apply --json``)."""
        return self.plan.to_json() | {
            "run_id": self.run_id,
            "run_at": self.run_at.isoformat(timespec="seconds"),
            "run_by": self.run_by,
            "backup": self.backup_path or SERVER_BACKUP,
            "learners_changed": self.learners_changed,
            "access_ended": self.access_ended,
            "academic_year": format_academic_year(self.plan.to_year),
        }


def backup_label(from_year: int) -> str:
    """``before-rollover-2025-26-to-2026-27``: the backup file says which year end it precedes."""
    start = format_academic_year(from_year).replace("/", "-")
    end = format_academic_year(from_year + 1).replace("/", "-")
    return f"before-rollover-{start}-to-{end}"


def describe_run(run: YearEndRun) -> str:
    """ "on 3 August 2026 at 10:12 by os:alice": when and by whom a run was done."""
    when = run.run_at
    return f"on {when.day} {when:%B %Y at %H:%M} by {run.run_by}"


def latest_run_from(session: Session, from_year: int) -> YearEndRun | None:
    """The rollover out of ``from_year`` that still stands (not undone), if any."""
    return session.scalars(
        select(YearEndRun)
        .where(YearEndRun.from_year == from_year, YearEndRun.undone_at.is_(None))
        .order_by(YearEndRun.id.desc())
        .limit(1)
    ).first()


def refuse_if_done(session: Session, school: School, from_year: int | None) -> None:
    """Refuse a second rollover of one academic year, saying when and by whom it was done.

    Called inside the lock: of two rollovers started together, the second sees the first.
    """
    year = school.academic_year if from_year is None else from_year
    done = latest_run_from(session, year)
    if done is not None:
        raise Refused(
            f"The rollover from {format_academic_year(done.from_year)} to "
            f"{format_academic_year(done.to_year)} was already done {describe_run(done)}. "
            "Each academic year is rolled over once; nothing was changed."
        )
    if year != school.academic_year:
        raise Refused(
            f"The school is now in {format_academic_year(school.academic_year)}, not "
            f"{format_academic_year(year)}: look at the rollover preview again. "
            "Nothing was changed."
        )


def refuse_if_early(
    session: Session, school: School, today: date, allow_early: bool, opens_on: date
) -> None:
    """The year end takes place in August: refuse before 1 August unless overridden."""
    if today >= opens_on or allow_early:
        return
    previous = latest_run_from(session, school.academic_year - 1)
    if previous is not None:  # most likely the same rollover asked for twice
        raise Refused(
            f"The rollover from {format_academic_year(previous.from_year)} to "
            f"{format_academic_year(previous.to_year)} was already done "
            f"{describe_run(previous)}. The next one, to "
            f"{format_academic_year(school.academic_year + 1)}, opens on "
            f"{opens_on.day} {opens_on:%B %Y}. Nothing was changed."
        )
    raise Refused(
        f"The rollover from {format_academic_year(school.academic_year)} to "
        f"{format_academic_year(school.academic_year + 1)} opens on "
        f"{opens_on.day} {opens_on:%B %Y}, when the year end takes place. To run it "
        "earlier, use the early-rollover override. Nothing was changed."
    )


#: How the audit log names the backup taken before a rollover.
BACKUP_WHAT = "backup before the rollover"


def take_backup(backup: Backup | None, from_year: int) -> str | None:
    """Write the backup before anything changes; if it cannot be written, refuse."""
    if backup is None:
        return None
    try:
        return backup(backup_label(from_year))
    except PlanitError:
        raise
    except OSError as error:
        raise Refused(
            f"The backup before the rollover could not be written ({error}). "
            "The rollover was not started and nothing has been changed."
        ) from error


def apply_rollover(
    session: Session,
    actor: Actor,
    choices: YearEndChoices | None = None,
    *,
    today: date | None = None,
    allow_early: bool = False,
    from_year: int | None = None,
    backup: Backup | None = None,
) -> RolloverResult:
    """Roll the school over to the next academic year, in the caller's transaction: the
    rollover step of :func:`~planit_desktop.model.services.year_end.run.run_year_end`, which
    the window and the command line call (it takes the backup, renames and discards the
    draft too).

    Learners on roll move up one year group, except those ``choices`` keeps back; those in
    the top year complete (status completed, leaving date 31 August); those it names as
    leaving are recorded as left. Learners joining in the new academic year are put on roll
    in the year group they were given (not moved up). Supervisors' access for the ending
    year ends (kept as history). Memberships, group names, subject offers, credentials and
    administrators are untouched; ``choices.renames`` is not this step's.

    ``from_year`` pins the academic year the coordinator previewed (the wizard passes
    ``plan.from_year``), so a rollover started twice is refused rather than done twice.
    ``backup`` is called with a label before anything changes (see :func:`backup_for`).
    Raises Refused when already done this year, too early (unless ``allow_early``), or the
    backup fails; PermissionDenied unless ``actor`` is an administrator.
    """
    require_administrator(session, actor, "run the year-end rollover")
    school = get_school(session, lock=True)
    refuse_if_done(session, school, from_year)
    checked = check_choices(session, school, choices or YearEndChoices())
    plan = build_plan(session, school, checked)
    refuse_if_early(session, school, today or date.today(), allow_early, plan.opens_on)
    backup_path = take_backup(backup, plan.from_year)
    if backup_path is not None:  # a copy of every learner's data: audited with the run
        audit.file_written(session, actor, what=BACKUP_WHAT, path=backup_path)
    now = datetime.now().replace(microsecond=0)
    run = YearEndRun(
        from_year=plan.from_year,
        to_year=plan.to_year,
        run_at=now,
        run_by=actor.login,
        summary="{}",
        backup_path=backup_path,
    )
    session.add(run)
    session.flush()
    changed = change_learners(session, actor, run.id, plan, checked)
    access_ended = end_supervisor_access(session, actor, run.id, plan, now)
    advance_academic_year(session, school, plan)
    result = RolloverResult(
        run_id=run.id,
        plan=plan,
        run_at=now,
        run_by=actor.login,
        backup_path=backup_path,
        learners_changed=changed,
        access_ended=access_ended,
    )
    run.summary = json.dumps(result.to_json())
    audit.record(
        session,
        actor,
        "rollover",
        entity="year_end_run",
        entity_id=run.id,
        field="academic_year",
        old=format_academic_year(plan.from_year),
        new=format_academic_year(plan.to_year),
        detail=(
            f"{plan.moving_up} moved up, {plan.completed} completed "
            f"{format_year_group(plan.highest_year)}, {len(plan.left)} left, "
            f"{len(plan.kept_back)} kept back, "
            + (f"{plan.joining} joining put on roll, " if plan.joining else "")
            + f"{access_ended} group access ended; backup: "
            f"{backup_path or SERVER_BACKUP}"
        ),
    )
    session.flush()
    return result


def change_learners(
    session: Session, actor: Actor, run_id: int, plan: RolloverPlan, choices: YearEndChoices
) -> int:
    """Journal, then update, then audit every learner the rollover changes (``choices``
    checked by :func:`check_choices`)."""
    require_administrator(session, actor, "run the year-end rollover")
    journalled = journal.journal_movers(
        session,
        run_id,
        top_year=plan.highest_year,
        rule_applies=rule_applies(choices),
        completed_on=plan.completed_on,
        completed_reason=f"Completed {format_year_group(plan.highest_year)}",
    )
    journalled += journal.journal_leavers(session, run_id, choices.leaving)
    journalled += journal.journal_joiners(session, run_id)
    changed = journal.apply_journal(session, run_id)
    if changed != journalled:  # pragma: no cover - the lock makes this impossible
        raise Refused("Learners changed while the rollover ran; nothing was changed.")
    journal.audit_journal(
        session,
        actor,
        run_id,
        action="rollover",
        detail=f"Year-end rollover {format_academic_year(plan.from_year)} → "
        f"{format_academic_year(plan.to_year)}",
    )
    return changed


def end_supervisor_access(
    session: Session, actor: Actor, run_id: int, plan: RolloverPlan, now: datetime
) -> int:
    """End the ending year's group access (history kept) and audit each ended row."""
    require_administrator(session, actor, "run the year-end rollover")
    ended = journal.end_access(session, run_id, plan.from_year, now)
    journal.audit_access(
        session,
        actor,
        run_id,
        action="access_ended",
        detail=f"Access for {format_academic_year(plan.from_year)} ended by the rollover",
        ended=True,
    )
    return ended


def advance_academic_year(session: Session, school: School, plan: RolloverPlan) -> None:
    """The school moves into the new academic year."""
    school.academic_year = plan.to_year
    session.flush()
