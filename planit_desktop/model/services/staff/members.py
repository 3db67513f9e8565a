"""Staff accounts: who may sign in, as what role, with access to which groups this year.

Staff are never deleted: a leaver is deactivated, so the audit trail keeps its names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, Staff, SupervisorAccess
from planit_desktop.model.errors import InvalidInput, NotFound, Refused
from planit_desktop.model.kinds import StaffRole
from planit_desktop.model.services import audit
from planit_desktop.model.services._sql import rowcount
from planit_desktop.model.services.credentials.hashing import (
    MIN_LENGTH,
    generate_password,
    hash_password,
)
from planit_desktop.model.services.groups.listing import natural_key
from planit_desktop.model.services.permissions import access_in_force, require_administrator
from planit_desktop.model.services.school import current_academic_year
from planit_desktop.model.validation.names import quoted


@dataclass(frozen=True, slots=True)
class StaffRow:
    """One member of staff as listed: a snapshot, never a live database object."""

    id: int
    name: str
    login: str
    email: str | None
    role: StaffRole
    active: bool
    groups: tuple[str, ...]  # groups assigned this academic year (access not ended)


def staff_rows(session: Session, staff_ids: set[int] | None = None) -> list[StaffRow]:
    """Rows for every member of staff (or those in ``staff_ids``); no permission check."""
    access = (
        select(SupervisorAccess.staff_id, Group.name)
        .join(Group, Group.id == SupervisorAccess.group_id)
        .where(access_in_force())
    )
    staff = select(
        Staff.id, Staff.name, Staff.login, Staff.email, Staff.role, Staff.active
    ).order_by(Staff.name, Staff.id)
    if staff_ids is not None:
        access = access.where(SupervisorAccess.staff_id.in_(staff_ids))
        staff = staff.where(Staff.id.in_(staff_ids))
    groups_of: defaultdict[int, list[str]] = defaultdict(list)
    for staff_id, group_name in session.execute(access):
        groups_of[staff_id].append(group_name)
    return [
        StaffRow(
            sid,
            name,
            login,
            email,
            role,
            active,
            tuple(sorted(groups_of.get(sid, ()), key=natural_key)),
        )
        for sid, name, login, email, role, active in session.execute(staff)
    ]


def list_staff(session: Session, actor: Actor) -> list[StaffRow]:
    """Every member of staff, active or not, by name, with this academic year's groups.

    Open to everyone signed in: names and roles of colleagues are not secret, and a
    supervisor sees which groups are theirs.
    """
    return staff_rows(session)


# --- changes (administrators) -------------------------------------------------------------

MAX_LOGIN_LENGTH = 64
_LOGIN = re.compile(r"^[A-Za-z0-9._@'-]+$")


@dataclass(frozen=True, slots=True)
class NewStaff:
    """What :func:`add_staff` made. ``temporary_password`` is shown once, never stored."""

    id: int
    login: str
    temporary_password: str | None


def normalise_login(login: str) -> str:
    """A login name as stored: trimmed; letters, digits and . _ - ' @ only; at most 64."""
    text = (login or "").strip()
    if not text:
        raise InvalidInput("The login name is empty.")
    if len(text) > MAX_LOGIN_LENGTH:
        raise InvalidInput(f"A login name may have at most {MAX_LOGIN_LENGTH} characters.")
    if not _LOGIN.match(text):
        raise InvalidInput(
            f"The login name {quoted(text)} may contain only letters, digits and . _ - ' @ "
            "(no spaces)."
        )
    return text


def normalise_staff_name(name: str) -> str:
    """A member of staff's name as stored: spaces trimmed and collapsed, not empty."""
    text = " ".join((name or "").split())
    if not text:
        raise InvalidInput("The name is empty.")
    if len(text) > 200:
        raise InvalidInput("A name may have at most 200 characters.")
    return text


def check_new_password(password: str, login: str) -> None:
    """Refuse a staff-chosen password that is too short or the same as the login name."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_LENGTH} characters.")
    if not password.strip():
        raise InvalidInput("A password cannot be only spaces.")
    if password.strip().casefold() == login.strip().casefold():
        raise InvalidInput("A password cannot be the same as the login name.")


def _normalise_email(email: str | None) -> str | None:
    text = (email or "").strip()
    if not text:
        return None
    if len(text) > 254 or " " in text or text.count("@") != 1 or text.startswith("@"):
        raise InvalidInput(f"{quoted(text)} is not an email address.")
    return text


def refuse_login_clash(session: Session, login: str, *, except_id: int | None = None) -> None:
    """Refuse a login name already used (case ignored) by another member of staff."""
    query = select(Staff.name, Staff.login).where(func.lower(Staff.login) == login.lower())
    if except_id is not None:
        query = query.where(Staff.id != except_id)
    clash = session.execute(query).first()
    if clash is not None:
        raise Refused(
            f"The login name {quoted(login)} is already used by {clash.name}. Choose another."
        )


def _get(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("That member of staff no longer exists; refresh the list.")
    return staff


def _refuse_losing_last_administrator(session: Session, staff: Staff, what: str) -> None:
    if staff.role is not StaffRole.ADMINISTRATOR or not staff.active:
        return
    others = session.scalar(
        select(func.count()).where(
            Staff.role == StaffRole.ADMINISTRATOR, Staff.active.is_(True), Staff.id != staff.id
        )
    )
    if not others:
        raise Refused(
            f"{staff.name} is the last active administrator, so they cannot be {what}: "
            "nobody could then run the year end or manage staff. Make someone else an "
            "administrator first."
        )


def end_current_access(session: Session, actor: Actor, staff_id: int, reason: str) -> int:
    """End (keep as history) ``staff_id``'s group access for the current academic year."""
    require_administrator(session, actor, "change supervisors' access")
    ended = rowcount(
        session.execute(
            update(SupervisorAccess)
            .where(
                SupervisorAccess.staff_id == staff_id,
                access_in_force(current_academic_year(session)),
            )
            .values(ended_at=datetime.now())
        )
    )
    if ended:
        audit.record(
            session, actor, "access_ended", entity="staff", entity_id=staff_id,
            detail=f"{ended} group(s) for this academic year: {reason}",
        )  # fmt: skip
    return int(ended)


def add_staff(
    session: Session,
    actor: Actor,
    *,
    name: str,
    login: str,
    role: StaffRole,
    email: str | None = None,
    password: str | None = None,
) -> NewStaff:
    """Add a member of staff. Without ``password`` one is generated and returned once.

    Either way they must choose their own password at first sign-in.
    """
    require_administrator(session, actor, "add staff")
    return _insert_staff(
        session, actor, name=name, login=login, role=role, email=email, password=password
    )


def _insert_staff(
    session: Session,
    actor: Actor,
    *,
    name: str,
    login: str,
    role: StaffRole,
    email: str | None,
    password: str | None,
) -> NewStaff:
    """Add the member of staff; the caller has checked that ``actor`` may (see add_staff and
    sign_in.create_first_administrator, the only two callers)."""
    name = normalise_staff_name(name)
    login = normalise_login(login)
    email = _normalise_email(email)
    refuse_login_clash(session, login)
    generated = None
    if password is None:
        generated = password = generate_password()
    else:
        check_new_password(password, login)
    staff = Staff(
        name=name,
        login=login,
        email=email,
        role=StaffRole(role),
        active=True,
        password_hash=hash_password(password),
        must_change_password=True,
        failed_sign_ins=0,
    )
    session.add(staff)
    session.flush()
    audit.record(
        session, actor, "staff_added", entity="staff", entity_id=staff.id,
        new=f"{name} ({login}), {staff.role.value}",
    )  # fmt: skip
    return NewStaff(staff.id, login, generated)


def change_role(session: Session, actor: Actor, staff_id: int, role: StaffRole) -> None:
    """Make a member of staff an administrator or a supervisor.

    The last active administrator cannot be made a supervisor. A new administrator's
    group access for this year ends, since administrators see every group.
    """
    require_administrator(session, actor, "change a member of staff's role")
    staff = _get(session, staff_id)
    role = StaffRole(role)
    if staff.role is role:
        return
    if role is StaffRole.SUPERVISOR:
        _refuse_losing_last_administrator(session, staff, "made a supervisor")
    old = staff.role
    staff.role = role
    audit.record(
        session, actor, "staff_role_changed", entity="staff", entity_id=staff.id,
        field="role", old=old.value, new=role.value,
    )  # fmt: skip
    if role is StaffRole.ADMINISTRATOR:
        end_current_access(session, actor, staff.id, "now an administrator")


def deactivate(session: Session, actor: Actor, staff_id: int) -> None:
    """Deactivate a leaver: they can no longer sign in and their access for this year ends.

    Nothing is deleted; their name stays in the history. The last active administrator,
    and the administrator doing it, cannot be deactivated.
    """
    require_administrator(session, actor, "deactivate staff")
    staff = _get(session, staff_id)
    if not staff.active:
        raise Refused(f"{staff.name} is already deactivated.")
    _refuse_losing_last_administrator(session, staff, "deactivated")
    if actor.staff_id == staff.id:
        raise Refused("You cannot deactivate yourself. Ask another administrator to do it.")
    staff.active = False
    audit.record(
        session, actor, "staff_deactivated", entity="staff", entity_id=staff.id,
        field="active", old=True, new=False,
    )  # fmt: skip
    end_current_access(session, actor, staff.id, "deactivated")


def reactivate(session: Session, actor: Actor, staff_id: int) -> None:
    """Let a deactivated member of staff sign in again (their old access is not restored)."""
    require_administrator(session, actor, "reactivate staff")
    staff = _get(session, staff_id)
    if staff.active:
        raise Refused(f"{staff.name} is already active.")
    staff.active = True
    staff.failed_sign_ins = 0
    staff.locked_until = None
    audit.record(
        session, actor, "staff_reactivated", entity="staff", entity_id=staff.id,
        field="active", old=False, new=True,
    )  # fmt: skip
