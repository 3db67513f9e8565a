"""Duplicate checks: within the file, and against every learner ever recorded (left ones too).

Set-based: the keys of all learners are read in one query into dictionaries, so a file of
10,000 rows is checked against 100,000 learners without a query per row.

- Same UPN or same SIMS number as a learner on roll, or as another row: an error.
- Same surname, first names and date of birth (case, accents and spacing ignored: the rule
  of :func:`~planit_desktop.model.services.learners.duplicates.duplicate_key`): an error
  unless the coordinator decides it is a different person.
- A similar name with the same date of birth (``Jon``/``John``, transposed first names): a
  warning that needs a decision.
- A match with a learner who has left: the coordinator may reinstate that learner instead.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import chain
from operator import itemgetter

from rapidfuzz.utils import default_process
from sqlalchemy import text
from sqlalchemy.orm import Session

from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.learners.duplicates import DuplicateKey, duplicate_key
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.names import name_key

#: rapidfuzz score (0–100) from which two names of the same birthday are "similar".
SIMILARITY = 85
#: A date of birth shared by up to this many learners is searched learner by learner: a
#: trust of 100,000 learners has a few dozen on any one date, so every real school is.
SEARCH_ALL_UP_TO = 200
#: On a more crowded date, the learners compared for one name key (the latest ones).
KEY_BLOCK = 50
#: The most learners of the same name, and of a similar name, one row lists.
MAX_NAME_MATCHES = 5
#: Words of a name used for blocking keys (a name of more words has more keys than needed).
_MAX_WORDS = 4


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
        """A learner recorded who left or completed (one joining is as good as on roll)."""
        return self.learner_id is not None and self.status in _GONE

    def describe(self, row_word: str = "row") -> str:
        born = f", born {_date_shown(self.date_of_birth)}" if self.date_of_birth else ""
        who = f"{self.first_names} {self.surname}{born}"
        if self.row is not None:
            return f"{who} ({row_word.lower()} {self.row} of this file)"
        state = _STATES.get(self.status or LearnerStatus.ON_ROLL, "")
        return f"{who}, {state}, login {self.login}"


_STATES = {
    LearnerStatus.ON_ROLL: "on roll",
    LearnerStatus.LEFT: "who has left",
    LearnerStatus.COMPLETED: "who has completed Plan-it",
    LearnerStatus.JOINING: "joining next academic year",
}
_GONE = frozenset({LearnerStatus.LEFT, LearnerStatus.COMPLETED})
_STATUSES = {status.value: status for status in LearnerStatus}
_DATES_SHOWN: dict[date, str] = {}


def _date_shown(day: date) -> str:
    # A crowded date is shown in thousands of messages: formatted once.
    shown = _DATES_SHOWN.get(day)
    if shown is None:
        if len(_DATES_SHOWN) > 10_000:
            _DATES_SHOWN.clear()
        shown = _DATES_SHOWN[day] = format_date(day)
    return shown


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
        status=_STATUSES.get(status) or LearnerStatus(status),
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
    # A school's learners share a few thousand birthdays: each text is read as a date once.
    dates: dict[object, date] = {}
    for learner_id, first, surname, born_as, status, login, upn, sims in rows:
        born = dates.get(born_as)
        if born is None:
            born = dates[born_as] = (
                date.fromisoformat(born_as[:10]) if isinstance(born_as, str) else born_as
            )
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


def comparable(first_names: str, surname: str) -> str:
    """A name as the fuzzy rule compares it: lower case, punctuation to spaces, words sorted.

    ``fuzz.ratio`` of two of these is ``fuzz.token_sort_ratio`` of the names, computed
    without sorting the other name's words again for every comparison.
    """
    return " ".join(sorted(default_process(f"{first_names} {surname}").split()))


def _fold(token: str) -> str:
    """A word of a name for blocking: accents and case folded (``Zoë`` → ``zoe``)."""
    return token if token.isascii() else name_key(token) or token


@lru_cache(maxsize=16_384)  # names recur: a crowded date holds the same ones again and again
def name_keys(text: str) -> tuple[str, ...]:
    """The blocking keys of a name (``text`` as :func:`comparable` gives it).

    Two names the fuzzy rule finds similar almost always share one of these, so a crowded
    date of birth is searched key by key instead of learner by learner:

    - ``p``/``s``: a word, with the first or the last two letters of another word. One name
      the same and the other changed a little (Jon/John Smith, Katie/Catie Smith: the last
      letters survive a typo in the first), the names swapped, a middle name added or
      dropped, a hyphen or not;
    - ``e``: the first three letters of two words, and the last three: both names changed a
      little (Jonathan Smithson/Jonathon Smithsen).

    Words are folded (``Zoë`` and ``Zoe`` are one word) and sorted, so the order of the
    names never matters. A word alone is no key: a common surname would put hundreds of
    learners of one date in one block, most of them not similar at all.
    """
    words = sorted({_fold(word) for word in text.split()})[:_MAX_WORDS]
    if len(words) <= 1:
        return tuple(f"w{word}" for word in words)
    keys = []
    for first in words:
        for other in words:
            if other != first:
                keys.append(f"p{first}|{other[:1]}")
                keys.append(f"s{first}|{other[-1:]}")
    for at, first in enumerate(words):
        for other in words[at + 1 :]:
            keys.append(f"e<{first[:3]}|{other[:3]}")
            keys.append(f"e>{first[-3:]}|{other[-3:]}")
    return tuple(keys)


@dataclass
class _Birthday:
    """Learners sharing one date of birth, indexed for exact and fuzzy name matching.

    Entries stay database tuples (or file matches) until one matches: most never do. A date
    shared by at most :data:`SEARCH_ALL_UP_TO` learners (any real school's) is searched
    learner by learner, as before; past that, the pool indexes its learners by
    :func:`name_keys` and a name is compared only with the learners sharing a key with it
    (at most :data:`KEY_BLOCK` of them for each key): the check stays near-linear however
    many learners share the date.
    """

    by_key: dict[DuplicateKey, list[int]] = field(default_factory=lambda: defaultdict(list))
    texts: list[str] = field(default_factory=list)
    names: list[DuplicateKey] = field(default_factory=list)
    entries: list[Match | _Known] = field(default_factory=list)
    index: defaultdict[str, list[int]] | None = None
    made: dict[tuple[int, object], Duplicate] = field(default_factory=dict)

    def add(
        self,
        entry: Match | _Known,
        first_names: str,
        surname: str,
        born: date,
        known: tuple[DuplicateKey, str, tuple[str, ...] | None] | None = None,
    ) -> None:
        """Add a learner; ``known`` is its duplicate key, text and blocking keys if made."""
        position = len(self.entries)
        if known is None:
            names = duplicate_key(first_names, surname, born)
            # Lower case, punctuation to spaces, once per learner, not once per comparison.
            text = comparable(first_names, surname)
            keys = None
        else:
            names, text, keys = known
        self.by_key[names].append(position)
        self.names.append(names)
        self.texts.append(text)
        self.entries.append(entry)
        if self.index is not None:
            self._index(position, name_keys(text) if keys is None else keys)
        elif len(self.entries) > SEARCH_ALL_UP_TO:
            self.index = defaultdict(list)
            for earlier, earlier_text in enumerate(self.texts):
                self._index(earlier, name_keys(earlier_text))

    def _index(self, position: int, keys: tuple[str, ...]) -> None:
        index = self.index
        assert index is not None
        for key in keys:
            block = index[key]
            block.append(position)
            if len(block) > KEY_BLOCK:
                del block[0]  # only the latest are compared: the index stays small too

    def candidates(self, keys: tuple[str, ...]) -> list[int] | None:
        """Positions to compare a name with, in order; None for every learner of the date.

        For each key, the learners who share it, or the last :data:`KEY_BLOCK` of them when
        more do (a key shared by hundreds on one date, like a common surname, leaves the
        search to the keys that pair it with the other name).
        """
        if self.index is None:
            return None
        # Each block holds the latest KEY_BLOCK learners with its key (see _index).
        # In the pool's order, so that equal scores come in the order a full search gives.
        return sorted(set(chain.from_iterable(filter(None, map(self.index.get, keys)))))

    def match(self, position: int) -> Match:
        entry = self.entries[position]
        return entry if isinstance(entry, Match) else _match(entry)

    def learner_id(self, position: int) -> int | None:
        entry = self.entries[position]
        return entry.learner_id if isinstance(entry, Match) else entry[0]

    def shown(
        self, position: int, kind: Callable[[Match, str], Duplicate], row_word: str
    ) -> Duplicate:
        """The duplicate of ``kind`` naming this learner, made once: on a crowded date one
        learner is named for many rows, and a duplicate is the same for each of them."""
        key = (position, kind)
        duplicate = self.made.get(key)
        if duplicate is None:
            duplicate = self.made[key] = kind(self.match(position), row_word)
        return duplicate


def _more(duplicate: Duplicate, extra: int, what: str) -> Duplicate:
    """The last duplicate listed, saying how many more there are."""
    from dataclasses import replace

    return replace(
        duplicate,
        message=f"{duplicate.message} ({extra:,} more {what} not listed.)",
    )


def find_duplicates(
    candidates: list[Candidate], existing: ExistingLearners, *, row_word: str = "Row"
) -> dict[int, list[Duplicate]]:
    """Duplicates of each row (by row number), against the database and earlier rows.

    A row lists at most :data:`MAX_NAME_MATCHES` learners of the same name and as many of a
    similar name (the closest), with a note of how many more there are: a file of
    thousands of copies of one learner is checked in linear time and space, and one match
    is enough for the coordinator's decision.
    """
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
                day.add(known, known[1], known[2], known[3])
            database_days[candidate.date_of_birth] = day
        names = duplicate_key(candidate.first_names, candidate.surname, candidate.date_of_birth)
        text = comparable(candidate.first_names, candidate.surname)
        pools = (day, file_days[candidate.date_of_birth])
        keys = name_keys(text) if any(pool.index is not None for pool in pools) else ()
        # As always: the database's learners of the same name, then of a similar name (the
        # closest first), then the file's; at most MAX_NAME_MATCHES of each kind in all.
        last_same: int | None = None
        last_similar: int | None = None
        same_count = similar_count = 0
        for pool in pools:
            exact = pool.by_key.get(names, ())
            for at, position in enumerate(exact):
                if same_count >= MAX_NAME_MATCHES:
                    # Enough listed: the rest are only counted (a file of thousands of
                    # copies of one learner must not list each copy against each).
                    rest = exact[at:]
                    same_count += len(rest) - sum(
                        1 for p in rest if matched_ids and pool.learner_id(p) in matched_ids
                    )
                    break
                learner_id = pool.learner_id(position)
                if learner_id is not None and learner_id in matched_ids:
                    continue
                same_count += 1
                last_same = len(duplicates)
                duplicates.append(pool.shown(position, _same_name, row_word))
            positions = pool.candidates(keys)
            if positions is None:
                choices: list[str] | tuple[str, ...] = pool.texts
            elif len(positions) > 1:
                choices = itemgetter(*positions)(pool.texts)
            else:
                choices = [pool.texts[p] for p in positions]
            scored = process.extract(
                text,
                choices,
                scorer=fuzz.ratio,  # on words sorted already: token_sort_ratio's score
                score_cutoff=SIMILARITY,
                limit=None,
            )
            # The closest first, then in the pool's order (extract sorts them so).
            names_of, entries = pool.names, pool.entries
            for rank, (_text, _score, at) in enumerate(scored):
                position = at if positions is None else positions[at]
                if names_of[position] == names:
                    continue  # the same name: listed above
                entry = entries[position]
                learner_id = entry.learner_id if isinstance(entry, Match) else entry[0]
                if learner_id is not None and learner_id in matched_ids:
                    continue
                if similar_count >= MAX_NAME_MATCHES:
                    # Enough listed: the rest are only counted.
                    rest = [at for _text, _score, at in scored[rank:]]
                    rest_positions = rest if positions is None else [positions[a] for a in rest]
                    similar_count += sum(
                        1
                        for p in rest_positions
                        if names_of[p] != names
                        and not (matched_ids and pool.learner_id(p) in matched_ids)
                    )
                    break
                similar_count += 1
                last_similar = len(duplicates)
                duplicates.append(pool.shown(position, _similar, row_word))
        for last, count, what in (
            (last_same, same_count, "with the same name and date of birth"),
            (last_similar, similar_count, "with a similar name and the same date of birth"),
        ):
            if last is not None and count > MAX_NAME_MATCHES:
                duplicates[last] = _more(duplicates[last], count - MAX_NAME_MATCHES, what)
        file_days[candidate.date_of_birth].add(
            as_match(candidate),
            candidate.first_names,
            candidate.surname,
            candidate.date_of_birth,
            (names, text, keys or None),
        )
    return {row: dups for row, dups in found.items() if dups}
