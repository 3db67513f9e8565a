"""Staff accounts: who may sign in, as what role, with access to which groups this year.

Staff are never deleted: a leaver is deactivated, so the audit trail keeps its names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, School, Staff, StaffRole, SupervisorAccess
from planit_desktop.model.services.groups import natural_key


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


def _staff_rows(session: Session, staff_ids: set[int] | None = None) -> list[StaffRow]:
    year = select(School.academic_year).where(School.id == 1).scalar_subquery()
    access = (
        select(SupervisorAccess.staff_id, Group.name)
        .join(Group, Group.id == SupervisorAccess.group_id)
        .where(SupervisorAccess.academic_year == year, SupervisorAccess.ended_at.is_(None))
    )
    staff = select(
        Staff.id, Staff.name, Staff.login, Staff.email, Staff.role, Staff.active
    ).order_by(Staff.name, Staff.id)
    if staff_ids is not None:
        access = access.where(SupervisorAccess.staff_id.in_(staff_ids))
        staff = staff.where(Staff.id.in_(staff_ids))
    groups_of: defaultdict[int, list[str]] = defaultdict(list)
    for staff_id, group_name in session.execute(access).tuples():
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
        for sid, name, login, email, role, active in session.execute(staff).tuples()
    ]


def list_staff(session: Session, actor: Actor) -> list[StaffRow]:
    """Every member of staff, active or not, by name, with this academic year's groups.

    Open to everyone signed in: names and roles of colleagues are not secret, and a
    supervisor sees which groups are theirs.
    """
    return _staff_rows(session)
