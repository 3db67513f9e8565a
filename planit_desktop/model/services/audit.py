"""The audit log: who did what, when, with old and new values. Entries are only ever added."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import AuditEntry


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    field: str | None = None,
    old: object = None,
    new: object = None,
    detail: str | None = None,
) -> None:
    """Add one audit entry to the caller's transaction."""
    session.add(
        AuditEntry(
            actor=actor if isinstance(actor, str) else actor.login,
            action=action,
            entity=entity,
            entity_id=entity_id,
            field=field,
            old_value=_text(old),
            new_value=_text(new),
            detail=detail,
        )
    )


def record_many(session: Session, actor: Actor, rows: Iterable[Mapping[str, Any]]) -> int:
    """Add many audit entries in one statement (bulk work audits each change it makes).

    Each row may have ``action``, ``entity``, ``entity_id``, ``field``, ``old``, ``new``,
    ``detail``.
    """
    values = [
        {
            "actor": actor.login,
            "action": row["action"],
            "entity": row.get("entity"),
            "entity_id": row.get("entity_id"),
            "field": row.get("field"),
            "old_value": _text(row.get("old")),
            "new_value": _text(row.get("new")),
            "detail": row.get("detail"),
        }
        for row in rows
    ]
    if values:
        session.execute(insert(AuditEntry), values)
    return len(values)


#: The ``action`` and ``entity`` of the audit entry for a file of personal data written out.
FILE_WRITTEN = "file_written"
FILE = "file"


def file_written(
    session: Session,
    actor: Actor | str,
    *,
    what: str,
    path: str | os.PathLike[str],
    rows: int | None = None,
) -> None:
    """Record that a file of personal data was written: what it holds, where, and how much.

    ``what`` names the file as the coordinator would ("password list", "backup", "learners
    export"). Every file the program writes that holds learners' or staff's data (reports,
    password lists, slips, exports, backups, copies) is recorded this way, with its full path.
    """
    audit_detail = f"{what} written to {os.fspath(path)}"
    if rows is not None:
        audit_detail += f" ({rows} rows)"
    record(session, actor, FILE_WRITTEN, entity=FILE, field=what, new=os.fspath(path),
           detail=audit_detail)  # fmt: skip
