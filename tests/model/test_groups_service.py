"""Groups: listing, members, supervisors limited to their groups, and every change undone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Group, GroupMembership, Staff, StaffRole
from planit_desktop.model.errors import InvalidInput, NotFound, PermissionDenied, Refused
from planit_desktop.model.services.groups import editing as changes
from planit_desktop.model.services.groups.listing import group_members, list_groups, natural_key


def _supervisor(database: Database, login: str = "supervisor1") -> Actor:
    with database.read() as session:
        staff = session.scalars(select(Staff).where(Staff.login == login)).one()
        return Actor(staff.login, staff.name, StaffRole.SUPERVISOR, staff.id)


def _group_id(database: Database, name: str) -> int:
    with database.read() as session:
        return session.scalars(select(Group.id).where(Group.name == name)).one()


def _members(database: Database, group_id: int) -> set[int]:
    with database.read() as session:
        return set(
            session.scalars(
                select(GroupMembership.learner_id).where(GroupMembership.group_id == group_id)
            )
        )


def _snapshot(database: Database) -> tuple[object, ...]:
    with database.read() as session:
        names = tuple(session.execute(select(Group.id, Group.name).order_by(Group.id)))
        members = tuple(
            session.execute(
                select(GroupMembership.learner_id, GroupMembership.group_id).order_by(
                    GroupMembership.learner_id, GroupMembership.group_id
                )
            )
        )
    return names, members


def _audit_count(database: Database, action: str) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).where(AuditEntry.action == action)) or 0


def test_natural_order() -> None:
    names = ["10A", "Oak", "7B", "Year 10 Blue", "7A", "Year 9 Red", "11A"]
    assert sorted(names, key=natural_key) == [
        "7A", "7B", "10A", "11A", "Oak", "Year 9 Red", "Year 10 Blue",
    ]  # fmt: skip


def test_list_groups_counts_and_supervisors(demo_database: Database, admin: Actor) -> None:
    with demo_database.read() as session:
        rows = list_groups(session, admin)
        assert [r.name for r in rows[:4]] == ["7A", "7B", "8A", "8B"]
        first = rows[0]
        assert first.member_count == len(group_members(session, admin, first.id))
        assert first.supervisors  # the demo gives every group a supervisor
        assert all(isinstance(r.supervisors, tuple) for r in rows)


def test_supervisor_sees_only_their_groups(demo_database: Database, admin: Actor) -> None:
    supervisor = _supervisor(demo_database)
    with demo_database.read() as session:
        mine = list_groups(session, supervisor)
        assert mine and all(supervisor.name in r.supervisors for r in mine)
        everyone = list_groups(session, admin)
        # An actor without a staff record is nobody's administrator: it sees no group.
        assert list_groups(session, Actor("os:x", "x", StaffRole.ADMINISTRATOR)) == []
        other = next(r for r in everyone if r.id not in {m.id for m in mine})
        assert group_members(session, supervisor, mine[0].id)
    with pytest.raises(PermissionDenied, match="assigned to you"), demo_database.read() as s:
        group_members(s, supervisor, other.id)


def test_members_exclude_left_unless_asked(demo_database: Database, admin: Actor) -> None:
    with demo_database.read() as session:
        for row in list_groups(session, admin):
            on_roll = group_members(session, admin, row.id)
            everyone = group_members(session, admin, row.id, include_left=True)
            assert {m.status for m in on_roll} <= {"on_roll"}
            assert len(everyone) >= len(on_roll)
        with pytest.raises(NotFound):
            group_members(session, admin, 99999)


def test_create_rename_and_undo(demo_database: Database, admin: Actor) -> None:
    with demo_database.begin() as session:
        made = changes.create_group(session, admin, "  New   group  ")
    with demo_database.read() as session:
        assert session.get(Group, made.created_group_id).name == "New group"  # type: ignore[union-attr]
    gid = made.created_group_id
    assert gid is not None
    with demo_database.begin() as session:
        renamed = changes.rename_group(session, admin, gid, "Newer group")
    with demo_database.begin() as session:
        changes.undo_change(session, admin, renamed)
    with demo_database.read() as session:
        assert session.get(Group, gid).name == "New group"  # type: ignore[union-attr]
    with demo_database.begin() as session:
        changes.undo_change(session, admin, made)
    with demo_database.read() as session:
        assert session.get(Group, gid) is None
    assert _audit_count(demo_database, "group_renamed") == 2


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("", InvalidInput, "empty"),
        ("   ", InvalidInput, "empty"),
        ("x" * 101, InvalidInput, "at most 100"),
        ("7a", Refused, "already a group called “7A”"),
        (" 7A ", Refused, "already"),
    ],
)
def test_bad_group_names_change_nothing(
    demo_database: Database, admin: Actor, name: str, error: type[Exception], message: str
) -> None:
    before = _snapshot(demo_database)
    with pytest.raises(error, match=message), demo_database.begin() as session:
        changes.create_group(session, admin, name)
    with pytest.raises(error, match=message), demo_database.begin() as session:
        changes.rename_group(session, admin, _group_id(demo_database, "Oak"), name)
    assert _snapshot(demo_database) == before


def test_rename_onto_existing_name_refused_but_swap_allowed(
    demo_database: Database, admin: Actor
) -> None:
    a, b = _group_id(demo_database, "7A"), _group_id(demo_database, "7B")
    with pytest.raises(Refused, match="already a group called “7B”"), demo_database.begin() as s:
        changes.rename_group(s, admin, a, "7B")
    with demo_database.begin() as session:
        change = changes.rename_groups(session, admin, {a: "7B", b: "7A"})
    assert _group_id(demo_database, "7B") == a
    with demo_database.begin() as session:
        changes.undo_change(session, admin, change)
    assert _group_id(demo_database, "7A") == a


def test_move_copy_add_remove_and_undo(demo_database: Database, admin: Actor) -> None:
    a, b = _group_id(demo_database, "7A"), _group_id(demo_database, "7B")
    before = _snapshot(demo_database)
    moving = sorted(_members(demo_database, a))[:3]
    with demo_database.begin() as session:
        moved = changes.move_members(session, admin, a, b, moving)
    assert not set(moving) & _members(demo_database, a)
    assert set(moving) <= _members(demo_database, b)
    assert _audit_count(demo_database, "group_members_moved") == 6  # out and in, per learner
    with demo_database.begin() as session:
        changes.undo_change(session, admin, moved)
    assert _snapshot(demo_database) == before
    with demo_database.begin() as session:
        copied = changes.copy_members(session, admin, a, b, moving)
    assert set(moving) <= _members(demo_database, a) & _members(demo_database, b)
    with demo_database.begin() as session:
        changes.undo_change(session, admin, copied)
    with demo_database.begin() as session:
        removed = changes.remove_members(session, admin, a, moving)
    assert not set(moving) & _members(demo_database, a)
    with demo_database.begin() as session:
        changes.undo_change(session, admin, removed)
    assert _snapshot(demo_database) == before


def test_move_of_learner_not_in_source_refused(demo_database: Database, admin: Actor) -> None:
    a, b = _group_id(demo_database, "7A"), _group_id(demo_database, "7B")
    stranger = sorted(_members(demo_database, b))[0]
    before = _snapshot(demo_database)
    with pytest.raises(Refused, match="not in “7A”"), demo_database.begin() as session:
        changes.move_members(
            session, admin, a, b, [sorted(_members(demo_database, a))[0], stranger]
        )
    with pytest.raises(NotFound), demo_database.begin() as session:
        changes.add_members(session, admin, a, [999999])
    assert _snapshot(demo_database) == before


def test_delete_group_with_members_needs_a_decision(demo_database: Database, admin: Actor) -> None:
    oak, a = _group_id(demo_database, "Oak"), _group_id(demo_database, "7A")
    members = _members(demo_database, oak)
    before = _snapshot(demo_database)
    with pytest.raises(Refused, match="has 20 member"), demo_database.begin() as session:
        changes.delete_group(session, admin, oak)
    assert _snapshot(demo_database) == before
    with demo_database.begin() as session:
        changes.delete_group(session, admin, oak, move_members_to=a)
    assert members <= _members(demo_database, a)
    club = _group_id(demo_database, "Careers Club")
    with demo_database.begin() as session:
        changes.delete_group(session, admin, club, remove_members=True)
    with demo_database.read() as session:
        assert session.get(Group, club) is None


def test_supervisor_refused_every_group_change_and_audited(demo_database: Database) -> None:
    supervisor = _supervisor(demo_database)
    a, b = _group_id(demo_database, "7A"), _group_id(demo_database, "7B")
    one = sorted(_members(demo_database, a))[:1]
    before = _snapshot(demo_database)
    attempts = [
        lambda s: changes.create_group(s, supervisor, "Mine"),
        lambda s: changes.rename_group(s, supervisor, a, "Mine"),
        lambda s: changes.delete_group(s, supervisor, a, remove_members=True),
        lambda s: changes.add_members(s, supervisor, b, one),
        lambda s: changes.remove_members(s, supervisor, a, one),
        lambda s: changes.move_members(s, supervisor, a, b, one),
        lambda s: changes.copy_members(s, supervisor, a, b, one),
        lambda s: changes.undo_change(s, supervisor, changes.Change("x", added=((one[0], a),))),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied), demo_database.begin() as session:
            attempt(session)
    assert _snapshot(demo_database) == before
    with demo_database.read() as session:
        refusals = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "refused", AuditEntry.actor == "supervisor1"
            )
        ).all()
    assert len(refusals) == len(attempts)


def test_copy_refuses_learners_not_in_the_source_group(
    demo_database: Database, admin: Actor
) -> None:
    from planit_desktop.model.services.groups.listing import group_members

    a, b = _group_id(demo_database, "7A"), _group_id(demo_database, "7B")
    with demo_database.read() as session:
        outsider = group_members(session, admin, b)[0].id
    before = _snapshot(demo_database)
    with pytest.raises(Refused, match="not in “7A”, so cannot be copied"):
        with demo_database.begin() as session:
            changes.copy_members(session, admin, a, b, [outsider])
    assert _snapshot(demo_database) == before
