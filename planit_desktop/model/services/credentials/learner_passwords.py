"""Learner credential rules: temporary and secondary passwords, issued and stored.

The learner-facing sign-in site is not part of this program, but its rules are, so they are
written (:mod:`~planit_desktop.model.services.credentials.learner_site`, how they are used
there) and tested here:

- a temporary password (issued on import or in class) must be changed at first sign-in;
- a secondary password is issued in addition to the existing one, for a learner who forgot
  theirs; signing in with the existing password makes the secondary one stop working;
- signing in with the secondary password requires choosing a new password, after which the
  secondary one stops working.

Only argon2id hashes are stored, and no audit entry ever holds a clear-text password.
"Unique to its learner" means each learner gets a secondary password generated for them
alone from ~3.6 × 10¹⁷ possibilities (57¹⁰); salted hashes cannot be compared with other
learners' (and trying would take 50 ms per learner), so no such comparison is made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import GroupMembership, Learner, LearnerCredential
from planit_desktop.model.errors import NotFound, PermissionDenied, Refused
from planit_desktop.model.kinds import LearnerOrigin, LearnerStatus
from planit_desktop.model.services import audit
from planit_desktop.model.services._sql import CHUNK, chunks
from planit_desktop.model.services.credentials.delivery import PasswordDelivery
from planit_desktop.model.services.credentials.hashing import (
    generate_password,
    hash_password,
)
from planit_desktop.model.services.credentials.outputs import PasswordRow
from planit_desktop.model.services.permissions import (
    require_administrator,
    require_staff,
    visible_group_ids,
    visible_learners,
)


def prepare_password() -> tuple[str, str]:
    """One new random password and its argon2id hash. Pure: safe on any thread or process."""
    password = generate_password()
    return password, hash_password(password)


def prepare_passwords(count: int, *, executor: Executor | None = None) -> list[tuple[str, str]]:
    """``count`` (password, hash) pairs; hashing is the slow part, so it may run on a pool.

    Nothing here touches the database: an import can prepare pairs on worker threads or
    processes and then store them with :func:`store_temporary_passwords`.
    """
    if executor is None:
        return [prepare_password() for _ in range(count)]
    return list(executor.map(_prepare_one, range(count)))


def _prepare_one(_index: int) -> tuple[str, str]:
    return prepare_password()


def _learner_logins(session: Session, learner_ids: list[int]) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    for chunk in chunks(learner_ids):
        for lid, login, status in session.execute(
            select(Learner.id, Learner.login, Learner.status).where(Learner.id.in_(chunk))
        ):
            found[lid] = (login, str(status))
    missing = [lid for lid in learner_ids if lid not in found]
    if missing:
        raise NotFound(
            f"{len(missing)} of the learners chosen no longer exist; refresh the list. "
            "No password was issued."
        )
    return found


def _with_credentials(session: Session, ids: list[int]) -> set[int]:
    existing: set[int] = set()
    for chunk in chunks(ids):
        existing.update(
            session.scalars(
                select(LearnerCredential.learner_id).where(LearnerCredential.learner_id.in_(chunk))
            )
        )
    return existing


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Update the credential rows that exist and insert the others, a batch at a time."""
    existing = _with_credentials(session, [row["learner_id"] for row in rows])
    updates = [row for row in rows if row["learner_id"] in existing]
    inserts = [row for row in rows if row["learner_id"] not in existing]
    if updates:
        session.execute(update(LearnerCredential), updates)
    if inserts:
        session.execute(insert(LearnerCredential), inserts)


def require_may_issue_temporary(session: Session, actor: Actor, learner_ids: list[int]) -> None:
    """Administrators may; a supervisor only for learners created in class with no password."""
    if visible_group_ids(session, actor) is None:
        return
    if len(learner_ids) > CHUNK:  # more than one IN (…) holds: bulk work, for administrators
        require_administrator(session, actor, "issue learners' passwords in bulk")
    allowed = set(
        session.scalars(
            select(Learner.id)
            .outerjoin(LearnerCredential, LearnerCredential.learner_id == Learner.id)
            .where(
                Learner.id.in_(learner_ids),
                Learner.origin == LearnerOrigin.QUICK_CREATE,
                LearnerCredential.password_hash.is_(None),
            )
        )
    )
    if not allowed.issuperset(learner_ids):
        require_administrator(session, actor, "reset a learner's password")


def store_temporary_passwords(
    session: Session, actor: Actor, pairs: Mapping[int, tuple[str, str]]
) -> None:
    """Store prepared (password, hash) pairs as learners' temporary passwords.

    Only the hashes are kept; each learner must change theirs at first sign-in. A secondary
    password the learner had stops working. One audit entry per learner, none with the
    password in it.
    """
    ids = sorted(pairs)
    require_may_issue_temporary(session, actor, ids)
    _store_temporary(session, actor, pairs, TEMPORARY_DETAIL)


#: What the audit says of a temporary password issued.
TEMPORARY_DETAIL = "temporary password issued; must be changed at first sign-in"


def _store_temporary(
    session: Session, actor: Actor, pairs: Mapping[int, tuple[str, str]], detail: str
) -> None:
    """Store the hashes (the caller has checked that ``actor`` may), one audit entry each."""
    ids = sorted(pairs)
    _learner_logins(session, ids)
    now = datetime.now()
    _upsert(
        session,
        [
            {
                "learner_id": lid,
                "password_hash": pairs[lid][1],
                "must_change": True,
                "password_changed_at": now,
                "secondary_hash": None,
                "secondary_issued_at": None,
            }
            for lid in ids
        ],
    )
    audit.record_many(
        session,
        actor,
        (
            {
                "action": "learner_temporary_password",
                "entity": "learner",
                "entity_id": lid,
                "detail": detail,
            }
            for lid in ids
        ),
    )


def issue_temporary_passwords(
    session: Session,
    actor: Actor,
    learner_ids: Iterable[int],
    *,
    executor: Executor | None = None,
) -> dict[int, str]:
    """Issue new temporary passwords; returns each learner's clear text, shown only once."""
    ids = sorted(set(learner_ids))
    require_may_issue_temporary(session, actor, ids)
    prepared = prepare_passwords(len(ids), executor=executor)
    pairs = dict(zip(ids, prepared, strict=True))
    store_temporary_passwords(session, actor, pairs)
    return {lid: password for lid, (password, _hash) in pairs.items()}


def issue_temporary_password(session: Session, actor: Actor, learner_id: int) -> str:
    """Issue one learner a temporary password; the clear text is returned once."""
    return issue_temporary_passwords(session, actor, [learner_id])[learner_id]


@dataclass(frozen=True, slots=True)
class PreparedPassword:
    """A temporary password made for one learner and not stored yet: it does not work until
    :func:`deliver_temporary_password` stores its hash, once its only copy is safe."""

    learner_id: int
    row: PasswordRow
    password_hash: str = field(repr=False)
    #: Set by Forgotten Password (:mod:`.forgotten`): the staff member's own password was
    #: confirmed for this learner and this password, so any member of staff may deliver it.
    grant: str = field(default="", repr=False, compare=False)

    @property
    def password(self) -> str:
        return self.row.password


# A key of this process alone: a grant made by Forgotten Password cannot be made up by any
# other code path, nor outlive the program (a prepared password never does either).
_GRANT_KEY = secrets.token_bytes(32)


def grant_for(actor: Actor, learner_id: int, password_hash: str) -> str:
    """The mark that ``actor`` confirmed their own password to give ``learner_id`` the
    password whose hash is ``password_hash`` (made only by Forgotten Password)."""
    message = f"{actor.staff_id}:{learner_id}:{password_hash}".encode()
    return hmac.new(_GRANT_KEY, message, hashlib.sha256).hexdigest()


#: What the audit says of a password given by Forgotten Password.
FORGOTTEN_DETAIL = (
    "Forgotten Password: temporary password issued, confirmed with the staff member's own "
    "password; must be changed at first sign-in"
)


def prepare_temporary_password(session: Session, actor: Actor, learner_id: int) -> PreparedPassword:
    """A new temporary password for one learner, hashed but not stored (nothing is written).

    Administrators may prepare one for any learner; a supervisor only for a learner created
    in class who has no password yet (one whose first password was never delivered).
    """
    from planit_desktop.model.services.groups.listing import tutor_groups

    require_may_issue_temporary(session, actor, [learner_id])
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise NotFound("That learner no longer exists. Refresh the list. No password was issued.")
    visible = visible_learners(session, actor)
    if visible is not None and session.scalar(visible.where(Learner.id == learner_id)) is None:
        require_administrator(session, actor, "give a password to a learner outside their groups")
    password, hashed = prepare_password()
    group = tutor_groups(session, [learner_id])[learner_id]
    row = PasswordRow(
        learner.login, learner.first_names, learner.surname, group, password, learner.year_group
    )
    return PreparedPassword(learner_id, row, hashed)


def deliver_temporary_password(
    session: Session,
    actor: Actor,
    prepared: PreparedPassword,
    *,
    delivery: PasswordDelivery | None = None,
) -> None:
    """Store a prepared temporary password now that its only copy is safe.

    A password shown on screen is delivered when the person who hands it out has seen it and
    closes it (they were told it cannot be shown again); one printed on a slip, when the slip
    is saved: with ``delivery`` the slip is written and synced before this transaction
    commits, and put in place after it. Until then the learner simply has no password, and
    one can be prepared again.
    """
    pairs = {prepared.learner_id: (prepared.password, prepared.password_hash)}
    if prepared.grant:
        # Forgotten Password: open to every member of staff, who confirmed their password.
        require_staff(session, actor, "give a learner a forgotten password")
        expected = grant_for(actor, prepared.learner_id, prepared.password_hash)
        if not hmac.compare_digest(prepared.grant, expected):
            raise PermissionDenied(
                "This password was not prepared for you. Nothing was issued.",
                actor_login=actor.login,
                action="deliver a forgotten password prepared for someone else",
            )
        _store_temporary(session, actor, pairs, FORGOTTEN_DETAIL)
    else:
        store_temporary_passwords(session, actor, pairs)
    if delivery is not None:
        delivery.stage(session, actor, [prepared.row])


def store_secondary_passwords(
    session: Session, actor: Actor, pairs: Mapping[int, tuple[str, str]]
) -> None:
    """Store prepared (password, hash) pairs as learners' secondary passwords.

    Administrators only, for learners on roll. The existing password keeps working.
    """
    require_administrator(session, actor, "issue secondary passwords")
    ids = sorted(pairs)
    found = _learner_logins(session, ids)
    gone = [lid for lid in ids if found[lid][1] != LearnerStatus.ON_ROLL.value]
    if gone:
        raise Refused(
            f"{len(gone)} of the learners chosen are no longer on roll, so they cannot sign "
            "in. No password was issued."
        )
    now = datetime.now()
    existing = _with_credentials(session, ids)
    rows = [
        {"learner_id": lid, "secondary_hash": pairs[lid][1], "secondary_issued_at": now}
        for lid in ids
    ]
    if updates := [row for row in rows if row["learner_id"] in existing]:
        session.execute(update(LearnerCredential), updates)
    if inserts := [row for row in rows if row["learner_id"] not in existing]:
        # A learner with no password at all yet: the secondary one is all they have.
        session.execute(insert(LearnerCredential), [row | {"must_change": True} for row in inserts])
    audit.record_many(
        session,
        actor,
        (
            {"action": "learner_secondary_password", "entity": "learner", "entity_id": lid}
            for lid in ids
        ),
    )


def issue_secondary_passwords(
    session: Session,
    actor: Actor,
    learner_ids: Iterable[int],
    *,
    executor: Executor | None = None,
) -> dict[int, str]:
    """Issue secondary passwords (administrators); returns the clear texts, shown once."""
    require_administrator(session, actor, "issue secondary passwords")
    ids = sorted(set(learner_ids))
    pairs = dict(zip(ids, prepare_passwords(len(ids), executor=executor), strict=True))
    store_secondary_passwords(session, actor, pairs)
    return {lid: password for lid, (password, _hash) in pairs.items()}


def issue_secondary_password(session: Session, actor: Actor, learner_id: int) -> str:
    """Issue one learner a secondary password, in addition to their existing one."""
    return issue_secondary_passwords(session, actor, [learner_id])[learner_id]


def learners_with_unused_secondary(session: Session, actor: Actor) -> list[int]:
    """Learners (that ``actor`` may see) holding a secondary password not yet used."""
    query = select(LearnerCredential.learner_id).where(
        LearnerCredential.secondary_hash.is_not(None)
    )
    visible = visible_group_ids(session, actor)
    if visible is not None:
        if not visible:
            return []
        query = query.where(
            LearnerCredential.learner_id.in_(
                select(GroupMembership.learner_id).where(GroupMembership.group_id.in_(visible))
            )
        )
    return sorted(session.scalars(query))
