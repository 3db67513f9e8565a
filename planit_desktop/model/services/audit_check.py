"""Checking the audit log's chain (``planit-desktop audit --verify``): every entry's hashes
recomputed as :mod:`planit_desktop.model.services.audit` defines them, and the first entry at
which the chain does not hold reported in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from planit_desktop.model.entities import AuditEntry
from planit_desktop.model.services.audit import (
    GENESIS,
    REDACTED,
    entry_hash,
    on_postgresql,
    stored_time,
    values_hash,
)

#: Entries read from the database at a time while checking.
_READ_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first entry at which the chain does not hold, and what is wrong there."""

    entry_id: int
    seq: int | None
    at: str
    actor: str
    action: str
    entity: str | None
    entity_id: int | None
    problem: str

    def describe(self) -> str:
        """One line naming the entry (number, when, who, what) and the problem."""
        about = f" {self.entity}" if self.entity else ""
        about += f" {self.entity_id}" if self.entity_id is not None else ""
        return (
            f"entry {self.entry_id} ({self.at}, {self.actor}: {self.action}{about}) {self.problem}"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.entry_id,
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "problem": self.problem,
        }


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """What :func:`verify_chain` found: how many entries, and the last one that checks out
    (``head_seq``, ``head_hash``: the newest when the chain is whole)."""

    entries: int
    head_seq: int
    head_hash: str
    broken: BrokenLink | None

    @property
    def whole(self) -> bool:
        return self.broken is None

    def to_json(self) -> dict[str, object]:
        """``head`` is the newest entry when the chain is whole; when it is not,
        ``whole_up_to`` is the last entry before the broken link."""
        last = {"seq": self.head_seq, "hash": self.head_hash}
        return {
            "whole": self.whole,
            "entries": self.entries,
            "head" if self.whole else "whole_up_to": last,
            "broken": None if self.broken is None else self.broken.to_json(),
        }


_COLUMNS = (
    AuditEntry.id,
    AuditEntry.seq,
    AuditEntry.prev_hash,
    AuditEntry.entry_hash,
    AuditEntry.values_hash,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.entity,
    AuditEntry.entity_id,
    AuditEntry.field,
    AuditEntry.old_value,
    AuditEntry.new_value,
    AuditEntry.detail,
)


def _entries(session: Session) -> Any:
    """SELECT of every column; on SQLite ``at`` is read as the text stored and parsed here,
    so that a time that is not a date is reported, not a crash."""
    at: Any = AuditEntry.at
    if not on_postgresql(session):
        at = type_coerce(AuditEntry.at, String)
    return select(*_COLUMNS, at.label("at"))


def _parsed_time(value: object) -> datetime | str:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)


def _broken(row: Any, problem: str) -> BrokenLink:
    at = _parsed_time(row.at)
    return BrokenLink(
        entry_id=row.id,
        seq=row.seq,
        at=stored_time(at) if isinstance(at, datetime) else at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        problem=problem,
    )


def _problem(row: Any, seq: int, prev: str, removals: Mapping[int, int]) -> str | None:
    """What is wrong with ``row`` as the entry after place ``seq - 1`` (hash ``prev``)."""
    if row.seq > seq:
        missing = row.seq - seq
        return (
            f"comes after a gap: {'the entry' if missing == 1 else f'{missing} entries'} "
            f"before it in the chain {'is' if missing == 1 else 'are'} missing (deleted)"
        )
    if row.seq < seq:
        return f"repeats place {row.seq} in the chain (an entry was copied or inserted)"
    if row.prev_hash != prev:
        return "does not follow from the entry before it (that entry, or this one, was changed)"
    at = _parsed_time(row.at)
    if not isinstance(at, datetime):
        return f"has a time that is not a date and time ({at!r})"
    if row.values_hash is None:
        of_values = values_hash(row.old_value, row.new_value, row.detail)
    else:
        blanked = (row.old_value, row.new_value, row.detail) == (None, None, REDACTED)
        if not blanked or row.entity != "learner":
            return "was changed after it was written (its removed values are not blank)"
        if removals.get(row.entity_id, 0) <= row.seq:
            return (
                "had its values removed, but no removal of that learner's data is recorded after it"
            )
        of_values = row.values_hash
    own = entry_hash(
        seq=row.seq,
        prev_hash=row.prev_hash,
        at=stored_time(at),
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        field=row.field,
        of_values=of_values,
    )
    if own != row.entry_hash:
        return "was changed after it was written (its content does not match its hash)"
    return None


def verify_chain(session: Session) -> ChainCheck:
    """Check every audit entry against its hash and the entry before it; changes nothing.

    Returns the number of entries, the head (newest place and hash) and the first broken
    link, if any: an entry changed after it was written, a gap where entries were deleted,
    an entry added outside the chain, or values blanked without a recorded removal.
    """
    total = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    removals: dict[int, int] = {
        int(learner_id or 0): int(last or 0)
        for learner_id, last in session.execute(
            select(AuditEntry.entity_id, func.max(AuditEntry.seq))
            .where(AuditEntry.action == "learner_data_removed", AuditEntry.entity == "learner")
            .where(AuditEntry.entity_id.is_not(None), AuditEntry.seq.is_not(None))
            .group_by(AuditEntry.entity_id)
        )
    }
    chained = (
        _entries(session)
        .where(AuditEntry.seq.is_not(None))
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=_READ_BATCH)
    )
    seq, prev = 1, GENESIS
    broken: BrokenLink | None = None
    for row in session.execute(chained):
        problem = _problem(row, seq, prev, removals)
        if problem is not None:
            broken = _broken(row, problem)
            break
        seq, prev = row.seq + 1, row.entry_hash
    if broken is None:
        outside = session.execute(
            _entries(session).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id).limit(1)
        ).first()
        if outside is not None:
            broken = _broken(outside, "was added outside the chain (it has no place or hash)")
    return ChainCheck(entries=total, head_seq=seq - 1, head_hash=prev, broken=broken)
