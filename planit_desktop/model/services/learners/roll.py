"""Learners as the coordinator sees them: one immutable row per learner, fit for a table.

The read side: every list of learners the program shows (the Learners tab, a group's
members, the year end's learners, finding learners for secondary passwords, the
administrators' "To check" list) is of :class:`LearnerRow` and is built here. A whole school is
read in two queries (learners, then memberships with group names), never one query per
learner. Corrections, leavers and quick create write through their own modules.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import NEEDS_CHECK, Group, GroupMembership, Learner
from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services._sql import chunks
from planit_desktop.model.services.permissions import require_administrator, visible_learners
from planit_desktop.model.validation.dates import parse_date
from planit_desktop.model.validation.names import name_key
from planit_desktop.model.validation.years import parse_year_group
from planit_desktop.model.wording import sort_key

# A word of the search that is a date written day first: 10/8/2010, 10-08-2010, 10.08.10.
_TYPED_DATE = re.compile(r"\d{1,2}([/.\-])\d{1,2}\1(?:\d{4}|\d{2})", re.ASCII)


def search_tokens(text: str) -> list[str]:
    """What the coordinator typed, as keys to look for in :attr:`LearnerRow.search_key`.

    Case, accents, apostrophes and hyphens are ignored, so ``zoe obrien`` finds
    ``Zoë O'Brien`` and ``smith-jones`` finds ``Smith Jones``. A word written as a date,
    day first (``10/8/2010``, ``10-08-2010``, ``10.08.10``), finds that date of birth; a
    group's name (``10A``) finds its members.
    """
    tokens = []
    for word in text.split():
        if _TYPED_DATE.fullmatch(word):
            try:
                tokens.append(_date_key(parse_date(word)))
                continue
            except InvalidInput:
                pass  # 31/02/2010 is no date: looked for as typed, it finds nobody
        key = name_key(word)
        if key:
            tokens.append(key)
    return tokens


def matches(search_key: str, tokens: list[str]) -> bool:
    """True when every token occurs somewhere in the row's search key."""
    return all(token in search_key for token in tokens)


@dataclass(frozen=True, slots=True)
class LearnerRow:
    """One learner as shown in a table: a snapshot, never a live database object."""

    id: int
    first_names: str
    surname: str
    date_of_birth: date
    year_group: int
    groups: tuple[str, ...]
    upn: str | None
    sims_number: str | None
    status: LearnerStatus
    login: str
    #: Names, UPN, SIMS number and login folded for searching (see :func:`search_tokens`).
    search_key: str = field(default="", compare=False)
    #: Created in class and not yet confirmed (or merged) by an administrator.
    needs_check: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.surname}"

    @property
    def sort_name(self) -> str:
        """Surname first, for sorting by name as a register does (:func:`sort_key`)."""
        return sort_key(self.surname, self.first_names)


def learner_search_key(
    first_names: str,
    surname: str,
    upn: str | None,
    sims_number: str | None,
    login: str,
    *,
    date_of_birth: date | None = None,
    groups: Iterable[str] = (),
) -> str:
    """What :func:`search_tokens` are looked for in: names, UPN, SIMS number, login and
    groups folded as :func:`name_key` folds them, and the date of birth."""
    parts = (first_names, surname, upn, sims_number, login, *groups)
    keys = [name_key(part) for part in parts if part]
    if date_of_birth is not None:
        keys.append(_date_key(date_of_birth))
    return " ".join(keys)


def _date_key(day: date) -> str:
    # "#" is never in a typed word's key (name_key keeps letters and digits only), so a
    # date typed in the search finds dates of birth, not SIMS numbers that share digits.
    return f"#{day.year:04d}{day.month:02d}{day.day:02d}"


def list_learners(
    session: Session, actor: Actor, *, include_left: bool = True, include_joining: bool = False
) -> list[LearnerRow]:
    """Every learner ``actor`` may see, in register order (surname, first names).

    Supervisors see only the learners in the groups assigned to them this academic year.
    With ``include_left=False`` only learners on roll are listed, and those joining next
    academic year too with ``include_joining``.
    """
    current = [LearnerStatus.ON_ROLL] + ([LearnerStatus.JOINING] if include_joining else [])
    conditions: list[ColumnElement[bool]] = [] if include_left else [Learner.status.in_(current)]
    # Every membership is read at once: cheaper than narrowing them for a whole school.
    return _rows(session, visible_learners(session, actor), conditions, narrow=False)


def first_learners(
    session: Session, actor: Actor, limit: int, *, include_left: bool = True
) -> list[LearnerRow]:
    """The first ``limit`` learners of :func:`list_learners` (same order, rows and rules).

    Read in register order from the index on (surname, first names), so a page costs the same
    for any size of school: the Learners tab shows it at once, while it reads the rest.
    """
    conditions = [] if include_left else [Learner.status == LearnerStatus.ON_ROLL]
    return _rows(session, visible_learners(session, actor), conditions, limit=max(limit, 0))


def learner_rows(session: Session, actor: Actor, learner_ids: Iterable[int]) -> list[LearnerRow]:
    """The rows of the given learners that ``actor`` may see, in register order.

    Used to show one or a few learners again after a change (ids that no longer exist, or
    that the actor may not see, are simply absent).
    """
    ids = sorted(set(learner_ids))
    visible = visible_learners(session, actor)
    found: list[LearnerRow] = []
    for chunk in chunks(ids):
        found.extend(_rows(session, visible, [Learner.id.in_(chunk)]))
    found.sort(key=lambda row: (row.sort_name, row.id))
    return found


def find_learners(
    session: Session,
    actor: Actor,
    *,
    first_names: str | None = None,
    surname: str | None = None,
    date_of_birth: date | str | None = None,
    year_group: int | str | None = None,
    include_left: bool = False,
) -> list[LearnerRow]:
    """Learners matching every detail given, as a forgotten-password request describes them.

    Names match ignoring case, accents, spaces, hyphens and apostrophes, and a part of a name
    is enough (``zoe`` finds ``Zoë Anne``). The date of birth is written day first (or a
    date); the year group like ``Year 8``, ``Y8`` or ``8``. Only learners on roll, unless
    ``include_left``; supervisors find only learners in their groups. Bad dates or year
    groups raise :class:`~planit_desktop.model.errors.InvalidInput`.
    """
    conditions: list[ColumnElement[bool]] = []
    if not include_left:
        conditions.append(Learner.status == LearnerStatus.ON_ROLL)
    if date_of_birth is not None and not (
        isinstance(date_of_birth, str) and not date_of_birth.strip()
    ):
        conditions.append(Learner.date_of_birth == parse_date(date_of_birth))
    if year_group is not None and not (isinstance(year_group, str) and not year_group.strip()):
        conditions.append(Learner.year_group == parse_year_group(year_group))
    first_key = name_key(first_names or "")
    surname_key = name_key(surname or "")
    rows = _rows(session, visible_learners(session, actor), conditions)
    return [
        row
        for row in rows
        if first_key in name_key(row.first_names) and surname_key in name_key(row.surname)
    ]


def rows_where(session: Session, conditions: list[ColumnElement[bool]]) -> list[LearnerRow]:
    """The rows of every learner meeting ``conditions``, in register order, for a caller that
    has already checked who may see them (a group's members: see
    :func:`~planit_desktop.model.services.groups.listing.group_members`)."""
    return _rows(session, None, conditions)


def to_check(session: Session, actor: Actor) -> list[LearnerRow]:
    """Learners created in class that wait for an administrator to confirm or merge them."""
    require_administrator(session, actor, "see the learners created in class")
    return _rows(session, None, [NEEDS_CHECK.is_(True)])


def _rows(
    session: Session,
    visible: Select[int] | None,
    conditions: list[ColumnElement[bool]],
    *,
    narrow: bool = True,
    limit: int | None = None,
) -> list[LearnerRow]:
    """The rows of learners meeting ``conditions`` among the ``visible`` learners (None: all).

    ``narrow`` reads only the chosen learners' memberships (a few learners of many); with a
    ``limit`` only the first learners are read, then the memberships of those alone.
    """
    query = (
        select(
            Learner.id,
            Learner.first_names,
            Learner.surname,
            Learner.date_of_birth,
            Learner.year_group,
            Learner.upn,
            Learner.sims_number,
            Learner.status,
            Learner.login,
            NEEDS_CHECK,
        )
        .where(*conditions)
        .order_by(Learner.surname, Learner.first_names, Learner.id)
    )
    memberships = (
        select(GroupMembership.learner_id, Group.name)
        .join(Group, Group.id == GroupMembership.group_id)
        .order_by(Group.name)
    )
    if visible is not None:
        query = query.where(Learner.id.in_(visible))
        memberships = memberships.where(GroupMembership.learner_id.in_(visible))

    groups_of: defaultdict[int, list[str]] = defaultdict(list)
    learners: Iterable[Row[*tuple[Any, ...]]]
    if limit is not None:
        learners = session.execute(query.limit(limit)).all()
        ids = [row.id for row in learners]
        for chunk in chunks(ids):
            chosen = memberships.where(GroupMembership.learner_id.in_(chunk))
            for learner_id, group_name in session.execute(chosen):
                groups_of[learner_id].append(group_name)
    else:
        if conditions and narrow:
            chosen_ids = select(Learner.id).where(*conditions)
            memberships = memberships.where(GroupMembership.learner_id.in_(chosen_ids))
        for learner_id, group_name in session.execute(memberships):
            groups_of[learner_id].append(group_name)
        learners = session.execute(query)
    no_groups: tuple[str, ...] = ()
    rows = [
        LearnerRow(
            id=row.id,
            first_names=row.first_names,
            surname=row.surname,
            date_of_birth=row.date_of_birth,
            year_group=row.year_group,
            groups=tuple(groups_of[row.id]) if row.id in groups_of else no_groups,
            upn=row.upn,
            sims_number=row.sims_number,
            status=row.status,
            login=row.login,
            search_key=learner_search_key(
                row.first_names,
                row.surname,
                row.upn,
                row.sims_number,
                row.login,
                date_of_birth=row.date_of_birth,
                groups=groups_of.get(row.id, no_groups),
            ),
            needs_check=bool(row.needs_check),
        )
        for row in learners
    ]
    # Register order as every list has it (sort_key). A first page is read by the index on
    # (surname, first names), so that it costs the same for any school, then put in that
    # order: the same learners as the whole list's first ones but where accents, case or
    # punctuation move a name across the page's end.
    rows.sort(key=lambda row: (row.sort_name, row.id))
    return rows
