"""Where the school stands with the year end: due, done, undoable (for the Year End tab)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.calendar import format_academic_year, rollover_opens
from planit_desktop.model.entities import YearEndRun
from planit_desktop.model.services.school import get_school
from planit_desktop.model.services.year_end.undo import latest_undoable_run


@dataclass(frozen=True)
class RunInfo:
    run_id: int
    from_year: int
    to_year: int
    run_at: datetime
    run_by: str
    undone_at: datetime | None
    undone_by: str | None


@dataclass(frozen=True)
class RolloverStatus:
    """The current academic year, when its rollover opens, and the last rollover."""

    academic_year: int
    opens_on: date
    is_open: bool
    overdue: bool
    last_run: RunInfo | None
    can_undo: bool

    @property
    def academic_year_text(self) -> str:
        return format_academic_year(self.academic_year)


def rollover_status(session: Session, *, today: date | None = None) -> RolloverStatus:
    """The year-end status anyone signed in may see (nothing is changed).

    ``overdue``: the academic year it is by the calendar is already later than the school's
    (its rollover should have happened by 1 September).
    """
    day = today or date.today()
    school = get_school(session)
    opens = rollover_opens(school.academic_year)
    last = session.scalars(select(YearEndRun).order_by(YearEndRun.id.desc()).limit(1)).first()
    info = (
        None
        if last is None
        else RunInfo(
            last.id,
            last.from_year,
            last.to_year,
            last.run_at,
            last.run_by,
            last.undone_at,
            last.undone_by,
        )
    )
    return RolloverStatus(
        academic_year=school.academic_year,
        opens_on=opens,
        is_open=day >= opens,
        overdue=day >= date(school.academic_year + 1, 9, 1),
        last_run=info,
        can_undo=latest_undoable_run(session, school) is not None,
    )
