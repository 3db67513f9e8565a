"""Subjects and the subject × year-group matrix of the years that choose subjects.

Offers belong to the year group, not to learners, so they stay put across a rollover.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import AuditEntry, Subject, SubjectOffer
from planit_desktop.model.errors import InvalidInput, NotFound, Refused
from planit_desktop.model.services import audit
from planit_desktop.model.services.groups.listing import natural_key
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import get_school


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
    school = get_school(session)
    return tuple(range(school.first_subject_year, school.highest_year + 1))


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
    ):
        offered[subject_id].add(year_group)
    subjects = [
        SubjectRow(sid, name, retired, frozenset(offered.get(sid, ())))
        for sid, name, retired in session.execute(select(Subject.id, Subject.name, Subject.retired))
    ]
    subjects.sort(key=lambda row: (row.retired, natural_key(row.name)))
    covered = {year for row in subjects if not row.retired for year in row.years_offered}
    return SubjectMatrix(
        years=years,
        subjects=tuple(subjects),
        years_without_subjects=tuple(year for year in years if year not in covered),
    )


# --- changes (administrators) -------------------------------------------------------------

MAX_SUBJECT_NAME = 100


def normalise_subject_name(name: str) -> str:
    """A subject name as stored: trimmed, runs of spaces made one; refused if empty or long."""
    text = " ".join((name or "").split())
    if not text:
        raise InvalidInput("A subject name cannot be empty or only spaces.")
    if len(text) > MAX_SUBJECT_NAME:
        raise InvalidInput(f"A subject name may have at most {MAX_SUBJECT_NAME} characters.")
    return text


def _refuse_clash(session: Session, name: str, except_id: int | None = None) -> None:
    for sid, other in session.execute(select(Subject.id, Subject.name)):
        if sid != except_id and other.casefold() == name.casefold():
            raise Refused(
                f"There is already a subject called “{other}” (capitals are not told apart)."
                " Choose another name."
            )


def _subject(session: Session, subject_id: int) -> Subject:
    subject = session.get(Subject, subject_id)
    if subject is None:
        raise NotFound("That subject no longer exists; refresh the list.")
    return subject


def _offered(session: Session, subject_id: int) -> list[int]:
    return sorted(
        session.scalars(
            select(SubjectOffer.year_group).where(SubjectOffer.subject_id == subject_id)
        )
    )


def add_subject(session: Session, actor: Actor, name: str) -> int:
    """Add a subject, offered to no year yet; returns its id."""
    require_administrator(session, actor, "add subjects")
    name = normalise_subject_name(name)
    _refuse_clash(session, name)
    subject = Subject(name=name, retired=False)
    session.add(subject)
    session.flush()
    audit.record(session, actor, "subject_added", entity="subject", entity_id=subject.id, new=name)
    return subject.id


def rename_subject(session: Session, actor: Actor, subject_id: int, new_name: str) -> None:
    """Rename a subject; refused onto another subject's name (case ignored)."""
    require_administrator(session, actor, "rename subjects")
    subject = _subject(session, subject_id)
    name = normalise_subject_name(new_name)
    if name == subject.name:
        return
    _refuse_clash(session, name, except_id=subject.id)
    old, subject.name = subject.name, name
    audit.record(
        session, actor, "subject_renamed", entity="subject", entity_id=subject.id,
        field="name", old=old, new=name,
    )  # fmt: skip


def retire_subject(session: Session, actor: Actor, subject_id: int) -> frozenset[int]:
    """Retire a subject: it is no longer offered to any year, but keeps its name and history.

    Its offers are removed (so nothing anywhere counts a retired subject as offered) and the
    years it had are recorded in the audit entry, from which :func:`restore_subject` puts
    them back. Returns those years.
    """
    require_administrator(session, actor, "retire subjects")
    subject = _subject(session, subject_id)
    if subject.retired:
        raise Refused(f"“{subject.name}” is already retired.")
    years = _offered(session, subject.id)
    session.execute(delete(SubjectOffer).where(SubjectOffer.subject_id == subject.id))
    subject.retired = True
    audit.record(
        session, actor, "subject_retired", entity="subject", entity_id=subject.id,
        field="years_offered", old=",".join(map(str, years)), new="",
    )  # fmt: skip
    return frozenset(years)


def restore_subject(session: Session, actor: Actor, subject_id: int) -> frozenset[int]:
    """Offer a retired subject again, to the years it had when retired (those still in the
    range of years choosing subjects). Returns the years offered again."""
    require_administrator(session, actor, "restore subjects")
    subject = _subject(session, subject_id)
    if not subject.retired:
        raise Refused(f"“{subject.name}” is not retired.")
    had = session.scalar(
        select(AuditEntry.old_value)
        .where(
            AuditEntry.action == "subject_retired",
            AuditEntry.entity == "subject",
            AuditEntry.entity_id == subject.id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    in_range = set(_subject_years(session))
    years = sorted({int(y) for y in (had or "").split(",") if y.strip().isdigit()} & in_range)
    subject.retired = False
    if years:
        session.execute(
            insert(SubjectOffer), [{"subject_id": subject.id, "year_group": y} for y in years]
        )
    audit.record(
        session, actor, "subject_restored", entity="subject", entity_id=subject.id,
        field="years_offered", old="", new=",".join(map(str, years)),
    )  # fmt: skip
    return frozenset(years)


def set_offer(
    session: Session, actor: Actor, subject_id: int, year_group: int, offered: bool
) -> bool:
    """Offer (or stop offering) a subject to a year group; returns whether anything changed.

    Only for the years that choose subjects, and not for a retired subject.
    """
    require_administrator(session, actor, "change the subjects offered")
    subject = _subject(session, subject_id)
    years = _subject_years(session)
    if year_group not in years:
        raise InvalidInput(
            f"Subjects are offered to Years {years[0]}–{years[-1]} only, not Year {year_group}."
        )
    if subject.retired:
        raise Refused(f"“{subject.name}” is retired. Restore it before offering it again.")
    present = year_group in _offered(session, subject.id)
    if present == offered:
        return False
    if offered:
        session.execute(insert(SubjectOffer).values(subject_id=subject.id, year_group=year_group))
    else:
        session.execute(
            delete(SubjectOffer).where(
                SubjectOffer.subject_id == subject.id, SubjectOffer.year_group == year_group
            )
        )
    audit.record(
        session, actor, "subject_offer_changed", entity="subject", entity_id=subject.id,
        field=f"year {year_group}", old=present, new=offered,
    )  # fmt: skip
    return True
