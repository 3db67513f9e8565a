"""Subjects and the subject × year-group matrix of the years that choose subjects.

Offers belong to the year group, not to learners, so they stay put across a rollover.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import School, Subject, SubjectOffer
from planit_desktop.model.errors import NotFound
from planit_desktop.model.services.groups import natural_key


@dataclass(frozen=True, slots=True)
class SubjectRow:
    """One subject as listed, with the year groups it is offered to."""

    id: int
    name: str
    retired: bool
    years_offered: frozenset[int]


@dataclass(frozen=True, slots=True)
class SubjectMatrix:
    """The subjects (active first, then retired) against the years that choose subjects."""

    years: tuple[int, ...]
    subjects: tuple[SubjectRow, ...]
    #: Years in :attr:`years` to which no active subject is offered: flagged in the tab.
    years_without_subjects: tuple[int, ...]


def _subject_years(session: Session) -> tuple[int, ...]:
    row = session.execute(
        select(School.first_subject_year, School.highest_year).where(School.id == 1)
    ).one_or_none()
    if row is None:
        raise NotFound("The school's settings are missing: this database has no school yet.")
    return tuple(range(row[0], row[1] + 1))


def subject_matrix(session: Session, actor: Actor) -> SubjectMatrix:
    """Every subject with its offers, and the years (first subject year to the highest
    year served) that have no active subject offered.

    Offers outside those years (left from an older setting) are still reported in
    :attr:`SubjectRow.years_offered`, so nothing is hidden.
    """
    years = _subject_years(session)
    offered: defaultdict[int, set[int]] = defaultdict(set)
    for subject_id, year_group in session.execute(
        select(SubjectOffer.subject_id, SubjectOffer.year_group)
    ).tuples():
        offered[subject_id].add(year_group)
    subjects = [
        SubjectRow(sid, name, retired, frozenset(offered.get(sid, ())))
        for sid, name, retired in session.execute(
            select(Subject.id, Subject.name, Subject.retired)
        ).tuples()
    ]
    subjects.sort(key=lambda row: (row.retired, natural_key(row.name)))
    covered = {year for row in subjects if not row.retired for year in row.years_offered}
    return SubjectMatrix(
        years=years,
        subjects=tuple(subjects),
        years_without_subjects=tuple(year for year in years if year not in covered),
    )
