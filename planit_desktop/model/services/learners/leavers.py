"""Learners who are not at the school any more: marking them left, reinstating, and, years
later, removing their personal data.

Marking a learner left never deletes anything; it ends their access (the learner site lets
only learners on roll sign in, and any secondary password is cleared). Removing old leavers'
data is a separate, deliberate action that deletes the learner rows and everything hanging
from them, and keeps only the fact of removal in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import (
    GroupMembership,
    Learner,
    LearnerCredential,
    SupportRequest,
)
from planit_desktop.model.errors import InvalidInput, NotFound, Refused
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services import audit, audit_removal
from planit_desktop.model.services._sql import chunks
from planit_desktop.model.services.learners.details import describe, identifier_holder
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.validation.dates import format_date

MAX_REASON = 500
DEFAULT_YEARS = 6
REMOVED = audit.REDACTED


@dataclass(frozen=True, slots=True)
class OldLeaver:
    """A learner who left (or completed Year 11) years ago, for the "Remove old leavers'
    data" list: when and why they left, beside who they are. (The year end's learners
    leaving now are :class:`~planit_desktop.model.services.year_end.plan_types.Leaver`.)"""

    id: int
    first_names: str
    surname: str
    date_of_birth: date
    year_group: int
    upn: str | None
    status: LearnerStatus
    left_on: date | None
    left_reason: str | None


def _reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidInput("Give a reason for the learner leaving (for example “moved away”).")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"The reason may have at most {MAX_REASON} characters.")
    return text


def mark_left(
    session: Session,
    actor: Actor,
    learner_ids: Iterable[int],
    *,
    left_on: date,
    reason: str,
    today: date | None = None,
) -> int:
    """Mark one or many learners as not at the school ("Not at my provider"); how many.

    Administrators only. Refused, with nothing changed, when any learner chosen is already
    off roll or no longer exists, or when the date is in the future. Nobody is deleted;
    their access ends (secondary passwords are cleared). One audit entry per learner.
    """
    require_administrator(session, actor, "mark learners as not at the school")
    ids = sorted(set(learner_ids))
    if not ids:
        raise InvalidInput("Choose the learners who have left.")
    text = _reason(reason)
    if left_on > (today or date.today()):
        raise InvalidInput(
            f"The date of leaving {format_date(left_on)} is in the future. Mark learners as "
            "left once they have gone."
        )
    found = {
        row.id: row
        for chunk in chunks(ids)
        for row in session.execute(
            select(
                Learner.id,
                Learner.first_names,
                Learner.surname,
                Learner.year_group,
                Learner.status,
                Learner.left_on,
            ).where(Learner.id.in_(chunk))
        )
    }
    if missing := [lid for lid in ids if lid not in found]:
        raise NotFound(
            f"{len(missing)} of the learners chosen no longer exist; refresh the list. "
            "Nobody was marked as left."
        )
    if gone := [found[lid] for lid in ids if found[lid].status is not LearnerStatus.ON_ROLL]:
        first = gone[0]
        name = f"{first.first_names} {first.surname}"
        when = f" on {format_date(first.left_on)}" if first.left_on else ""
        state = "completed Year 11" if first.status is LearnerStatus.COMPLETED else "left"
        others = f" (and {len(gone) - 1} more of those chosen)" if len(gone) > 1 else ""
        if first.status is LearnerStatus.JOINING:
            raise Refused(
                f"{name} is joining next academic year and is not on roll yet{others}, so "
                "cannot leave. Nobody was marked as left."
            )
        raise Refused(
            f"{name} is already marked as {state}{when}{others}. Nobody was marked as left."
        )
    for chunk in chunks(ids):
        session.execute(
            update(Learner)
            .where(Learner.id.in_(chunk))
            .values(
                status=LearnerStatus.LEFT,
                left_on=left_on,
                left_reason=text,
                version=Learner.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(LearnerCredential)
            .where(LearnerCredential.learner_id.in_(chunk))
            .values(secondary_hash=None, secondary_issued_at=None)
        )
    session.expire_all()  # learner objects loaded earlier must see the new status
    audit.record_many(
        session,
        actor,
        (
            {
                "action": "learner_left",
                "entity": "learner",
                "entity_id": lid,
                "field": "status",
                "old": LearnerStatus.ON_ROLL.value,
                "new": LearnerStatus.LEFT.value,
                "detail": f"left on {format_date(left_on)}: {text}",
            }
            for lid in ids
        ),
    )
    return len(ids)


def reinstate(session: Session, actor: Actor, learner_id: int) -> None:
    """Put a learner who came back on roll again, in the year group they had (administrators).

    Refused when they are on roll already, or when their UPN or SIMS number now belongs to
    another learner (named, so the coordinator can sort out which record is right).
    """
    require_administrator(session, actor, "reinstate learners")
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise NotFound("That learner no longer exists. Refresh the list.")
    name = f"{learner.first_names} {learner.surname}"
    if learner.status is LearnerStatus.ON_ROLL:
        raise Refused(f"{name} is on roll already.")
    if learner.status is LearnerStatus.JOINING:
        raise Refused(f"{name} is joining next academic year: the year end puts them on roll.")
    for field, label in (("upn", "UPN"), ("sims_number", "SIMS number")):
        value = getattr(learner, field)
        holder = value and identifier_holder(session, field, value, excluding=learner.id)
        if holder:
            raise Refused(
                f"{name} cannot be reinstated: their {label} {value} is now used by {holder}. "
                "Correct one of the two records first."
            )
    old = learner.status.value
    detail = f"was {old}" + (f" on {format_date(learner.left_on)}" if learner.left_on else "")
    learner.status = LearnerStatus.ON_ROLL
    learner.left_on = None
    learner.left_reason = None
    session.flush()
    audit.record(
        session, actor, "learner_reinstated", entity="learner", entity_id=learner.id,
        field="status", old=old, new=LearnerStatus.ON_ROLL.value, detail=detail,
    )  # fmt: skip


def _cut_off(years: int, today: date) -> date:
    if not 1 <= years <= 100:
        raise InvalidInput("Choose a number of years from 1 to 100.")
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def old_leavers(
    session: Session, actor: Actor, *, years: int = DEFAULT_YEARS, today: date | None = None
) -> list[OldLeaver]:
    """Learners who left or completed Year 11 more than ``years`` years ago (administrators).

    A leaver with no date of leaving is never listed: how long ago they left is not known.
    """
    require_administrator(session, actor, "see old leavers")
    cut_off = _cut_off(years, today or date.today())
    query = (
        select(
            Learner.id,
            Learner.first_names,
            Learner.surname,
            Learner.date_of_birth,
            Learner.year_group,
            Learner.upn,
            Learner.status,
            Learner.left_on,
            Learner.left_reason,
        )
        .where(
            Learner.status.in_([LearnerStatus.LEFT, LearnerStatus.COMPLETED]),
            Learner.left_on.is_not(None),
            Learner.left_on < cut_off,
        )
        .order_by(Learner.left_on, Learner.surname, Learner.first_names, Learner.id)
    )
    return [OldLeaver(*row) for row in session.execute(query)]


def remove_old_leavers_data(
    session: Session,
    actor: Actor,
    learner_ids: Iterable[int],
    *,
    years: int = DEFAULT_YEARS,
    today: date | None = None,
) -> int:
    """Delete the personal data of learners who left more than ``years`` years ago.

    Administrators only, after :func:`old_leavers` has listed exactly who. Refused, with
    nothing deleted, if any id is not such a leaver. Deletes the learners, their group
    memberships, credentials and support requests, and blanks the old and new values and
    details of the audit entries about them (each keeps the hash of what was removed, so
    the audit chain still holds); one audit entry per learner keeps only the id and the
    fact of removal. Returns how many learners' data was removed.
    """
    require_administrator(session, actor, "remove old leavers' data")
    ids = sorted(set(learner_ids))
    if not ids:
        raise InvalidInput("Choose the leavers whose data should be removed.")
    allowed = {row.id for row in old_leavers(session, actor, years=years, today=today)}
    if refused := [lid for lid in ids if lid not in allowed]:
        names = _names(session, refused[:3])
        raise Refused(
            f"{len(refused)} of the learners chosen did not leave more than {years} years ago"
            + (f" ({', '.join(names)})" if names else "")
            + ". Nobody's data was removed."
        )
    for chunk in chunks(ids):
        for table in (GroupMembership, LearnerCredential, SupportRequest):
            session.execute(delete(table).where(table.learner_id.in_(chunk)))
        session.execute(
            delete(Learner)
            .where(Learner.id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
        # History stays, but not the personal data in it: names, dates, reasons. The audit
        # log is append-only; this is the one change it allows, for learners now deleted.
        audit_removal.remove_personal_values(session, chunk)
    session.expire_all()
    audit.record_many(
        session,
        actor,
        (
            {
                "action": "learner_data_removed",
                "entity": "learner",
                "entity_id": lid,
                "detail": f"personal data removed: left more than {years} years ago",
            }
            for lid in ids
        ),
    )
    return len(ids)


def _names(session: Session, ids: list[int]) -> list[str]:
    rows = session.execute(
        select(Learner.first_names, Learner.surname, Learner.year_group, Learner.status).where(
            Learner.id.in_(ids)
        )
    )
    return [describe(*row) for row in rows]
