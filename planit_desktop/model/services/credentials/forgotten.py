""" "Forgotten Password": a learner given a new temporary password in class.

The learner site's second in-class function, for any signed-in member of staff (a supervisor
with no groups included, as after every year end), each time confirmed by the staff member's
own password. One learner is found by their exact login name, or by their name and date of
birth; nothing about any other learner is shown (two learners with the same name and date of
birth are refused, to be found by login name instead). The new temporary password is
*prepared* here and starts working when delivered
(:func:`~planit_desktop.model.services.credentials.learner_passwords.
deliver_temporary_password`), having been shown once or saved on a slip; the learner's old
password works until then, and then stops. Delivery is audited; a wrong staff password is
refused, and audited as every refusal is.

Administrators keep secondary passwords (:mod:`.secondary`) as the support route for
learners who are not in front of a member of staff.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Learner
from planit_desktop.model.errors import InvalidInput, NotFound, Refused
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.credentials.learner_passwords import (
    PreparedPassword,
    grant_for,
    prepare_password,
)
from planit_desktop.model.services.credentials.outputs import PasswordRow
from planit_desktop.model.services.learners.duplicates import duplicate_key
from planit_desktop.model.services.permissions import require_staff
from planit_desktop.model.services.staff.sign_in import confirm_own_password
from planit_desktop.model.validation.dates import parse_date
from planit_desktop.model.validation.names import normalise_name

__all__ = ["TASK", "prepare_forgotten_password"]

#: Completes "Only a signed-in member of staff can …" (and names a refusal in the audit).
TASK = "give a learner a forgotten password"


def _by_login(session: Session, login: str) -> Learner:
    text = login.strip()
    found = session.scalars(
        select(Learner).where(
            func.lower(Learner.login) == text.lower(), Learner.status == LearnerStatus.ON_ROLL
        )
    ).all()
    if len(found) != 1:
        raise NotFound(
            f"No learner on roll has the login name “{text}”. Check it with the learner, or "
            "find them by name and date of birth. No password was issued."
        )
    return found[0]


def _by_name_and_birth(
    session: Session, first_names: str, surname: str, date_of_birth: date | str
) -> Learner:
    first = normalise_name(first_names, field="first name")
    last = normalise_name(surname, field="surname")
    born = parse_date(date_of_birth)
    key = duplicate_key(first, last, born)
    same_day = session.scalars(
        select(Learner).where(
            Learner.date_of_birth == born, Learner.status == LearnerStatus.ON_ROLL
        )
    )
    found = [
        learner
        for learner in same_day
        if duplicate_key(learner.first_names, learner.surname, born) == key
    ]
    if not found:
        raise NotFound(
            "No learner on roll has that name and date of birth. Check the spelling and the "
            "date with the learner, or find them by login name. No password was issued."
        )
    if len(found) > 1:
        raise Refused(
            f"{len(found)} learners on roll have that name and date of birth, so Plan-it "
            "cannot tell which one this is: find the learner by their login name instead. "
            "No password was issued."
        )
    return found[0]


def prepare_forgotten_password(
    session: Session,
    actor: Actor,
    *,
    staff_password: str,
    login: str | None = None,
    first_names: str | None = None,
    surname: str | None = None,
    date_of_birth: date | str | None = None,
) -> PreparedPassword:
    """Find one learner on roll and prepare them a new temporary password (not stored yet).

    Open to every signed-in member of staff, confirmed by ``staff_password`` (their own;
    a wrong one raises :class:`~planit_desktop.model.errors.PermissionDenied`). The learner
    is found by exact ``login`` (case ignored), or by ``first_names``, ``surname`` and
    ``date_of_birth`` together (names as the duplicate check compares them). Nothing is
    written: deliver the result with :func:`~planit_desktop.model.services.credentials.
    learner_passwords.deliver_temporary_password` once shown or on its slip; it is marked
    as this member of staff's, so only they can deliver it. Call it in a write transaction,
    so that a refusal is audited.
    """
    from planit_desktop.model.services.groups.listing import tutor_groups

    require_staff(session, actor, TASK)
    confirm_own_password(session, actor, staff_password, task=TASK)
    if login is not None and login.strip():
        learner = _by_login(session, login)
    elif first_names and surname and date_of_birth:
        learner = _by_name_and_birth(session, first_names, surname, date_of_birth)
    else:
        raise InvalidInput(
            "Type the learner's login name, or their first names, surname and date of birth."
        )
    password, hashed = prepare_password()
    group = tutor_groups(session, [learner.id])[learner.id]
    row = PasswordRow(learner.login, learner.first_names, learner.surname, group, password)
    return PreparedPassword(learner.id, row, hashed, grant=grant_for(actor, learner.id, hashed))
