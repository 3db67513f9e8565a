"""The last comparison with the MIS, as the Year End checklist's hints tell it.

Each comparison made by a signed-in administrator, and each apply and undo of one, adds an
audit entry (``mis_checked``, about the school) whose new value holds the counts found and
applied, by category: the newest such entry is the last comparison. No table of its own is
needed, and the entry says who compared which file when, like every other change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import AuditEntry
from planit_desktop.model.services import audit
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.wording import count_of

MIS_CHECKED = "mis_checked"
_MONTHS = (
    "Jan",
    "Feb",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
)
_FIELD = "mis_check"

#: Category (as the JSON names it) → how the hints say a count of it.
_WORDS: dict[str, tuple[str, str, str]] = {
    "new_learners": ("new learner", "new learners", "imported"),
    "not_in_mis": ("learner probably left", "learners probably left", "marked as left"),
    "year_group_differs": ("year group differs", "year groups differ", "settled"),
    "groups_differ": ("tutor group differs", "tutor groups differ", "moved"),
    "details_differ": ("learner's details differ", "learners' details differ", "corrected"),
    "reinstate": ("learner back on the roll", "learners back on the roll", "reinstated"),
    "ambiguous": ("row needs a decision", "rows need a decision", "decided"),
}


@dataclass(frozen=True)
class CheckSummary:
    """The counts of the last comparison: found, and applied since it was made."""

    at: datetime
    by: str
    source_name: str
    found: Mapping[str, int]
    applied: Mapping[str, int]

    def still_open(self, category: str) -> int:
        return max(self.found.get(category, 0) - self.applied.get(category, 0), 0)

    @property
    def when(self) -> str:
        """ "2 Sept" (as a hint says it)."""
        return f"{self.at.day} {_MONTHS[self.at.month - 1]}"

    def says(self, *categories: str) -> str:
        """ "MIS check on 2 Sept: 3 learners probably left, 2 year groups differ." """
        parts = []
        for category in categories:
            one, many, done = _WORDS[category]
            found, applied = self.found.get(category, 0), self.applied.get(category, 0)
            text = count_of(found, one, many)
            if applied:
                text += f" ({'all' if applied >= found else f'{applied:,}'} {done})"
            parts.append(text)
        return f"MIS check on {self.when}: {', '.join(parts)}."


def record_check(
    session: Session,
    actor: Actor,
    *,
    source_name: str,
    found: Mapping[str, int],
    applied: Mapping[str, int] | None = None,
) -> None:
    """Record a comparison (or an apply of one, with ``applied``) for the checklist."""
    require_administrator(session, actor, "compare the school's roll with its MIS")
    applied = dict(applied or {})
    shown = ", ".join(f"{count:,} {category}" for category, count in found.items() if count)
    done = ", ".join(f"{count:,} {category}" for category, count in applied.items() if count)
    detail = f"Compared {source_name} with the roll: {shown or 'no differences'}"
    if done:
        detail += f"; applied: {done}"
    audit.record(
        session,
        actor,
        MIS_CHECKED,
        entity="school",
        field=_FIELD,
        new=json.dumps({"file": source_name, "found": dict(found), "applied": applied}),
        detail=detail,
    )


def last_check(session: Session) -> CheckSummary | None:
    """The last comparison recorded, or None."""
    entry = session.execute(
        select(AuditEntry.at, AuditEntry.actor, AuditEntry.new_value)
        .where(AuditEntry.action == MIS_CHECKED)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    if entry is None:
        return None
    try:
        data = json.loads(entry.new_value or "")
        found = {str(k): int(v) for k, v in dict(data["found"]).items()}
        applied = {str(k): int(v) for k, v in dict(data.get("applied") or {}).items()}
        source = str(data.get("file") or "")
    except (ValueError, TypeError, KeyError):
        return None  # a blanked or unreadable entry: as if there were none
    return CheckSummary(entry.at, entry.actor, source, found, applied)
