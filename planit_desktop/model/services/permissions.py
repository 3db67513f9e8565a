"""Role rules, checked inside the services so that no button can get round them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import School, Staff, SupervisorAccess
from planit_desktop.model.errors import PermissionDenied
from planit_desktop.model.kinds import StaffRole


def access_in_force(academic_year: int | None = None) -> ColumnElement[bool]:
    """The supervisor access in force: of ``academic_year`` and not ended. None stands for
    the school's current academic year, read by the statement itself."""
    year = (
        select(School.academic_year).where(School.id == 1).scalar_subquery()
        if academic_year is None
        else academic_year
    )
    return and_(SupervisorAccess.academic_year == year, SupervisorAccess.ended_at.is_(None))


def current_role(session: Session, actor: Actor) -> StaffRole | None:
    """``actor``'s role as the database holds it now; None for no active staff record.

    The role an :class:`Actor` carries is only what it was at sign-in: an administrator made a
    supervisor or deactivated since is refused at once, and an actor with no staff record
    (such as :meth:`Actor.founder`) has no role at all.
    """
    if actor.staff_id is None:
        return None
    staff = session.get(Staff, actor.staff_id)
    if staff is None or not staff.active:
        return None
    return staff.role


def require_administrator(session: Session, actor: Actor, action: str) -> None:
    """Refuse unless ``actor`` is an active administrator now (not merely when signed in).

    ``action`` completes the sentence "Only administrators can …". The refusal is audited by
    :meth:`planit_desktop.model.db.Database.begin`, outside the rolled-back transaction.
    """
    if current_role(session, actor) is not StaffRole.ADMINISTRATOR:
        raise PermissionDenied(
            f"Only administrators can {action}. Ask an administrator of the school to do it.",
            actor_login=actor.login,
            action=action,
        )


def require_staff(session: Session, actor: Actor, action: str) -> None:
    """Refuse unless ``actor`` is an active member of staff (administrator or supervisor)."""
    if current_role(session, actor) is None:
        raise PermissionDenied(
            f"Only a signed-in member of staff can {action}.",
            actor_login=actor.login,
            action=action,
        )


def require_founder_or_administrator(session: Session, actor: Actor, action: str) -> None:
    """Like :func:`require_administrator`, but a new database may also be set up by its founder.

    The one way an actor without a staff record is let in: :meth:`Actor.founder`, and only
    while nobody can sign in to the database (it has no active member of staff with a
    password), which is when no administrator could exist to do it.
    """
    if actor.founding and actor.staff_id is None and not anyone_can_sign_in(session):
        return
    require_administrator(session, actor, action)


def anyone_can_sign_in(session: Session) -> bool:
    """True once some active member of staff has a password (the database is in use)."""
    someone = session.scalar(
        select(Staff.id).where(Staff.active.is_(True), Staff.password_hash.is_not(None)).limit(1)
    )
    return someone is not None


def visible_group_ids(session: Session, actor: Actor) -> set[int] | None:
    """The groups whose learners ``actor`` may see: None means every group (administrators).

    A supervisor sees only the groups assigned to them for the current academic year, so a
    rollover (which starts a new year) leaves them seeing nobody until they are reassigned.
    """
    if actor.staff_id is None:
        return set()  # no staff record: nobody's administrator, nobody's supervisor
    staff = session.get(Staff, actor.staff_id)
    if staff is None or not staff.active:
        return set()
    if staff.role is StaffRole.ADMINISTRATOR:
        return None
    rows = session.scalars(
        select(SupervisorAccess.group_id).where(
            SupervisorAccess.staff_id == staff.id, access_in_force()
        )
    )
    return set(rows)
