"""The learner-facing site's rules: how a learner signs in with their password, a temporary
one or a secondary one, and chooses a new one.

The site is not part of this program, but its rules are (the passwords it checks are issued
here: :mod:`~planit_desktop.model.services.credentials.learner_passwords`), so they are
written and tested here. Each outcome is audited, never a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planit_desktop.model.entities import Learner, LearnerCredential
from planit_desktop.model.errors import InvalidInput, Refused
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services import audit
from planit_desktop.model.services.credentials.hashing import (
    MIN_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)

WRONG = "The login name or password is not right."


@dataclass(frozen=True, slots=True)
class LearnerSignInOutcome:
    """How a learner's sign-in went, by the rules of the learner-facing site."""

    signed_in: bool
    learner_id: int | None = None
    #: True after a temporary password or the secondary one: choose a new password now.
    must_choose_new_password: bool = False
    used_secondary: bool = False
    message: str = ""


def _learner_credential(
    session: Session, learner: int | str
) -> tuple[Learner, LearnerCredential] | None:
    query = select(Learner, LearnerCredential).join(
        LearnerCredential, LearnerCredential.learner_id == Learner.id
    )
    if isinstance(learner, int):
        query = query.where(Learner.id == learner)
    else:
        query = query.where(func.lower(Learner.login) == learner.strip().lower())
    row = session.execute(query).first()
    if row is None or row[0].status is not LearnerStatus.ON_ROLL:
        return None
    return row[0], row[1]


def learner_sign_in(session: Session, learner: int | str, password: str) -> LearnerSignInOutcome:
    """Apply the learner site's sign-in rules to ``learner`` (an id or a login name).

    The existing password works and ends any secondary password; the secondary password
    works but requires a new password to be chosen; a temporary password also requires one.
    Learners who are not on roll cannot sign in. Each outcome is audited, never a password.
    """
    found = _learner_credential(session, learner)
    who = f"learner:{learner}"
    if found is None:
        audit.record(session, who, "learner_sign_in_failed", detail="unknown or not on roll")
        return LearnerSignInOutcome(False, message=WRONG)
    person, credential = found
    who = f"learner:{person.login}"
    if verify_password(credential.password_hash, password):
        assert credential.password_hash is not None
        if needs_rehash(credential.password_hash):
            credential.password_hash = hash_password(password)
        ended = credential.secondary_hash is not None
        credential.secondary_hash = None
        credential.secondary_issued_at = None
        audit.record(
            session, who, "learner_sign_in", entity="learner", entity_id=person.id,
            detail="existing password" + ("; secondary password ended" if ended else ""),
        )  # fmt: skip
        must = credential.must_change
        message = "Choose a new password now: this one was temporary." if must else ""
        return LearnerSignInOutcome(True, person.id, must, False, message)
    if verify_password(credential.secondary_hash, password):
        audit.record(
            session, who, "learner_sign_in", entity="learner", entity_id=person.id,
            detail="secondary password; a new password must be chosen",
        )  # fmt: skip
        return LearnerSignInOutcome(
            True, person.id, True, True, "Choose a new password now to finish signing in."
        )
    audit.record(session, who, "learner_sign_in_failed", entity="learner", entity_id=person.id)
    return LearnerSignInOutcome(False, person.id, message=WRONG)


def choose_new_password(session: Session, learner: int | str, current: str, new: str) -> None:
    """A learner replaces their current, temporary or secondary password with ``new``.

    Afterwards the secondary password stops working and no change is required any more.
    """
    found = _learner_credential(session, learner)
    if found is None:
        raise Refused(WRONG)
    person, credential = found
    if not (
        verify_password(credential.password_hash, current)
        or verify_password(credential.secondary_hash, current)
    ):
        raise InvalidInput("The current password is not right. Nothing was changed.")
    if len(new) < MIN_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_LENGTH} characters.")
    if new == current:
        raise InvalidInput("The new password must be different from the one used to sign in.")
    if new.strip().casefold() == person.login.casefold():
        raise InvalidInput("A password cannot be the same as the login name.")
    credential.password_hash = hash_password(new)
    credential.must_change = False
    credential.password_changed_at = datetime.now()
    credential.secondary_hash = None
    credential.secondary_issued_at = None
    audit.record(
        session, f"learner:{person.login}", "learner_password_chosen", entity="learner",
        entity_id=person.id, detail="new password chosen; secondary password ended",
    )  # fmt: skip
