"""The year-end wizard's draft: the coordinator's choices kept in the database until the
rollover is done, so the wizard can be closed and continued later, here or on another
computer sharing the database.

One draft per academic year being rolled over; saving replaces it. Only administrators may
save, load or discard one (only they may run the year end).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import YearEndDraft
from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.services import audit
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.year_end.plan_types import LeavingDetails

FORMAT = 1
_MAX_REASON = 500
_MAX_NAME = 100


@dataclass(frozen=True)
class DraftChoices:
    """What the coordinator chose in the wizard so far.

    ``renames`` holds each year-named group's new name as typed (group id → name) and
    ``accepted`` the groups ticked to be renamed.
    """

    kept_back: frozenset[int] = frozenset()
    leaving: Mapping[int, LeavingDetails] = field(default_factory=dict)
    renames: Mapping[int, str] = field(default_factory=dict)
    accepted: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.kept_back or self.leaving or self.renames or self.accepted)

    def to_json(self) -> dict[str, Any]:
        """The choices as JSON-ready data (ids become strings as JSON object keys)."""
        return {
            "format": FORMAT,
            "kept_back": sorted(self.kept_back),
            "leaving": {
                str(learner_id): {
                    "left_on": None if d.left_on is None else d.left_on.isoformat(),
                    "reason": d.reason,
                }
                for learner_id, d in sorted(self.leaving.items())
            },
            "renames": {str(gid): name for gid, name in sorted(self.renames.items())},
            "accepted": sorted(self.accepted),
        }

    @classmethod
    def from_json(cls, data: Any) -> DraftChoices:
        """Choices from :meth:`to_json`'s data; InvalidInput when it is not such data."""
        try:
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not a draft")
            leaving = {
                int(key): LeavingDetails(
                    None if value.get("left_on") is None else date.fromisoformat(value["left_on"]),
                    str(value.get("reason") or LeavingDetails().reason)[:_MAX_REASON],
                )
                for key, value in dict(data.get("leaving", {})).items()
            }
            return cls(
                kept_back=frozenset(int(i) for i in data.get("kept_back", [])),
                leaving=leaving,
                renames={
                    int(k): str(v)[:_MAX_NAME] for k, v in dict(data.get("renames", {})).items()
                },
                accepted=frozenset(int(i) for i in data.get("accepted", [])),
            )
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            raise InvalidInput("The saved year-end choices could not be read.") from error

    def only(self, learner_ids: Collection[int], group_ids: Collection[int]) -> DraftChoices:
        """The choices that still name learners on roll and groups that still exist."""
        learners, groups = set(learner_ids), set(group_ids)
        return DraftChoices(
            kept_back=frozenset(self.kept_back & learners),
            leaving={i: d for i, d in self.leaving.items() if i in learners},
            renames={g: n for g, n in self.renames.items() if g in groups},
            accepted=frozenset(self.accepted & groups),
        )


@dataclass(frozen=True)
class SavedDraft:
    """A draft as stored: the choices, and who saved them when."""

    from_year: int
    choices: DraftChoices
    saved_by: str
    saved_at: datetime

    def describe(self) -> str:
        """ "saved by admin1 on 3 August 2026 at 10:12" """
        when = self.saved_at
        return f"saved by {self.saved_by} on {when.day} {when:%B %Y at %H:%M}"


def _stored(session: Session, from_year: int) -> YearEndDraft | None:
    return session.scalars(select(YearEndDraft).where(YearEndDraft.from_year == from_year)).first()


def save_draft(session: Session, actor: Actor, from_year: int, choices: DraftChoices) -> SavedDraft:
    """Keep ``choices`` as the draft of the rollover out of ``from_year`` (replacing any)."""
    require_administrator(session, actor, "save the year-end choices")
    for details in choices.leaving.values():
        if len(details.reason or "") > _MAX_REASON:
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
            f"{len(choices.accepted)} groups to rename"
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
        choices = DraftChoices.from_json(json.loads(draft.choices))
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
