"""Supervisors' access to groups, one academic year at a time (administrators).

Access rows are never deleted: ending an assignment sets ``ended_at``, so who could see
whom, and when, stays on record. A rollover ends the whole year's access (``ended_by_run_id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, Staff, SupervisorAccess, YearEndRun
from planit_desktop.model.errors import NotFound, Refused
from planit_desktop.model.kinds import StaffRole
from planit_desktop.model.services import audit
from planit_desktop.model.services.groups.listing import natural_key
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import current_academic_year
from planit_desktop.model.services.staff.members import StaffRow, staff_rows


@dataclass(frozen=True, slots=True)
class LostAccessRow:
    """A supervisor's access to one group, ended by the latest rollover."""

    staff_id: int
    staff_name: str
    login: str
    active: bool
    group_id: int
    group_name: str
    academic_year: int  # the year the access was for


def _supervisor(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("That member of staff no longer exists; refresh the list.")
    if not staff.active:
        raise Refused(
            f"{staff.name} is deactivated, so they cannot be given access to groups. "
            "Reactivate them first if they have come back."
        )
    if staff.role is StaffRole.ADMINISTRATOR:
        raise Refused(
            f"{staff.name} is an administrator and already sees every group; access is "
            "assigned to supervisors only."
        )
    return staff


def _groups(session: Session, group_ids: Iterable[int]) -> dict[int, str]:
    ids = set(group_ids)
    found = dict(session.execute(select(Group.id, Group.name).where(Group.id.in_(ids))).all())
    if len(found) != len(ids):
        raise NotFound("A group chosen no longer exists; refresh the list. Nothing was changed.")
    return found


def _current(session: Session, staff_id: int, year: int) -> dict[int, datetime | None]:
    """This year's access rows of one supervisor: group id → ended_at."""
    rows = session.execute(
        select(SupervisorAccess.group_id, SupervisorAccess.ended_at).where(
            SupervisorAccess.staff_id == staff_id, SupervisorAccess.academic_year == year
        )
    )
    return dict(rows.all())


def assign(session: Session, actor: Actor, staff_id: int, group_ids: Iterable[int]) -> list[str]:
    """Give a supervisor access to groups for the current academic year.

    Idempotent (groups already assigned are left alone); several supervisors may share a
    group. Refused for a deactivated member of staff or an administrator. Returns the names
    of the groups newly assigned.
    """
    require_administrator(session, actor, "assign supervisors to groups")
    staff = _supervisor(session, staff_id)
    names = _groups(session, group_ids)
    year = current_academic_year(session)
    current = _current(session, staff_id, year)
    reopened = [gid for gid in names if gid in current and current[gid] is not None]
    new = [gid for gid in names if gid not in current]
    now = datetime.now()
    if reopened:
        session.execute(
            update(SupervisorAccess)
            .where(
                SupervisorAccess.staff_id == staff_id,
                SupervisorAccess.academic_year == year,
                SupervisorAccess.group_id.in_(reopened),
            )
            .values(ended_at=None, ended_by_run_id=None, granted_at=now, granted_by=actor.login)
        )
    if new:
        session.execute(
            insert(SupervisorAccess),
            [
                {"staff_id": staff_id, "group_id": gid, "academic_year": year,
                 "granted_at": now, "granted_by": actor.login}
                for gid in new
            ],
        )  # fmt: skip
    added = sorted((names[gid] for gid in reopened + new), key=natural_key)
    if added:
        audit.record(
            session, actor, "access_assigned", entity="staff", entity_id=staff.id,
            new=", ".join(added), detail=f"academic year {year}",
        )  # fmt: skip
    return added


def unassign(session: Session, actor: Actor, staff_id: int, group_ids: Iterable[int]) -> list[str]:
    """End a supervisor's access to groups for the current year (kept as history)."""
    require_administrator(session, actor, "change supervisors' access")
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("That member of staff no longer exists; refresh the list.")
    names = _groups(session, group_ids)
    year = current_academic_year(session)
    current = _current(session, staff_id, year)
    ending = [gid for gid in names if gid in current and current[gid] is None]
    if ending:
        session.execute(
            update(SupervisorAccess)
            .where(
                SupervisorAccess.staff_id == staff_id,
                SupervisorAccess.academic_year == year,
                SupervisorAccess.group_id.in_(ending),
            )
            .values(ended_at=datetime.now())
        )
        audit.record(
            session, actor, "access_ended", entity="staff", entity_id=staff.id,
            old=", ".join(sorted((names[g] for g in ending), key=natural_key)),
            detail=f"academic year {year}",
        )  # fmt: skip
    return sorted((names[gid] for gid in ending), key=natural_key)


def set_assignments(
    session: Session, actor: Actor, staff_id: int, group_ids: Iterable[int]
) -> tuple[list[str], list[str]]:
    """Make a supervisor's groups this year exactly ``group_ids``; returns (added, ended)."""
    require_administrator(session, actor, "assign supervisors to groups")
    wanted = set(group_ids)
    _supervisor(session, staff_id)
    year = current_academic_year(session)
    active = {gid for gid, ended in _current(session, staff_id, year).items() if ended is None}
    ended = unassign(session, actor, staff_id, active - wanted) if active - wanted else []
    added = assign(session, actor, staff_id, wanted) if wanted else []
    return added, ended


def restore_last_years_assignments(
    session: Session, actor: Actor, staff_ids: Iterable[int]
) -> dict[int, list[str]]:
    """Give each supervisor this year the groups they had last academic year.

    Groups keep their learners across a rollover, so last year's groups are the right
    default. Deleted groups are skipped (their access went with them). Returns, for each
    supervisor, the names of the groups restored.
    """
    require_administrator(session, actor, "assign supervisors to groups")
    ids = list(dict.fromkeys(staff_ids))
    for staff_id in ids:
        _supervisor(session, staff_id)
    last_year = current_academic_year(session) - 1
    previous: dict[int, list[int]] = {staff_id: [] for staff_id in ids}
    for staff_id, group_id in session.execute(
        select(SupervisorAccess.staff_id, SupervisorAccess.group_id).where(
            SupervisorAccess.academic_year == last_year, SupervisorAccess.staff_id.in_(ids)
        )
    ):
        previous[staff_id].append(group_id)
    return {
        staff_id: assign(session, actor, staff_id, group_ids) if group_ids else []
        for staff_id, group_ids in previous.items()
    }


def access_lost_at_last_rollover(session: Session, actor: Actor) -> list[LostAccessRow]:
    """Who lost access to which group at the latest rollover (not undone); empty if none."""
    require_administrator(session, actor, "see supervisors' access")
    run_id = session.scalar(
        select(YearEndRun.id)
        .where(YearEndRun.undone_at.is_(None))
        .order_by(YearEndRun.id.desc())
        .limit(1)
    )
    if run_id is None:
        return []
    query = (
        select(
            Staff.id, Staff.name, Staff.login, Staff.active,
            Group.id, Group.name, SupervisorAccess.academic_year,
        )
        .join(Staff, Staff.id == SupervisorAccess.staff_id)
        .join(Group, Group.id == SupervisorAccess.group_id)
        .where(SupervisorAccess.ended_by_run_id == run_id)
    )  # fmt: skip
    rows = [LostAccessRow(*row) for row in session.execute(query)]
    rows.sort(key=lambda row: (row.staff_name.casefold(), natural_key(row.group_name)))
    return rows


def supervisors_without_groups(session: Session, actor: Actor) -> list[StaffRow]:
    """Active supervisors with no group this academic year: highlighted in the tab."""
    require_administrator(session, actor, "see supervisors' access")
    return [
        row
        for row in staff_rows(session)
        if row.active and row.role is StaffRole.SUPERVISOR and not row.groups
    ]
