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
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz.utils import default_process
from sqlalchemy import text
from sqlalchemy.orm import Session

from planit_desktop.model.entities import LearnerStatus
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


# (id, first names, surname, date of birth, status, login): plain tuples, since a school's
# worth of them is read on every check and only the few that match become Match objects.
_Known = tuple[int, str, str, date, str, str]


def _match(known: _Known) -> Match:
    learner_id, first_names, surname, born, status, login = known
    return Match(
        first_names,
        surname,
        born,
        learner_id=learner_id,
        status=LearnerStatus(status),
        login=login,
    )


@dataclass
class ExistingLearners:
    """Every learner in the database, indexed by UPN, SIMS number and date of birth."""

    by_upn: dict[str, _Known] = field(default_factory=dict)
    by_sims: dict[str, _Known] = field(default_factory=dict)
    by_birthday: dict[date, list[_Known]] = field(default_factory=dict)
    count: int = 0


def load_existing(session: Session) -> ExistingLearners:
    """Read the keys of every learner (on roll or not) in one query."""
    # Plain SQL through the connection: no ORM or type bookkeeping for 100,000 tuples.
    # SQLite gives dates as ISO text, PostgreSQL as dates.
    statement = text(
        "SELECT id, first_names, surname, date_of_birth, status, login, upn, sims_number "
        "FROM learner"
    )
    by_upn: dict[str, _Known] = {}
    by_sims: dict[str, _Known] = {}
    by_birthday: dict[date, list[_Known]] = defaultdict(list)
    count = 0
    # Core rows through the connection: no ORM bookkeeping for 100,000 plain tuples.
    rows = session.connection().execute(statement).all()
    for learner_id, first, surname, born_as, status, login, upn, sims in rows:
        born = date.fromisoformat(born_as[:10]) if isinstance(born_as, str) else born_as
        known: _Known = (learner_id, first, surname, born, status, login)
        if upn:
            by_upn[upn] = known
        if sims:
            by_sims[sims.strip().casefold()] = known
        by_birthday[born].append(known)
        count += 1
    return ExistingLearners(by_upn, by_sims, dict(by_birthday), count)


def sims_key(text: str) -> str:
    """SIMS numbers compare as written, ignoring case and surrounding spaces."""
    return text.strip().casefold()


_NOT_ALNUM_ASCII = re.compile(r"[^a-z0-9]+")


def fast_key(text: str) -> str:
    """:func:`name_key`, with a quick path for plain ASCII names (most of them)."""
    if text.isascii():
        return _NOT_ALNUM_ASCII.sub("", text.lower())
    return name_key(text)


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
    """Learners sharing one date of birth, indexed for exact and fuzzy name matching.

    Entries stay database tuples (or file matches) until one matches: most never do.
    """

    by_key: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    texts: list[str] = field(default_factory=list)
    entries: list[Match | _Known] = field(default_factory=list)

    def add(self, entry: Match | _Known, first_names: str, surname: str) -> None:
        self.by_key[(fast_key(surname), fast_key(first_names))].append(len(self.entries))
        # Lower case, punctuation to spaces, once per learner rather than once per comparison.
        self.texts.append(default_process(f"{first_names} {surname}"))
        self.entries.append(entry)

    def match(self, position: int) -> Match:
        entry = self.entries[position]
        return entry if isinstance(entry, Match) else _match(entry)


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
            if known is not None and known[0] not in matched_ids:
                matched_ids.add(known[0])
                match = _match(known)
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
                day.add(known, known[1], known[2])
            database_days[candidate.date_of_birth] = day
        names = (fast_key(candidate.surname), fast_key(candidate.first_names))
        text = default_process(f"{candidate.first_names} {candidate.surname}")
        for pool in (day, file_days[candidate.date_of_birth]):
            exact = pool.by_key.get(names, [])
            for position in exact:
                match = pool.match(position)
                if match.learner_id is None or match.learner_id not in matched_ids:
                    duplicates.append(_same_name(match, row_word))
            for _text, _score, position in process.extract(
                text,
                pool.texts,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=SIMILARITY,
                limit=None,
            ):
                if position in exact:
                    continue
                match = pool.match(position)
                if match.learner_id is not None and match.learner_id in matched_ids:
                    continue
                duplicates.append(_similar(match, row_word))
        file_days[candidate.date_of_birth].add(
            as_match(candidate), candidate.first_names, candidate.surname
        )
    return {row: dups for row, dups in found.items() if dups}
