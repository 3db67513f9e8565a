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
