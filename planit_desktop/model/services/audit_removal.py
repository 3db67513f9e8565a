"""The one change the audit log allows: an old leaver's personal data removed from it.

Removing an old leaver's personal data blanks ``old_value``, ``new_value`` and
``detail`` (which becomes :data:`REDACTED`) of the entries about them, and stores the hash
of what was removed in ``values_hash``, so the entry hash still holds. That one change is
allowed only for learners whose record is already deleted: by the SQLite trigger, and on
PostgreSQL by the function ``planit_redact_learner_audit``, which runs with the owner's rights
and does nothing else. The check of the chain (``audit_check.verify_chain``) accepts a
blanked entry only when a later ``learner_data_removed`` entry for that learner records why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, and_, bindparam, or_, select, text, update
from sqlalchemy.orm import Session

from planit_desktop.model.entities import AuditEntry
from planit_desktop.model.services.audit import (
    REDACT_FUNCTION,
    REDACTED,
    on_postgresql,
    values_hash,
)

_TABLE = cast(Table, AuditEntry.__table__)
#: Entries looked at per query.
_BATCH = 5_000


def remove_personal_values(session: Session, learner_ids: Sequence[int]) -> int:
    """Blank the values of every audit entry about these learners; how many entries.

    The learners' records must be deleted first, in the same transaction: the database
    allows this change for no other entries. Each entry keeps the hash of what was removed
    (``values_hash``), so the chain still verifies. The caller audits the removal itself
    (``learner_data_removed``), which ``verify_chain`` requires after each blanked entry.
    """
    blanked = 0
    for start in range(0, len(learner_ids), _BATCH):
        chunk = list(learner_ids[start : start + _BATCH])
        found = session.execute(
            select(AuditEntry.id, AuditEntry.old_value, AuditEntry.new_value, AuditEntry.detail)
            .where(AuditEntry.entity == "learner", AuditEntry.entity_id.in_(chunk))
            .where(AuditEntry.values_hash.is_(None))
            .where(
                or_(
                    AuditEntry.old_value.is_not(None),
                    AuditEntry.new_value.is_not(None),
                    and_(AuditEntry.detail.is_not(None), AuditEntry.detail != REDACTED),
                )
            )
        ).all()
        if not found:
            continue
        ids = [row.id for row in found]
        digests = [values_hash(row.old_value, row.new_value, row.detail) for row in found]
        if on_postgresql(session):
            # The coordinators' role may not UPDATE audit entries: the owner's function may.
            blanked += int(
                session.scalar(
                    text(f"SELECT {REDACT_FUNCTION}(CAST(:ids AS bigint[]), :digests)"),
                    {"ids": ids, "digests": digests},
                )
                or 0
            )
            continue
        session.execute(
            update(_TABLE)
            .where(_TABLE.c.id == bindparam("entry_id"))
            .values(
                old_value=None, new_value=None, detail=REDACTED, values_hash=bindparam("digest")
            ),
            [{"entry_id": i, "digest": d} for i, d in zip(ids, digests, strict=True)],
        )
        blanked += len(ids)
    return blanked
