"""How learners sign in to the Plan-it site: temporary and secondary passwords, the new password
they must choose, and what each sign-in does (learner_site.learner_sign_in)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import func, select, update

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    Learner,
    LearnerCredential,
    LearnerOrigin,
    LearnerStatus,
    Staff,
    StaffRole,
)
from planit_desktop.model.errors import InvalidInput, PermissionDenied, Refused
from planit_desktop.model.services.credentials import learner_passwords as service
from planit_desktop.model.services.credentials import learner_site
from planit_desktop.model.services.credentials.hashing import generate_password, verify_password
from planit_desktop.model.services.demo.school import DemoSchool


def _learners(database: Database, count: int = 2) -> list[tuple[int, str]]:
    with database.read() as session:
        query = (
            select(Learner.id, Learner.login)
            .where(Learner.status == LearnerStatus.ON_ROLL)
            .order_by(Learner.id)
            .limit(count)
        )
        return [(lid, login) for lid, login in session.execute(query)]


def _credential(database: Database, learner_id: int) -> LearnerCredential:
    with database.read() as session:
        credential = session.get(LearnerCredential, learner_id)
        assert credential is not None
        return credential


def _sign_in(
    database: Database, learner: int | str, password: str
) -> learner_site.LearnerSignInOutcome:
    with database.begin() as session:
        return learner_site.learner_sign_in(session, learner, password)


def _audit_text(database: Database) -> str:
    with database.read() as session:
        entries = session.scalars(select(AuditEntry)).all()
    return "\n".join(f"{e.old_value} {e.new_value} {e.detail} {e.field}" for e in entries)


def _supervisor(database: Database) -> Actor:
    with database.read() as session:
        staff = session.scalars(select(Staff).where(Staff.login == "supervisor1")).one()
        return Actor(staff.login, staff.name, StaffRole.SUPERVISOR, staff.id)


def test_generated_passwords_follow_the_rules() -> None:
    samples = [generate_password() for _ in range(3000)]
    assert all(len(p) >= 10 for p in samples)
    assert not set("0O1lI") & set("".join(samples))
    assert not any(p[0] in "=+-@" for p in samples)
    assert len(set(samples)) == len(samples)


def test_temporary_password_must_be_changed(demo_database: Database, admin: Actor) -> None:
    (learner_id, login), = _learners(demo_database, 1)  # fmt: skip
    with demo_database.begin() as session:
        temporary = service.issue_temporary_password(session, admin, learner_id)
    credential = _credential(demo_database, learner_id)
    assert credential.must_change and credential.password_hash != temporary
    assert credential.password_hash.startswith("$argon2id$")  # type: ignore[union-attr]
    outcome = _sign_in(demo_database, login, temporary)
    assert outcome.signed_in and outcome.must_choose_new_password and not outcome.used_secondary
    with demo_database.begin() as session:
        learner_site.choose_new_password(session, login, temporary, "my own new secret")
    outcome = _sign_in(demo_database, learner_id, "my own new secret")
    assert outcome.signed_in and not outcome.must_choose_new_password
    assert not _sign_in(demo_database, login, temporary).signed_in
    assert temporary not in _audit_text(demo_database)


def test_existing_password_ends_the_secondary(
    demo_school: DemoSchool, demo_database: Database, admin: Actor
) -> None:
    (first, login), (second, _) = _learners(demo_database)
    with demo_database.begin() as session:
        secondary = service.issue_secondary_password(session, admin, first)
        other = service.issue_secondary_password(session, admin, second)
    assert secondary != other
    with demo_database.read() as session:
        assert service.learners_with_unused_secondary(session, admin) == [first, second]
    outcome = _sign_in(demo_database, login, demo_school.learner_password)
    assert outcome.signed_in and not outcome.must_choose_new_password
    assert _credential(demo_database, first).secondary_hash is None
    assert not _sign_in(demo_database, login, secondary).signed_in
    with demo_database.read() as session:
        assert service.learners_with_unused_secondary(session, admin) == [second]
    text = _audit_text(demo_database)
    assert secondary not in text and other not in text


def test_secondary_password_requires_a_new_one(
    demo_school: DemoSchool, demo_database: Database, admin: Actor
) -> None:
    (learner_id, login), = _learners(demo_database, 1)  # fmt: skip
    with demo_database.begin() as session:
        secondary = service.issue_secondary_password(session, admin, learner_id)
    outcome = _sign_in(demo_database, login, secondary)
    assert outcome.signed_in and outcome.used_secondary and outcome.must_choose_new_password
    # The existing password still works until a new one is chosen; the secondary is not ended
    # merely by signing in with it.
    assert _credential(demo_database, learner_id).secondary_hash is not None
    for current, new, message in [
        ("wrong", "a new secret here", "not right"),
        (secondary, "short", "at least 10"),
        (secondary, secondary, "different"),
    ]:
        with pytest.raises(InvalidInput, match=message), demo_database.begin() as session:
            learner_site.choose_new_password(session, login, current, new)
    with demo_database.begin() as session:
        learner_site.choose_new_password(session, login, secondary, "a new secret here")
    assert not _sign_in(demo_database, login, secondary).signed_in
    assert not _sign_in(demo_database, login, demo_school.learner_password).signed_in
    assert _sign_in(demo_database, login, "a new secret here").signed_in


def test_wrong_or_unknown_or_left_learner_refused(
    demo_school: DemoSchool, demo_database: Database
) -> None:
    (learner_id, login), = _learners(demo_database, 1)  # fmt: skip
    wrong = _sign_in(demo_database, login, "nope")
    unknown = _sign_in(demo_database, "no-such-learner", demo_school.learner_password)
    assert not wrong.signed_in and not unknown.signed_in
    assert wrong.message == unknown.message
    with demo_database.begin() as session:
        session.execute(
            update(Learner).where(Learner.id == learner_id).values(status=LearnerStatus.LEFT)
        )
    assert not _sign_in(demo_database, login, demo_school.learner_password).signed_in


def test_prepared_pairs_on_worker_threads(demo_database: Database, admin: Actor) -> None:
    learners = _learners(demo_database, 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pairs = service.prepare_passwords(2, executor=pool)
    assert all(verify_password(h, p) for p, h in pairs)
    with demo_database.begin() as session:
        service.store_temporary_passwords(
            session, admin, {lid: pair for (lid, _), pair in zip(learners, pairs, strict=True)}
        )
    for (lid, login), (password, _) in zip(learners, pairs, strict=True):
        assert _sign_in(demo_database, login, password).must_choose_new_password
        assert _credential(demo_database, lid).must_change


def test_secondary_refused_for_learner_not_on_roll(demo_database: Database, admin: Actor) -> None:
    (learner_id, _), = _learners(demo_database, 1)  # fmt: skip
    with demo_database.begin() as session:
        session.execute(
            update(Learner).where(Learner.id == learner_id).values(status=LearnerStatus.LEFT)
        )
    with pytest.raises(Refused, match="no longer on roll"), demo_database.begin() as session:
        service.issue_secondary_password(session, admin, learner_id)
    assert _credential(demo_database, learner_id).secondary_hash is None


def test_supervisor_rules(demo_database: Database) -> None:
    supervisor = _supervisor(demo_database)
    (learner_id, _), = _learners(demo_database, 1)  # fmt: skip
    before = _credential(demo_database, learner_id).password_hash
    for attempt in (
        lambda s: service.issue_secondary_password(s, supervisor, learner_id),
        lambda s: service.issue_temporary_password(s, supervisor, learner_id),
    ):
        with pytest.raises(PermissionDenied), demo_database.begin() as session:
            attempt(session)
    assert _credential(demo_database, learner_id).password_hash == before
    with demo_database.read() as session:
        refused = session.scalar(
            select(func.count()).where(
                AuditEntry.action == "refused", AuditEntry.actor == "supervisor1"
            )
        )
    assert refused == 2
    # A learner just created in class, with no password yet: the supervisor may issue one.
    with demo_database.begin() as session:
        new = Learner(
            first_names="New", surname="Pupil", date_of_birth=date(2013, 1, 5), year_group=7,
            login="newpupil", origin=LearnerOrigin.QUICK_CREATE,
        )  # fmt: skip
        session.add(new)
        session.flush()
        new_id = new.id
    with demo_database.begin() as session:
        password = service.issue_temporary_password(session, supervisor, new_id)
    assert _sign_in(demo_database, "newpupil", password).must_choose_new_password
