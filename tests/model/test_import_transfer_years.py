"""Transfer files from primaries: the header's academic year, and learners joining next year.

A primary's leavers' CTF, made in the summer term, says Year 6 and gives its own academic
year. For a school already in the next year the pupils are Year 7 on roll; for a school
still in that year they are imported as joining next year, put on roll in Year 7 by the
rollover (not moved to Year 8) and taken back to joining by its undo.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from planit_desktop.cli import main
from planit_desktop.config import sqlite_url
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import (
    GroupMembership,
    Learner,
    LearnerStatus,
    School,
    Staff,
    StaffRole,
)
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.importing import (
    CheckResult,
    Decision,
    DuplicateKind,
    Field,
    RowStatus,
    check_rows,
    hash_passwords_parallel,
    import_learners,
    read_table,
)
from planit_desktop.model.services.learners.exporting import export_learners
from planit_desktop.model.services.learners.leavers import mark_left, reinstate
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.model.services.school import summarise
from planit_desktop.model.services.year_end import apply_rollover, plan_rollover, undo_rollover
from tests.support.import_files import primary_ctf, pupil

IN_2025_26 = date(2026, 7, 10)  # the summer term, when the primaries' files come
IN_2026_27 = date(2026, 10, 1)
AUGUST = date(2026, 8, 3)


def school_year(database: Database, year: int) -> None:
    with database.begin() as session:
        school = session.get(School, 1)
        assert school is not None
        school.academic_year = year


def check(database: Database, path: Path, today: date) -> CheckResult:
    with database.read() as session:
        return check_rows(session, read_table(path), today=today)


def do_import(
    database: Database, admin: Actor, result: CheckResult, today: date, **decisions: Decision
) -> tuple[int, ...]:
    pairs = hash_passwords_parallel(len(result.rows), workers=2)
    with database.begin() as session:
        outcome = import_learners(
            session,
            admin,
            result,
            password_pairs=pairs,
            source_name="primary.xml",
            today=today,
            decisions={int(k.removeprefix("row")): v for k, v in decisions.items()},
        )
    return outcome.created


def learners(database: Database, ids: tuple[int, ...]) -> list[tuple[str, int]]:
    with database.read() as session:
        rows = session.execute(
            select(Learner.status, Learner.year_group).where(Learner.id.in_(ids))
        ).all()
    return sorted((LearnerStatus(status).value, year) for status, year in rows)


def test_year_6_of_2025_26_is_year_7_on_roll_for_a_school_in_2026_27(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    school_year(demo_database, 2026)
    path = primary_ctf(tmp_path / "primary.xml", [pupil(1), pupil(2)])
    result = check(demo_database, path, IN_2026_27)
    # Only the usual warning of a file without tutor groups; the year fits the birth date.
    assert [r.status() for r in result.rows] == [RowStatus.WARNING] * 2
    assert all(m.field is Field.TUTOR_GROUP for r in result.rows for m in r.messages)
    assert {r.draft.year_group for r in result.rows if r.draft} == {7}
    assert not result.joining_rows()
    note = next(n for n in result.notes if "AcademicYear" in n)
    assert "2025/26" in note and "2026/27" in note and "moved on 1 year" in note
    assert "Year 6 in the file is Year 7 here" in note
    created = do_import(demo_database, admin, result, IN_2026_27)
    assert learners(demo_database, created) == [("on_roll", 7), ("on_roll", 7)]


def test_a_moved_on_year_is_checked_against_the_date_of_birth(
    demo_database: Database, tmp_path: Path
) -> None:
    school_year(demo_database, 2026)
    # Born 2013/14: a Year 7 of 2025/26, so Year 8 now; the file says Year 6 (Year 7 now).
    path = primary_ctf(tmp_path / "primary.xml", [pupil(1, born="2013-11-02"), pupil(2)])
    result = check(demo_database, path, IN_2026_27)
    first = result.row(1)
    assert first.status() is RowStatus.WARNING
    (warning,) = [m.message for m in first.messages if m.field is Field.YEAR_GROUP]
    assert "would usually be in Year 8, not Year 7" in warning
    assert "Year 6 in the file's 2025/26" in warning
    assert not [m for m in result.row(2).messages if m.field is Field.YEAR_GROUP]


def test_a_moved_on_year_outside_the_school_says_both_years(
    demo_database: Database, tmp_path: Path
) -> None:
    school_year(demo_database, 2026)
    path = primary_ctf(tmp_path / "primary.xml", [pupil(1, year=4)])
    result = check(demo_database, path, IN_2026_27)
    (error,) = [m.message for m in result.row(1).messages if m.field is Field.YEAR_GROUP]
    assert "Year 4 in the file's 2025/26 is Year 5 in 2026/27" in error
    assert "not taught at this school" in error


def test_year_6_for_a_school_still_in_2025_26_joins_next_year(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    path = primary_ctf(tmp_path / "primary.xml", [pupil(1, reg="6B"), pupil(2), pupil(3)])
    result = check(demo_database, path, IN_2025_26)
    assert len(result.joining_rows()) == 3
    assert all(r.draft and r.draft.year_group == 7 and r.draft.joining for r in result.rows)
    assert result.row(1).status() is RowStatus.WARNING  # its primary class is not used
    assert "“6B” is not used" in result.row(1).messages[0].message
    assert result.row(2).status() is RowStatus.READY  # no "no tutor group" warning either
    assert not result.new_tutor_groups
    joining_note = next(n for n in result.notes if "join" in n)
    assert "3 pupils join the school in 2026/27, in Year 7" in joining_note
    assert "not on roll" in joining_note

    with demo_database.read() as session:
        before = summarise(session)
    created = do_import(demo_database, admin, result, IN_2025_26)
    assert learners(demo_database, created) == [("joining", 7)] * 3
    with demo_database.read() as session:
        after = summarise(session)
        assert not session.scalars(
            select(GroupMembership).where(GroupMembership.learner_id.in_(created))
        ).all()
        # Not on roll: not in the on-roll lists the wizard and the groups use.
        on_roll = {row.id for row in list_learners(session, admin, include_left=False)}
        assert not on_roll & set(created)
        plan = plan_rollover(session, admin)
    assert after.on_roll == before.on_roll and after.learners_by_year == before.learners_by_year
    assert after.joining == 3 and after.joining_by_year == {7: 3}
    assert after.to_json()["joining"] == 3
    assert after.to_json()["joining_academic_year"] == "2026/27"
    assert plan.joining == 3 and plan.to_json()["joining"] == 3
    # Nobody moves up into Year 7 (the demo has no Year 6): afterwards it holds the three.
    assert plan.learners_by_year_after[7] == 3

    # The rollover puts them on roll in Year 7 (not 8); its undo takes them back to joining.
    with demo_database.begin() as session:
        done = apply_rollover(session, admin, today=AUGUST)
    assert done.plan.joining == 3
    assert learners(demo_database, created) == [("on_roll", 7)] * 3
    with demo_database.read() as session:
        rolled = summarise(session)
    assert rolled.joining == 0 and rolled.learners_by_year[7] == 3
    with demo_database.begin() as session:
        undo_rollover(session, admin)
    assert learners(demo_database, created) == [("joining", 7)] * 3
    with demo_database.read() as session:
        assert summarise(session).joining == 3


def test_joining_learners_are_duplicates_of_a_second_import_and_are_exported(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    path = primary_ctf(tmp_path / "primary.xml", [pupil(1)])
    created = do_import(demo_database, admin, check(demo_database, path, IN_2025_26), IN_2025_26)
    again = check(demo_database, path, IN_2025_26)
    (duplicate,) = [d for d in again.row(1).duplicates if d.kind is DuplicateKind.UPN]
    assert duplicate.blocking and "joining next academic year" in duplicate.message
    assert not duplicate.match.has_left  # never offered for reinstating
    with demo_database.begin() as session:
        target = export_learners(session, admin, tmp_path / "learners.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    assert sheet is not None
    statuses = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert statuses.count("Joining next year") == 1
    with demo_database.begin() as session, pytest.raises(Refused, match="not on roll yet"):
        mark_left(session, admin, list(created), left_on=IN_2025_26, reason="Not coming")
    with demo_database.begin() as session, pytest.raises(Refused, match="puts them on roll"):
        reinstate(session, admin, created[0])


def test_the_academic_year_of_a_transfer_file(demo_database: Database, tmp_path: Path) -> None:
    unreadable = primary_ctf(tmp_path / "a.xml", [pupil(1)], academic_year="last year")
    result = check(demo_database, unreadable, IN_2025_26)
    assert any("“last year”" in p for p in result.problems)
    too_far = primary_ctf(tmp_path / "b.xml", [pupil(1)], academic_year="2027/28")
    result = check(demo_database, too_far, IN_2025_26)
    assert any("more than a year after" in p for p in result.problems)
    assert not result.ready_to_import()
    missing = primary_ctf(tmp_path / "c.xml", [pupil(1, year=7)], academic_year=None)
    result = check(demo_database, missing, IN_2025_26)
    assert any("no AcademicYear" in n for n in result.notes)
    assert result.row(1).draft is not None and not result.row(1).draft.joining
    # A school already rolled over writes 2026 for its Year 7: joining here, still Year 7.
    later = primary_ctf(tmp_path / "d.xml", [pupil(1, year=7)], academic_year="2026-2027")
    result = check(demo_database, later, IN_2025_26)
    draft = result.row(1).draft
    assert draft is not None and draft.joining and draft.year_group == 7


def test_command_line_says_so_and_summary_counts_joining(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "school.db"
    assert main(["demo-db", str(path), "--learners", "40", "--seed", "3"]) == 0
    capsys.readouterr()
    primary = primary_ctf(tmp_path / "primary.xml", [pupil(1), pupil(2)])
    assert main(["import-learners", str(primary), "--db", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Note: 2 pupils join the school in 2026/27, in Year 7" in out
    assert main(["import-learners", str(primary), "--db", str(path), "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["joining"] == 2

    database = open_database(sqlite_url(path))
    try:
        with database.read() as session:
            found = session.execute(
                select(Staff.id, Staff.login).where(Staff.role == StaffRole.ADMINISTRATOR)
            ).first()
        assert found is not None
        admin = Actor(
            login=found[1], name=found[1], role=StaffRole.ADMINISTRATOR, staff_id=found[0]
        )
        do_import(database, admin, check(database, primary, date.today()), date.today())
    finally:
        database.dispose()
    assert main(["summary", "--db", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["joining"] == 2 and summary["joining_by_year"] == {"7": 2}
    assert main(["summary", "--db", str(path)]) == 0
    assert "Joining in 2026/27 (not on roll yet): 2" in capsys.readouterr().out
    assert main(["rollover", "--preview", "--db", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["joining"] == 2
