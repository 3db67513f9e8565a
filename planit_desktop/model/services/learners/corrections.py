"""Correcting a learner's details: checked as typed, saved once, never over someone else's save.

:func:`check_correction` answers the dialog as the coordinator types (errors and warnings per
field, nothing written); :func:`correct_learner` saves, refusing a record that another
coordinator changed since it was opened (:class:`StaleRecord` carries the values as they now
stand). Each changed field gets an audit entry, and a change to one of the six details the
School Support Team keeps becomes a support request too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import (
    Group,
    GroupMembership,
    Learner,
)
from planit_desktop.model.errors import InvalidInput, NotFound, StaleRecord
from planit_desktop.model.services import audit
from planit_desktop.model.services.learners.details import (
    details_of,
    get_learner,
    identifier_holder,
)
from planit_desktop.model.services.learners.support_requests import SUPPORT_FIELDS, record_requests
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import get_school, hold_academic_year
from planit_desktop.model.validation.codes import check_ethnicity, check_sex
from planit_desktop.model.validation.dates import check_date_of_birth, parse_date
from planit_desktop.model.validation.names import normalise_name, quoted
from planit_desktop.model.validation.upn import check_upn
from planit_desktop.model.validation.years import (
    check_year_group_served,
    parse_year_group,
    year_group_mismatch,
)

#: The details a correction may change, and how each is named in messages.
FIELD_LABELS: dict[str, str] = {
    "first_names": "first name",
    "surname": "surname",
    "date_of_birth": "date of birth",
    "year_group": "year group",
    "upn": "UPN",
    "sims_number": "SIMS number",
    "sex": "gender",
    "ethnicity": "ethnicity",
    "groups": "groups",
}
MAX_SIMS_LENGTH = 20


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """Something to show next to one field of the correction dialog."""

    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True, slots=True)
class CorrectionResult:
    """What a saved correction changed."""

    learner_id: int
    changed: tuple[str, ...]  # field names, in FIELD_LABELS order
    warnings: tuple[str, ...]
    support_requests: int
    version: int  # the learner's version now: pass it as expected_version next time


def _optional_text(value: object) -> str | None:
    text = "" if value is None else value.strip() if isinstance(value, str) else str(value)
    return text or None


def _normalise(
    session: Session, learner: Learner, field: str, value: object, today: date
) -> object:
    """The value as it would be stored; InvalidInput with the coordinator's message if not."""
    if field in ("first_names", "surname"):
        return normalise_name(value, field=FIELD_LABELS[field])
    if field == "date_of_birth":
        born = parse_date(value)
        check_date_of_birth(born, today=today)
        return born
    if field == "year_group":
        year = parse_year_group(value)
        school = get_school(session)
        check_year_group_served(year, school.lowest_year, school.highest_year)
        return year
    if field in ("upn", "sims_number"):
        return _identifier(session, learner, field, value)
    if field == "sex":
        sex = check_sex(value)
        if sex.error:
            raise InvalidInput(sex.error)
        return sex.code
    if field == "ethnicity":
        ethnicity = check_ethnicity(value)
        if ethnicity.error:
            raise InvalidInput(ethnicity.error)
        return ethnicity.code
    if field == "groups":
        return _group_ids(session, value)
    raise InvalidInput(f"{quoted(field)} is not a learner's detail that can be corrected here.")


def _identifier(session: Session, learner: Learner, field: str, value: object) -> str | None:
    text = _optional_text(value)
    if text is None:
        return None  # a UPN or SIMS number not known (yet) may be left empty
    if field == "upn":
        checked = check_upn(text)
        if checked.error:
            raise InvalidInput(checked.error)
        text = checked.upn
    elif len(text) > MAX_SIMS_LENGTH:
        raise InvalidInput(f"A SIMS number has at most {MAX_SIMS_LENGTH} characters.")
    holder = identifier_holder(session, field, text, excluding=learner.id)
    if holder is not None:
        raise InvalidInput(f"The {FIELD_LABELS[field]} {text} is already used by {holder}.")
    return text


def _group_ids(session: Session, value: object) -> frozenset[int]:
    if value is None or isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput("Choose the learner's groups from the list.")
    wanted = frozenset(int(v) for v in value)
    known = set(session.scalars(select(Group.id).where(Group.id.in_(wanted))))
    if known != wanted:
        raise NotFound("One of the groups chosen no longer exists. Refresh the list.")
    return wanted


def _warnings(
    session: Session, learner: Learner, values: Mapping[str, object], field: str
) -> FieldProblem | None:
    born = values.get("date_of_birth", learner.date_of_birth)
    year = values.get("year_group", learner.year_group)
    assert isinstance(born, date) and isinstance(year, int)
    mismatch = year_group_mismatch(born, year, get_school(session).academic_year)
    return None if mismatch is None else FieldProblem(field, mismatch, "warning")


def _check(
    session: Session, learner: Learner, changes: Mapping[str, object], today: date
) -> tuple[dict[str, object], list[FieldProblem]]:
    """(normalised changed values, problems) for ``changes`` against ``learner`` as stored."""
    current = _current_values(session, learner)
    values: dict[str, object] = {}
    problems: list[FieldProblem] = []
    for field in sorted(changes, key=_field_order):
        raw = changes[field]
        if field in current and raw == current[field]:
            continue  # unchanged: a value stored long ago is not re-judged by today's rules
        try:
            value = _normalise(session, learner, field, raw, today)
        except InvalidInput as error:
            problems.append(FieldProblem(field, error.message))
            continue
        except NotFound as error:
            problems.append(FieldProblem(field, error.message))
            continue
        if value != current.get(field):
            values[field] = value
        sex = check_sex(value).warning if field == "sex" and value else None
        ethnicity = check_ethnicity(value).warning if field == "ethnicity" and value else None
        for warning in (sex, ethnicity):
            if warning:
                problems.append(FieldProblem(field, warning, "warning"))
    if ("year_group" in values or "date_of_birth" in values) and not any(
        p.is_error and p.field in ("year_group", "date_of_birth") for p in problems
    ):
        shown_on = "year_group" if "year_group" in values else "date_of_birth"
        if mismatch := _warnings(session, learner, values, shown_on):
            problems.append(mismatch)
    return values, problems


def _field_order(field: str) -> int:
    order = list(FIELD_LABELS)
    return order.index(field) if field in order else len(order)


def _current_values(session: Session, learner: Learner) -> dict[str, object]:
    groups = frozenset(
        session.scalars(
            select(GroupMembership.group_id).where(GroupMembership.learner_id == learner.id)
        )
    )
    values: dict[str, object] = {
        name: getattr(learner, name) for name in FIELD_LABELS if name != "groups"
    }
    values["groups"] = groups
    return values


def check_correction(
    session: Session, learner_id: int, changes: Mapping[str, object], *, today: date | None = None
) -> list[FieldProblem]:
    """Errors and warnings for a correction as typed, per field; nothing is written.

    ``changes`` maps field names (see :data:`FIELD_LABELS`) to what was typed or chosen;
    ``groups`` is a set of group ids. A UPN or SIMS number of another learner names them.
    """
    learner = get_learner(session, learner_id)
    return _check(session, learner, changes, today or date.today())[1]


def correct_learner(
    session: Session,
    actor: Actor,
    learner_id: int,
    changes: Mapping[str, object],
    *,
    expected_version: int,
    today: date | None = None,
    academic_year: int | None = None,
) -> CorrectionResult:
    """Save a correction of a learner's details (administrators).

    Refused with :class:`StaleRecord` (carrying the current values) when the learner's
    version is no longer ``expected_version``; with :class:`InvalidInput` listing every
    error when any field is wrong. Nothing is changed by a refusal. Warnings (a year group
    that does not fit the date of birth) do not stop the save and are returned.

    A new year group means a year group *in* the academic year the form was filled in for:
    given that year (``academic_year``), a change of year group holds the school row's lock
    (as the rollover does) and is refused if the school has moved into another year since.
    """
    require_administrator(session, actor, "correct learners' details")
    learner = get_learner(session, learner_id)
    if academic_year is not None and _changes_year_group(learner, changes):
        hold_academic_year(
            session,
            academic_year,
            while_="this correction was being made",
            nothing="Nothing was changed.",
        )
        session.refresh(learner)  # as it is now that no rollover can be under way
    if learner.version != expected_version:
        raise _stale(session, learner)
    values, problems = _check(session, learner, changes, today or date.today())
    errors = [p.message for p in problems if p.is_error]
    if errors:
        raise InvalidInput(" ".join(errors) + " Nothing was changed.")
    current = _current_values(session, learner)
    audit_rows: list[dict[str, object]] = []
    requests: list[tuple[str, object, object]] = []
    for field, value in values.items():
        old, new = current[field], value
        if field == "groups":
            assert isinstance(old, frozenset) and isinstance(value, frozenset)
            _set_groups(session, learner.id, old, value)
            old, new = _group_names(session, old), _group_names(session, value)
        else:
            setattr(learner, field, value)
        audit_rows.append(
            {"action": "learner_corrected", "entity": "learner", "entity_id": learner.id}
            | {"field": field, "old": old, "new": new}
        )
        if field in SUPPORT_FIELDS:
            requests.append((field, old, new))
    if values and not set(values) - {"groups"}:
        flag_modified(learner, "year_group")  # a change of groups alone still bumps the version
    try:
        session.flush()
    except StaleDataError:
        # Another coordinator saved between our read and our write (a shared server).
        session.expire(learner)
        raise _stale(session, get_learner(session, learner_id)) from None
    audit.record_many(session, actor, audit_rows)
    record_requests(session, actor, learner.id, requests)
    return CorrectionResult(
        learner_id=learner.id,
        changed=tuple(values),
        warnings=tuple(p.message for p in problems if not p.is_error),
        support_requests=len(requests),
        version=learner.version,
    )


def _changes_year_group(learner: Learner, changes: Mapping[str, object]) -> bool:
    if "year_group" not in changes:
        return False
    try:
        return parse_year_group(changes["year_group"]) != learner.year_group
    except InvalidInput:
        return False  # reported with the other errors; nothing will be saved


def _stale(session: Session, learner: Learner) -> StaleRecord:
    groups = set(
        session.scalars(
            select(GroupMembership.group_id).where(GroupMembership.learner_id == learner.id)
        )
    )
    details = details_of(session, learner, groups)
    return StaleRecord(
        f"{learner.first_names} {learner.surname}'s details were changed by someone else "
        "after you opened them. Nothing was saved: look at the details as they are now "
        "and make your correction again.",
        current=details.as_dict(),
    )


def _set_groups(
    session: Session, learner_id: int, old: frozenset[int], new: frozenset[int]
) -> None:
    if gone := old - new:
        session.execute(
            delete(GroupMembership).where(
                GroupMembership.learner_id == learner_id, GroupMembership.group_id.in_(gone)
            )
        )
    if added := new - old:
        session.execute(
            insert(GroupMembership),
            [{"learner_id": learner_id, "group_id": gid} for gid in sorted(added)],
        )


def _group_names(session: Session, ids: frozenset[int]) -> str:
    names = session.scalars(select(Group.name).where(Group.id.in_(ids)))
    return ", ".join(sorted(names, key=str.casefold))
