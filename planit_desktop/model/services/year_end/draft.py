"""The year-end wizard's draft: the coordinator's choices kept in the database until the
rollover is done, so the wizard can be closed and continued later, here or on another
computer sharing the database.

The draft is the wizard's :class:`YearEndChoices` as JSON (drafts saved by older programs,
in format 1, are read too). One draft per academic year being rolled over; saving replaces
it. Only administrators may save, load or discard one (only they may run the year end).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import YearEndDraft
from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.services import audit
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.year_end.choices import MAX_REASON, YearEndChoices
from planit_desktop.model.services.year_end.plan import suggested_names


@dataclass(frozen=True)
class SavedDraft:
    """A draft as stored: the choices, and who saved them when."""

    from_year: int
    choices: YearEndChoices
    saved_by: str
    saved_at: datetime

    def describe(self) -> str:
        """ "saved by admin1 on 3 August 2026 at 10:12" """
        when = self.saved_at
        return f"saved by {self.saved_by} on {when.day} {when:%B %Y at %H:%M}"


def _stored(session: Session, from_year: int) -> YearEndDraft | None:
    return session.scalars(select(YearEndDraft).where(YearEndDraft.from_year == from_year)).first()


def save_draft(
    session: Session, actor: Actor, from_year: int, choices: YearEndChoices
) -> SavedDraft:
    """Keep ``choices`` as the draft of the rollover out of ``from_year`` (replacing any)."""
    require_administrator(session, actor, "save the year-end choices")
    for details in choices.leaving.values():
        if len(details.reason or "") > MAX_REASON:
            raise InvalidInput("A leaving reason can be at most 500 characters long.")
    now = datetime.now().replace(microsecond=0)
    text = json.dumps(choices.to_json())
    draft = _stored(session, from_year)
    if draft is None:
        draft = YearEndDraft(from_year=from_year, choices=text, saved_by=actor.login, saved_at=now)
        session.add(draft)
    else:
        draft.choices, draft.saved_by, draft.saved_at = text, actor.login, now
    session.flush()
    audit.record(
        session,
        actor,
        "year_end_draft_saved",
        entity="year_end_draft",
        entity_id=draft.id,
        detail=(
            f"Year-end choices for {format_academic_year(from_year)} saved: "
            f"{len(choices.kept_back)} kept back, {len(choices.leaving)} leaving, "
            f"{len(choices.renames)} groups to rename"
        ),
    )
    return SavedDraft(from_year, choices, actor.login, now)


def load_draft(session: Session, actor: Actor, from_year: int) -> SavedDraft | None:
    """The draft of the rollover out of ``from_year``, or None (none saved, or unreadable:
    a damaged draft must not stop the year end, so it is treated as absent)."""
    require_administrator(session, actor, "see the year-end choices")
    draft = _stored(session, from_year)
    if draft is None:
        return None
    try:
        data = json.loads(draft.choices)
        # An older program's draft names ticked groups without their new names: the
        # wizard's suggestions, worked out again, fill them in.
        older = isinstance(data, dict) and data.get("format") == 1
        choices = YearEndChoices.from_json(data, suggested_names(session) if older else None)
    except (InvalidInput, json.JSONDecodeError):
        return None
    return SavedDraft(from_year, choices, draft.saved_by, draft.saved_at)


def discard_draft(session: Session, actor: Actor, from_year: int) -> bool:
    """Throw away the draft of the rollover out of ``from_year``; False if there was none."""
    require_administrator(session, actor, "discard the year-end choices")
    draft = _stored(session, from_year)
    if draft is None:
        return False
    audit.record(
        session,
        actor,
        "year_end_draft_discarded",
        entity="year_end_draft",
        entity_id=draft.id,
        detail=f"Year-end choices for {format_academic_year(from_year)} discarded",
    )
    session.delete(draft)
    session.flush()
    return True
