"""Duplicate checks: within the file, and against every learner ever recorded (left ones too).

Set-based: the keys of all learners are read in one query into dictionaries, so a file of
10,000 rows is checked against 100,000 learners without a query per row.

- Same UPN or same SIMS number as a learner on roll, or as another row: an error.
- Same surname, first names and date of birth (case, accents and spacing ignored): an error
  unless the coordinator decides it is a different person.
- A similar name with the same date of birth (``Jon``/``John``, transposed first names): a
  warning that needs a decision.
- A match with a learner who has left: the coordinator may reinstate that learner instead.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.entities import Learner, LearnerStatus
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.names import name_key

#: rapidfuzz score (0–100) from which two names of the same birthday are "similar".
SIMILARITY = 85


class Decision(enum.StrEnum):
    """What the coordinator decided about a row that matched another learner."""

    CREATE_NEW = "create_new"  # a different person: create a new learner anyway
    REINSTATE = "reinstate"  # the learner who left has come back: put them back on roll
    SKIP = "skip"  # already here (or not wanted): do not import this row


class DuplicateKind(enum.StrEnum):
    UPN = "same UPN"
    SIMS_NUMBER = "same SIMS number"
    SAME_NAME = "same name and date of birth"
    SIMILAR_NAME = "similar name and same date of birth"


@dataclass(frozen=True, slots=True)
class Match:
    """The other learner: one in the database (``learner_id``) or another row of the file."""

    first_names: str
    surname: str
    date_of_birth: date | None
    learner_id: int | None = None
    row: int | None = None
    status: LearnerStatus | None = None
    login: str | None = None

    @property
    def has_left(self) -> bool:
        return self.learner_id is not None and self.status is not LearnerStatus.ON_ROLL

    def describe(self, row_word: str = "row") -> str:
        born = f", born {format_date(self.date_of_birth)}" if self.date_of_birth else ""
        who = f"{self.first_names} {self.surname}{born}"
        if self.row is not None:
            return f"{who} ({row_word.lower()} {self.row} of this file)"
        state = {
            LearnerStatus.ON_ROLL: "on roll",
            LearnerStatus.LEFT: "who has left",
            LearnerStatus.COMPLETED: "who has completed Plan-it",
        }.get(self.status or LearnerStatus.ON_ROLL, "")
        return f"{who}, {state}, login {self.login}"


@dataclass(frozen=True, slots=True)
class Duplicate:
    """One match of a row with another learner, and what the coordinator may decide."""

    kind: DuplicateKind
    match: Match
    message: str
    #: An error whatever is decided (only skipping the row gets round it).
    blocking: bool
    #: The decisions on offer; empty for a blocking duplicate.
    options: tuple[Decision, ...] = ()
    #: An error until decided (same name); otherwise a warning until decided (similar name).
    error_until_decided: bool = False


@dataclass(slots=True)
class _Known:
    id: int
    first_names: str
    surname: str
    date_of_birth: date
    status: LearnerStatus
    login: str

    def match(self) -> Match:
        return Match(
            self.first_names,
            self.surname,
            self.date_of_birth,
            learner_id=self.id,
            status=self.status,
            login=self.login,
        )


@dataclass
class ExistingLearners:
    """Every learner in the database, indexed by UPN, SIMS number and date of birth."""

    by_upn: dict[str, _Known] = field(default_factory=dict)
    by_sims: dict[str, _Known] = field(default_factory=dict)
    by_birthday: dict[date, list[_Known]] = field(default_factory=lambda: defaultdict(list))
    count: int = 0


def load_existing(session: Session) -> ExistingLearners:
    """Read the keys of every learner (on roll or not) in one query."""
    existing = ExistingLearners()
    statement = select(
        Learner.id,
        Learner.first_names,
        Learner.surname,
        Learner.date_of_birth,
        Learner.upn,
        Learner.sims_number,
        Learner.status,
        Learner.login,
    )
    for row in session.execute(statement):
        known = _Known(row[0], row[1], row[2], row[3], row[6], row[7])
        if row[4]:
            existing.by_upn[row[4]] = known
        if row[5]:
            existing.by_sims[sims_key(row[5])] = known
        existing.by_birthday[row[3]].append(known)
        existing.count += 1
    return existing


def sims_key(text: str) -> str:
    """SIMS numbers compare as written, ignoring case and surrounding spaces."""
    return text.strip().casefold()


@lru_cache(maxsize=65536)
def fast_key(text: str) -> str:
    """:func:`name_key`, with a quick path for plain ASCII names (most of them)."""
    if text.isascii():
        return "".join(c for c in text.lower() if c.isalnum())
    return name_key(text)


@lru_cache(maxsize=65536)
def fuzzy_text(first_names: str, surname: str) -> str:
    """Names for fuzzy comparison: folded words, surname last (token order is ignored)."""
    words = f"{first_names} {surname}".replace("-", " ").replace("'", "").split()
    return " ".join(fast_key(word) for word in words)


def _blocking(kind: DuplicateKind, match: Match, value: str, row_word: str) -> Duplicate:
    what = "UPN" if kind is DuplicateKind.UPN else "SIMS number"
    return Duplicate(
        kind,
        match,
        f"The {what} {value} is already used by {match.describe(row_word)}. "
        f"Each learner's {what} is unique: check which is right.",
        blocking=True,
    )


def _left_identity(kind: DuplicateKind, match: Match, value: str) -> Duplicate:
    what = "UPN" if kind is DuplicateKind.UPN else "SIMS number"
    return Duplicate(
        kind,
        match,
        f"The {what} {value} belongs to {match.describe()}. Reinstate that learner, or skip "
        "this row.",
        blocking=False,
        options=(Decision.REINSTATE, Decision.SKIP),
        error_until_decided=True,
    )


def _same_name(match: Match, row_word: str) -> Duplicate:
    options: tuple[Decision, ...] = (Decision.CREATE_NEW, Decision.SKIP)
    advice = "If this is a different person, say so; otherwise skip this row."
    if match.has_left:
        options = (Decision.REINSTATE, Decision.CREATE_NEW, Decision.SKIP)
        advice = (
            "Reinstate that learner, create a new learner if this is a different person, "
            "or skip this row."
        )
    return Duplicate(
        DuplicateKind.SAME_NAME,
        match,
        f"The same name and date of birth as {match.describe(row_word)}. {advice}",
        blocking=False,
        options=options,
        error_until_decided=True,
    )


def _similar(match: Match, row_word: str) -> Duplicate:
    options: tuple[Decision, ...] = (Decision.CREATE_NEW, Decision.SKIP)
    if match.has_left:
        options = (Decision.REINSTATE, Decision.CREATE_NEW, Decision.SKIP)
    return Duplicate(
        DuplicateKind.SIMILAR_NAME,
        match,
        f"A similar name with the same date of birth: {match.describe(row_word)}. "
        "Decide whether this is the same learner.",
        blocking=False,
        options=options,
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """What duplicate checks need of one checked row."""

    row: int
    first_names: str
    surname: str
    date_of_birth: date | None
    upn: str | None
    sims_number: str | None


@dataclass
class _Birthday:
    """Learners sharing one date of birth, indexed for exact and fuzzy name matching."""

    by_key: dict[tuple[str, str], list[Match]] = field(default_factory=lambda: defaultdict(list))
    texts: list[str] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)

    def add(self, match: Match) -> None:
        key = (fast_key(match.surname), fast_key(match.first_names))
        self.by_key[key].append(match)
        self.texts.append(fuzzy_text(match.first_names, match.surname))
        self.matches.append(match)


def find_duplicates(
    candidates: list[Candidate], existing: ExistingLearners, *, row_word: str = "Row"
) -> dict[int, list[Duplicate]]:
    """Duplicates of each row (by row number), against the database and earlier rows."""
    from rapidfuzz import fuzz, process

    found: dict[int, list[Duplicate]] = defaultdict(list)
    file_upn: dict[str, Candidate] = {}
    file_sims: dict[str, Candidate] = {}
    database_days: dict[date, _Birthday] = {}
    file_days: dict[date, _Birthday] = defaultdict(_Birthday)

    def as_match(c: Candidate) -> Match:
        return Match(c.first_names, c.surname, c.date_of_birth, row=c.row)

    for candidate in candidates:
        matched_ids: set[int] = set()
        duplicates = found[candidate.row]
        for kind, value, index, seen in (
            (DuplicateKind.UPN, candidate.upn, existing.by_upn, file_upn),
            (DuplicateKind.SIMS_NUMBER, candidate.sims_number, existing.by_sims, file_sims),
        ):
            if not value:
                continue
            key = value if kind is DuplicateKind.UPN else sims_key(value)
            known = index.get(key)
            if known is not None and known.id not in matched_ids:
                matched_ids.add(known.id)
                match = known.match()
                duplicates.append(
                    _left_identity(kind, match, value)
                    if match.has_left
                    else _blocking(kind, match, value, row_word)
                )
            earlier = seen.get(key)
            if earlier is not None:
                duplicates.append(_blocking(kind, as_match(earlier), value, row_word))
                found[earlier.row].append(_blocking(kind, as_match(candidate), value, row_word))
            else:
                seen[key] = candidate
        if candidate.date_of_birth is None:
            continue
        day = database_days.get(candidate.date_of_birth)
        if day is None:
            day = _Birthday()
            for known in existing.by_birthday.get(candidate.date_of_birth, ()):
                day.add(known.match())
            database_days[candidate.date_of_birth] = day
        names = (fast_key(candidate.surname), fast_key(candidate.first_names))
        text = fuzzy_text(candidate.first_names, candidate.surname)
        for pool in (day, file_days[candidate.date_of_birth]):
            exact = [m for m in pool.by_key.get(names, []) if m.learner_id not in matched_ids]
            for match in exact:
                duplicates.append(_same_name(match, row_word))
            exact_ids = {id(m) for m in pool.by_key.get(names, [])}
            for _text, _score, position in process.extract(
                text,
                pool.texts,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=SIMILARITY,
                limit=None,
            ):
                match = pool.matches[position]
                if id(match) in exact_ids or match.learner_id in matched_ids:
                    continue
                duplicates.append(_similar(match, row_word))
        file_days[candidate.date_of_birth].add(as_match(candidate))
    return {row: dups for row, dups in found.items() if dups}
