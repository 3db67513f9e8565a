"""Staff sign-in: one message for every wrong try, slowing down, locking, first administrator."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import AuditEntry, Staff, StaffRole
from planit_desktop.model.errors import InvalidInput, PermissionDenied, Refused
from planit_desktop.model.services.credentials import hashing
from planit_desktop.model.services.credentials.hashing import verify_password
from planit_desktop.model.services.demo.school import DemoSchool
from planit_desktop.model.services.staff import sign_in as service

T0 = datetime(2026, 3, 2, 9, 0, 0)


def _try(database: Database, login: str, password: str, now: datetime = T0) -> service.SignInResult:
    with database.begin() as session:
        return service.sign_in(session, login, password, now=now)


def _staff(database: Database, login: str) -> Staff:
    with database.read() as session:
        return session.scalars(select(Staff).where(Staff.login == login)).one()


def _audit(database: Database) -> list[AuditEntry]:
    with database.read() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_right_password_signs_in(demo_school: DemoSchool, demo_database: Database) -> None:
    account = demo_school.administrators[0]
    result = _try(demo_database, account.login, account.password)
    assert result.ok and result.actor is not None
    assert result.actor.staff_id == _staff(demo_database, account.login).id
    assert result.actor.role is StaffRole.ADMINISTRATOR and not result.must_change_password
    assert _audit(demo_database)[-1].action == "sign_in"


def test_wrong_login_and_wrong_password_say_the_same(
    demo_school: DemoSchool, demo_database: Database
) -> None:
    account = demo_school.supervisors[0]
    wrong_password = _try(demo_database, account.login, "not-the-password")
    wrong_login = _try(demo_database, "nobody-here", account.password)
    assert not wrong_password.ok and not wrong_login.ok
    assert wrong_password.message == wrong_login.message == service.WRONG
    # The failure was counted and audited although the caller's transaction ended normally.
    assert _staff(demo_database, account.login).failed_sign_ins == 1
    actions = [(e.actor, e.action) for e in _audit(demo_database)[-2:]]
    # A login that matches nobody is audited without the text typed (see the test below).
    assert actions == [(account.login, "sign_in_failed"), (service.UNKNOWN_LOGIN, "sign_in_failed")]


def test_failures_slow_down_then_lock(demo_school: DemoSchool, demo_database: Database) -> None:
    account = demo_school.supervisors[0]
    now = T0
    assert _try(demo_database, account.login, "wrong-1", now).retry_after_seconds == 0
    assert _try(demo_database, account.login, "wrong-2", now).retry_after_seconds == 0
    third = _try(demo_database, account.login, "wrong-3", now)
    assert third.retry_after_seconds == 5 and "Wait 5 seconds" in third.message
    assert _staff(demo_database, account.login).failed_sign_ins == 3
    now += timedelta(seconds=6)
    assert _try(demo_database, account.login, "wrong-4", now).retry_after_seconds == 10
    now += timedelta(seconds=11)
    locked = _try(demo_database, account.login, "wrong-5", now)
    assert locked.locked_until == now + timedelta(minutes=15)
    assert "locked until" in locked.message
    right = _try(demo_database, account.login, account.password, now + timedelta(minutes=14))
    assert not right.ok and "locked" in right.message and "09:15" in right.message
    assert right.locked_until == locked.locked_until
    assert "account_locked" in [e.action for e in _audit(demo_database)]
    after = _try(demo_database, account.login, account.password, now + timedelta(minutes=16))
    assert after.ok
    staff = _staff(demo_database, account.login)
    assert staff.failed_sign_ins == 0 and staff.locked_until is None


def test_a_try_within_the_wait_is_turned_away_and_counted(
    demo_school: DemoSchool, demo_database: Database
) -> None:
    account = demo_school.supervisors[0]
    for wrong in ("wrong-1", "wrong-2", "wrong-3"):
        _try(demo_database, account.login, wrong)
    # Within the wait even the right password is turned away, unchecked; the try counts as a
    # failure (the window's dialog waits; a burst of tries must not escape the lock).
    waiting = _try(demo_database, account.login, account.password, T0 + timedelta(seconds=2))
    assert not waiting.ok and waiting.retry_after_seconds == 3
    assert "Wait 3 seconds" in waiting.message and "counts as a wrong password" in waiting.message
    assert _staff(demo_database, account.login).failed_sign_ins == 4
    assert "within the 3-second wait (4 in a row)" in (_audit(demo_database)[-1].detail or "")
    # The wait was not lengthened; the next try within it locks the account.
    locked = _try(demo_database, account.login, account.password, T0 + timedelta(seconds=4))
    assert not locked.ok and locked.locked_until == T0 + timedelta(seconds=4, minutes=15)
    assert locked.message.startswith("That was before the wait was over. This account is now")
    staff = _staff(demo_database, account.login)
    assert staff.failed_sign_ins == service.LOCK_AFTER
    assert staff.locked_until == locked.locked_until


def test_a_password_typed_as_the_login_is_not_audited(
    demo_school: DemoSchool, demo_database: Database
) -> None:
    secret = "Tr0ub4dor&3-typed-in-the-wrong-box"
    for login in (secret, f"  {secret} ", secret.upper(), ""):
        result = _try(demo_database, login, "")
        assert not result.ok and result.message == service.WRONG
    entries = _audit(demo_database)[-4:]
    assert [(e.actor, e.action) for e in entries] == [(service.UNKNOWN_LOGIN, "sign_in_failed")] * 4
    assert entries[-1].detail == "no login name given"
    with demo_database.read() as session:
        rows = session.execute(select(AuditEntry.__table__)).all()
    fragment = secret[:12].lower()
    assert rows and not [row for row in rows if fragment in repr(tuple(row)).lower()]


def _many_at_once(database_url: str, count: int, login: str, password: str) -> list[object]:
    """``count`` sign-ins started together, each in its own thread with its own connection."""
    databases = [open_database(database_url, migrate=False) for _ in range(count)]
    start = threading.Barrier(count)

    def one(database: Database) -> service.SignInResult:
        start.wait()
        return _try(database, login, password)

    try:
        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(one, databases))
    finally:
        for database in databases:
            database.dispose()


def test_wrong_passwords_at_once_lock_the_account(
    demo_school: DemoSchool, demo_database: Database, database_url: str
) -> None:
    account = demo_school.supervisors[0]
    results = _many_at_once(database_url, 24, account.login, "not my password")
    assert not any(r.ok for r in results)  # type: ignore[attr-defined]
    staff = _staff(demo_database, account.login)
    # Taken one at a time: three wrong passwords checked, two tries within the wait counted,
    # and the remaining 19 turned away by the lock; no failure lost, none counted twice.
    assert staff.failed_sign_ins == service.LOCK_AFTER
    assert staff.locked_until == T0 + timedelta(minutes=service.LOCK_MINUTES)
    mine = [e for e in _audit(demo_database) if e.entity_id == staff.id]
    failed = [e for e in mine if e.action == "sign_in_failed"]
    refused = [e for e in mine if e.action == "sign_in_refused"]
    assert len(failed) == staff.failed_sign_ins and len(failed) + len(refused) == 24
    assert sum("wrong password" in (e.detail or "") for e in failed) == service.SLOW_AFTER
    assert all("locked until" in (e.detail or "") for e in refused)
    assert [e.action for e in mine].count("account_locked") == 1
    assert sum(r.locked_until is not None for r in results) == 24 - service.LOCK_AFTER + 1  # type: ignore[attr-defined]
    # The right password is turned away too, until the lock ends.
    assert not _try(demo_database, account.login, account.password).ok


def test_deactivated_staff_refused(demo_school: DemoSchool, demo_database: Database) -> None:
    account = demo_school.supervisors[0]
    with demo_database.begin() as session:
        session.scalars(select(Staff).where(Staff.login == account.login)).one().active = False
    result = _try(demo_database, account.login, account.password)
    assert not result.ok and "deactivated" in result.message


@pytest.mark.production_hashing  # today's parameters are what the old hash is redone with
def test_old_hash_is_redone(demo_school: DemoSchool, demo_database: Database) -> None:
    account = demo_school.supervisors[1]
    old = PasswordHasher(time_cost=1, memory_cost=8192).hash(account.password)
    with demo_database.begin() as session:
        session.scalars(select(Staff).where(Staff.login == account.login)).one().password_hash = old
    assert _try(demo_database, account.login, account.password).ok
    new = _staff(demo_database, account.login).password_hash
    assert new != old and verify_password(new, account.password)
    assert new is not None and not hashing.needs_rehash(new)


def test_first_administrator_only_when_needed(database: Database) -> None:
    with database.read() as session:
        assert service.needs_first_administrator(session)
    with pytest.raises(InvalidInput, match="at least 10"), database.begin() as session:
        service.create_first_administrator(
            session, name="Ann Head", login="ahead", password="short"
        )
    with pytest.raises(InvalidInput, match="same as the login"), database.begin() as session:
        service.create_first_administrator(
            session, name="Ann Head", login="annhead123", password="AnnHead123"
        )
    with database.begin() as session:
        actor = service.create_first_administrator(
            session, name=" Ann  Head ", login="ahead", password="a long enough secret"
        )
    assert actor.is_administrator and actor.name == "Ann Head"
    with database.read() as session:
        assert not service.needs_first_administrator(session)
    with pytest.raises(Refused, match="already has staff"), database.begin() as session:
        service.create_first_administrator(
            session, name="Mallory", login="mallory", password="another secret!"
        )
    assert _try(database, "ahead", "a long enough secret").ok


def test_change_own_password(demo_school: DemoSchool, demo_database: Database) -> None:
    account = demo_school.supervisors[0]
    actor = _try(demo_database, account.login, account.password).actor
    assert actor is not None
    for old, new, message in [
        ("wrong", "a brand new secret", "current password is not right"),
        (account.password, "short", "at least 10"),
        (account.password, account.login.upper(), "same as the login|at least 10"),
    ]:
        with pytest.raises(InvalidInput, match=message), demo_database.begin() as session:
            service.change_own_password(session, actor, old, new)
    with demo_database.begin() as session:
        service.change_own_password(session, actor, account.password, "a brand new secret")
    assert not _try(demo_database, account.login, account.password).ok
    assert _try(demo_database, account.login, "a brand new secret").ok


def test_reset_password(demo_school: DemoSchool, demo_database: Database, admin: Actor) -> None:
    account = demo_school.supervisors[0]
    staff_id = _staff(demo_database, account.login).id
    with demo_database.begin() as session:
        temporary = service.reset_password(session, admin, staff_id)
    assert len(temporary) >= 10
    result = _try(demo_database, account.login, temporary)
    assert result.ok and result.must_change_password
    assert all(
        temporary not in (e.detail or "") + (e.new_value or "") for e in _audit(demo_database)
    )
    supervisor = result.actor
    assert supervisor is not None
    other = _staff(demo_database, demo_school.administrators[0].login).id
    with pytest.raises(PermissionDenied), demo_database.begin() as session:
        service.reset_password(session, supervisor, other)
    assert _audit(demo_database)[-1].action == "refused"
    assert _try(
        demo_database, demo_school.administrators[0].login, demo_school.administrators[0].password
    ).ok
