"""The coordinator's year-end choices, in one shape: who is kept back, who leaves (when and
why), and which groups are renamed to what.

One :class:`YearEndChoices` is what the wizard edits, what its draft keeps in the database,
and what :func:`~planit_desktop.model.services.year_end.run.run_year_end` takes, from the
window and from the command line alike.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.services.year_end import rule

NOT_AT_MY_PROVIDER = "Not at my provider"

#: The draft's JSON: 2 holds every ticked group's new name; 1 (older programs) held the
#: names typed beside the ids ticked, a ticked group without a typed name taking the
#: suggestion.
FORMAT = 2
MAX_REASON = 500
MAX_NAME = 100


@dataclass(frozen=True)
class LeavingDetails:
    """Why and when a learner leaves at this year end ("Not at my provider")."""

    left_on: date | None = None  # None: the last day of the ending academic year
    reason: str = NOT_AT_MY_PROVIDER


class Choice(enum.StrEnum):
    """What the coordinator chooses for a learner."""

    MOVES_UP = "moves_up"  # as the rule says: moves up, or completes the top year
    KEPT_BACK = "kept_back"
    LEAVING = "leaving"


@dataclass(frozen=True)
class YearEndChoices:
    """What the coordinator chose for this year end.

    ``kept_back``: learners who stay in their year group. ``leaving``: learners recorded as
    left, each with a date and a reason. ``renames``: the groups to rename straight after the
    rollover, each with its new name. ``names_not_chosen``: new names typed for groups left
    unticked; the run ignores them, the wizard shows them again.
    """

    kept_back: frozenset[int] = frozenset()
    leaving: Mapping[int, LeavingDetails] = field(default_factory=dict)
    renames: Mapping[int, str] = field(default_factory=dict)
    names_not_chosen: Mapping[int, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.kept_back or self.leaving or self.renames or self.names_not_chosen)

    def choice(self, learner_id: int) -> Choice:
        """What was chosen for the learner (``MOVES_UP``: nothing, the rule applies)."""
        if learner_id in self.kept_back:
            return Choice.KEPT_BACK
        if learner_id in self.leaving:
            return Choice.LEAVING
        return Choice.MOVES_UP

    def outcome(self, learner_id: int, year_group: int, top_year: int) -> rule.Outcome:
        """What the year end does to the learner, with these choices."""
        return rule.outcome(
            year_group,
            top_year,
            kept_back=learner_id in self.kept_back,
            leaving=learner_id in self.leaving,
        )

    def with_choice(
        self, learner_ids: Iterable[int], choice: Choice, details: LeavingDetails | None = None
    ) -> YearEndChoices:
        """These choices with ``choice`` made for ``learner_ids`` (replacing any before)."""
        ids = set(learner_ids)
        kept = self.kept_back - ids
        leaving = {i: d for i, d in self.leaving.items() if i not in ids}
        if choice is Choice.KEPT_BACK:
            kept |= ids
        elif choice is Choice.LEAVING:
            leaving.update(dict.fromkeys(ids, details or LeavingDetails()))
        return replace(self, kept_back=frozenset(kept), leaving=leaving)

    def only(self, learner_ids: Collection[int], group_ids: Collection[int]) -> YearEndChoices:
        """The choices that still name learners on roll and groups that still exist."""
        learners, groups = set(learner_ids), set(group_ids)
        return YearEndChoices(
            kept_back=frozenset(self.kept_back & learners),
            leaving={i: d for i, d in self.leaving.items() if i in learners},
            renames={g: n for g, n in self.renames.items() if g in groups},
            names_not_chosen={g: n for g, n in self.names_not_chosen.items() if g in groups},
        )

    # --- the draft's JSON ------------------------------------------------------------------
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
            "names_not_chosen": {
                str(gid): name for gid, name in sorted(self.names_not_chosen.items())
            },
        }

    @classmethod
    def from_json(cls, data: Any, suggested: Mapping[int, str] | None = None) -> YearEndChoices:
        """Choices from :meth:`to_json`'s data, or from a draft of an older program (format
        1), whose ticked groups without a typed name take their name from ``suggested``
        (group id → the name the wizard suggests). InvalidInput when it is not such data."""
        try:
            if not isinstance(data, dict) or data.get("format") not in (1, FORMAT):
                raise ValueError("not a draft")
            leaving = {
                int(key): LeavingDetails(
                    None if value.get("left_on") is None else date.fromisoformat(value["left_on"]),
                    str(value.get("reason") or NOT_AT_MY_PROVIDER)[:MAX_REASON],
                )
                for key, value in dict(data.get("leaving", {})).items()
            }
            kept = frozenset(int(i) for i in data.get("kept_back", []))
            if data["format"] == 1:
                renames, typed = _format_1_renames(data, suggested or {})
            else:
                renames = _names(data.get("renames", {}))
                typed = _names(data.get("names_not_chosen", {}))
            return cls(kept_back=kept, leaving=leaving, renames=renames, names_not_chosen=typed)
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            raise InvalidInput("The saved year-end choices could not be read.") from error


def _names(data: Any) -> dict[int, str]:
    return {int(k): str(v)[:MAX_NAME] for k, v in dict(data).items()}


def _format_1_renames(
    data: dict[str, Any], suggested: Mapping[int, str]
) -> tuple[dict[int, str], dict[int, str]]:
    """Format 1 kept the names typed (ticked or not) and the ids ticked."""
    typed = _names(data.get("renames", {}))
    ticked = {int(i) for i in data.get("accepted", [])}
    renames = {
        gid: typed.get(gid) or suggested[gid] for gid in ticked if gid in typed or gid in suggested
    }
    return renames, {gid: name for gid, name in typed.items() if gid not in ticked}
