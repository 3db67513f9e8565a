"""Pairing each MIS row with the Plan-it learner it is: UPN first, then the admission (SIMS)
number, then name and date of birth by the import's own rules (:mod:`..importing.duplicates`).

Every pairing says what it matched on. A row is left for the coordinator to decide, never
guessed, when its identifiers point at two learners, when the learner an identifier names
shares neither name nor date of birth with it, when its learner is already paired with an
earlier row, or when only a similar name (``Jon``/``John``) or several learners of the same
name and date of birth could be it. Dictionaries for the identifiers and the duplicates
check's blocking keys for names keep it near-linear: a trust's 100,000 rows take seconds.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from planit_desktop.model.services.importing.duplicates import (
    Candidate,
    DuplicateKind,
    ExistingLearners,
    find_duplicates,
)
from planit_desktop.model.services.reconcile.reading import MisRow
from planit_desktop.model.services.reconcile.roll import Roll, RollLearner, sims_match_key
from planit_desktop.model.validation.names import name_key


class MatchedOn(enum.StrEnum):
    """What a row and a learner were paired by."""

    UPN = "UPN"
    SIMS_NUMBER = "SIMS number"
    NAME_AND_BIRTH = "name and date of birth"
    CHOSEN = "your choice"


#: A row the coordinator said is a new learner (in ``resolutions``), not any of its candidates.
NEW_LEARNER = 0


@dataclass(frozen=True, slots=True)
class Possible:
    """A learner an ambiguous row could be, and why."""

    learner_id: int
    why: str


@dataclass(frozen=True, slots=True)
class Unsure:
    """A row that could be more than one learner (or none): the coordinator decides."""

    row: int
    reason: str
    candidates: tuple[Possible, ...]


@dataclass(frozen=True)
class Matching:
    """Every row's outcome: paired (row → (learner, what matched)), unsure, or unknown."""

    pairs: Mapping[int, tuple[int, MatchedOn]]
    unsure: Mapping[int, Unsure]
    unknown: tuple[int, ...]

    @property
    def learners_paired(self) -> set[int]:
        return {learner_id for learner_id, _on in self.pairs.values()}


def _agrees(row: MisRow, learner: RollLearner) -> bool:
    """Whether a row named by an identifier shares anything with the learner: the date of
    birth, the surname or the first name. A correction changes one or two of them; a row
    sharing none of them is someone else with a mistyped identifier."""
    if row.date_of_birth is not None and row.date_of_birth == learner.date_of_birth:
        return True
    if row.surname and name_key(row.surname) == name_key(learner.surname):
        return True
    if row.first_names and learner.first_names:
        first = name_key(row.first_names.split()[0])
        return bool(first) and first == name_key(learner.first_names.split()[0])
    return False


def match_rows(
    rows: tuple[MisRow, ...], roll: Roll, resolutions: Mapping[int, int] | None = None
) -> Matching:
    """Pair ``rows`` with ``roll``'s learners.

    ``resolutions`` are the coordinator's answers for rows found ambiguous before: row number
    → the learner it is, or :data:`NEW_LEARNER`. They are taken first, as given.
    """
    resolutions = resolutions or {}
    pairs: dict[int, tuple[int, MatchedOn]] = {}
    taken: dict[int, int] = {}  # learner id → the row paired with them
    unsure: dict[int, Unsure] = {}
    new: set[int] = set()
    learners = roll.learners

    def pair(row: MisRow, learner_id: int, on: MatchedOn) -> None:
        pairs[row.number] = (learner_id, on)
        taken[learner_id] = row.number

    for row in rows:
        chosen = resolutions.get(row.number)
        if chosen == NEW_LEARNER:
            new.add(row.number)
        elif chosen is not None and chosen in learners and chosen not in taken:
            pair(row, chosen, MatchedOn.CHOSEN)

    def identifier(row: MisRow, learner_id: int, on: MatchedOn, value: str) -> None:
        learner = learners[learner_id]
        if learner_id in taken:
            unsure[row.number] = Unsure(
                row.number,
                f"The {on.value} {value} is {learner.name}'s, who is already matched with "
                f"row {taken[learner_id]} of the file.",
                (Possible(learner_id, f"same {on.value}"),),
            )
        elif not _agrees(row, learner):
            unsure[row.number] = Unsure(
                row.number,
                f"The {on.value} {value} is {learner.name}'s, but neither the name nor the "
                "date of birth agree.",
                (Possible(learner_id, f"same {on.value}"),),
            )
        else:
            pair(row, learner_id, on)

    waiting: list[MisRow] = []
    for row in rows:
        if row.number in pairs or row.number in new:
            continue
        by_upn = roll.by_upn.get(row.upn) if row.upn else None
        by_sims = roll.by_sims.get(sims_match_key(row.sims_number)) if row.sims_number else None
        if by_upn is not None and by_sims is not None and by_upn != by_sims:
            unsure[row.number] = Unsure(
                row.number,
                f"The UPN is {learners[by_upn].name}'s and the SIMS number "
                f"{learners[by_sims].name}'s.",
                (Possible(by_upn, "same UPN"), Possible(by_sims, "same SIMS number")),
            )
        elif by_upn is not None:
            identifier(row, by_upn, MatchedOn.UPN, str(row.upn))
        elif by_sims is not None:
            identifier(row, by_sims, MatchedOn.SIMS_NUMBER, str(row.sims_number))
        else:
            waiting.append(row)
    named = _match_names(waiting, roll, taken)
    unknown: list[int] = []
    for row in waiting:
        same, similar = named.get(row.number, ((), ()))
        if len(same) == 1 and same[0] not in taken:
            pair(row, same[0], MatchedOn.NAME_AND_BIRTH)
        elif same or similar:
            candidates = tuple(Possible(i, "same name and date of birth") for i in same) + tuple(
                Possible(i, "similar name and same date of birth") for i in similar
            )
            reason = (
                f"{len(same)} learners have this name and date of birth."
                if len(same) > 1
                else "A learner of this name and date of birth is already matched with "
                f"row {taken[same[0]]} of the file."
                if same
                else "A learner with a similar name has the same date of birth."
            )
            unsure[row.number] = Unsure(row.number, reason, candidates)
        else:
            unknown.append(row.number)
    unknown.extend(sorted(new))
    return Matching(pairs, unsure, tuple(sorted(unknown)))


def _match_names(
    rows: list[MisRow], roll: Roll, taken: Mapping[int, int]
) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Row number → (learners of the same name and birth, of a similar name), among those not
    paired yet, by the import's duplicates check (against Plan-it's learners only)."""
    candidates = [
        Candidate(row.number, row.first_names, row.surname, row.date_of_birth, None, None)
        for row in rows
        if row.first_names and row.surname and row.date_of_birth
    ]
    if not candidates:
        return {}
    existing = ExistingLearners()
    for learner in roll.learners.values():
        if learner.id in taken:
            continue
        known = (
            learner.id,
            learner.first_names,
            learner.surname,
            learner.date_of_birth,
            learner.status.value,
            learner.login,
        )
        existing.by_birthday.setdefault(learner.date_of_birth, []).append(known)
        existing.count += 1
    found: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for number, duplicates in find_duplicates(candidates, existing).items():
        same = tuple(
            d.match.learner_id
            for d in duplicates
            if d.kind is DuplicateKind.SAME_NAME and d.match.learner_id is not None
        )
        similar = tuple(
            d.match.learner_id
            for d in duplicates
            if d.kind is DuplicateKind.SIMILAR_NAME and d.match.learner_id is not None
        )
        if same or similar:
            found[number] = (same, similar)
    return found
