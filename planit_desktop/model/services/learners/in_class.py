""" "Create New User": a learner added in class.

A supervisor (or an administrator) can add a learner who is missing, with a light duplicate
check that warns but lets the teacher go on. The learner gets a login and a temporary
password shown once, joins the tutor group, and is flagged "created in class" until an
administrator confirms the record or merges it with the learner it duplicates (see
:mod:`planit_desktop.model.services.learners.merging`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, GroupMembership, Learner
from planit_desktop.model.errors import InvalidInput, PermissionDenied
from planit_desktop.model.kinds import LearnerOrigin, LearnerStatus
from planit_desktop.model.services import audit
from planit_desktop.model.services.credentials.learner_passwords import (
    PreparedPassword,
    prepare_password,
    require_may_issue_temporary,
)
from planit_desktop.model.services.credentials.outputs import PasswordRow
from planit_desktop.model.services.groups.editing import create_group, normalise_group_name
from planit_desktop.model.services.importing.committing import LoginMaker, login_base
from planit_desktop.model.services.learners.details import describe, identifier_holder
from planit_desktop.model.services.learners.duplicates import duplicate_key
from planit_desktop.model.services.permissions import (
    require_staff,
    visible_group_ids,
)
from planit_desktop.model.services.school import hold_academic_year
from planit_desktop.model.validation.dates import check_date_of_birth, format_date, parse_date
from planit_desktop.model.validation.names import normalise_name
from planit_desktop.model.validation.upn import check_upn
from planit_desktop.model.validation.years import (
    check_year_group_served,
    parse_year_group,
    year_group_mismatch,
)

__all__ = ["QuickCreateResult", "quick_create"]


@dataclass(frozen=True, slots=True)
class QuickCreateResult:
    """What "Create New User" did, or (``created`` False) the duplicates it stopped at.

    ``prepared`` holds the learner's temporary password, made but *not stored yet*: show it
    once, then store it with
    :func:`~planit_desktop.model.services.credentials.learner_passwords.
    deliver_temporary_password` when the teacher has it (closes the window that shows it,
    or saves its slip). Until then the learner has no password, so a password lost with a
    crash was never issued.
    """

    created: bool
    learner_id: int | None
    login: str | None
    prepared: PreparedPassword | None
    warnings: tuple[str, ...]  # year group vs date of birth, UPN not recorded, …
    duplicates: tuple[str, ...]  # one sentence per possible duplicate found
    duplicate_ids: tuple[int, ...]

    @property
    def password_row(self) -> PasswordRow | None:
        return None if self.prepared is None else self.prepared.row

    @property
    def password(self) -> str | None:
        return None if self.prepared is None else self.prepared.password


def _tutor_group(session: Session, actor: Actor, name: str | None) -> tuple[int | None, str | None]:
    """The tutor group's (id, name); id None for a new group an administrator will create.

    A supervisor must choose one of their own groups (refused otherwise, and audited).
    """
    visible = visible_group_ids(session, actor)
    if name is None or not name.strip():
        if visible is not None:
            raise InvalidInput("Choose one of your groups for the learner, so you can see them.")
        return None, None
    wanted = normalise_group_name(name)
    found = session.execute(
        select(Group.id, Group.name).where(func.lower(Group.name) == wanted.lower())
    ).first()
    if visible is None:
        return (found[0], found[1]) if found is not None else (None, wanted)
    if found is None or found[0] not in visible:
        raise PermissionDenied(
            f"You can add learners only to your own groups; “{wanted}” is not one of them.",
            actor_login=actor.login,
            action="add a learner to a group that is not theirs",
        )
    return found[0], found[1]


def _duplicates(
    session: Session, first_names: str, surname: str, born: date, upn: str | None
) -> tuple[list[str], list[int]]:
    key = duplicate_key(first_names, surname, born)
    found: list[str] = []
    ids: list[int] = []
    same_day = session.execute(
        select(
            Learner.id, Learner.first_names, Learner.surname, Learner.year_group, Learner.status
        ).where(Learner.date_of_birth == born)
    )
    for lid, first, last, year, status in same_day:
        if duplicate_key(first, last, born) == key:
            found.append(
                f"{describe(first, last, year, status)} has the same name and date of birth "
                f"({format_date(born)})."
            )
            ids.append(lid)
    if upn:
        row = session.execute(
            select(Learner.id, Learner.first_names, Learner.surname, Learner.year_group)
            .add_columns(Learner.status)
            .where(Learner.upn == upn)
        ).first()
        if row is not None and row[0] not in ids:
            found.append(f"{describe(*row[1:])} has the same UPN, {upn}.")
            ids.append(row[0])
    return found, ids


def quick_create(
    session: Session,
    actor: Actor,
    *,
    first_names: str,
    surname: str,
    date_of_birth: date | str,
    year_group: int | str,
    tutor_group: str | None,
    upn: str | None = None,
    confirm_duplicates: bool = False,
    today: date | None = None,
    academic_year: int | None = None,
) -> QuickCreateResult:
    """Create a learner in class ("Create New User"): supervisors and administrators.

    Checks the details like a correction does. When a learner with the same name and date
    of birth (or the same UPN) exists, nothing is created and the result lists them, unless
    ``confirm_duplicates`` says the teacher has looked and wants to go on. A supervisor must
    choose one of their own groups; an administrator's new group name is created. The new
    learner is flagged "created in class" for the administrators' check and gets a login; a
    temporary password is prepared for them (returned once, stored when delivered: see
    :class:`QuickCreateResult`). A UPN already used by another learner is not recorded (a
    warning says so): the administrators' check sorts it out.

    The year group is one of ``academic_year`` (the year the form was opened in): the school
    row's lock is held, as the rollover holds it, and a school that moved into another year
    meanwhile refuses the creation.
    """
    require_staff(session, actor, "create learners")
    first = normalise_name(first_names, field="first name")
    last = normalise_name(surname, field="surname")
    born = parse_date(date_of_birth)
    check_date_of_birth(born, today=today or date.today())
    year = parse_year_group(year_group)
    school = hold_academic_year(
        session,
        academic_year,
        while_="the new learner's details were being typed",
        nothing="No learner was created.",
    )
    check_year_group_served(year, school.lowest_year, school.highest_year)
    number: str | None = None
    if upn is not None and upn.strip():
        checked = check_upn(upn)
        if checked.error:
            raise InvalidInput(checked.error)
        number = checked.upn
    group_id, group_name = _tutor_group(session, actor, tutor_group)
    warnings = [w for w in [year_group_mismatch(born, year, school.academic_year)] if w]
    duplicates, duplicate_ids = _duplicates(session, first, last, born, number)
    if duplicates and not confirm_duplicates:
        return QuickCreateResult(
            False, None, None, None, tuple(warnings), tuple(duplicates), tuple(duplicate_ids)
        )
    if number and (holder := identifier_holder(session, "upn", number, excluding=0)):
        warnings.append(f"The UPN {number} was not recorded: {holder} has it.")
        number = None
    if group_id is None and group_name is not None:
        group_id = create_group(session, actor, group_name).created_group_id
    base = login_base(first, last)
    used = set(session.scalars(select(Learner.login).where(Learner.login.like(f"{base}%"))))
    learner = Learner(
        first_names=first,
        surname=last,
        date_of_birth=born,
        year_group=year,
        upn=number,
        login=LoginMaker(used).make(first, last),
        status=LearnerStatus.ON_ROLL,
        origin=LearnerOrigin.QUICK_CREATE,
    )
    learner.needs_check = True
    session.add(learner)
    session.flush()
    if group_id is not None:
        session.add(GroupMembership(learner_id=learner.id, group_id=group_id))
    audit.record(
        session, actor, "learner_quick_created", entity="learner", entity_id=learner.id,
        new=f"{first} {last}",
        detail="created in class" + (f" in {group_name}" if group_name else "")
        + ("; possible duplicate confirmed by the teacher" if duplicates else ""),
    )  # fmt: skip
    require_may_issue_temporary(session, actor, [learner.id])
    password, hashed = prepare_password()
    prepared = PreparedPassword(
        learner.id, PasswordRow(learner.login, first, last, group_name, password), hashed
    )
    return QuickCreateResult(
        True, learner.id, learner.login, prepared, tuple(warnings), tuple(duplicates),
        tuple(duplicate_ids),
    )  # fmt: skip
