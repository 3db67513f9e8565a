"""The school's settings row, and a summary of the school in a handful of aggregate queries.

Every service reads the row through :func:`get_school` (or :func:`current_academic_year`)
and locks it through :func:`get_school` with ``lock`` or :func:`hold_academic_year`.

:func:`summarise` is what ``planit-desktop summary`` prints, what the Year End tab shows, and
what the rollover compares before and after; it must stay fast on 100,000 learners.

One academic year per change: a file is checked, a learner's year group chosen or a learner
created against the school's academic year as it was then. The rollover (and its undo)
changes that year while holding the school row's lock. So each write that depends on the
year takes the same lock inside its own transaction and confirms the year has not moved
meanwhile (:func:`hold_academic_year`): the two are serial, and a write meant for the year
that has just ended is refused, never carried into the new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import Group, Learner, School, Staff, SupervisorAccess
from planit_desktop.model.errors import InvalidInput, NotFound, Refused
from planit_desktop.model.kinds import LearnerStatus, StaffRole
from planit_desktop.model.services import audit
from planit_desktop.model.services.permissions import (
    access_in_force,
    require_administrator,
    require_founder_or_administrator,
)

NO_SCHOOL = (
    "This database has no school yet. Create one from File ▸ New database "
    "or with planit-desktop demo-db."
)
# National Curriculum years a school can serve (Year 1 to Year 14).
FIRST_NC_YEAR, LAST_NC_YEAR = 1, 14
SUBJECT_CHOICE_YEAR = 9  # the source document: learners choose subjects in Years 9–11


def get_school(session: Session, *, lock: bool = False, wait: bool = True) -> School:
    """The school's settings row; :class:`NotFound` when the database has no school yet.

    With ``lock`` the row is held until the transaction ends, and read afresh once held. On
    PostgreSQL the lock is ``SELECT … FOR UPDATE``, which makes a second rollover (or any
    write that confirms the academic year) wait and then see the first one's result; with
    ``wait=False`` a row another transaction holds raises the database's error at once
    (``NOWAIT``). SQLite's write transaction is already exclusive.
    """
    if lock:
        query = select(School).where(School.id == 1).with_for_update(nowait=not wait)
        school = session.scalars(query).one_or_none()
        if school is not None:
            session.refresh(school)
    else:
        school = session.get(School, 1)
    if school is None:
        raise NotFound(NO_SCHOOL)
    return school


def current_academic_year(session: Session) -> int:
    """The school's current academic year (its starting calendar year), read afresh."""
    year = session.scalar(select(School.academic_year).where(School.id == 1))
    if year is None:
        raise NotFound(NO_SCHOOL)
    return year


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
    school = get_school(session, lock=True)
    if checked_year is not None and school.academic_year != checked_year:
        direction = "back into" if school.academic_year < checked_year else "into"
        raise AcademicYearMoved(
            f"The school moved {direction} {format_academic_year(school.academic_year)} "
            f"while {while_}: check it again. {nothing}"
        )
    return school


def create_school(
    session: Session,
    actor: Actor,
    *,
    name: str,
    academic_year: int,
    lowest_year: int = 7,
    highest_year: int = 11,
) -> None:
    """Give a new, empty database its school: name, years served and current academic year.

    Only administrators may do it, or, in a new database that nobody can sign in to yet, its
    founder (:meth:`Actor.founder`); a database that already has a school is refused. The
    creation is audited.
    """
    require_founder_or_administrator(session, actor, "set up the school")
    tidy = " ".join((name or "").split())
    if not tidy:
        raise InvalidInput("The school needs a name.")
    if len(tidy) > 200:
        raise InvalidInput("A school name has at most 200 characters.")
    if not 1990 <= academic_year <= 2200:
        raise InvalidInput(f"{academic_year} is not a plausible academic year.")
    for year in (lowest_year, highest_year):
        if not FIRST_NC_YEAR <= year <= LAST_NC_YEAR:
            raise InvalidInput(f"Year {year} is not a school year group (Year 1 to Year 14).")
    if lowest_year > highest_year:
        raise InvalidInput(
            f"The lowest year group served (Year {lowest_year}) is above the highest "
            f"(Year {highest_year})."
        )
    if session.get(School, 1) is not None:
        raise Refused("This database already has a school; its settings were left as they are.")
    session.add(
        School(
            id=1,
            name=tidy,
            lowest_year=lowest_year,
            highest_year=highest_year,
            academic_year=academic_year,
            first_subject_year=min(max(SUBJECT_CHOICE_YEAR, lowest_year), highest_year),
        )
    )
    audit.record(
        session,
        actor,
        "school created",
        entity="school",
        entity_id=1,
        new=tidy,
        detail=f"Years {lowest_year}–{highest_year}, {format_academic_year(academic_year)}",
    )


@dataclass(frozen=True)
class SchoolSummary:
    """The school at a glance: who is on roll in which year, and who has access to what."""

    school: str
    academic_year: int
    lowest_year: int
    highest_year: int
    # On-roll learners per year group: every year served (zero included), plus any other
    # year group that has learners on roll, in order.
    learners_by_year: dict[int, int] = field(default_factory=dict)
    left: int = 0
    completed: int = 0
    # Learners joining next academic year (not on roll yet), per the year group they will
    # be in; only year groups that have any.
    joining_by_year: dict[int, int] = field(default_factory=dict)
    groups: int = 0
    administrators: int = 0  # active
    supervisors: int = 0  # active
    supervisor_access: int = 0  # current academic year, not ended

    @property
    def on_roll(self) -> int:
        return sum(self.learners_by_year.values())

    @property
    def joining(self) -> int:
        """Learners joining next academic year, whom the rollover puts on roll."""
        return sum(self.joining_by_year.values())

    @property
    def academic_year_text(self) -> str:
        return format_academic_year(self.academic_year)

    def to_json(self) -> dict[str, Any]:
        """The summary as ``planit-desktop summary --json`` prints it."""
        return {
            "school": self.school,
            "academic_year": self.academic_year_text,
            "learners_by_year": {str(year): n for year, n in self.learners_by_year.items()},
            "left": self.left,
            "completed": self.completed,
            "joining": self.joining,
            "joining_academic_year": format_academic_year(self.academic_year + 1),
            "joining_by_year": {str(year): n for year, n in self.joining_by_year.items()},
            "groups": self.groups,
            "administrators": self.administrators,
            "supervisors": self.supervisors,
            "supervisor_access": self.supervisor_access,
        }


def summarise(session: Session) -> SchoolSummary:
    """Count the school's learners, groups, staff and access with a few GROUP BY queries."""
    school = get_school(session)
    by_year = dict.fromkeys(range(school.lowest_year, school.highest_year + 1), 0)
    by_status = dict.fromkeys(LearnerStatus, 0)
    joining: dict[int, int] = {}
    # One pass over the (status, year group) index gives on-roll per year, left, completed
    # and joining.
    for status, year_group, count in session.execute(
        select(Learner.status, Learner.year_group, func.count()).group_by(
            Learner.status, Learner.year_group
        )
    ):
        by_status[status] += count
        if status is LearnerStatus.ON_ROLL:
            by_year[year_group] = by_year.get(year_group, 0) + count
        elif status is LearnerStatus.JOINING:
            joining[year_group] = joining.get(year_group, 0) + count
    staff = dict.fromkeys(StaffRole, 0)
    for role, count in session.execute(
        select(Staff.role, func.count()).where(Staff.active.is_(True)).group_by(Staff.role)
    ):
        staff[role] = count
    access = session.scalar(
        select(func.count())
        .select_from(SupervisorAccess)
        .where(access_in_force(school.academic_year))
    )
    return SchoolSummary(
        school=school.name,
        academic_year=school.academic_year,
        lowest_year=school.lowest_year,
        highest_year=school.highest_year,
        learners_by_year=dict(sorted(by_year.items())),
        left=by_status[LearnerStatus.LEFT],
        completed=by_status[LearnerStatus.COMPLETED],
        joining_by_year=dict(sorted(joining.items())),
        groups=session.scalar(select(func.count()).select_from(Group)) or 0,
        administrators=staff[StaffRole.ADMINISTRATOR],
        supervisors=staff[StaffRole.SUPERVISOR],
        supervisor_access=access or 0,
    )


class SchoolDetailsMissing(Refused):
    """The school's DfE number is needed (for the School Support Team) but not recorded."""


MISSING_DFE_NUMBER = (
    "The School Support Team finds a school by its DfE number (local authority code and "
    "establishment number, for example 123/4567), which is not recorded yet. Record it in "
    "File ▸ School details… and try again."
)


@dataclass(frozen=True, slots=True)
class SchoolDetails:
    """What identifies the school to the School Support Team: its name and DfE number."""

    name: str
    la_code: str | None
    establishment_number: str | None

    @property
    def dfe_number(self) -> str | None:
        """The DfE number as the DfE writes it (LAESTAB, 123/4567); None until both parts
        are known."""
        if self.la_code and self.establishment_number:
            return f"{self.la_code}/{self.establishment_number}"
        return None


def school_details(session: Session) -> SchoolDetails:
    """The school's name and DfE number (its parts None until recorded)."""
    school = get_school(session)
    return SchoolDetails(school.name, school.la_code, school.establishment_number)


def require_dfe_number(session: Session) -> SchoolDetails:
    """The school's details; :class:`SchoolDetailsMissing` while its DfE number is unknown."""
    details = school_details(session)
    if details.dfe_number is None:
        raise SchoolDetailsMissing(MISSING_DFE_NUMBER)
    return details


def _digits(text: str | None, count: int, what: str, example: str) -> str:
    tidy = "".join((text or "").split())
    if not tidy:
        raise InvalidInput(
            f"The {what.split(' ', 1)[1]} is missing: it has exactly {count} digits (for "
            f"example {example})."
        )
    if not (len(tidy) == count and tidy.isascii() and tidy.isdigit()):
        raise InvalidInput(
            f"“{tidy}” is not {what}: it has exactly {count} digits (for example {example})."
        )
    return tidy


def parse_dfe_number(text: str) -> tuple[str, str]:
    """The two parts of a DfE number typed as 123/4567, 123-4567 or 1234567.

    ``("123", "4567")``; :class:`InvalidInput` saying which part is wrong otherwise.
    """
    tidy = "".join(text.split()).replace("-", "/")
    la_code, _, establishment = tidy.partition("/") if "/" in tidy else (tidy[:3], "", tidy[3:])
    return (
        _digits(la_code, 3, "a local authority code", "123"),
        _digits(establishment, 4, "an establishment number", "4567"),
    )


def set_school_details(
    session: Session,
    actor: Actor,
    *,
    name: str | None = None,
    la_code: str,
    establishment_number: str,
) -> SchoolDetails:
    """Record the school's DfE number (and, if given, a corrected name); administrators only.

    The local authority code has exactly 3 digits and the establishment number exactly 4
    (the DfE number 123/4567). Each change is audited with its old and new value.
    """
    require_administrator(session, actor, "change the school's settings")
    school = get_school(session)
    code = _digits(la_code, 3, "a local authority code", "123")
    number = _digits(establishment_number, 4, "an establishment number", "4567")
    tidy = school.name if name is None else " ".join(name.split())
    if not tidy:
        raise InvalidInput("The school needs a name.")
    if len(tidy) > 200:
        raise InvalidInput("A school name has at most 200 characters.")
    for field_name, old, new in (
        ("name", school.name, tidy),
        ("la_code", school.la_code, code),
        ("establishment_number", school.establishment_number, number),
    ):
        if old != new:
            setattr(school, field_name, new)
            audit.record(
                session,
                actor,
                "school changed",
                entity="school",
                entity_id=1,
                field=field_name,
                old=old,
                new=new,
            )
    return SchoolDetails(school.name, school.la_code, school.establishment_number)
