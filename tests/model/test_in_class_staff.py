"""In class, for any member of staff: Create New User and Forgotten Password, each confirmed by
the staff member's own password, for supervisors with no groups too (services, no widgets)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Learner, LearnerCredential
from planit_desktop.model.errors import InvalidInput, NotFound, PermissionDenied, Refused
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.credentials.forgotten import prepare_forgotten_password
from planit_desktop.model.services.credentials.learner_passwords import (
    FORGOTTEN_DETAIL,
    PreparedPassword,
    deliver_temporary_password,
    issue_temporary_password,
)
from planit_desktop.model.services.credentials.learner_site import learner_sign_in
from planit_desktop.model.services.learners.history import learner_history
from planit_desktop.model.services.learners.in_class import quick_create
from planit_desktop.model.services.learners.merging import confirm_checked
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.model.services.permissions import visible_group_ids
from planit_desktop.model.services.school import get_school
from tests.support.sign_in import DEMO_ADMINISTRATOR, TEST_SUPERVISOR_PASSWORD

ADMIN_PASSWORD = DEMO_ADMINISTRATOR[1]


def _refusals(database: Database, login: str) -> list[str | None]:
    with database.read() as session:
        return list(
            session.scalars(
                select(AuditEntry.detail).where(
                    AuditEntry.actor == login, AuditEntry.action == "refused"
                )
            )
        )


def _someone_on_roll(database: Database) -> Learner:
    with database.read() as session:
        learner = session.scalars(
            select(Learner).where(Learner.status == LearnerStatus.ON_ROLL).order_by(Learner.id)
        ).first()
        assert learner is not None
        session.expunge(learner)
        return learner


def _create(database: Database, actor: Actor, password: str, **details: object) -> object:
    with database.read() as session:
        year = get_school(session).academic_year
    values: dict[str, object] = {
        "first_names": "Nora",
        "surname": "Nogroup",
        "date_of_birth": f"05/11/{year - 12}",
        "year_group": 7,
        "tutor_group": None,
        "academic_year": year,
    } | details
    with database.begin() as session:
        return quick_create(session, actor, staff_password=password, **values)  # type: ignore[arg-type]


def test_a_supervisor_with_no_groups_creates_a_learner_and_sees_them_until_checked(
    demo_database: Database, supervisor_actor: Actor, admin: Actor
) -> None:
    with demo_database.read() as session:
        assert visible_group_ids(session, supervisor_actor) == set()
        assert list_learners(session, supervisor_actor) == []
    result = _create(demo_database, supervisor_actor, TEST_SUPERVISOR_PASSWORD)
    assert result.created and result.learner_id is not None  # type: ignore[attr-defined]
    new_id = result.learner_id  # type: ignore[attr-defined]
    assert result.prepared.row.tutor_group is None  # type: ignore[attr-defined]
    with demo_database.begin() as session:
        deliver_temporary_password(session, supervisor_actor, result.prepared)  # type: ignore[attr-defined]
        # Only their own learner created in class: nobody else's.
        assert [row.id for row in list_learners(session, supervisor_actor)] == [new_id]
        assert learner_history(session, supervisor_actor, new_id)
        created = session.scalar(
            select(func.count()).where(
                AuditEntry.action == "learner_quick_created",
                AuditEntry.actor == supervisor_actor.login,
                AuditEntry.entity_id == new_id,
            )
        )
        assert created == 1
        assert session.get(Learner, new_id).needs_check  # type: ignore[union-attr]
    with demo_database.begin() as session:
        confirm_checked(session, admin, new_id)
    with demo_database.read() as session:
        assert list_learners(session, supervisor_actor) == []  # checked: no longer theirs


def test_a_wrong_staff_password_creates_nothing_and_is_audited(
    demo_database: Database, supervisor_actor: Actor
) -> None:
    with demo_database.read() as session:
        before = session.scalar(select(func.count()).select_from(Learner))
    for wrong in ("not-my-password", ""):
        with pytest.raises(PermissionDenied, match="Your password is not right"):
            _create(demo_database, supervisor_actor, wrong)
    with demo_database.read() as session:
        assert session.scalar(select(func.count()).select_from(Learner)) == before
    assert (
        _refusals(demo_database, supervisor_actor.login)
        == ["create a learner in class: wrong staff password"] * 2
    )


def test_a_supervisor_with_groups_still_chooses_one(demo_database: Database) -> None:
    from tests.support.sign_in import DEMO_SUPERVISOR, staff_actor

    supervisor = staff_actor(demo_database, DEMO_SUPERVISOR[0])
    with pytest.raises(InvalidInput, match="Choose one of your groups"):
        _create(demo_database, supervisor, DEMO_SUPERVISOR[1])


def test_forgotten_password_by_login_for_a_supervisor_with_no_groups(
    demo_database: Database, supervisor_actor: Actor, admin: Actor
) -> None:
    someone = _someone_on_roll(demo_database)
    with demo_database.begin() as session:
        old = issue_temporary_password(session, admin, someone.id)
    with demo_database.begin() as session:
        prepared = prepare_forgotten_password(
            session, supervisor_actor, staff_password=TEST_SUPERVISOR_PASSWORD,
            login=f"  {someone.login.upper()} ",
        )  # fmt: skip
    assert prepared.learner_id == someone.id and prepared.row.login == someone.login
    assert prepared.row.first_names == someone.first_names
    # Prepared, not stored: the old password works until the new one is delivered.
    with demo_database.begin() as session:
        assert learner_sign_in(session, someone.login, old).signed_in
        assert not learner_sign_in(session, someone.login, prepared.password).signed_in
    with demo_database.begin() as session:
        deliver_temporary_password(session, supervisor_actor, prepared)
    with demo_database.begin() as session:
        assert not learner_sign_in(session, someone.login, old).signed_in
        outcome = learner_sign_in(session, someone.login, prepared.password)
    assert outcome.signed_in and outcome.must_choose_new_password
    with demo_database.read() as session:
        entry = session.execute(
            select(AuditEntry.actor, AuditEntry.detail)
            .where(
                AuditEntry.action == "learner_temporary_password",
                AuditEntry.entity_id == someone.id,
            )
            .order_by(AuditEntry.id.desc())
        ).first()
        stored = session.get(LearnerCredential, someone.id)
        assert stored is not None and stored.must_change  # until the learner chooses one
    assert entry is not None and tuple(entry) == (supervisor_actor.login, FORGOTTEN_DETAIL)
    assert prepared.password not in str(entry)


def test_forgotten_password_by_name_and_date_of_birth(
    demo_database: Database, supervisor_actor: Actor
) -> None:
    someone = _someone_on_roll(demo_database)
    born = someone.date_of_birth.strftime("%d/%m/%Y")
    with demo_database.begin() as session:
        prepared = prepare_forgotten_password(
            session, supervisor_actor, staff_password=TEST_SUPERVISOR_PASSWORD,
            first_names=someone.first_names.upper(), surname=f" {someone.surname} ",
            date_of_birth=born,
        )  # fmt: skip
    assert prepared.learner_id == someone.id


def test_forgotten_password_shows_nobody_else(
    demo_database: Database, supervisor_actor: Actor, admin: Actor
) -> None:
    someone = _someone_on_roll(demo_database)

    def forgotten(**found: object) -> PreparedPassword:
        with demo_database.begin() as session:
            return prepare_forgotten_password(
                session, supervisor_actor, staff_password=TEST_SUPERVISOR_PASSWORD, **found
            )  # type: ignore[arg-type]

    with pytest.raises(NotFound, match="No learner on roll has the login name") as missing:
        forgotten(login=someone.login[:-1])
    assert someone.first_names not in str(missing.value)
    with pytest.raises(NotFound, match="No learner on roll has that name"):
        forgotten(first_names=someone.first_names[:2], surname=someone.surname,
                  date_of_birth=someone.date_of_birth)  # fmt: skip
    with pytest.raises(InvalidInput, match="login name, or their first names"):
        forgotten(first_names=someone.first_names)
    with pytest.raises(InvalidInput):
        forgotten(first_names="A", surname="B", date_of_birth="31/02/2013")
    # A twin with the same name and date of birth: neither is given away.
    with demo_database.begin() as session:
        twin = quick_create(
            session, admin, first_names=someone.first_names, surname=someone.surname,
            date_of_birth=someone.date_of_birth, year_group=someone.year_group,
            tutor_group=None, staff_password=ADMIN_PASSWORD, confirm_duplicates=True,
        )  # fmt: skip
    assert twin.created
    with pytest.raises(Refused, match="2 learners on roll have that name") as refused:
        forgotten(first_names=someone.first_names, surname=someone.surname,
                  date_of_birth=someone.date_of_birth)  # fmt: skip
    assert someone.login not in str(refused.value)


def test_forgotten_password_refused_with_a_wrong_staff_password_or_for_another(
    demo_database: Database, supervisor_actor: Actor, admin: Actor
) -> None:
    someone = _someone_on_roll(demo_database)
    with pytest.raises(PermissionDenied, match="Your password is not right"):
        with demo_database.begin() as session:
            prepare_forgotten_password(
                session, supervisor_actor, staff_password="guess", login=someone.login
            )
    assert _refusals(demo_database, supervisor_actor.login) == [
        "give a learner a forgotten password: wrong staff password"
    ]
    with demo_database.begin() as session:
        prepared = prepare_forgotten_password(
            session, admin, staff_password=ADMIN_PASSWORD, login=someone.login
        )
    # Prepared for the administrator: the supervisor cannot deliver it, nor one made up.
    for forged in (prepared, PreparedPassword(prepared.learner_id, prepared.row,
                                              prepared.password_hash, grant="0" * 64)):  # fmt: skip
        with pytest.raises(PermissionDenied), demo_database.begin() as session:
            deliver_temporary_password(session, supervisor_actor, forged)
    with demo_database.read() as session:
        stored = session.get(LearnerCredential, someone.id)
        assert stored is None or stored.password_hash != prepared.password_hash  # not stored
    assert (
        _refusals(demo_database, supervisor_actor.login)[1:]
        == ["deliver a forgotten password prepared for someone else"] * 2
    )
    # A learner who left cannot be found.
    with demo_database.begin() as session:
        session.get(Learner, someone.id).status = LearnerStatus.LEFT  # type: ignore[union-attr]
        session.get(Learner, someone.id).left_on = date(2025, 7, 1)  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        with demo_database.begin() as session:
            prepare_forgotten_password(
                session, admin, staff_password=ADMIN_PASSWORD, login=someone.login
            )
