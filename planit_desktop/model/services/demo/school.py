"""The demo school: a realistic, deterministic school to try things on and to benchmark with.

Everything is built as plain rows with primary keys chosen here, then written with a handful
of batched INSERTs, so that 100,000 learners take seconds rather than minutes. Nothing depends
on the clock or on hash order: the same seed gives the same school.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import (
    Group,
    GroupMembership,
    Learner,
    LearnerCredential,
    School,
    Staff,
    Subject,
    SubjectOffer,
    SupervisorAccess,
)
from planit_desktop.model.errors import InvalidInput, Refused
from planit_desktop.model.kinds import StaffRole
from planit_desktop.model.services import audit
from planit_desktop.model.services.credentials.hashing import hash_password
from planit_desktop.model.services.demo.learners import LearnerFactory
from planit_desktop.model.services.demo.names import STAFF_FIRST, STAFF_SURNAMES
from planit_desktop.model.services.permissions import require_founder_or_administrator

#: Known passwords of the demo accounts; ``demo-db`` prints them. Never used outside the demo.
ADMIN_PASSWORD = "demo-admin-pass"
SUPERVISOR_PASSWORD = "demo-supervisor-pass"
LEARNER_PASSWORD = "demo-learner-pass"

MAX_LEARNERS = 500_000
DEFAULT_SCHOOL_NAME = "Riverside Academy (demo)"
LOWEST_YEAR, HIGHEST_YEAR, FIRST_SUBJECT_YEAR = 7, 11, 9
LEARNERS_PER_FORM = 34
BATCH = 10_000

# Subjects offered per year group: Years 10 and 11 deliberately differ (options change).
SUBJECTS = (
    "English KS3",
    "Maths",
    "Science",
    "History",
    "Geography",
    "French",
    "Art",
    "Computing",
    "Business",
    "Health and Social Care",
)
OFFERS: dict[int, tuple[str, ...]] = {
    9: ("English KS3", "Maths", "Science", "History", "Geography", "French", "Art", "Computing"),
    10: ("Maths", "Science", "History", "Geography", "French", "Art", "Computing", "Business"),
    11: ("Maths", "Science", "History", "Geography", "Art", "Business", "Health and Social Care"),
}

# Groups whose names carry a year in other forms, and some that carry none: (name, year or
# None for a mix of years, most members).
EXTRA_GROUPS: tuple[tuple[str, int | None, int], ...] = (
    ("Year 10 Blue", 10, 25),
    ("Year 10 Green", 10, 25),
    ("Y9 Set 1", 9, 30),
    ("Y9 Set 2", 9, 30),
    ("Year 11 Revision", 11, 20),
    ("Oak", None, 20),
    ("Careers Club", None, 20),
)


@dataclass(frozen=True)
class DemoAccount:
    """A demo staff account and its known password."""

    login: str
    name: str
    role: StaffRole
    password: str


@dataclass(frozen=True)
class DemoSchool:
    """What :func:`create_demo_school` made."""

    school_name: str
    academic_year: int
    learners: int  # on roll: exactly the number asked for
    left: int
    completed: int
    groups: int
    subjects: int
    staff: tuple[DemoAccount, ...]
    learner_password: str = LEARNER_PASSWORD
    seed: int = 1

    @property
    def administrators(self) -> tuple[DemoAccount, ...]:
        return tuple(a for a in self.staff if a.role is StaffRole.ADMINISTRATOR)

    @property
    def supervisors(self) -> tuple[DemoAccount, ...]:
        return tuple(a for a in self.staff if a.role is StaffRole.SUPERVISOR)

    def sign_in_accounts(self) -> list[tuple[str, str, str]]:
        """Each kind of demo account: who (Administrators, …), their logins, the password."""
        kinds = []
        for title, accounts in (("Administrators", self.administrators),
                                ("Supervisors", self.supervisors)):  # fmt: skip
            if accounts:
                logins = [account.login for account in accounts]
                shown = logins[0] if len(logins) == 1 else f"{logins[0]} … {logins[-1]}"
                kinds.append((title, shown, accounts[0].password))
        kinds.append(("Learners", "(their login names)", self.learner_password))
        return kinds

    def sign_in_details(self) -> list[str]:
        """The demo accounts' logins and passwords, a line per kind of account."""
        return [
            f"{title:<15} {logins:<28} password: {password}"
            for title, logins, password in self.sign_in_accounts()
        ]


def create_demo_school(
    session: Session,
    *,
    learners: int = 1000,
    seed: int = 1,
    academic_year: int = 2025,
    school_name: str | None = None,
    actor: Actor | None = None,
) -> DemoSchool:
    """Fill an empty database with a realistic demo school; refuse one that holds data.

    ``learners`` learners are on roll across Years 7–11; a few more have left or completed
    last year. Tutor groups, year-named and neutral groups, administrators and supervisors
    (with access for ``academic_year``), subjects offered to Years 9–11 and learner
    credentials are made too. The same ``seed`` always gives the same school.

    It is made by the database's founder (``actor``, by default :meth:`Actor.founder`): an
    empty database has nobody to sign in as, and any other actor is refused.
    """
    name = _check_arguments(learners, academic_year, school_name)
    _refuse_unless_empty(session)
    actor = actor if actor is not None else Actor.founder()
    require_founder_or_administrator(session, actor, "create a demo school")
    rng = random.Random(seed)
    session.add(
        School(
            id=1,
            name=name,
            lowest_year=LOWEST_YEAR,
            highest_year=HIGHEST_YEAR,
            academic_year=academic_year,
            first_subject_year=FIRST_SUBJECT_YEAR,
        )
    )
    session.flush()

    capacity = learners + 2 * _few(learners)
    factory = LearnerFactory(rng, academic_year, capacity, _demo_hash(LEARNER_PASSWORD))
    on_roll = _on_roll_by_year(learners)
    by_year = {year: [factory.on_roll(year) for _ in range(count)] for year, count in on_roll}
    left = [factory.left(rng.randint(LOWEST_YEAR, HIGHEST_YEAR)) for _ in range(_few(learners))]
    completed = [factory.completed(HIGHEST_YEAR) for _ in range(_few(learners))]
    _insert(session, Learner, factory.learner_rows)
    _insert(session, LearnerCredential, factory.credential_rows)

    groups, memberships = _groups(rng, by_year, left)
    _insert(session, Group, [{"id": gid, "name": gname} for gname, gid in groups.items()])
    _insert(session, GroupMembership, memberships)

    staff_rows, accounts = _staff(learners)
    _insert(session, Staff, staff_rows)
    supervisor_ids = [r["id"] for r in staff_rows if r["role"] is StaffRole.SUPERVISOR]
    _insert(
        session, SupervisorAccess, _access(supervisor_ids, list(groups.values()), academic_year)
    )
    _insert(session, Subject, [{"id": i, "name": s} for i, s in enumerate(SUBJECTS, start=1)])
    subject_ids = {s: i for i, s in enumerate(SUBJECTS, start=1)}
    _insert(
        session,
        SubjectOffer,
        [{"subject_id": subject_ids[s], "year_group": y} for y, ss in OFFERS.items() for s in ss],
    )
    _advance_id_sequences(session, (School, Learner, Group, Staff, SupervisorAccess, Subject))

    audit.record(
        session,
        actor,
        "demo school created",
        entity="school",
        entity_id=1,
        detail=f"{name}, {format_academic_year(academic_year)}: {learners:,} learners on roll, "
        f"{len(left)} left, {len(completed)} completed, {len(groups)} groups, "
        f"{len(accounts)} staff (seed {seed})",
    )
    return DemoSchool(
        school_name=name,
        academic_year=academic_year,
        learners=learners,
        left=len(left),
        completed=len(completed),
        groups=len(groups),
        subjects=len(SUBJECTS),
        staff=tuple(accounts),
        seed=seed,
    )


@cache
def _demo_hash(password: str) -> str:
    """One argon2id hash per known demo password, reused by every account and every demo
    school made in this process: hashing is slow on purpose, and these passwords are public.
    """
    return hash_password(password)


def _check_arguments(learners: int, academic_year: int, school_name: str | None) -> str:
    if not 1 <= learners <= MAX_LEARNERS:
        raise InvalidInput(
            f"A demo school has between 1 and {MAX_LEARNERS:,} learners, not {learners:,}."
        )
    if not 1990 <= academic_year <= 2200:
        raise InvalidInput(f"{academic_year} is not a plausible academic year.")
    name = DEFAULT_SCHOOL_NAME if school_name is None else " ".join(school_name.split())
    if not name:
        raise InvalidInput("The school needs a name.")
    if len(name) > 200:
        raise InvalidInput("A school name has at most 200 characters.")
    return name


def _refuse_unless_empty(session: Session) -> None:
    for table in (School, Learner, Group, Staff, Subject):
        if session.scalar(select(func.count()).select_from(table)):
            raise Refused(
                "This database already holds a school's data, so no demo school was added. "
                "Make the demo school in a new, empty database."
            )


def _few(learners: int) -> int:
    """How many left (or completed) learners to add beside ``learners`` on roll: about 1%."""
    return max(1, learners // 100)


def _on_roll_by_year(learners: int) -> list[tuple[int, int]]:
    years = list(range(LOWEST_YEAR, HIGHEST_YEAR + 1))
    share, extra = divmod(learners, len(years))
    # The remainder goes to the youngest years, as in a growing school.
    return [(year, share + (1 if i < extra else 0)) for i, year in enumerate(years)]


def _form_names(year: int, count: int) -> list[str]:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"[:6] if count <= 6 else "ABCDEFGHJKLMNPQRSTUVWXYZ"
    names = [f"{year}{letters[i % len(letters)]}" for i in range(count)]
    # Very large (authority-sized) years need more forms than letters: 7A2, 7B2, …
    return [n if i < len(letters) else f"{n}{i // len(letters) + 1}" for i, n in enumerate(names)]


def _groups(
    rng: random.Random, by_year: dict[int, list[int]], left: Sequence[int]
) -> tuple[dict[str, int], list[dict[str, int]]]:
    """Tutor groups for every year, the extra groups, and who is in each."""
    groups: dict[str, int] = {}
    memberships: list[dict[str, int]] = []
    total = sum(len(ids) for ids in by_year.values())
    # A few learners in no group at all, for the rollover's problem list to find.
    how_many = min(max(2, total // 250), total // 10)
    ungrouped = set(rng.sample([i for ids in by_year.values() for i in ids], how_many))
    tutor_of: dict[int, int] = {}
    for year, ids in by_year.items():
        names = _form_names(year, max(1, math.ceil(len(ids) / LEARNERS_PER_FORM)))
        form_ids = [groups.setdefault(n, len(groups) + 1) for n in names]
        for position, learner_id in enumerate(ids):
            tutor_of[learner_id] = form_ids[position % len(form_ids)]
    for learner_id in left:
        tutor_of[learner_id] = rng.choice(list(groups.values()))
    memberships.extend(
        {"learner_id": lid, "group_id": gid}
        for lid, gid in tutor_of.items()
        if lid not in ungrouped
    )
    everyone = [i for ids in by_year.values() for i in ids if i not in ungrouped]
    for name, of_year, most in EXTRA_GROUPS:
        pool = (
            everyone
            if of_year is None
            else [i for i in by_year.get(of_year, []) if i not in ungrouped]
        )
        group_id = groups.setdefault(name, len(groups) + 1)
        for learner_id in sorted(rng.sample(pool, min(most, len(pool) // 4))):
            memberships.append({"learner_id": learner_id, "group_id": group_id})
    return groups, memberships


def _staff(learners: int) -> tuple[list[dict[str, Any]], list[DemoAccount]]:
    """About 5 administrators and 40 supervisors (fewer, but at least 2 and 3, when small)."""
    # A thousand learners have about 5 administrators and 40 supervisors; larger rolls do not
    # bring more coordinators, so the counts stop there.
    administrators = min(5, max(2, round(learners / 200)))
    supervisors = min(40, max(3, round(learners / 25)))
    admin_hash = _demo_hash(ADMIN_PASSWORD)
    supervisor_hash = _demo_hash(SUPERVISOR_PASSWORD)
    rows: list[dict[str, Any]] = []
    accounts: list[DemoAccount] = []
    for role, count, password, hashed in (
        (StaffRole.ADMINISTRATOR, administrators, ADMIN_PASSWORD, admin_hash),
        (StaffRole.SUPERVISOR, supervisors, SUPERVISOR_PASSWORD, supervisor_hash),
    ):
        for number in range(1, count + 1):
            index = len(rows)
            first = STAFF_FIRST[index % len(STAFF_FIRST)]
            surname = STAFF_SURNAMES[(index * 7) % len(STAFF_SURNAMES)]
            login = f"{'admin' if role is StaffRole.ADMINISTRATOR else 'supervisor'}{number}"
            rows.append(
                {
                    "id": index + 1,
                    "name": f"{first} {surname}",
                    "login": login,
                    "email": f"{login}@demo-school.example",
                    "role": role,
                    "active": True,
                    "password_hash": hashed,
                    "must_change_password": False,
                    "failed_sign_ins": 0,
                }
            )
            accounts.append(DemoAccount(login, f"{first} {surname}", role, password))
    return rows, accounts


def _access(
    supervisor_ids: Sequence[int], group_ids: Sequence[int], academic_year: int
) -> list[dict[str, Any]]:
    """Every group gets a supervisor; the last supervisor has none, as happens in real life."""
    assigned = supervisor_ids[:-1] if len(supervisor_ids) > 1 else supervisor_ids
    pairs = {
        (assigned[k % len(assigned)], group_ids[k % len(group_ids)]): None
        for k in range(max(len(group_ids), len(assigned)))
    }
    return [
        {
            "id": number,
            "staff_id": staff_id,
            "group_id": group_id,
            "academic_year": academic_year,
            "granted_by": "demo",
        }
        for number, (staff_id, group_id) in enumerate(pairs, start=1)
    ]


def _advance_id_sequences(session: Session, entities: Iterable[type[Any]]) -> None:
    """On PostgreSQL, move each table's id sequence past the ids chosen here: otherwise the
    next row added without an id would be given one already taken. SQLite needs nothing.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for entity in entities:
        table = entity.__table__
        session.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table.name, "id"),
                    func.coalesce(func.max(table.c.id), 0) + 1,
                    False,
                )
            )
        )


def _insert(session: Session, entity: type[Any], rows: Iterable[dict[str, Any]]) -> None:
    """Batched executemany INSERTs: bounded memory, one round trip per batch."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            session.execute(insert(entity), batch)
            batch = []
    if batch:
        session.execute(insert(entity), batch)
