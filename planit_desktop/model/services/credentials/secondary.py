"""Secondary passwords for learners who forgot theirs: issued, then printed as list or slips.

Issuing is :func:`~planit_desktop.model.services.credentials.learner_passwords.
issue_secondary_passwords`; this module only turns its result into the rows that
:func:`~planit_desktop.model.services.credentials.outputs.write_password_list` and
:func:`~planit_desktop.model.services.credentials.outputs.write_password_slips` print (call
them with ``secondary=True``), and lists the learners whose secondary password is unused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Learner
from planit_desktop.model.services._sql import chunks
from planit_desktop.model.services.credentials.delivery import PasswordDelivery
from planit_desktop.model.services.credentials.learner_passwords import (
    issue_secondary_passwords,
    learners_with_unused_secondary,
)
from planit_desktop.model.services.credentials.outputs import PasswordRow
from planit_desktop.model.services.groups.listing import tutor_groups
from planit_desktop.model.services.learners.roll import LearnerRow, learner_rows


def password_rows(session: Session, passwords: Mapping[int, str]) -> list[PasswordRow]:
    """Rows for the password list and slips from ``{learner id: clear password}``."""
    groups = tutor_groups(session, passwords)
    ids = sorted(passwords)
    rows: list[PasswordRow] = []
    for chunk in chunks(ids):
        query = select(Learner.id, Learner.login, Learner.first_names, Learner.surname).where(
            Learner.id.in_(chunk)
        )
        for lid, login, first, surname in session.execute(query):
            rows.append(PasswordRow(login, first, surname, groups[lid], passwords[lid]))
    return rows


def issue_secondary(
    session: Session,
    actor: Actor,
    learner_ids: Iterable[int],
    *,
    executor: Executor | None = None,
    delivery: PasswordDelivery | None = None,
) -> list[PasswordRow]:
    """Issue secondary passwords (administrators) and return the rows to print, once.

    With ``delivery`` (every caller that hands them out gives one) the list or slips are
    written and synced before the transaction commits: if they cannot be, no password is
    issued.
    """
    passwords = issue_secondary_passwords(session, actor, learner_ids, executor=executor)
    rows = password_rows(session, passwords)
    if delivery is not None:
        delivery.stage(session, actor, rows)
    return rows


def unused_secondary(session: Session, actor: Actor) -> list[LearnerRow]:
    """The learners ``actor`` may see who hold a secondary password not yet used."""
    return learner_rows(session, actor, learners_with_unused_secondary(session, actor))
