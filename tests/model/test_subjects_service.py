"""Subjects: the matrix of years choosing subjects, offers, retiring without losing history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Staff, StaffRole, Subject, SubjectOffer
from planit_desktop.model.errors import InvalidInput, PermissionDenied, Refused
from planit_desktop.model.services.subjects import offers as service


def _matrix(database: Database, admin: Actor) -> service.SubjectMatrix:
    with database.read() as session:
        return service.subject_matrix(session, admin)


def _subject(matrix: service.SubjectMatrix, name: str) -> service.SubjectRow:
    return next(row for row in matrix.subjects if row.name == name)


def test_matrix_years_and_offers(demo_database: Database, admin: Actor) -> None:
    matrix = _matrix(demo_database, admin)
    assert matrix.years == (9, 10, 11)
    assert _subject(matrix, "English KS3").years_offered == frozenset({9})
    assert matrix.years_without_subjects == ()


def test_year_with_no_subjects_is_flagged(demo_database: Database, admin: Actor) -> None:
    with demo_database.begin() as session:
        session.execute(SubjectOffer.__table__.delete().where(SubjectOffer.year_group == 11))
    assert _matrix(demo_database, admin).years_without_subjects == (11,)


def test_add_rename_offer(demo_database: Database, admin: Actor) -> None:
    with demo_database.begin() as session:
        sid = service.add_subject(session, admin, "  Drama  ")
        service.set_offer(session, admin, sid, 10, True)
        assert not service.set_offer(session, admin, sid, 10, True)  # already offered
        service.rename_subject(session, admin, sid, "Drama and Theatre")
    row = _subject(_matrix(demo_database, admin), "Drama and Theatre")
    assert row.years_offered == frozenset({10}) and not row.retired
    with demo_database.begin() as session:
        assert service.set_offer(session, admin, sid, 10, False)
    assert _subject(_matrix(demo_database, admin), "Drama and Theatre").years_offered == frozenset()


def test_retire_and_restore_keep_history(demo_database: Database, admin: Actor) -> None:
    sid = _subject(_matrix(demo_database, admin), "French").id
    with demo_database.begin() as session:
        assert service.retire_subject(session, admin, sid) == frozenset({9, 10})
    row = _subject(_matrix(demo_database, admin), "French")
    assert row.retired and row.years_offered == frozenset()
    assert _matrix(demo_database, admin).subjects[-1].name == "French"  # retired listed last
    with pytest.raises(Refused, match="retired"), demo_database.begin() as session:
        service.set_offer(session, admin, sid, 9, True)
    with demo_database.begin() as session:
        assert service.restore_subject(session, admin, sid) == frozenset({9, 10})
    assert _subject(_matrix(demo_database, admin), "French").years_offered == frozenset({9, 10})


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("", InvalidInput, "empty"),
        ("   ", InvalidInput, "empty"),
        ("x" * 101, InvalidInput, "at most 100"),
        ("maths", Refused, "already a subject called “Maths”"),
    ],
)
def test_bad_subject_names(
    demo_database: Database, admin: Actor, name: str, error: type[Exception], message: str
) -> None:
    before = _matrix(demo_database, admin)
    history = _subject(before, "Art").id
    with pytest.raises(error, match=message), demo_database.begin() as session:
        service.add_subject(session, admin, name)
    with pytest.raises(error, match=message), demo_database.begin() as session:
        service.rename_subject(session, admin, history, name)
    assert _matrix(demo_database, admin) == before


def test_offer_outside_subject_years_refused(demo_database: Database, admin: Actor) -> None:
    sid = _subject(_matrix(demo_database, admin), "Art").id
    with pytest.raises(InvalidInput, match="Years 9–11 only"), demo_database.begin() as session:
        service.set_offer(session, admin, sid, 8, True)


def test_supervisor_refused_every_subject_change(demo_database: Database) -> None:
    with demo_database.read() as session:
        staff = session.scalars(select(Staff).where(Staff.login == "supervisor1")).one()
        sid = session.scalars(select(Subject.id).where(Subject.name == "Art")).one()
    supervisor = Actor(staff.login, staff.name, StaffRole.SUPERVISOR, staff.id)
    attempts = [
        lambda s: service.add_subject(s, supervisor, "Drama"),
        lambda s: service.rename_subject(s, supervisor, sid, "Fine Art"),
        lambda s: service.retire_subject(s, supervisor, sid),
        lambda s: service.restore_subject(s, supervisor, sid),
        lambda s: service.set_offer(s, supervisor, sid, 9, False),
    ]
    admin = Actor("os:x", "x", StaffRole.ADMINISTRATOR)
    before = _matrix(demo_database, admin)
    for attempt in attempts:
        with pytest.raises(PermissionDenied), demo_database.begin() as session:
            attempt(session)
    assert _matrix(demo_database, admin) == before
    with demo_database.read() as session:
        refused = session.scalar(
            select(func.count()).where(
                AuditEntry.action == "refused", AuditEntry.actor == "supervisor1"
            )
        )
    assert refused == len(attempts)
