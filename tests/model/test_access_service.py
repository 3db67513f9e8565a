"""Supervisor access: assign, unassign, replace, restore last year's, and who lost access."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    Group,
    School,
    Staff,
    StaffRole,
    SupervisorAccess,
    YearEndRun,
)
from planit_desktop.model.errors import NotFound, PermissionDenied, Refused
from planit_desktop.model.services.groups.listing import list_groups
from planit_desktop.model.services.staff import access
from planit_desktop.model.services.staff.members import list_staff


def _id(database: Database, login: str) -> int:
    with database.read() as session:
        return session.scalars(select(Staff.id).where(Staff.login == login)).one()


def _group(database: Database, name: str) -> int:
    with database.read() as session:
        return session.scalars(select(Group.id).where(Group.name == name)).one()


def _groups_of(database: Database, admin: Actor, staff_id: int) -> tuple[str, ...]:
    with database.read() as session:
        return next(r.groups for r in list_staff(session, admin) if r.id == staff_id)


def _access_rows(database: Database) -> list[tuple[object, ...]]:
    with database.read() as session:
        query = select(SupervisorAccess).order_by(SupervisorAccess.id)
        return [
            (a.staff_id, a.group_id, a.academic_year, a.ended_at) for a in session.scalars(query)
        ]


def test_assign_is_idempotent_and_shared(demo_database: Database, admin: Actor) -> None:
    gareth = _id(demo_database, "supervisor8")  # the demo leaves the last one without groups
    seven_a, oak = _group(demo_database, "7A"), _group(demo_database, "Oak")
    with demo_database.begin() as session:
        assert access.assign(session, admin, gareth, [oak, seven_a]) == ["7A", "Oak"]
    with demo_database.begin() as session:
        assert access.assign(session, admin, gareth, [oak]) == []
    assert _groups_of(demo_database, admin, gareth) == ("7A", "Oak")
    with demo_database.read() as session:
        seven = next(r for r in list_groups(session, admin) if r.id == seven_a)
    assert len(seven.supervisors) == 2
    supervisor = Actor("supervisor8", "Gareth Patel", StaffRole.SUPERVISOR, gareth)
    with demo_database.read() as session:
        assert {r.name for r in list_groups(session, supervisor)} == {"7A", "Oak"}


def test_unassign_keeps_history_and_reassign_reopens(demo_database: Database, admin: Actor) -> None:
    helen = _id(demo_database, "supervisor1")
    seven_a = _group(demo_database, "7A")
    rows_before = len(_access_rows(demo_database))
    with demo_database.begin() as session:
        assert access.unassign(session, admin, helen, [seven_a]) == ["7A"]
    assert "7A" not in _groups_of(demo_database, admin, helen)
    assert len(_access_rows(demo_database)) == rows_before
    with demo_database.begin() as session:
        assert access.assign(session, admin, helen, [seven_a]) == ["7A"]
    assert "7A" in _groups_of(demo_database, admin, helen)


def test_set_assignments_replaces(demo_database: Database, admin: Actor) -> None:
    helen = _id(demo_database, "supervisor1")
    oak = _group(demo_database, "Oak")
    with demo_database.begin() as session:
        added, ended = access.set_assignments(session, admin, helen, [oak])
    assert added == ["Oak"] and "7A" in ended
    assert _groups_of(demo_database, admin, helen) == ("Oak",)


def test_refused_for_deactivated_administrator_or_missing_group(
    demo_database: Database, admin: Actor
) -> None:
    helen, admin1 = _id(demo_database, "supervisor1"), _id(demo_database, "admin1")
    oak = _group(demo_database, "Oak")
    with demo_database.begin() as session:
        session.execute(update(Staff).where(Staff.id == helen).values(active=False))
    before = _access_rows(demo_database)
    with pytest.raises(Refused, match="deactivated"), demo_database.begin() as session:
        access.assign(session, admin, helen, [oak])
    with pytest.raises(Refused, match="already sees every group"), demo_database.begin() as s:
        access.assign(s, admin, admin1, [oak])
    with pytest.raises(NotFound, match="no longer exists"), demo_database.begin() as session:
        access.assign(session, admin, _id(demo_database, "supervisor2"), [oak, 99999])
    assert _access_rows(demo_database) == before


def test_restore_last_years_and_lost_access(demo_database: Database, admin: Actor) -> None:
    helen, mark = _id(demo_database, "supervisor1"), _id(demo_database, "supervisor2")
    with demo_database.read() as session:
        assert access.access_lost_at_last_rollover(session, admin) == []
    had = _groups_of(demo_database, admin, helen)
    # A rollover by hand: the year's access ends with the run, and the year moves on.
    with demo_database.begin() as session:
        run = YearEndRun(from_year=2025, to_year=2026, run_by="test")
        session.add(run)
        session.flush()
        session.execute(
            update(SupervisorAccess)
            .where(SupervisorAccess.academic_year == 2025)
            .values(ended_at=func.current_timestamp(), ended_by_run_id=run.id)
        )
        session.execute(update(School).values(academic_year=2026))
        session.execute(
            Group.__table__.delete().where(Group.name == "Oak")  # gone since: skipped
        )
    assert _groups_of(demo_database, admin, helen) == ()
    with demo_database.read() as session:
        lost = access.access_lost_at_last_rollover(session, admin)
        without = {r.id for r in access.supervisors_without_groups(session, admin)}
    assert {r.group_name for r in lost if r.staff_id == helen} == set(had)
    assert {helen, mark} <= without
    with demo_database.begin() as session:
        restored = access.restore_last_years_assignments(session, admin, [helen, mark])
    assert restored[helen] == list(had)
    assert "Oak" not in restored[mark] and restored[mark]
    assert _groups_of(demo_database, admin, helen) == had


def test_supervisor_refused_every_access_change(demo_database: Database) -> None:
    helen = _id(demo_database, "supervisor1")
    supervisor = Actor("supervisor1", "Helen", StaffRole.SUPERVISOR, helen)
    oak = _group(demo_database, "Oak")
    attempts = [
        lambda s: access.assign(s, supervisor, helen, [oak]),
        lambda s: access.unassign(s, supervisor, helen, [oak]),
        lambda s: access.set_assignments(s, supervisor, helen, [oak]),
        lambda s: access.restore_last_years_assignments(s, supervisor, [helen]),
        lambda s: access.access_lost_at_last_rollover(s, supervisor),
        lambda s: access.supervisors_without_groups(s, supervisor),
    ]
    before = _access_rows(demo_database)
    for attempt in attempts:
        with pytest.raises(PermissionDenied), demo_database.begin() as session:
            attempt(session)
    assert _access_rows(demo_database) == before
    with demo_database.read() as session:
        refused = session.scalar(
            select(func.count()).where(
                AuditEntry.action == "refused", AuditEntry.actor == "supervisor1"
            )
        )
    assert refused == len(attempts)
