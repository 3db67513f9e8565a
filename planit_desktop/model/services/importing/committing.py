"""Committing an import: one transaction for the whole file, learners inserted in batches.

Passwords are hashed *before* the transaction (hashing 2,000 passwords takes minutes of CPU;
the database must not be locked meanwhile), on every core, with progress and Cancel. Inside
the transaction the file is checked again against the database as it now is, so a learner
added by someone else in the meantime is never duplicated.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planit_desktop.model import stages
from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, GroupMembership, Learner
from planit_desktop.model.errors import InvalidInput, Refused
from planit_desktop.model.kinds import LearnerOrigin, LearnerStatus
from planit_desktop.model.services import audit
from planit_desktop.model.services.credentials.delivery import PasswordDelivery
from planit_desktop.model.services.credentials.learner_passwords import (
    prepare_password,
    store_temporary_passwords,
)
from planit_desktop.model.services.credentials.outputs import PasswordRow
from planit_desktop.model.services.importing.checking import CheckResult, check_table, load_context
from planit_desktop.model.services.importing.duplicates import Decision
from planit_desktop.model.services.importing.planning import ImportPlan, plan_import
from planit_desktop.model.services.importing.table import SourceKind
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import hold_academic_year
from planit_desktop.model.wording import count_of

BATCH = 1000
MAX_LOGIN_BASE = 40
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss"})
_NOT_LETTERS = re.compile(r"[^a-z]+")


class ImportCancelled(Refused):
    """The coordinator pressed Cancel while passwords were prepared: nothing was imported."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did. ``password_rows`` hold the only copies of the clear passwords."""

    source_name: str
    rows: int
    created: tuple[int, ...]
    reinstated: tuple[int, ...]
    left_out_rows: tuple[int, ...]
    groups_created: tuple[str, ...]
    password_rows: tuple[PasswordRow, ...]
    #: Of ``created`` and ``reinstated``: learners joining next academic year (not on roll).
    joining: tuple[int, ...] = ()

    @property
    def imported(self) -> int:
        return len(self.created) + len(self.reinstated)

    def summary(self) -> str:
        """What the import did, in counts that add up: "24 new learners imported and 1
        reinstated from learners.xlsx. Tutor groups created: 7Q. 2 rows left out."."""
        created, back = len(self.created), len(self.reinstated)
        if created and back:
            done = f"{count_of(created, 'new learner')} imported and {back:,} reinstated"
        elif back:
            done = f"{count_of(back, 'learner')} who had left reinstated"
        else:
            done = f"{count_of(created, 'new learner')} imported"
        text = f"{done} from {self.source_name}."
        if self.groups_created:
            text += " Tutor groups created: " + ", ".join(self.groups_created) + "."
        if self.left_out_rows:
            text += f" {count_of(len(self.left_out_rows), 'row')} left out."
        return text


def hash_passwords_parallel(
    n: int,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[tuple[str, str]]:
    """``n`` new (password, argon2id hash) pairs, made on ``workers`` threads (every core).

    argon2-cffi releases the GIL while hashing, so threads use every core. ``progress(done,
    n)`` is called as pairs complete; when ``cancelled()`` turns true, the work stops and
    :class:`ImportCancelled` is raised.
    """
    if n <= 0:
        return []
    workers = max(1, workers or os.cpu_count() or 1)
    results: list[tuple[str, str]] = []
    submitted = 0
    halfway = False
    # A short queue keeps Cancel prompt: at most two pairs per worker are ever waiting.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2") as pool:
        pending: set[Future[tuple[str, str]]] = set()
        while len(results) < n:
            while submitted < n and len(pending) < 2 * workers:
                pending.add(pool.submit(prepare_password))
                submitted += 1
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            results.extend(future.result() for future in finished)
            if progress is not None:
                progress(len(results), n)
            if not halfway and 2 * len(results) >= n:
                halfway = True
                stages.reached("hashing")
            if cancelled is not None and cancelled():
                for future in pending:
                    future.cancel()
                raise ImportCancelled("The import was cancelled: nothing was imported.")
    return results


def login_base(first_names: str, surname: str) -> str:
    """``"Zoë Anne"``, ``"O'Brien"`` → ``"zobrien"``: the first initial and the surname, ASCII."""

    def ascii_letters(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
        return _NOT_LETTERS.sub("", decomposed.encode("ascii", "ignore").decode().lower())

    base = (ascii_letters(first_names)[:1] + ascii_letters(surname))[:MAX_LOGIN_BASE]
    return base if len(base) >= 2 else f"learner{base}"


class LoginMaker:
    """Unique logins: base + the smallest number not used in the database or the file."""

    def __init__(self, used: set[str]) -> None:
        self.used = used
        self.next_number: dict[str, int] = {}

    def make(self, first_names: str, surname: str) -> str:
        base = login_base(first_names, surname)
        number = self.next_number.get(base, 1)
        while f"{base}{number}" in self.used:
            number += 1
        login = f"{base}{number}"
        self.used.add(login)
        self.next_number[base] = number + 1
        return login


def import_learners(
    session: Session,
    actor: Actor,
    checked: CheckResult,
    *,
    decisions: Mapping[int, Decision] | None = None,
    password_pairs: Sequence[tuple[str, str]],
    source_name: str,
    skip_invalid: bool = False,
    today: date | None = None,
    delivery: PasswordDelivery | None = None,
) -> ImportResult:
    """Import the checked file in the caller's transaction (administrators only).

    Creates learners (with unique logins, tutor groups created as needed), reinstates the
    learners who left that the coordinator chose to reinstate, stores each one's temporary
    password (from ``password_pairs``, made by :func:`hash_passwords_parallel`; must be
    changed at first sign-in), and audits the import as one entry with the file name and
    row count, plus one entry per learner. Refused, with nothing imported, when any row has
    an error or an undecided duplicate (unless ``skip_invalid``), when the database changed
    since the file was checked in a way that matters, or when the school moved into another
    academic year since (the school row stays locked until the transaction ends, as the
    rollover locks it, so the two are serial).

    ``delivery`` writes the password list and slips before the transaction commits (see
    :mod:`~planit_desktop.model.services.credentials.delivery`): if they cannot be written,
    nothing is imported. Every caller that hands passwords to people gives one; without it
    the clear passwords are only in the result (for tests and benchmarks).
    """
    require_administrator(session, actor, "import learners")
    hold_academic_year(
        session,
        checked.academic_year,
        while_="this file was being checked",
        nothing="Nothing was imported.",
    )
    decisions = dict(decisions or {})
    before = plan_import(checked, decisions, skip_invalid=skip_invalid)
    # Check again inside the transaction: the database may have changed since the preview.
    context = load_context(session, today=today or checked.today)
    rechecked = check_table(checked.table, context)
    try:
        plan = plan_import(rechecked, decisions, skip_invalid=skip_invalid)
    except Refused as refused:
        raise Refused(
            "The school's learners changed since the file was checked, and now: "
            f"{refused.message} Check the file again."
        ) from refused
    if plan.key() != before.key():
        raise Refused(
            "The school's learners changed since the file was checked (another import or a "
            "correction). Check the file again; nothing was imported."
        )
    if len(password_pairs) < plan.passwords_needed:
        raise InvalidInput(
            f"{plan.passwords_needed:,} temporary passwords are needed, but "
            f"{len(password_pairs):,} were prepared."
        )
    try:
        result = _write(
            session,
            actor,
            checked=rechecked,
            plan=plan,
            password_pairs=password_pairs,
            source_name=source_name,
        )
        session.flush()
    except IntegrityError as error:
        raise Refused(
            "The import clashed with a change made at the same time (a UPN, SIMS number or "
            "login now taken). Nothing was imported; check the file again."
        ) from error
    if delivery is not None:
        delivery.stage(session, actor, result.password_rows)
    return result


def _write(
    session: Session,
    actor: Actor,
    *,
    checked: CheckResult,
    plan: ImportPlan,
    password_pairs: Sequence[tuple[str, str]],
    source_name: str,
) -> ImportResult:
    group_ids = _group_ids(session, actor, plan)
    logins = LoginMaker(set(session.scalars(select(Learner.login))))
    origin = (
        LearnerOrigin.TRANSFER_FILE
        if checked.table.kind is SourceKind.TRANSFER_FILE
        else LearnerOrigin.IMPORT
    )
    rows: list[dict[str, Any]] = []
    for row in plan.create:
        draft = row.draft
        assert draft is not None
        rows.append(
            {
                "first_names": draft.first_names,
                "surname": draft.surname,
                "date_of_birth": draft.date_of_birth,
                "year_group": draft.year_group,
                "sex": draft.sex,
                "ethnicity": draft.ethnicity,
                "upn": draft.upn,
                "sims_number": draft.sims_number,
                "login": logins.make(draft.first_names, draft.surname),
                "status": LearnerStatus.JOINING if draft.joining else LearnerStatus.ON_ROLL,
                "origin": origin,
                "version": 1,
            }
        )
    created: list[int] = []
    for start in range(0, len(rows), BATCH):
        statement = insert(Learner).returning(Learner.id, sort_by_parameter_order=True)
        created.extend(session.scalars(statement, rows[start : start + BATCH]))
    memberships = [
        {"learner_id": learner_id, "group_id": group_ids[row.draft.tutor_group.casefold()]}
        for learner_id, row in zip(created, plan.create, strict=True)
        if row.draft is not None and row.draft.tutor_group
    ]
    joining = [
        learner_id
        for learner_id, row in zip(created, plan.create, strict=True)
        if row.draft is not None and row.draft.joining
    ]
    reinstated = _reinstate(session, plan, group_ids, memberships)
    joining += [learner_id for row, learner_id in plan.reinstate if row.draft and row.draft.joining]
    if memberships:
        session.execute(insert(GroupMembership), memberships)

    people: list[tuple[int, str, str, str | None, str]] = [
        (learner_id, row.draft.first_names, row.draft.surname, row.draft.tutor_group, login)
        for learner_id, row, login in zip(
            created, plan.create, (r["login"] for r in rows), strict=True
        )
        if row.draft is not None
    ]
    people.extend(reinstated)
    # Year groups order the slips (Year 7 first).
    chosen = [*zip(created, plan.create, strict=True), *((lid, row) for row, lid in plan.reinstate)]
    years = {lid: row.draft.year_group for lid, row in chosen if row.draft is not None}
    pairs = dict(zip((p[0] for p in people), password_pairs, strict=False))
    store_temporary_passwords(session, actor, pairs)

    audit.record(
        session,
        actor,
        "learners imported",
        entity="import",
        detail=f"{source_name}: {len(checked.rows):,} rows; {len(created):,} learners created, "
        f"{len(reinstated):,} reinstated, "
        + (f"{len(joining):,} of them joining next academic year, " if joining else "")
        + f"{len(plan.left_out):,} rows left out, "
        f"{len(plan.new_tutor_groups):,} tutor groups created",
    )
    audit.record_many(
        session,
        actor,
        [
            {
                "action": "learner created",
                "entity": "learner",
                "entity_id": learner_id,
                "detail": f"imported from {source_name}",
            }
            for learner_id in created
        ]
        + [
            {
                "action": "learner reinstated",
                "entity": "learner",
                "entity_id": person[0],
                "field": "status",
                "old": "left",
                "new": (
                    LearnerStatus.JOINING if person[0] in joining else LearnerStatus.ON_ROLL
                ).value,
                "detail": f"reinstated by the import of {source_name}",
            }
            for person in reinstated
        ],
    )
    return ImportResult(
        source_name=source_name,
        rows=len(checked.rows),
        created=tuple(created),
        reinstated=tuple(p[0] for p in reinstated),
        left_out_rows=tuple(r.number for r in plan.left_out),
        groups_created=plan.new_tutor_groups,
        joining=tuple(joining),
        password_rows=tuple(
            PasswordRow(login, first, surname, group, pairs[learner_id][0], years.get(learner_id))
            for learner_id, first, surname, group, login in people
        ),
    )


def _group_ids(session: Session, actor: Actor, plan: ImportPlan) -> dict[str, int]:
    """Folded name → id of every tutor group, creating the plan's new ones."""
    ids = {name.casefold(): gid for gid, name in session.execute(select(Group.id, Group.name))}
    new = [{"name": name} for name in plan.new_tutor_groups if name.casefold() not in ids]
    if new:
        statement = insert(Group).returning(Group.id, Group.name, sort_by_parameter_order=True)
        created = list(session.execute(statement, new))
        for gid, name in created:
            ids[name.casefold()] = gid
        audit.record_many(
            session,
            actor,
            (
                {"action": "group created", "entity": "group", "entity_id": gid, "new": name}
                for gid, name in created
            ),
        )
    return ids


def _reinstate(
    session: Session,
    plan: ImportPlan,
    group_ids: Mapping[str, int],
    memberships: list[dict[str, int]],
) -> list[tuple[int, str, str, str | None, str]]:
    """Put the chosen learners who left back on roll, in the file's year and tutor group.

    Their old group memberships are replaced when the file names a tutor group. Missing
    UPN or SIMS numbers are filled from the file; a recorded one is never overwritten.
    """
    people: list[tuple[int, str, str, str | None, str]] = []
    for row, learner_id in plan.reinstate:
        draft = row.draft
        assert draft is not None
        learner = session.get(Learner, learner_id)
        if learner is None:
            raise Refused("A learner to reinstate no longer exists. Check the file again.")
        learner.status = LearnerStatus.JOINING if draft.joining else LearnerStatus.ON_ROLL
        learner.left_on = None
        learner.left_reason = None
        learner.year_group = draft.year_group
        learner.upn = learner.upn or draft.upn
        learner.sims_number = learner.sims_number or draft.sims_number
        if draft.tutor_group:
            session.execute(delete(GroupMembership).where(GroupMembership.learner_id == learner_id))
            memberships.append(
                {"learner_id": learner_id, "group_id": group_ids[draft.tutor_group.casefold()]}
            )
        people.append(
            (learner_id, learner.first_names, learner.surname, draft.tutor_group, learner.login)
        )
    session.flush()
    return people
