"""Problems a coordinator should look at before (and after) a rollover; none blocks it.

Each check is one aggregate query, so the whole list stays quick on 100,000 learners.
"""

from __future__ import annotations

from sqlalchemy import case, exists, extract, func, select
from sqlalchemy.orm import Session

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import GroupMembership, Learner, School, Subject, SubjectOffer
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.year_end.plan_types import Problem
from planit_desktop.model.validation.years import format_year_group

ON_ROLL = LearnerStatus.ON_ROLL.value


def _learners(count: int) -> str:
    return "1 learner" if count == 1 else f"{count} learners"


def find_problems(session: Session, school: School) -> tuple[Problem, ...]:
    """Learners in no group, year groups outside the range served, dates of birth two or
    more years away from the year group, and years choosing subjects with none offered."""
    problems: list[Problem] = []
    on_roll = Learner.status == ON_ROLL

    no_group = tuple(
        session.scalars(
            select(Learner.id)
            .where(on_roll, ~exists().where(GroupMembership.learner_id == Learner.id))
            .order_by(Learner.id)
        )
    )
    if no_group:
        problems.append(
            Problem(
                "no_group",
                f"{_learners(len(no_group))} on roll {'is' if len(no_group) == 1 else 'are'} "
                "in no group, so no supervisor can see them.",
                learner_ids=no_group,
            )
        )

    outside = session.execute(
        select(Learner.id, Learner.year_group)
        .where(
            on_roll,
            (Learner.year_group < school.lowest_year) | (Learner.year_group > school.highest_year),
        )
        .order_by(Learner.year_group, Learner.id)
    ).all()
    if outside:
        years = tuple(sorted({year for _, year in outside}))
        shown = ", ".join(format_year_group(year) for year in years)
        problems.append(
            Problem(
                "year_outside_range",
                f"{_learners(len(outside))} {'is' if len(outside) == 1 else 'are'} in "
                f"{shown}, outside the years this school serves "
                f"({format_year_group(school.lowest_year)} to "
                f"{format_year_group(school.highest_year)}).",
                learner_ids=tuple(learner_id for learner_id, _ in outside),
                year_groups=years,
            )
        )

    # Age on 31 August of the academic year's start, minus four (calendar.expected_year_group).
    expected = (
        school.academic_year
        - extract("year", Learner.date_of_birth)
        - case((extract("month", Learner.date_of_birth) >= 9, 1), else_=0)
        - 4
    )
    misfits = tuple(
        session.scalars(
            select(Learner.id)
            .where(on_roll, func.abs(Learner.year_group - expected) >= 2)
            .order_by(Learner.id)
        )
    )
    if misfits:
        problems.append(
            Problem(
                "date_of_birth",
                f"{_learners(len(misfits))} {'has' if len(misfits) == 1 else 'have'} a date of "
                "birth two or more years away from their year group in "
                f"{format_academic_year(school.academic_year)}: check the year group or the date.",
                learner_ids=misfits,
            )
        )

    choosing = range(school.first_subject_year, school.highest_year + 1)
    offered = set(
        session.scalars(
            select(SubjectOffer.year_group)
            .join(Subject, Subject.id == SubjectOffer.subject_id)
            .where(Subject.retired.is_(False), SubjectOffer.year_group.in_(list(choosing)))
            .distinct()
        )
    )
    missing = tuple(year for year in choosing if year not in offered)
    if missing:
        shown = ", ".join(format_year_group(year) for year in missing)
        problems.append(
            Problem(
                "no_subjects",
                f"No subjects are offered to {shown}. Confirm the subjects offered to "
                f"{format_year_group(school.first_subject_year)}–{school.highest_year}.",
                year_groups=missing,
            )
        )
    return tuple(problems)
