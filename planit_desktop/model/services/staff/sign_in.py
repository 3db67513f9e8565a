"""Staff sign-in: argon2id passwords, slowing down and locking after repeated failures.

:func:`sign_in` returns a :class:`SignInResult` instead of raising, so that the caller's
transaction commits the failure counter and the audit entries even when signing in fails.
The service never sleeps: after a few failures it sets a short wait (``locked_until``) and
says how long, and the dialog waits; after :data:`LOCK_AFTER` failures the account is
locked for :data:`LOCK_MINUTES` minutes. A try within the wait is turned away unchecked and
counts as a failure, so a burst of tries locks the account as surely as slow guessing.

Tries at the same account are taken one at a time (the member of staff's row is locked for
the sign-in's transaction; SQLite's write lock does the same) and the counter is increased
in the database itself, so tries made at once, from many computers, are each counted.
The text typed as a login name is never stored unless it is a member of staff's login: a
password typed into the wrong box must not end up in the audit log (and every backup).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Staff
from planit_desktop.model.errors import InvalidInput, Refused
from planit_desktop.model.kinds import StaffRole
from planit_desktop.model.services import audit
from planit_desktop.model.services.credentials.hashing import (
    generate_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from planit_desktop.model.services.permissions import (
    anyone_can_sign_in,
    current_role,
    require_administrator,
)
from planit_desktop.model.services.staff.members import (
    _insert_staff,
    check_new_password,
    normalise_login,
    normalise_staff_name,
)

WRONG = "The login name or password is not right."
#: Who an audit entry names for a sign-in with a login name that matches nobody: the text
#: typed is not kept, since it may be a password typed into the wrong box.
UNKNOWN_LOGIN = "unknown login"
#: From this many failures in a row, each further try must wait a little (seconds, growing).
SLOW_AFTER = 3
SLOW_SECONDS = 5
#: This many failures in a row lock the account for LOCK_MINUTES.
LOCK_AFTER = 5
LOCK_MINUTES = 15


@dataclass(frozen=True, slots=True)
class SignInResult:
    """How a sign-in went. ``actor`` is None when it was refused; ``message`` says why."""

    actor: Actor | None
    message: str = ""
    #: Seconds the dialog must wait before the next try (0: may try at once).
    retry_after_seconds: int = 0
    #: Set when the account is locked: refused until then, even with the right password.
    locked_until: datetime | None = None
    #: Signed in with a temporary password: the dialog asks for a new one straight away.
    must_change_password: bool = False

    @property
    def ok(self) -> bool:
        return self.actor is not None


@cache
def _dummy_hash() -> str:
    # Verifying against a hash even for an unknown login takes as long as for a known one,
    # so the time taken does not tell which logins exist.
    return hash_password(generate_password())


def _find(session: Session, login: str) -> Staff | None:
    """The member of staff with this login (case ignored if only one matches), row locked.

    ``FOR UPDATE`` makes a second sign-in at the same account wait for this one's
    transaction on PostgreSQL, so it sees this one's failure and wait; SQLite's write lock,
    taken when the transaction begins, does the same there.
    """
    text = (login or "").strip()
    if not text:
        return None
    exact = session.scalars(select(Staff).where(Staff.login == text).with_for_update()).first()
    if exact is not None:
        return exact
    folded = session.scalars(
        select(Staff).where(func.lower(Staff.login) == text.lower()).with_for_update()
    ).all()
    return folded[0] if len(folded) == 1 else None


def _actor(staff: Staff) -> Actor:
    return Actor(login=staff.login, name=staff.name, role=staff.role, staff_id=staff.id)


def _when(moment: datetime) -> str:
    return (
        moment.strftime("%H:%M")
        if moment.date() == datetime.now().date()
        else (moment.strftime("%d/%m/%Y %H:%M"))
    )


def sign_in(
    session: Session, login: str, password: str, *, now: datetime | None = None
) -> SignInResult:
    """Check a member of staff's login name and password; never raises for a refusal.

    A wrong login and a wrong password get the same message. Each failure, wait, lock and
    success is audited under the member of staff's login; a login name that matches nobody
    is audited as :data:`UNKNOWN_LOGIN`, without the text typed. A hash made with older
    parameters is redone on success.
    """
    now = now or datetime.now()
    staff = _find(session, login)
    if staff is not None and staff.locked_until is not None and staff.locked_until > now:
        return _still_waiting(session, staff, now)
    if staff is None:
        verify_password(_dummy_hash(), password)
        given = "unknown login name" if (login or "").strip() else "no login name given"
        audit.record(session, UNKNOWN_LOGIN, "sign_in_failed", detail=given)
        return SignInResult(None, WRONG)
    if not verify_password(staff.password_hash, password):
        return _failed(session, staff, now, detail="wrong password")
    tried = staff.login
    if not staff.active:
        audit.record(
            session, tried, "sign_in_refused", entity="staff", entity_id=staff.id,
            detail="account deactivated",
        )  # fmt: skip
        return SignInResult(
            None, "This account has been deactivated. Ask an administrator of the school."
        )
    assert staff.password_hash is not None  # verified above
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    staff.failed_sign_ins = 0
    staff.locked_until = None
    audit.record(session, tried, "sign_in", entity="staff", entity_id=staff.id)
    return SignInResult(_actor(staff), must_change_password=staff.must_change_password)


def _still_waiting(session: Session, staff: Staff, now: datetime) -> SignInResult:
    until = staff.locked_until
    assert until is not None
    if staff.failed_sign_ins >= LOCK_AFTER:
        audit.record(
            session, staff.login, "sign_in_refused", entity="staff", entity_id=staff.id,
            detail=f"account locked until {until.isoformat(timespec='seconds')}",
        )  # fmt: skip
        return SignInResult(
            None,
            f"This account is locked after too many wrong passwords, until {_when(until)}. "
            "Try again then, or ask an administrator to reset your password.",
            retry_after_seconds=max(1, int((until - now).total_seconds() + 0.999)),
            locked_until=until,
        )
    # Unchecked, but counted: otherwise tries made at once would be turned away while the
    # account never locked (the window's dialog waits, so only such bursts land here).
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    result = _failed(
        session, staff, now, detail=f"tried again within the {seconds}-second wait", wait=until
    )
    if result.locked_until is not None:
        return result
    return SignInResult(
        None,
        f"Wait {seconds} seconds before trying again: a try before then counts as a wrong "
        "password.",
        retry_after_seconds=seconds,
    )


def _failed(
    session: Session, staff: Staff, now: datetime, *, detail: str, wait: datetime | None = None
) -> SignInResult:
    """Count a failure in the database itself (never a lost update), audit it, slow or lock.

    ``wait`` is the wait the try came within, if it did: it is kept as it is, not lengthened.
    """
    failures = session.execute(
        update(Staff)
        .where(Staff.id == staff.id)
        .values(failed_sign_ins=func.coalesce(Staff.failed_sign_ins, 0) + 1)
        .returning(Staff.failed_sign_ins)
        .execution_options(synchronize_session="fetch")
    ).scalar_one()
    tried = staff.login
    audit.record(
        session, tried, "sign_in_failed", entity="staff", entity_id=staff.id,
        detail=f"{detail} ({failures} in a row)",
    )  # fmt: skip
    if failures >= LOCK_AFTER:
        until = now + timedelta(minutes=LOCK_MINUTES)
        staff.locked_until = until
        audit.record(
            session, tried, "account_locked", entity="staff", entity_id=staff.id,
            detail=f"until {until.isoformat(timespec='seconds')} after {failures} failures",
        )  # fmt: skip
        said = WRONG if wait is None else "That was before the wait was over."
        return SignInResult(
            None,
            f"{said} This account is now locked until {_when(until)} after too many wrong "
            "passwords. Try again then, or ask an administrator to reset your password.",
            retry_after_seconds=LOCK_MINUTES * 60,
            locked_until=until,
        )
    if wait is not None:
        return SignInResult(None, WRONG)  # the caller says how long is left
    if failures >= SLOW_AFTER:
        seconds = SLOW_SECONDS * (failures - SLOW_AFTER + 1)
        staff.locked_until = now + timedelta(seconds=seconds)
        left = LOCK_AFTER - failures
        return SignInResult(
            None,
            f"{WRONG} Wait {seconds} seconds before trying again; after {left} more wrong "
            f"{'try' if left == 1 else 'tries'} the account will be locked for "
            f"{LOCK_MINUTES} minutes.",
            retry_after_seconds=seconds,
        )
    return SignInResult(None, WRONG)


def sign_in_for_task(
    session: Session,
    login: str,
    password: str,
    *,
    task: str,
    administrators_only: bool = True,
    now: datetime | None = None,
) -> SignInResult:
    """Sign in to do one administrator's task away from the window (the command line).

    The same checks as :func:`sign_in` (one message for a wrong login or password, the same
    waits and lock, the same audit), then refused where the window would not let this member
    of staff go on: a supervisor, for an administrators' task (``administrators_only``;
    ``task`` completes "Only administrators can …"), and a temporary password, which the
    window makes its owner change first and the command line cannot. Refusals are audited;
    the caller commits this transaction whatever the outcome, so that failures are counted.
    """
    result = sign_in(session, login, password, now=now)
    actor = result.actor
    if actor is None:
        return result
    if administrators_only and current_role(session, actor) is not StaffRole.ADMINISTRATOR:
        audit.record(session, actor, "refused", detail=task)
        return SignInResult(
            None, f"Only administrators can {task}. Ask an administrator of the school to do it."
        )
    if result.must_change_password:
        audit.record(
            session, actor, "sign_in_refused", entity="staff", entity_id=actor.staff_id,
            detail="temporary password: to be changed in the window first",
        )  # fmt: skip
        return SignInResult(
            None,
            "Your password is a temporary one. Sign in to the Plan-it Desktop window once and "
            "choose your own, then run the command again.",
        )
    return result


def needs_first_administrator(session: Session) -> bool:
    """True for a new database: no active member of staff has a password yet."""
    return not anyone_can_sign_in(session)


def create_first_administrator(session: Session, *, name: str, login: str, password: str) -> Actor:
    """Create the first administrator of a new database and sign them in.

    Refused once anyone can sign in, so this cannot be used to get round sign-in.
    """
    if not needs_first_administrator(session):
        raise Refused(
            "This database already has staff who can sign in. Ask one of its administrators "
            "to add you."
        )
    name = normalise_staff_name(name)
    login = normalise_login(login)
    check_new_password(password, login)
    # Audited under the new administrator's login; no administrator exists yet to check, and
    # the refusal above (anyone can sign in) is what keeps this from getting round sign-in.
    founder = Actor(login=login, name=name, role=StaffRole.ADMINISTRATOR)
    made = _insert_staff(
        session, founder, name=name, login=login, role=StaffRole.ADMINISTRATOR, email=None,
        password=password,
    )  # fmt: skip
    staff = session.get(Staff, made.id)
    assert staff is not None
    staff.must_change_password = False  # they have just chosen it
    audit.record(
        session, founder, "first_administrator", entity="staff", entity_id=made.id, new=login
    )
    return _actor(staff)


def change_own_password(session: Session, actor: Actor, old: str, new: str) -> None:
    """Change the signed-in member of staff's own password, after checking the current one."""
    staff = session.get(Staff, actor.staff_id) if actor.staff_id is not None else None
    if staff is None or not staff.active:
        raise Refused("Only a signed-in member of staff can change their own password.")
    if not verify_password(staff.password_hash, old):
        raise InvalidInput("Your current password is not right. Nothing was changed.")
    check_new_password(new, staff.login)
    if new == old:
        raise InvalidInput("The new password must be different from the current one.")
    staff.password_hash = hash_password(new)
    staff.must_change_password = False
    staff.failed_sign_ins = 0
    staff.locked_until = None
    audit.record(session, actor, "password_changed", entity="staff", entity_id=staff.id)


def reset_password(session: Session, actor: Actor, staff_id: int) -> str:
    """Give a member of staff a new temporary password (returned once; only its hash kept).

    They must change it at their next sign-in. A lock or wait on the account is lifted.
    """
    require_administrator(session, actor, "reset a member of staff's password")
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise Refused("That member of staff no longer exists; refresh the list.")
    password = generate_password()
    staff.password_hash = hash_password(password)
    staff.must_change_password = True
    staff.failed_sign_ins = 0
    staff.locked_until = None
    audit.record(
        session, actor, "password_reset", entity="staff", entity_id=staff.id,
        detail="temporary password issued; must be changed at next sign-in",
    )  # fmt: skip
    return password
