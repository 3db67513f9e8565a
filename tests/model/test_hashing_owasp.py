"""Password hashing: OWASP's argon2id minimum for every password; old hashes redone on sign-in."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Learner, LearnerCredential, LearnerStatus, Staff
from planit_desktop.model.services.credentials import learner_passwords, learner_site
from planit_desktop.model.services.credentials.hashing import (
    hash_password,
    needs_rehash,
    verify_password,
)
from planit_desktop.model.services.demo.school import DemoSchool
from planit_desktop.model.services.staff import sign_in as staff_sign_in

#: The parameters every hash was made with before: RFC 9106's 64 MiB profile, 3 passes.
EARLIER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)

# The parameters themselves are what these tests check: the hasher the program ships.
pytestmark = pytest.mark.production_hashing


def _is_owasp_minimum(stored: str) -> bool:
    parameters = extract_parameters(stored)
    return (
        parameters.type.name == "ID"
        and parameters.memory_cost == 19 * 1024
        and parameters.time_cost == 2
        and parameters.parallelism == 1
    )


def test_new_hashes_use_owasp_minimum() -> None:
    stored = hash_password("a temporary one")
    assert _is_owasp_minimum(stored)
    assert verify_password(stored, "a temporary one")
    assert not verify_password(stored, "another")
    assert not needs_rehash(stored)


def test_earlier_hashes_still_verify_and_need_redoing() -> None:
    earlier = EARLIER.hash("made last year")
    assert verify_password(earlier, "made last year")
    assert not verify_password(earlier, "made this year")
    assert needs_rehash(earlier)


def test_staff_hash_redone_at_sign_in(demo_school: DemoSchool, demo_database: Database) -> None:
    account = demo_school.administrators[0]
    earlier = EARLIER.hash(account.password)
    with demo_database.begin() as session:
        staff = session.scalars(select(Staff).where(Staff.login == account.login)).one()
        staff.password_hash = earlier
    with demo_database.begin() as session:
        assert staff_sign_in.sign_in(session, account.login, "a wrong password").actor is None
    with demo_database.read() as session:
        kept = session.scalars(select(Staff).where(Staff.login == account.login)).one()
        assert kept.password_hash == earlier  # a failed sign-in changes no hash
    with demo_database.begin() as session:
        assert staff_sign_in.sign_in(session, account.login, account.password).actor is not None
    with demo_database.read() as session:
        redone = session.scalars(select(Staff).where(Staff.login == account.login)).one()
        assert redone.password_hash != earlier and _is_owasp_minimum(redone.password_hash or "")
        assert verify_password(redone.password_hash, account.password)


def test_learner_hash_redone_at_sign_in(
    demo_school: DemoSchool, demo_database: Database, admin: Actor
) -> None:
    with demo_database.begin() as session:
        learner = session.scalars(
            select(Learner).where(Learner.status == LearnerStatus.ON_ROLL).order_by(Learner.id)
        ).first()
        assert learner is not None
        learner_id, login = learner.id, learner.login
        credential = session.get(LearnerCredential, learner_id)
        assert credential is not None
        credential.password_hash = EARLIER.hash(demo_school.learner_password)
    with demo_database.begin() as session:
        outcome = learner_site.learner_sign_in(session, login, demo_school.learner_password)
    assert outcome.signed_in
    with demo_database.read() as session:
        credential = session.get(LearnerCredential, learner_id)
        assert credential is not None and _is_owasp_minimum(credential.password_hash or "")
        assert verify_password(credential.password_hash, demo_school.learner_password)
    # A secondary password is made with today's parameters too.
    with demo_database.begin() as session:
        learner_passwords.issue_secondary_password(session, admin, learner_id)
    with demo_database.read() as session:
        credential = session.get(LearnerCredential, learner_id)
        assert credential is not None and _is_owasp_minimum(credential.secondary_hash or "")
