"""Staff: listing, adding, roles, leavers kept, and the last administrator protected."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Staff, StaffRole, SupervisorAccess
from planit_desktop.model.errors import InvalidInput, PermissionDenied, Refused
from planit_desktop.model.services.demo.school import DemoSchool
from planit_desktop.model.services.staff import members as service


def _id(database: Database, login: str) -> int:
    with database.read() as session:
        return session.scalars(select(Staff.id).where(Staff.login == login)).one()


def _actor(database: Database, login: str) -> Actor:
    with database.read() as session:
        staff = session.scalars(select(Staff).where(Staff.login == login)).one()
        return Actor(staff.login, staff.name, staff.role, staff.id)


def _rows(database: Database, actor: Actor) -> list[service.StaffRow]:
    with database.read() as session:
        return service.list_staff(session, actor)


def test_list_staff(demo_school: DemoSchool, demo_database: Database, admin: Actor) -> None:
    rows = _rows(demo_database, admin)
    assert len(rows) == len(demo_school.staff)
    assert [r.name for r in rows] == sorted(r.name for r in rows)
    by_login = {r.login: r for r in rows}
    assert by_login["supervisor1"].groups and not by_login["admin1"].groups
    assert all(r.active for r in rows)


def test_add_staff(demo_database: Database, admin: Actor) -> None:
    with demo_database.begin() as session:
        made = service.add_staff(
            session, admin, name=" Jo  Bloggs ", login="jbloggs", role=StaffRole.SUPERVISOR,
            email="jo@school.example",
        )  # fmt: skip
    assert made.temporary_password is not None and len(made.temporary_password) >= 10
    row = next(r for r in _rows(demo_database, admin) if r.id == made.id)
    assert (row.name, row.role, row.active, row.groups) == (
        "Jo Bloggs", StaffRole.SUPERVISOR, True, (),
    )  # fmt: skip
    with demo_database.read() as session:
        assert session.get(Staff, made.id).must_change_password  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"login": "ADMIN1"}, Refused, "already used by"),
        ({"login": "  "}, InvalidInput, "login name is empty"),
        ({"login": "two words"}, InvalidInput, "no spaces"),
        ({"name": "   "}, InvalidInput, "name is empty"),
        ({"email": "not an email"}, InvalidInput, "not an email"),
        ({"password": "short"}, InvalidInput, "at least 10"),
        ({"password": "newperson1"}, InvalidInput, "same as the login"),
    ],
)
def test_add_staff_bad_input(
    demo_database: Database, admin: Actor, fields: dict[str, str], error: type[Exception],
    message: str,
) -> None:  # fmt: skip
    values: dict[str, object] = {"name": "New Person", "login": "newperson1"} | fields
    before = len(_rows(demo_database, admin))
    with pytest.raises(error, match=message), demo_database.begin() as session:
        service.add_staff(session, admin, role=StaffRole.SUPERVISOR, **values)  # type: ignore[arg-type]
    assert len(_rows(demo_database, admin)) == before


def test_change_role_and_last_administrator(demo_database: Database, admin: Actor) -> None:
    admin1, admin2 = _id(demo_database, "admin1"), _id(demo_database, "admin2")
    supervisor = _id(demo_database, "supervisor1")
    with demo_database.begin() as session:
        service.change_role(session, admin, supervisor, StaffRole.ADMINISTRATOR)
    row = next(r for r in _rows(demo_database, admin) if r.id == supervisor)
    assert row.role is StaffRole.ADMINISTRATOR and row.groups == ()  # access ended, kept
    with demo_database.read() as session:
        assert session.scalar(select(func.count()).where(SupervisorAccess.staff_id == supervisor))
    with demo_database.begin() as session:
        service.change_role(session, admin, supervisor, StaffRole.SUPERVISOR)
        service.change_role(session, admin, admin2, StaffRole.SUPERVISOR)
    before = _rows(demo_database, admin)
    with pytest.raises(Refused, match="last active administrator"), demo_database.begin() as s:
        service.change_role(s, admin, admin1, StaffRole.SUPERVISOR)
    with pytest.raises(Refused, match="last active administrator"), demo_database.begin() as s:
        service.deactivate(s, admin, admin1)
    assert _rows(demo_database, admin) == before


def test_deactivate_keeps_history_and_ends_access(demo_database: Database, admin: Actor) -> None:
    supervisor = _id(demo_database, "supervisor1")
    with demo_database.begin() as session:
        service.deactivate(session, admin, supervisor)
    row = next(r for r in _rows(demo_database, admin) if r.id == supervisor)
    assert not row.active and row.groups == ()
    with demo_database.read() as session:
        assert session.get(Staff, supervisor) is not None
        ended = session.scalars(
            select(SupervisorAccess.ended_at).where(SupervisorAccess.staff_id == supervisor)
        ).all()
    assert ended and all(when is not None for when in ended)
    with pytest.raises(Refused, match="already deactivated"), demo_database.begin() as s:
        service.deactivate(s, admin, supervisor)
    with demo_database.begin() as session:
        service.reactivate(session, admin, supervisor)
    assert next(r for r in _rows(demo_database, admin) if r.id == supervisor).active


def test_cannot_deactivate_yourself(demo_database: Database) -> None:
    me = _actor(demo_database, "admin1")
    with pytest.raises(Refused, match="yourself"), demo_database.begin() as session:
        service.deactivate(session, me, me.staff_id)  # type: ignore[arg-type]


def test_supervisor_refused_every_staff_change(demo_database: Database) -> None:
    supervisor = _actor(demo_database, "supervisor1")
    other = _id(demo_database, "supervisor2")
    attempts = [
        lambda s: service.add_staff(
            s, supervisor, name="X Y", login="xy", role=StaffRole.ADMINISTRATOR
        ),
        lambda s: service.change_role(s, supervisor, supervisor.staff_id, StaffRole.ADMINISTRATOR),
        lambda s: service.deactivate(s, supervisor, other),
        lambda s: service.reactivate(s, supervisor, other),
    ]
    before = _rows(demo_database, supervisor)
    for attempt in attempts:
        with pytest.raises(PermissionDenied), demo_database.begin() as session:
            attempt(session)
    assert _rows(demo_database, supervisor) == before
    with demo_database.read() as session:
        refused = session.scalar(
            select(func.count()).where(
                AuditEntry.action == "refused", AuditEntry.actor == "supervisor1"
            )
        )
    assert refused == len(attempts)
