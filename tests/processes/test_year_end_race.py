"""One academic year per change: an import and the rollover started together, many times.

Each round, a file of new Year 7s is checked against the school's academic year, then an
import of it and the rollover out of that year start at the same moment, on two threads
with sessions of their own (SQLite and PostgreSQL). The outcome must always be serial:
either the import went first and its learners were moved up by the rollover (Year 8, in
the rollover's journal), or it came second and was refused for the year that moved; never
new Year 7s of the year that ended sitting in the new year's Year 7. Two rounds force each
order, and Create New User and a correction of a year group are refused the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from planit_desktop.model import stages
from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Learner, RolloverJournal, School
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.credentials.delivery import PasswordDelivery
from planit_desktop.model.services.credentials.password_files import PasswordFiles
from planit_desktop.model.services.importing import (
    CheckResult,
    check_rows,
    hash_passwords_parallel,
    import_learners,
    read_table,
)
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.model.services.learners.in_class import quick_create
from planit_desktop.model.services.school import AcademicYearMoved
from planit_desktop.model.services.year_end import apply_rollover
from tests.support.hashing import CHEAP_HASHER, hashing_with
from tests.support.import_files import learner, write_xlsx
from tests.support.sign_in import DEMO_ADMINISTRATOR

ROUNDS = 12
NEW = 3


@pytest.fixture(autouse=True)
def _cheap_hashing() -> Iterator[None]:
    """The tests' cheap hasher, not the folder's production one: the races run on threads of
    this process, and no child process signs in."""
    with hashing_with(CHEAP_HASHER):
        yield


def academic_year(database: Database) -> int:
    with database.read() as session:
        school = session.get(School, 1)
        assert school is not None
        return school.academic_year


def new_year_sevens(folder: Path, year: int, first: int) -> Path:
    """A file of NEW learners in Year 7 of academic ``year`` (born September ``year`` - 12
    to August ``year`` - 11), with names and UPNs no one else has."""
    rows = [
        learner(i, **{"Date of Birth": f"{1 + i % 28:02d}/{1 + i % 8:02d}/{year - 11}"})
        for i in range(first, first + NEW)
    ]
    return write_xlsx(folder / f"year7s-{first}.xlsx", rows)


def check(database: Database, path: Path, year: int) -> CheckResult:
    with database.read() as session:
        checked = check_rows(session, read_table(path), today=date(year + 1, 8, 2))
    assert checked.ready_to_import() and checked.academic_year == year
    return checked


def importer(
    database: Database, admin: Actor, checked: CheckResult, year: int, outcome: dict[str, object]
) -> Callable[[], None]:
    pairs = hash_passwords_parallel(NEW)

    def run() -> None:
        try:
            with database.begin() as session:
                result = import_learners(
                    session,
                    admin,
                    checked,
                    password_pairs=pairs,
                    source_name="year7s.xlsx",
                    today=date(year + 1, 8, 2),
                )
            outcome["import"] = result.created
        except Refused as refused:
            outcome["import"] = refused

    return run


def roller(
    database: Database, admin: Actor, year: int, outcome: dict[str, object]
) -> Callable[[], None]:
    def run() -> None:
        with database.begin() as session:
            outcome["rollover"] = apply_rollover(
                session, admin, allow_early=True, from_year=year, today=date(year + 1, 8, 2)
            ).run_id

    return run


def together(*works: Callable[[], None]) -> None:
    """Start ``works`` on threads of their own at the same moment; wait for all of them."""
    barrier = threading.Barrier(len(works))
    failures: list[BaseException] = []

    def start(work: Callable[[], None]) -> None:
        barrier.wait()
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    threads = [threading.Thread(target=start, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures


def assert_serial(database: Database, outcome: dict[str, object], year: int, path: Path) -> str:
    """Which went first; fails on any outcome that no serial order gives."""
    assert academic_year(database) == year + 1
    run_id = outcome["rollover"]
    names = {str(row[1]) for row in _surnames(path)}
    with database.read() as session:
        found = session.execute(
            select(Learner.id, Learner.year_group).where(Learner.surname.in_(names))
        ).all()
        journalled = set(
            session.scalars(
                select(RolloverJournal.learner_id).where(RolloverJournal.run_id == run_id)
            )
        )
    imported = outcome["import"]
    if isinstance(imported, Refused):
        assert isinstance(imported, AcademicYearMoved), imported.message
        assert imported.message == (
            f"The school moved into {format_academic_year(year + 1)} while this file was being "
            "checked: check it again. Nothing was imported."
        )
        assert found == []
        return "rollover first"
    assert len(found) == NEW
    assert {year_group for _id, year_group in found} == {8}, "imported into the old year"
    assert {learner_id for learner_id, _y in found} <= journalled
    return "import first"


def _surnames(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    return [list(row) for row in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]


def test_an_import_and_the_rollover_started_together_are_serial(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    seen: dict[str, int] = {}
    for round_ in range(ROUNDS):
        year = academic_year(demo_database)
        path = new_year_sevens(tmp_path, year, 600 + NEW * round_)  # names unique below 100
        checked = check(demo_database, path, year)
        outcome: dict[str, object] = {}
        together(
            importer(demo_database, admin, checked, year, outcome),
            roller(demo_database, admin, year, outcome),
        )
        order = assert_serial(demo_database, outcome, year, path)
        seen[order] = seen.get(order, 0) + 1
    print(f"import and rollover together, {ROUNDS} rounds: {seen}")


def test_an_import_holding_the_school_makes_the_rollover_wait_then_move_its_learners_up(
    demo_database: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    year = academic_year(demo_database)
    path = new_year_sevens(tmp_path, year, 400)
    checked = check(demo_database, path, year)
    writing, go_on = threading.Event(), threading.Event()

    def hold(stage: str) -> None:
        if stage == "writing":  # inside the import's transaction, the school row locked
            writing.set()
            assert go_on.wait(60)

    monkeypatch.setattr(stages, "reached", hold)
    outcome: dict[str, object] = {}
    out = tmp_path / "out"
    out.mkdir()
    pairs = hash_passwords_parallel(NEW)

    def run_import() -> None:
        delivery = PasswordDelivery(
            PasswordFiles(out / "p.xlsx"),
            what="import",
            database=demo_database.location,
            notes=tmp_path / "notes",
        )
        with delivery, demo_database.begin() as session:
            outcome["import"] = import_learners(
                session,
                admin,
                checked,
                password_pairs=pairs,
                source_name="year7s.xlsx",
                today=date(year + 1, 8, 2),
                delivery=delivery,
            ).created

    importing = threading.Thread(target=run_import)
    importing.start()
    assert writing.wait(60)
    rolling = threading.Thread(target=roller(demo_database, admin, year, outcome))
    rolling.start()
    rolling.join(0.5)
    assert rolling.is_alive() and "rollover" not in outcome  # it waits for the import
    go_on.set()
    importing.join(60)
    rolling.join(60)
    assert assert_serial(demo_database, outcome, year, path) == "import first"
    assert (out / "p.xlsx").exists()


def test_a_rollover_first_refuses_an_import_quick_create_and_correction_checked_before(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    year = academic_year(demo_database)
    path = new_year_sevens(tmp_path, year, 500)
    checked = check(demo_database, path, year)
    with demo_database.read() as session:
        someone = session.scalars(
            select(Learner).where(Learner.year_group == 8).order_by(Learner.id).limit(1)
        ).one()
    outcome: dict[str, object] = {}
    roller(demo_database, admin, year, outcome)()
    importer(demo_database, admin, checked, year, outcome)()
    assert assert_serial(demo_database, outcome, year, path) == "rollover first"
    moved = f"The school moved into {format_academic_year(year + 1)} while"
    with pytest.raises(AcademicYearMoved, match=f"{moved} the new learner's details were"):
        with demo_database.begin() as session:
            quick_create(
                session, admin, first_names="Ada", surname="Newlearner",
                date_of_birth=f"01/10/{year - 12}", year_group=7, tutor_group="7A",
                staff_password=DEMO_ADMINISTRATOR[1], academic_year=year,
                today=date(year + 1, 8, 2),
            )  # fmt: skip
    with pytest.raises(AcademicYearMoved, match=f"{moved} this correction was being made"):
        with demo_database.begin() as session:
            correct_learner(
                session, admin, someone.id, {"year_group": 7},
                expected_version=someone.version, academic_year=year,
            )  # fmt: skip
    with demo_database.read() as session:
        assert not session.scalars(select(Learner).where(Learner.surname == "Newlearner")).all()
        assert session.get(Learner, someone.id).year_group == 9  # type: ignore[union-attr]
