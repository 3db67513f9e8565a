"""The school settings row and the school summary, against hand-made data and the demo."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    Group,
    Learner,
    LearnerStatus,
    School,
    Staff,
    StaffRole,
    SupervisorAccess,
)
from planit_desktop.model.errors import InvalidInput, NotFound, PermissionDenied, Refused
from planit_desktop.model.services.demo.school import DemoSchool
from planit_desktop.model.services.groups.editing import create_group
from planit_desktop.model.services.school import (
    NO_SCHOOL,
    create_school,
    get_school,
    summarise,
)


def _learner(n: int, year: int, status: LearnerStatus = LearnerStatus.ON_ROLL) -> Learner:
    return Learner(
        first_names=f"Learner{n}",
        surname="Test",
        date_of_birth=date(2025 - 5 - year, 10, 1),
        year_group=year,
        login=f"learner{n}",
        status=status,
    )


def _staff(login: str, role: StaffRole, *, active: bool = True) -> Staff:
    return Staff(name=login.title(), login=login, role=role, active=active)


def _hand_made_school(session: Session, admin: Actor) -> None:
    create_school(session, admin, name="Hand Made High", academic_year=2025)
    session.add_all(
        [
            _learner(1, 7),
            _learner(2, 7),
            _learner(3, 9),
            _learner(4, 12),  # kept on roll outside the years served: still counted
            _learner(5, 8, LearnerStatus.LEFT),
            _learner(6, 11, LearnerStatus.COMPLETED),
            _learner(7, 11, LearnerStatus.COMPLETED),
        ]
    )
    oak, ash = Group(name="Oak"), Group(name="Ash")
    staff = [
        _staff("head", StaffRole.ADMINISTRATOR),
        _staff("retired", StaffRole.ADMINISTRATOR, active=False),
        _staff("sup1", StaffRole.SUPERVISOR),
        _staff("sup2", StaffRole.SUPERVISOR),
        _staff("gone", StaffRole.SUPERVISOR, active=False),
    ]
    session.add_all([oak, ash, *staff])
    session.flush()
    sup1, sup2 = staff[2], staff[3]
    session.add_all(
        [
            SupervisorAccess(staff_id=sup1.id, group_id=oak.id, academic_year=2025),
            SupervisorAccess(staff_id=sup2.id, group_id=ash.id, academic_year=2025),
            # Ended this year, and last year's: history, not current access.
            SupervisorAccess(
                staff_id=sup2.id, group_id=oak.id, academic_year=2025, ended_at=datetime(2025, 9, 9)
            ),
            SupervisorAccess(staff_id=sup1.id, group_id=ash.id, academic_year=2024),
        ]
    )


def test_a_database_with_no_school_says_how_to_make_one(database: Database) -> None:
    with pytest.raises(NotFound) as raised, database.read() as session:
        get_school(session)
    assert raised.value.message == NO_SCHOOL
    assert "demo-db" in NO_SCHOOL
    with pytest.raises(NotFound), database.read() as session:
        summarise(session)


def test_create_school_sets_it_up_and_audits(database: Database, admin: Actor) -> None:
    with database.begin() as session:
        create_school(session, admin, name="  Oak  Hill School ", academic_year=2026, lowest_year=9)
    with database.read() as session:
        school = get_school(session)
        entries = list(session.scalars(select(AuditEntry)))
    assert (school.name, school.academic_year, school.lowest_year, school.highest_year) == (
        "Oak Hill School",
        2026,
        9,
        11,
    )
    assert school.first_subject_year == 9
    assert [(e.actor, e.action, e.new_value) for e in entries] == [
        (admin.login, "school created", "Oak Hill School")
    ]


def test_create_school_refuses_a_second_school(database: Database, admin: Actor) -> None:
    with database.begin() as session:
        create_school(session, admin, name="First", academic_year=2025)
    with pytest.raises(Refused, match="already has a school"), database.begin() as session:
        create_school(session, admin, name="Second", academic_year=2025)
    with database.read() as session:
        assert get_school(session).name == "First"


def test_the_founder_sets_up_a_new_database_and_nothing_else(database: Database) -> None:
    founder = Actor.founder()
    assert founder.login.startswith("os:") and founder.staff_id is None
    # Not a founder: no staff record and an administrator's role is no one's administrator.
    pretender = Actor(founder.login, founder.name, StaffRole.ADMINISTRATOR)
    with pytest.raises(PermissionDenied), database.begin() as session:
        create_school(session, pretender, name="Mine", academic_year=2025)
    with database.begin() as session:
        create_school(session, founder, name="Founded School", academic_year=2025)
    with database.read() as session:
        assert get_school(session).name == "Founded School"
        created = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "school created")
        ).all()
    assert created == [founder.login]
    # Founding is all it may do: every other change needs a member of staff.
    with pytest.raises(PermissionDenied), database.begin() as session:
        create_group(session, founder, "7A")


def test_the_founder_is_refused_once_anyone_can_sign_in(
    database: Database, supervisor_actor: Actor
) -> None:
    # supervisor_actor is a member of staff with a password: the database is in use.
    with pytest.raises(PermissionDenied), database.begin() as session:
        create_school(session, Actor.founder(), name="Taken Over", academic_year=2025)
    with database.read() as session:
        assert session.get(School, 1) is None


def test_only_administrators_create_a_school(database: Database, supervisor_actor: Actor) -> None:
    with pytest.raises(PermissionDenied), database.begin() as session:
        create_school(session, supervisor_actor, name="Mine", academic_year=2025)
    with database.read() as session:
        assert session.get(School, 1) is None
        refusals = list(session.scalars(select(AuditEntry.action)))
    assert refusals == ["refused"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"name": "   "}, "needs a name"),
        ({"name": "x" * 201}, "at most 200"),
        ({"academic_year": 202}, "plausible"),
        ({"lowest_year": 0}, "not a school year group"),
        ({"highest_year": 15}, "not a school year group"),
        ({"lowest_year": 11, "highest_year": 7}, "is above the highest"),
    ],
)
def test_create_school_refuses_bad_settings(
    database: Database, admin: Actor, options: dict[str, object], message: str
) -> None:
    settings: dict[str, object] = {"name": "Good School", "academic_year": 2025, **options}
    with pytest.raises(InvalidInput, match=message), database.begin() as session:
        create_school(session, admin, **settings)  # type: ignore[arg-type]
    with database.read() as session:
        assert session.get(School, 1) is None


def test_summary_of_hand_made_data(database: Database) -> None:
    with database.begin() as session:
        # Set up by its founder: its staff (made below) have no passwords, so none can sign in.
        _hand_made_school(session, Actor.founder())
    with database.read() as session:
        summary = summarise(session)
    assert summary.on_roll == 4
    assert summary.to_json() == {
        "school": "Hand Made High",
        "academic_year": "2025/26",
        "learners_by_year": {"7": 2, "8": 0, "9": 1, "10": 0, "11": 0, "12": 1},
        "left": 1,
        "completed": 2,
        "joining": 0,
        "joining_academic_year": "2026/27",
        "joining_by_year": {},
        "groups": 2,
        "administrators": 1,
        "supervisors": 2,
        "supervisor_access": 2,
    }


def test_summary_of_a_school_with_no_learners_shows_every_year(
    database: Database, admin: Actor
) -> None:
    with database.begin() as session:
        create_school(session, admin, name="Empty", academic_year=2030)
    with database.read() as session:
        data = summarise(session).to_json()
    assert data["academic_year"] == "2030/31"
    assert data["learners_by_year"] == {"7": 0, "8": 0, "9": 0, "10": 0, "11": 0}
    assert data["left"] == data["completed"] == data["groups"] == 0


def test_summary_of_the_demo_school(demo_database: Database, demo_school: DemoSchool) -> None:
    with demo_database.read() as session:
        summary = summarise(session)
        access = session.scalar(select(func.count()).select_from(SupervisorAccess))
        groups = session.scalar(select(func.count()).select_from(Group))
    assert summary.school == demo_school.school_name
    assert summary.academic_year == 2025
    assert summary.learners_by_year == {7: 40, 8: 40, 9: 40, 10: 40, 11: 40}
    assert (summary.left, summary.completed) == (demo_school.left, demo_school.completed)
    assert summary.groups == demo_school.groups == groups
    assert summary.administrators == len(demo_school.administrators)
    assert summary.supervisors == len(demo_school.supervisors)
    assert summary.supervisor_access == access
    assert list(summary.to_json()) == [
        "school",
        "academic_year",
        "learners_by_year",
        "left",
        "completed",
        "joining",
        "joining_academic_year",
        "joining_by_year",
        "groups",
        "administrators",
        "supervisors",
        "supervisor_access",
    ]


def test_summary_follows_the_academic_year(
    demo_database: Database, demo_school: DemoSchool
) -> None:
    # After a year end (simulated here) last year's access no longer counts.
    with demo_database.begin() as session:
        get_school(session).academic_year = 2026
    with demo_database.read() as session:
        summary = summarise(session)
    assert summary.academic_year_text == "2026/27"
    assert summary.supervisor_access == 0
