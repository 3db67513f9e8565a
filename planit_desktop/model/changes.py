"""Noticing changes made by someone else on a shared database.

Every change goes through a service that writes an audit entry in the same transaction, so
the newest audit entry (with the year-end runs, for an undo) is a cheap stamp of the whole
database: two indexed ``max()`` reads. An open window compares stamps now and then, and asks
only which kinds of record changed since its last look.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planit_desktop.model.entities import AuditEntry, YearEndRun

#: The ``entity`` of audit entries for a year-end run (and its undo).
YEAR_END_RUN = "year_end_run"


@dataclass(frozen=True)
class ChangeStamp:
    """Where the database's history stood at one moment."""

    last_audit: int
    last_run: int
    runs_undone: int


@dataclass(frozen=True)
class Changes:
    """A new stamp and the kinds of record (audit ``entity`` names) changed since the old one."""

    stamp: ChangeStamp
    entities: frozenset[str]

    @property
    def any(self) -> bool:
        return bool(self.entities)


def change_stamp(session: Session) -> ChangeStamp:
    last_audit = session.scalar(select(func.max(AuditEntry.id))) or 0
    last_run, undone = session.execute(
        select(func.max(YearEndRun.id), func.count(YearEndRun.undone_at))
    ).one()
    return ChangeStamp(last_audit, last_run or 0, undone or 0)


def changes_since(session: Session, stamp: ChangeStamp | None) -> Changes:
    """The current stamp, and what changed since ``stamp`` (nothing when ``stamp`` is None:
    the first look only takes the stamp)."""
    now = change_stamp(session)
    if stamp is None or now == stamp:
        return Changes(now, frozenset())
    entities = set(
        session.scalars(
            select(AuditEntry.entity).where(AuditEntry.id > stamp.last_audit).distinct()
        )
    )
    if (now.last_run, now.runs_undone) != (stamp.last_run, stamp.runs_undone):
        entities.add(YEAR_END_RUN)
    # An entry about no record in particular still means something changed.
    return Changes(now, frozenset(entity or "" for entity in entities))
