"""The demo school: realistic, valid, deterministic, and only ever made in an empty database."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from planit_desktop.model.calendar import expected_year_group
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import (
    AuditEntry,
    Group,
    GroupMembership,
    Learner,
    LearnerCredential,
    LearnerStatus,
    School,
    Staff,
    StaffRole,
    Subject,
    SubjectOffer,
    SupervisorAccess,
)
from planit_desktop.model.errors import InvalidInput, Refused
from planit_desktop.model.services.credentials.hashing import verify_password
from planit_desktop.model.services.demo.school import (
    ADMIN_PASSWORD,
    LEARNER_PASSWORD,
    SUPERVISOR_PASSWORD,
    DemoAccount,
    DemoSchool,
    create_demo_school,
)
from planit_desktop.model.validation.upn import check_upn


def _learners(database: Database) -> list[Learner]:
    with database.read() as session:
        return list(session.scalars(select(Learner).order_by(Learner.id)))


def _rows(url: str, seed: int) -> list[tuple[object, ...]]:
    """Every learner column but the creation time, for comparing two demo schools."""
    db = open_database(url)
    try:
        with db.begin() as session:
            create_demo_school(session, learners=60, seed=seed)
        columns = [c for c in Learner.__table__.columns if c.name != "created_at"]
        with db.read() as session:
            return [tuple(r) for r in session.execute(select(*columns).order_by(Learner.id))]
    finally:
        db.dispose()


def test_the_school_row_and_counts(demo_database: Database, demo_school: DemoSchool) -> None:
    with demo_database.read() as session:
        school = session.get(School, 1)
        assert school is not None
        assert (school.lowest_year, school.highest_year, school.academic_year) == (7, 11, 2025)
        assert school.name == demo_school.school_name
        by_status = dict(
            session.execute(select(Learner.status, func.count()).group_by(Learner.status)).all()
        )
        on_roll_by_year = dict(
            session.execute(
                select(Learner.year_group, func.count())
                .where(Learner.status == LearnerStatus.ON_ROLL)
                .group_by(Learner.year_group)
            ).all()
        )
        assert session.scalar(select(func.count()).select_from(Group)) == demo_school.groups
    assert demo_school.learners == 200
    assert by_status[LearnerStatus.ON_ROLL] == 200
    assert by_status[LearnerStatus.LEFT] == demo_school.left >= 1
    assert by_status[LearnerStatus.COMPLETED] == demo_school.completed >= 1
    assert on_roll_by_year == {7: 40, 8: 40, 9: 40, 10: 40, 11: 40}


def test_uneven_numbers_still_put_exactly_n_learners_on_roll(database: Database) -> None:
    with database.begin() as session:
        made = create_demo_school(session, learners=7, seed=3)
        on_roll = session.scalar(
            select(func.count()).where(Learner.status == LearnerStatus.ON_ROLL)
        )
    assert made.learners == on_roll == 7


def test_dates_of_birth_fit_the_year_groups(demo_database: Database) -> None:
    for learner in _learners(demo_database):
        # Completed learners finished Year 11 last academic year.
        year = 2024 if learner.status is LearnerStatus.COMPLETED else 2025
        assert expected_year_group(learner.date_of_birth, year) == learner.year_group


def test_leavers_have_a_date_and_completers_left_on_31_august(demo_database: Database) -> None:
    learners = _learners(demo_database)
    left = [x for x in learners if x.status is LearnerStatus.LEFT]
    completed = [x for x in learners if x.status is LearnerStatus.COMPLETED]
    assert all(x.left_on is not None and x.left_reason for x in left)
    assert {(x.year_group, str(x.left_on)) for x in completed} == {(11, "2025-08-31")}
    assert all(x.left_on is None for x in learners if x.status is LearnerStatus.ON_ROLL)


def test_upns_are_valid_permanent_and_unique(demo_database: Database) -> None:
    upns = [x.upn for x in _learners(demo_database)]
    checks = [check_upn(upn) for upn in upns]
    assert all(c.ok and not c.temporary and c.upn == u for c, u in zip(checks, upns, strict=True))
    assert len(set(upns)) == len(upns)


def test_sims_numbers_are_unique_text_with_leading_zeros(demo_database: Database) -> None:
    numbers = [x.sims_number for x in _learners(demo_database)]
    assert len(set(numbers)) == len(numbers)
    assert all(n is not None and re.fullmatch(r"\d{6}", n) for n in numbers)
    assert any(n is not None and n.startswith("0") for n in numbers)


def test_logins_are_unique_lower_case_ascii(demo_database: Database) -> None:
    logins = [x.login for x in _learners(demo_database)]
    assert len(set(logins)) == len(logins)
    assert all(re.fullmatch(r"[a-z]+\d+", login) for login in logins)


def test_names_and_backgrounds_are_realistic(database: Database) -> None:
    with database.begin() as session:
        create_demo_school(session, learners=1000, seed=2)
    learners = _learners(database)
    names = [f"{x.first_names} {x.surname}" for x in learners]
    assert any("'" in n for n in names)
    assert any("-" in n for n in names)
    assert any(not n.isascii() for n in names)
    ethnicity = Counter(x.ethnicity for x in learners)
    assert 0.5 < ethnicity["WBRI"] / len(learners) < 0.8
    assert len(ethnicity) >= 10
    sexes = Counter(x.sex for x in learners)
    assert set(sexes) == {"M", "F"} and 0.4 < sexes["F"] / len(learners) < 0.6


def test_groups_memberships_and_learners_in_no_group(demo_database: Database) -> None:
    with demo_database.read() as session:
        names = set(session.scalars(select(Group.name)))
        in_a_group = set(session.scalars(select(GroupMembership.learner_id)))
        tutor = dict(
            session.execute(
                select(GroupMembership.learner_id, Group.name)
                .join(Group)
                .where(Group.name.regexp_match("^[0-9]+[A-Z]$"))
            ).all()
        )
    assert {"7A", "7B", "11A", "11B", "Year 10 Blue", "Y9 Set 2", "Oak", "Careers Club"} <= names
    on_roll = [x for x in _learners(demo_database) if x.status is LearnerStatus.ON_ROLL]
    ungrouped = [x for x in on_roll if x.id not in in_a_group]
    assert 1 <= len(ungrouped) <= 5
    for learner in on_roll:
        if learner.id in tutor:
            assert tutor[learner.id].startswith(str(learner.year_group))


def test_staff_sign_in_with_the_printed_passwords(
    demo_database: Database, demo_accounts: tuple[DemoAccount, ...]
) -> None:
    roles = Counter(a.role for a in demo_accounts)
    assert roles[StaffRole.ADMINISTRATOR] >= 2 and roles[StaffRole.SUPERVISOR] >= 3
    assert {a.login for a in demo_accounts} >= {"admin1", "admin2", "supervisor1"}
    with demo_database.read() as session:
        stored = {s.login: s for s in session.scalars(select(Staff))}
    assert set(stored) == {a.login for a in demo_accounts}
    for account in demo_accounts:
        staff = stored[account.login]
        assert staff.role is account.role and staff.active
        expected = (
            ADMIN_PASSWORD if account.role is StaffRole.ADMINISTRATOR else SUPERVISOR_PASSWORD
        )
        assert account.password == expected
    # Hashing is slow by design: check one account of each role.
    assert verify_password(stored["admin1"].password_hash, ADMIN_PASSWORD)
    assert verify_password(stored["supervisor1"].password_hash, SUPERVISOR_PASSWORD)
    assert not verify_password(stored["supervisor1"].password_hash, ADMIN_PASSWORD)


def test_the_default_size_has_5_administrators_and_40_supervisors(database: Database) -> None:
    with database.begin() as session:
        made = create_demo_school(session, learners=1000)
    assert (len(made.administrators), len(made.supervisors)) == (5, 40)


def test_supervisors_have_access_for_the_current_year(demo_database: Database) -> None:
    with demo_database.read() as session:
        access = list(session.scalars(select(SupervisorAccess)))
        supervisors = set(
            session.scalars(select(Staff.id).where(Staff.role == StaffRole.SUPERVISOR))
        )
        groups = set(session.scalars(select(Group.id)))
    assert {(a.academic_year, a.granted_by, a.ended_at) for a in access} == {(2025, "demo", None)}
    assert {a.group_id for a in access} == groups
    with_access = {a.staff_id for a in access}
    assert with_access < supervisors  # one supervisor deliberately has no groups


def test_subjects_offered_to_years_9_to_11(demo_database: Database) -> None:
    with demo_database.read() as session:
        offers: dict[int, set[str]] = {}
        for year, name in session.execute(
            select(SubjectOffer.year_group, Subject.name).join(Subject)
        ):
            offers.setdefault(year, set()).add(name)
    assert set(offers) == {9, 10, 11}
    assert offers[10] != offers[11]
    assert "English KS3" in offers[9]


def test_every_learner_has_a_credential(demo_database: Database) -> None:
    with demo_database.read() as session:
        credentials = list(session.scalars(select(LearnerCredential)))
        learners = session.scalar(select(func.count()).select_from(Learner))
    assert len(credentials) == learners
    assert not any(c.must_change for c in credentials)
    assert verify_password(credentials[0].password_hash, LEARNER_PASSWORD)


def test_creation_is_audited(demo_database: Database) -> None:
    with demo_database.read() as session:
        entries = list(session.scalars(select(AuditEntry)))
    assert [e.action for e in entries] == ["demo school created"]
    assert entries[0].detail is not None and "200 learners" in entries[0].detail


def test_the_same_seed_gives_the_same_school(tmp_path: Path) -> None:
    first = _rows(f"sqlite:///{tmp_path / 'a.db'}", seed=5)
    again = _rows(f"sqlite:///{tmp_path / 'b.db'}", seed=5)
    other = _rows(f"sqlite:///{tmp_path / 'c.db'}", seed=6)
    assert first == again
    assert first != other


def test_refuses_a_database_that_holds_a_school(demo_database: Database) -> None:
    before = len(_learners(demo_database))
    with pytest.raises(Refused, match="already holds"), demo_database.begin() as session:
        create_demo_school(session, learners=10)
    assert len(_learners(demo_database)) == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"learners": 0}, "between 1 and"),
        ({"learners": 500_001}, "between 1 and"),
        ({"school_name": "   "}, "needs a name"),
        ({"school_name": "x" * 201}, "at most 200"),
        ({"academic_year": 25}, "plausible"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(
    database: Database, options: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message), database.begin() as session:
        create_demo_school(session, **options)  # type: ignore[arg-type]
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(School)) == 0


def test_school_name_is_tidied(database: Database) -> None:
    with database.begin() as session:
        made = create_demo_school(session, learners=5, school_name="  St  Aidan's   School ")
    assert made.school_name == "St Aidan's School"
