"""The year-end checklist: one item per task the coordinators' guide lists, per academic year.

Each item says, from the data, whether the task looks still open (for example "12
supervisors have no groups") and where it is done; an administrator marks it done (who and
when are kept) or not done again. Anyone may read the checklist; the hints that need an
administrator's view of the school are only worked out for administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import NEEDS_CHECK, ChecklistMark, Learner, Staff, SupportRequest
from planit_desktop.model.errors import InvalidInput, PermissionDenied
from planit_desktop.model.kinds import LearnerStatus, StaffRole
from planit_desktop.model.services import audit
from planit_desktop.model.services.credentials.learner_passwords import (
    learners_with_unused_secondary,
)
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import get_school
from planit_desktop.model.services.staff.access import supervisors_without_groups
from planit_desktop.model.services.subjects.offers import subject_matrix
from planit_desktop.model.services.year_end import suggest_group_renames
from planit_desktop.model.services.year_end.problems import find_problems
from planit_desktop.model.services.year_end.tasks import TASKS, Task
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import count_of

KEYS = {task.key: task for task in TASKS}


@dataclass(frozen=True)
class Hint:
    """What the data says about a task. ``looks_open``: True (still to do), False (looks
    done) or None (the data cannot tell)."""

    text: str
    looks_open: bool | None


@dataclass(frozen=True)
class ChecklistItem:
    """One task of the checklist: what it is, what the data says, and whether it is done."""

    key: str
    title: str
    explanation: str
    tab: str
    hint: str
    looks_open: bool | None
    done_by: str | None = None
    done_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def done_text(self) -> str:
        """ "Done by admin1 on 3 August 2026" or "Not done yet"."""
        if self.done_at is None:
            return "Not done yet"
        return f"Done by {self.done_by} on {self.done_at.day} {self.done_at:%B %Y}"


@dataclass(frozen=True)
class Checklist:
    """The checklist of one academic year."""

    academic_year: int
    items: tuple[ChecklistItem, ...]
    #: False for supervisors: the hints were not worked out for them.
    hints_shown: bool

    @property
    def academic_year_text(self) -> str:
        return format_academic_year(self.academic_year)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    def item(self, key: str) -> ChecklistItem:
        return next(item for item in self.items if item.key == key)


def _is_administrator(session: Session, actor: Actor) -> bool:
    try:
        require_administrator(session, actor, "see the year-end checks")
    except PermissionDenied:
        return False
    return True


def _learners_since(session: Session, status: LearnerStatus, since: date) -> int:
    column = Learner.left_on if status is not LearnerStatus.ON_ROLL else Learner.created_at
    return int(
        session.scalar(
            select(func.count())
            .select_from(Learner)
            .where(Learner.status == status, column >= since)
        )
        or 0
    )


def work_out_hints(session: Session, actor: Actor) -> dict[str, Hint]:
    """Each task's hint from the data as it stands (administrators only)."""
    require_administrator(session, actor, "see the year-end checks")
    school = get_school(session)
    problems = {p.kind: p for p in find_problems(session, school)}
    hints: dict[str, Hint] = {}

    misfits = problems.get("date_of_birth")
    hints["year_groups"] = (
        Hint(
            f"{count_of(len(misfits.learner_ids), 'learner has', 'learners have')} a date of "
            "birth two or more years away from their year group.",
            True,
        )
        if misfits
        else Hint("Every learner's year group fits their date of birth.", False)
    )

    no_group, outside = problems.get("no_group"), problems.get("year_outside_range")
    found = [p.message for p in (no_group, outside) if p is not None]
    hints["learner_groups"] = (
        Hint(" ".join(found), True)
        if found
        else Hint("Every learner on roll is in a group.", False)
    )

    renames = suggest_group_renames(session, actor)
    hints["group_names"] = (
        Hint(
            f"{count_of(len(renames), 'group still has', 'groups still have')} a year in "
            "the name that no longer fits its learners.",
            True,
        )
        if renames
        else Hint("No group name has a year that needs changing.", False)
    )

    without = supervisors_without_groups(session, actor)
    hints["supervisor_access"] = (
        Hint(f"{count_of(len(without), 'supervisor has', 'supervisors have')} no groups.", True)
        if without
        else Hint("Every active supervisor has groups this academic year.", False)
    )

    since = date(school.academic_year, 8, 1)
    left = _learners_since(session, LearnerStatus.LEFT, since)
    hints["leavers"] = Hint(
        f"{count_of(left, 'learner', 'learners')} recorded as not at my provider since "
        f"{since.day} {since:%B %Y}.",
        None,
    )

    lowest = school.lowest_year
    intake = int(
        session.scalar(
            select(func.count())
            .select_from(Learner)
            .where(Learner.status == LearnerStatus.ON_ROLL, Learner.year_group == lowest)
        )
        or 0
    )
    added = _learners_since(session, LearnerStatus.ON_ROLL, since)
    hints["new_learners"] = (
        Hint(f"{format_year_group(lowest)} has no learners on roll: import the new intake.", True)
        if intake == 0
        else Hint(
            f"{count_of(intake, 'learner', 'learners')} on roll in {format_year_group(lowest)}; "
            f"{count_of(added, 'learner', 'learners')} added since {since.day} {since:%B %Y}.",
            False,
        )
    )

    roles = dict.fromkeys(StaffRole, 0)
    for role, count in session.execute(
        select(Staff.role, func.count()).where(Staff.active.is_(True)).group_by(Staff.role)
    ):
        roles[role] = count
    hints["staff"] = Hint(
        f"{count_of(roles[StaffRole.ADMINISTRATOR], 'administrator', 'administrators')} and "
        f"{count_of(roles[StaffRole.SUPERVISOR], 'supervisor', 'supervisors')} are active.",
        None,
    )

    unsent = int(
        session.scalar(
            select(func.count()).select_from(SupportRequest).where(SupportRequest.sent_at.is_(None))
        )
        or 0
    )
    to_check = int(
        session.scalar(select(func.count()).select_from(Learner).where(NEEDS_CHECK.is_(True))) or 0
    )
    details = []
    if unsent:
        details.append(f"{count_of(unsent, 'support request', 'support requests')} not sent.")
    if to_check:
        details.append(
            f"{count_of(to_check, 'learner', 'learners')} created in class "
            f"{'awaits' if to_check == 1 else 'await'} checking."
        )
    hints["learner_details"] = (
        Hint(" ".join(details), True)
        if details
        else Hint("Every support request has been sent; no learner awaits checking.", False)
    )

    missing = subject_matrix(session, actor).years_without_subjects
    hints["subjects"] = (
        Hint(
            f"{', '.join(format_year_group(y) for y in missing)} "
            f"{'has' if len(missing) == 1 else 'have'} no subjects offered.",
            True,
        )
        if missing
        else Hint("Every year that chooses subjects has subjects offered.", False)
    )

    unused = len(learners_with_unused_secondary(session, actor))
    hints["secondary_passwords"] = Hint(
        f"{count_of(unused, 'learner holds', 'learners hold')} a secondary password not yet used."
        if unused
        else "No secondary password is waiting to be used.",
        None,
    )
    return hints


def _marks(session: Session, academic_year: int) -> dict[str, ChecklistMark]:
    rows = session.scalars(
        select(ChecklistMark).where(ChecklistMark.academic_year == academic_year)
    )
    return {row.key: row for row in rows}


def year_end_checklist(session: Session, actor: Actor) -> Checklist:
    """The checklist of the school's current academic year, with each task's hint (for
    administrators) and who marked it done when. Nothing is changed."""
    school = get_school(session)
    shown = _is_administrator(session, actor)
    hints = work_out_hints(session, actor) if shown else {}
    marks = _marks(session, school.academic_year)
    no_hint = Hint("Only administrators see what the data says about this task.", None)
    items = []
    for task in TASKS:
        hint = hints.get(task.key, no_hint)
        mark = marks.get(task.key)
        items.append(
            ChecklistItem(
                task.key,
                task.title,
                task.explanation,
                task.tab,
                hint.text,
                hint.looks_open,
                None if mark is None else mark.done_by,
                None if mark is None else mark.done_at,
            )
        )
    return Checklist(school.academic_year, tuple(items), shown)


def _task(key: str) -> Task:
    task = KEYS.get(key)
    if task is None:
        raise InvalidInput(f"“{key}” is not a task of the year-end checklist.")
    return task


def mark_done(session: Session, actor: Actor, key: str) -> ChecklistItem:
    """Mark task ``key`` done for the current academic year (administrators), recording who
    and when. Marking a task already done leaves the first record as it is."""
    require_administrator(session, actor, "mark year-end tasks as done")
    task = _task(key)
    school = get_school(session)
    mark = _marks(session, school.academic_year).get(key)
    if mark is None:
        mark = ChecklistMark(
            academic_year=school.academic_year,
            key=key,
            done_by=actor.login,
            done_at=datetime.now().replace(microsecond=0),
        )
        session.add(mark)
        session.flush()
        audit.record(
            session,
            actor,
            "checklist_done",
            entity="checklist_item",
            entity_id=mark.id,
            field=key,
            new="done",
            detail=f"{task.title} ({format_academic_year(school.academic_year)})",
        )
    return ChecklistItem(
        key, task.title, task.explanation, task.tab, "", None, mark.done_by, mark.done_at
    )


def mark_not_done(session: Session, actor: Actor, key: str) -> bool:
    """Take the "done" mark off task ``key`` for the current academic year (administrators).
    Returns False if it was not marked."""
    require_administrator(session, actor, "mark year-end tasks as done")
    task = _task(key)
    school = get_school(session)
    mark = _marks(session, school.academic_year).get(key)
    if mark is None:
        return False
    audit.record(
        session,
        actor,
        "checklist_not_done",
        entity="checklist_item",
        entity_id=mark.id,
        field=key,
        old=f"done by {mark.done_by} at {mark.done_at:%Y-%m-%d %H:%M}",
        new="not done",
        detail=f"{task.title} ({format_academic_year(school.academic_year)})",
    )
    session.delete(mark)
    session.flush()
    return True
