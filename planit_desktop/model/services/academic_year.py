"""One academic year per change: a write that depends on the year confirms it under a lock.

A file is checked, a learner's year group chosen or a learner created against the school's
academic year as it was then. The rollover (and its undo) changes that year while holding the
school row's lock. So each such write takes the same lock inside its own transaction and
confirms the year has not moved meanwhile: the two are serial, and a write meant for the
year that has just ended is refused, never carried into the new one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import School
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.year_end.plan import current_school


class AcademicYearMoved(Refused):
    """The school moved into another academic year after the change was prepared."""


def hold_academic_year(
    session: Session, checked_year: int | None, *, while_: str, nothing: str
) -> School:
    """Lock the school row until the transaction ends and confirm its academic year.

    ``checked_year`` is the year the change was prepared against (None: whatever it is now;
    the lock is still taken, so the change and a rollover are serial). ``while_`` says what
    was being done ("this file was being checked"), ``nothing`` what the refusal leaves
    ("Nothing was imported."). Raises :class:`AcademicYearMoved` when the year has changed.
    """
    school = current_school(session, lock=True)
    if checked_year is not None and school.academic_year != checked_year:
        direction = "back into" if school.academic_year < checked_year else "into"
        raise AcademicYearMoved(
            f"The school moved {direction} {format_academic_year(school.academic_year)} "
            f"while {while_}: check it again. {nothing}"
        )
    return school
