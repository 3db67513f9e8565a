"""Learners who may be one person recorded twice: the same names and the same date of birth.

One rule for every check that looks for them: "Create New User" warns of them before adding
a learner, the import checks each row of a file against them (the whole school at once, in
:mod:`planit_desktop.model.services.importing.duplicates`), and the year end lists them
among its checks. Merging two such records is
:func:`~planit_desktop.model.services.learners.merging.merge_learners`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from planit_desktop.model.services.learners.roll import LearnerRow
from planit_desktop.model.validation.names import name_key

#: What two records of one learner share: first names, surname, date of birth.
DuplicateKey = tuple[str, str, date]


def duplicate_key(first_names: str, surname: str, date_of_birth: date) -> DuplicateKey:
    """Two learners with the same key may be one person: the same names (case, accents,
    spaces, hyphens and apostrophes ignored, so ``Zoë O'Brien`` is ``ZOE OBRIEN``) and the
    same date of birth."""
    return (name_key(first_names), name_key(surname), date_of_birth)


_CURRENT = frozenset({"on_roll", "joining"})


def possible_duplicates(learners: Iterable[LearnerRow]) -> list[tuple[int, ...]]:
    """Learners on roll (or joining next academic year) who may be one person recorded
    twice (see :func:`duplicate_key`). Each tuple holds the ids of one such set, in register
    order."""
    found: defaultdict[DuplicateKey, list[LearnerRow]] = defaultdict(list)
    for row in learners:
        if row.status in _CURRENT:
            found[duplicate_key(row.first_names, row.surname, row.date_of_birth)].append(row)
    sets = [
        tuple(row.id for row in sorted(rows, key=lambda r: (r.sort_name, r.id)))
        for rows in found.values()
        if len(rows) > 1
    ]
    return sorted(sets)
