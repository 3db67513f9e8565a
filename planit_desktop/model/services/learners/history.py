"""A learner's history: every audit entry about them, oldest first, one click from the table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import AuditEntry, Learner, Staff
from planit_desktop.model.errors import NotFound, PermissionDenied
from planit_desktop.model.services.permissions import visible_learners


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One thing that happened to a learner's record."""

    at: datetime
    actor: str  # the login recorded (``os:<user>`` for the command line, ``learner:…``)
    actor_name: str  # the staff member's name where known, else the login
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    detail: str | None


def learner_history(session: Session, actor: Actor, learner_id: int) -> list[HistoryRow]:
    """Every audit entry about one learner: who, when, what, old → new; oldest first.

    Administrators see any learner's; a supervisor only that of a learner in their groups
    (refused otherwise, and the refusal is audited).
    """
    if session.get(Learner, learner_id) is None:
        raise NotFound("That learner no longer exists. Refresh the list.")
    visible = visible_learners(session, actor)
    if visible is not None:
        if session.scalar(visible.where(Learner.id == learner_id)) is None:
            raise PermissionDenied(
                "You can see the history only of learners in your groups.",
                actor_login=actor.login,
                action="see the history of a learner outside their groups",
            )
    name = select(Staff.name).where(Staff.login == AuditEntry.actor).scalar_subquery()
    query = (
        select(
            AuditEntry.at,
            AuditEntry.actor,
            func.coalesce(name, AuditEntry.actor),
            AuditEntry.action,
            AuditEntry.field,
            AuditEntry.old_value,
            AuditEntry.new_value,
            AuditEntry.detail,
        )
        .where(AuditEntry.entity == "learner", AuditEntry.entity_id == learner_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [HistoryRow(*row) for row in session.execute(query)]
