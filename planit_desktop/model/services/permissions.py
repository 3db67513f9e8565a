"""Role rules, checked inside the services so that no button can get round them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Staff, StaffRole
from planit_desktop.model.errors import PermissionDenied


def require_administrator(session: Session, actor: Actor, action: str) -> None:
    """Refuse unless ``actor`` is an active administrator now (not merely when signed in).

    ``action`` completes the sentence "Only administrators can …". The refusal is audited by
    :meth:`planit_desktop.model.db.Database.begin`, outside the rolled-back transaction.
    """
    role = actor.role
    if actor.staff_id is not None:
        staff = session.get(Staff, actor.staff_id)
        role = staff.role if staff is not None and staff.active else StaffRole.SUPERVISOR
    if role is not StaffRole.ADMINISTRATOR:
        raise PermissionDenied(
            f"Only administrators can {action}. Ask an administrator of the school to do it.",
            actor_login=actor.login,
            action=action,
        )


def visible_group_ids(session: Session, actor: Actor) -> set[int] | None:
    """The groups whose learners ``actor`` may see: None means every group (administrators).

    A supervisor sees only the groups assigned to them for the current academic year, so a
    rollover (which starts a new year) leaves them seeing nobody until they are reassigned.
    """
    from sqlalchemy import select

    from planit_desktop.model.entities import School, SupervisorAccess

    if actor.staff_id is None:
        return None if actor.is_administrator else set()
    staff = session.get(Staff, actor.staff_id)
    if staff is None or not staff.active:
        return set()
    if staff.role is StaffRole.ADMINISTRATOR:
        return None
    current_year = select(School.academic_year).where(School.id == 1).scalar_subquery()
    rows = session.scalars(
        select(SupervisorAccess.group_id).where(
            SupervisorAccess.staff_id == staff.id,
            SupervisorAccess.academic_year == current_year,
            SupervisorAccess.ended_at.is_(None),
        )
    )
    return set(rows)
