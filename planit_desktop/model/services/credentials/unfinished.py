"""What a change that issued passwords left when the program died before it finished, found
and settled at the next start on that database (the window's and every command's).

A delivery (:mod:`~planit_desktop.model.services.credentials.delivery`) writes a note before
its files; a note still there names a change that may or may not have been committed. With the
school row locked, so that no such change can still be committing, the audit says which: a
committed change's staged files are moved into place, an uncommitted one's are removed, and
the coordinator is told which happened, in words.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.entities import AuditEntry
from planit_desktop.model.errors import NotFound
from planit_desktop.model.services.credentials import delivery as deliveries
from planit_desktop.model.services.credentials.delivery import (
    STAGED_ACTION,
    StagedFile,
    is_or_are,
    move_into_place,
)
from planit_desktop.model.services.school import get_school


@dataclass(frozen=True)
class UnfinishedDelivery:
    """A note left by a change that issued passwords and did not finish."""

    token: str
    database: str
    what: str
    started: datetime
    files: tuple[StagedFile, ...]
    note: Path

    @property
    def when(self) -> str:
        return f"{self.started.day} {self.started:%B %Y at %H:%M}"


def unfinished_deliveries(database: str, notes: Path | None = None) -> list[UnfinishedDelivery]:
    """The notes left for ``database`` (its location) by changes that did not finish."""
    folder = notes if notes is not None else deliveries.notes_folder()  # the one place they go
    try:
        paths = sorted(folder.glob("*.json"))
    except OSError:
        return []
    found: list[UnfinishedDelivery] = []
    for path in paths:
        try:
            record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if record["database"] != database:
                continue
            found.append(
                UnfinishedDelivery(
                    token=str(record["token"]),
                    database=record["database"],
                    what=str(record["what"]),
                    started=datetime.fromisoformat(record["started"]),
                    files=tuple(
                        StagedFile(str(f["what"]), Path(f["final"]), Path(f["staged"]))
                        for f in record["files"]
                    ),
                    note=path,
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a note this program wrote: left alone
    return found


def settle_unfinished(session: Session, unfinished: Sequence[UnfinishedDelivery]) -> list[str]:
    """Finish or clear what interrupted changes left; one message per change, in words.

    Call in a write transaction of its own at start-up. The school row is locked first
    (without waiting on a server: a lock held means a change is still under way, and the
    notes are then left for the next start): holding it, no change that wrote a note can
    still be committing, so the audit's answer is final.
    """
    if not unfinished:
        return []
    try:
        get_school(session, lock=True, wait=False)
    except NotFound:
        return []
    messages: list[str] = []
    for delivery in unfinished:
        committed = session.scalar(
            select(AuditEntry.id)
            .where(AuditEntry.action == STAGED_ACTION, AuditEntry.new_value == delivery.token)
            .limit(1)
        )
        if committed is None:
            removed = [f.what for f in delivery.files if f.staged.exists()]
            for file in delivery.files:
                with contextlib.suppress(OSError):
                    file.staged.unlink(missing_ok=True)
            left = (
                " and ".join(f"the unfinished {what}" for what in removed)
                + (" were" if len(removed) > 1 or removed == ["password slips"] else " was")
                + " deleted"
                if removed
                else "no password file was left"
            )
            messages.append(
                f"Plan-it was stopped during the {delivery.what} on {delivery.when}, before "
                f"anything was saved: nothing was changed, and {left}."
            )
        else:
            messages.append(_finished_message(delivery))
        with contextlib.suppress(OSError):
            delivery.note.unlink(missing_ok=True)
    return messages


def _finished_message(delivery: UnfinishedDelivery) -> str:
    parts: list[str] = []
    for file in delivery.files:
        is_ = is_or_are(file.what)
        if file.staged.exists():
            where, problem = move_into_place(file)
            parts.append(problem or f"the {file.what} {is_} complete, at {where}")
        elif file.final.exists():
            parts.append(f"the {file.what} {is_} at {file.final}")
        else:
            parts.append(
                f"the {file.what} {is_} no longer at {file.staged} nor at {file.final}: "
                "someone moved or deleted it, so those passwords must be issued again if it "
                "cannot be found"
            )
    return (
        f"The {delivery.what} on {delivery.when} was saved, but Plan-it stopped before "
        f"it could say so: " + "; ".join(parts) + "."
    )


def settle_at_start(database: Any, notes: Path | None = None) -> list[str]:
    """At start-up (window and command line): settle the notes left for ``database``.

    Start-up machinery like opening the database, not a service: it runs its own short
    write transaction, and only when a note for this database exists. A database that is
    read-only or busy is left for the next start (one message says so).
    """
    from planit_desktop.model.errors import PlanitError

    unfinished = unfinished_deliveries(database.location, notes)
    if not unfinished or database.read_only:
        return []
    try:
        with database.begin() as session:
            return settle_unfinished(session, unfinished)
    except (PlanitError, OSError):
        return [
            "A change that issued passwords was interrupted earlier, and the database is busy "
            "now, so Plan-it cannot yet say whether it was saved; it will at the next start."
        ]
