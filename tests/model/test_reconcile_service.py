"""Check against the MIS, without a window: the demo school's own MIS export (and its CTF)
compared, each category applied on its own changing exactly its learners, undone and redone
in one step; files that are not the school's whole roll refused with nothing changed; the
import's readers and checks unchanged; the report private, recorded and formula-free."""

from __future__ import annotations

import csv
import json
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    Learner,
    SupportRequest,
)
from planit_desktop.model.errors import PermissionDenied, Refused
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.personal_files import write_recorded
from planit_desktop.model.services import reconcile
from planit_desktop.model.services.importing import (
    UnreadableFile,
    check_table,
    hash_passwords_parallel,
    import_learners,
    load_context,
    plan_import,
    read_table,
)
from planit_desktop.model.services.importing.table import MAX_DATA_ROWS
from planit_desktop.model.services.reconcile import (
    Action,
    Category,
    Comparison,
    Review,
    apply_reconciliation,
    compare,
    load_roll,
    read_roll_file,
    undo_reconciliation,
)
from planit_desktop.model.services.year_end.checklist import year_end_checklist
from planit_desktop.model.services.year_end.draft import load_draft
from planit_desktop.model.validation.upn import check_letter
from tests.support.reconcile import (
    EXPECTED,
    MisExport,
    audited,
    changed_between,
    mis_export,
    snapshot,
)

TODAY = date.today()


def compared(database: Database, admin: Actor, path: Path, **options: Any) -> Comparison:
    with database.read() as session:
        roll = load_roll(session, admin)
    return compare(read_roll_file(path), roll, **options)


@pytest.fixture
def export(demo_database: Database, tmp_path: Path) -> MisExport:
    return mis_export(demo_database, tmp_path)


@pytest.mark.parametrize("kind", ["xlsx", "ctf", "csv"])
def test_the_demo_school_export_gives_exactly_its_differences(
    demo_database: Database, admin: Actor, tmp_path: Path, kind: str
) -> None:
    made = mis_export(demo_database, tmp_path, kind=kind)
    comparison = compared(demo_database, admin, made.path)
    assert comparison.usable and not comparison.warnings
    assert comparison.counts() == EXPECTED
    assert comparison.offset == 0
    rows = comparison.rows_of
    assert [d.row_number for d in rows(Category.NEW_LEARNERS)] == made.new_rows
    assert [d.learner_id for d in rows(Category.NOT_IN_MIS)] == made.missing
    assert {
        d.learner_id: d.changes["year_group"][1] for d in rows(Category.YEAR_GROUP_DIFFERS)
    } == (made.year_groups)
    assert {d.learner_id: d.move_to_name for d in rows(Category.GROUPS_DIFFER)} == made.groups
    details = {d.learner_id: d.changes for d in rows(Category.DETAILS_DIFFER)}
    assert set(details) == set(made.surnames)
    assert all(set(changes) == {"surname"} for changes in details.values())
    assert [d.learner_id for d in rows(Category.REINSTATE)] == [made.returning]
    for category in (Category.YEAR_GROUP_DIFFERS, Category.GROUPS_DIFFER, Category.REINSTATE):
        for difference in rows(category):
            assert difference.matched_on is reconcile.MatchedOn.UPN
            assert difference.row_number == made.row_of[difference.learner_id]
    in_file = {count.file_year: count.in_file for count in comparison.by_year}
    assert sum(in_file.values()) == len(made.rows)
    if kind == "csv":
        # Saved in Windows-1252: letters it has not became "?". Those are not corrections,
        # and a correction that carries one needs a look of its own.
        lost = [d for d in rows(Category.DETAILS_DIFFER) if "?" in str(d.changes["surname"][1])]
        assert all(d.caution for d in lost)
        review = Review(comparison, today=TODAY)
        assert review.accept_all(Category.DETAILS_DIFFER) == 2 - len(lost)


def test_each_category_applied_alone_changes_exactly_its_learners(
    demo_database: Database, admin: Actor, export: MisExport
) -> None:
    expected_changed = {
        Category.NOT_IN_MIS: set(export.missing),
        Category.YEAR_GROUP_DIFFERS: set(export.year_groups),
        Category.GROUPS_DIFFER: set(export.groups),
        Category.DETAILS_DIFFER: set(export.surnames),
        Category.REINSTATE: {export.returning},
    }
    for category, learners in expected_changed.items():
        comparison = compared(demo_database, admin, export.path)
        assert comparison.counts()[category] == EXPECTED[category], category
        review = Review(comparison, today=TODAY)
        assert review.accept_all(category) == EXPECTED[category]
        before = snapshot(demo_database)
        requests_before = _count(demo_database, SupportRequest)
        with demo_database.begin() as session:
            apply_reconciliation(session, admin, review.plan(), today=TODAY)
        after = snapshot(demo_database)
        assert changed_between(before, after) == learners, category
        requests = _count(demo_database, SupportRequest) - requests_before
        corrects = category in (Category.YEAR_GROUP_DIFFERS, Category.DETAILS_DIFFER)
        assert requests == (len(learners) if corrects else 0), category
        # Applied, they are differences no longer.
        assert compared(demo_database, admin, export.path).counts()[category] == 0
    state = snapshot(demo_database)
    for learner_id in export.missing:
        assert state[learner_id][6] is LearnerStatus.LEFT
    for learner_id, year in export.year_groups.items():
        assert state[learner_id][3] == year
    for learner_id, group in export.groups.items():
        assert group in state[learner_id][7]
    for learner_id, surname in export.surnames.items():
        assert state[learner_id][1] == surname
    assert state[export.returning][6] is LearnerStatus.ON_ROLL
    assert sorted(audited(demo_database, "learner_left")) == sorted(export.missing)
    assert audited(demo_database, "learner_reinstated") == [export.returning]
    corrected = audited(demo_database, "learner_corrected")
    assert sorted(corrected) == sorted([*export.year_groups, *export.surnames])
    moved = audited(demo_database, "group_members_moved")
    assert sorted(set(moved)) == sorted(export.groups)
    with demo_database.read() as session:
        requests = session.execute(select(SupportRequest.learner_id, SupportRequest.field)).all()
    assert sorted(requests) == sorted(
        [(lid, "year_group") for lid in export.year_groups]
        + [(lid, "surname") for lid in export.surnames]
    )


def _count(database: Database, entity: Any) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(entity)) or 0


def test_everything_applied_at_once_is_undone_and_redone_in_one_step(
    demo_database: Database, admin: Actor, export: MisExport
) -> None:
    before = snapshot(demo_database)
    review = Review(compared(demo_database, admin, export.path), today=TODAY)
    for category in Category:
        review.accept_all(category)
    plan = review.plan()
    assert "3 learners marked as left" in plan.describe()
    with demo_database.begin() as session:
        result = apply_reconciliation(session, admin, plan, today=TODAY)
    applied = snapshot(demo_database)
    touched = (
        set(export.missing) | set(export.year_groups) | set(export.groups)
        | set(export.surnames) | {export.returning}
    )  # fmt: skip
    assert changed_between(before, applied) == touched
    with demo_database.begin() as session:
        again = undo_reconciliation(session, admin, result, today=TODAY)
    assert snapshot(demo_database) == before
    with demo_database.begin() as session:
        apply_reconciliation(session, admin, again, today=TODAY)
    assert snapshot(demo_database) == applied


def test_a_learner_changed_since_the_comparison_refuses_the_whole_apply(
    demo_database: Database, admin: Actor, export: MisExport
) -> None:
    from planit_desktop.model.services.learners.corrections import correct_learner

    review = Review(compared(demo_database, admin, export.path), today=TODAY)
    review.accept_all(Category.DETAILS_DIFFER)
    review.accept_all(Category.NOT_IN_MIS)
    someone = next(iter(export.surnames))
    with demo_database.begin() as session:
        version = session.get(Learner, someone).version  # type: ignore[union-attr]
        correct_learner(
            session, admin, someone, {"first_names": "Elsewhere"}, expected_version=version
        )
    before = snapshot(demo_database)
    with pytest.raises(Refused, match="changed by someone else.*Compare the file again"):
        with demo_database.begin() as session:
            apply_reconciliation(session, admin, review.plan(), today=TODAY)
    assert snapshot(demo_database) == before


def test_new_learners_go_to_the_import_as_one_batch(
    demo_database: Database, admin: Actor, export: MisExport
) -> None:
    review = Review(compared(demo_database, admin, export.path), today=TODAY)
    assert review.accept_all(Category.NEW_LEARNERS) == 5
    assert review.plan().is_empty  # new learners are the import's, not Apply's
    table = review.import_table()
    assert [row.number for row in table.rows] == export.new_rows
    with demo_database.read() as session:
        checked = check_table(table, load_context(session))
    plan = plan_import(checked)
    assert len(plan.create) == 5
    with demo_database.begin() as session:
        outcome = import_learners(
            session, admin, checked, password_pairs=hash_passwords_parallel(5, workers=2),
            source_name=export.path.name,
        )  # fmt: skip
    assert outcome.imported == 5
    assert compared(demo_database, admin, export.path).counts()[Category.NEW_LEARNERS] == 0


def test_a_file_of_next_year_keeps_back_who_did_not_move_up(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    made = mis_export(demo_database, tmp_path, kind="csv")
    # The MIS did its year end first: every year group one higher, Year 11 gone, tutor
    # groups renamed with the year ("7A" is "8A" now), except two learners kept back.
    kept = list(made.year_groups)
    lines = list(csv.reader(made.path.open(encoding="cp1252")))
    heading, rows = lines[0], lines[1:]
    year, tutor = heading.index("Year"), heading.index("Reg Group")
    upn = heading.index("UPN")
    upn_of = _upns(demo_database)
    next_year = [heading]
    kept_upns = {upn_of[k] for k in kept}
    for row in rows:
        if int(row[year]) == 11:
            continue
        row[year] = str(int(row[year]) + 1)  # the kept back were written a year lower
        if row[upn] not in kept_upns and row[tutor]:
            row[tutor] = row[year] + row[tutor].lstrip("0123456789")
        next_year.append(row)
    with made.path.open("w", newline="", encoding="cp1252") as handle:
        csv.writer(handle).writerows(next_year)
    comparison = compared(demo_database, admin, made.path)
    assert comparison.usable, comparison.problems
    assert comparison.offset == 1
    assert any("taken to be for 2026/27" in note for note in comparison.notes)
    years = comparison.rows_of(Category.YEAR_GROUP_DIFFERS)
    assert {d.learner_id for d in years} == set(kept)
    assert all(d.actions[0] is Action.KEEP_BACK for d in years)
    # Year 11 completes: not one of them is "probably left"; renamed groups move nobody.
    on_roll_11 = {d.learner_id for d in comparison.rows_of(Category.NOT_IN_MIS)}
    assert on_roll_11 == set(made.missing) - {
        lid for lid, row in snapshot(demo_database).items() if row[3] == 11
    }
    # A learner kept back joins a group of the year below; nobody else moves.
    moving = {d.learner_id for d in comparison.rows_of(Category.GROUPS_DIFFER)}
    assert moving <= set(made.groups) | set(kept)
    review = Review(comparison, today=TODAY)
    review.accept_all(Category.YEAR_GROUP_DIFFERS)
    before = snapshot(demo_database)
    with demo_database.begin() as session:
        apply_reconciliation(session, admin, review.plan(), today=TODAY)
    assert snapshot(demo_database) == before  # kept back is a year-end choice, not a change
    with demo_database.read() as session:
        draft = load_draft(session, admin, 2025)
    assert draft is not None and draft.choices.kept_back == frozenset(kept)


def _upns(database: Database) -> dict[int, str]:
    with database.read() as session:
        return dict(session.execute(select(Learner.id, Learner.upn)).all())


def _rewrite(path: Path, keep: Any) -> None:
    lines = list(csv.reader(path.open(encoding="cp1252")))
    heading = lines[0]
    kept = [heading, *[row for row in lines[1:] if keep(dict(zip(heading, row, strict=True)))]]
    with path.open("w", newline="", encoding="cp1252") as handle:
        csv.writer(handle).writerows(kept)


def test_a_file_of_one_year_group_is_refused_and_a_missing_year_warned(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    made = mis_export(demo_database, tmp_path, kind="csv")
    _rewrite(made.path, lambda row: row["Year"] != "9")
    comparison = compared(demo_database, admin, made.path)
    assert comparison.usable
    assert any("Year 9 is not in the file" in w for w in comparison.warnings)
    with demo_database.read() as session:
        year_9 = set(session.scalars(select(Learner.id).where(Learner.year_group == 9)))
    assert not {d.learner_id for d in comparison.rows_of(Category.NOT_IN_MIS)} & year_9
    _rewrite(made.path, lambda row: row["Year"] == "7")
    refused = compared(demo_database, admin, made.path)
    assert not refused.usable and "not the school's whole roll" in refused.problems[0]
    assert not any(refused.rows_of(category) for category in Category)


def test_another_schools_file_is_refused(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "other.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["UPN", "Surname", "Forename", "DOB", "Year"])
        for i in range(200):
            body = f"201{5000 + i // 50:04d}{(2018 - i % 5) % 100:02d}{i:03d}"
            writer.writerow(
                [check_letter(body) + body, f"Other{i}", "Pat", "01/10/2012", 7 + i % 5]
            )
    comparison = compared(demo_database, admin, path)
    assert not comparison.usable
    assert "another school's file" in comparison.problems[0]
    assert "local-authority and establishment parts" in comparison.problems[0]


def test_a_file_that_identifies_nobody_is_refused(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "years.csv"
    path.write_text("Surname,Year,Reg Group,Gender\n" + "Smith,7,7A,F\n" * 200)
    comparison = compared(demo_database, admin, path)
    assert comparison.problems == (reconcile.reading.NO_IDENTIFYING_COLUMN,)


def test_a_file_a_year_behind_plan_it_is_refused(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    made = mis_export(demo_database, tmp_path, kind="csv")
    lines = list(csv.reader(made.path.open(encoding="cp1252")))
    year = lines[0].index("Year")
    for row in lines[1:]:
        row[year] = str(int(row[year]) - 1)
    with made.path.open("w", newline="", encoding="cp1252") as handle:
        csv.writer(handle).writerows(lines)
    comparison = compared(demo_database, admin, made.path)
    assert not comparison.usable and "a year behind" in comparison.problems[0]


def test_a_row_that_could_be_two_learners_is_left_to_the_coordinator(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    made = mis_export(demo_database, tmp_path, kind="csv")
    with demo_database.read() as session:
        learner = session.get(Learner, made.missing[0])
        assert learner is not None
        first, surname, born = learner.first_names, learner.surname, learner.date_of_birth
    with made.path.open("a", newline="", encoding="cp1252") as handle:
        # The left-out learner, with a slip in the first name and no identifiers.
        csv.writer(handle).writerow(
            ["", "", surname, first + "e", born.strftime("%d/%m/%Y"), "", learner.year_group, ""]
        )
    comparison = compared(demo_database, admin, made.path)
    (unsure,) = comparison.rows_of(Category.AMBIGUOUS)
    assert [c.learner_id for c in unsure.candidates] == [made.missing[0]]
    assert "similar name" in unsure.candidates[0].why
    # Not guessed: neither a new learner, nor the learner taken to have left.
    assert made.missing[0] not in {d.learner_id for d in comparison.rows_of(Category.NOT_IN_MIS)}
    review = Review(comparison, today=TODAY)
    review.accept(unsure, action=Action.SAME_LEARNER, candidate=made.missing[0])
    with demo_database.read() as session:
        roll = load_roll(session, admin)
    settled = compare(comparison.table, roll, resolutions=review.resolutions())
    assert not settled.rows_of(Category.AMBIGUOUS)
    (named,) = [
        d for d in settled.rows_of(Category.DETAILS_DIFFER) if d.learner_id == made.missing[0]
    ]
    assert named.matched_on is reconcile.MatchedOn.CHOSEN
    assert named.changes == {"first_names": (first, first + "e")}
    assert settled.counts()[Category.NOT_IN_MIS] == 2


def test_only_administrators_compare(demo_database: Database, supervisor_actor: Actor) -> None:
    with pytest.raises(PermissionDenied), demo_database.read() as session:
        load_roll(session, supervisor_actor)


def test_the_checklist_tells_the_last_comparison(
    demo_database: Database, admin: Actor, export: MisExport
) -> None:
    comparison = compared(demo_database, admin, export.path)
    found = {category.value: count for category, count in comparison.counts().items()}
    with demo_database.begin() as session:
        reconcile.record_check(session, admin, source_name=export.path.name, found=found)
    with demo_database.read() as session:
        checklist = year_end_checklist(session, admin)
    assert "MIS check on" in checklist.item("leavers").hint
    assert "3 learners probably left" in checklist.item("leavers").hint
    assert "2 year groups differ" in checklist.item("year_groups").hint
    assert "2 tutor groups differ" in checklist.item("learner_groups").hint
    assert "5 new learners" in checklist.item("new_learners").hint
    review = Review(comparison, today=TODAY)
    review.accept_all(Category.NOT_IN_MIS)
    with demo_database.begin() as session:
        apply_reconciliation(session, admin, review.plan(), today=TODAY)
    with demo_database.read() as session:
        hint = year_end_checklist(session, admin).item("leavers").hint
    assert "3 learners probably left (all marked as left)" in hint


def test_the_imports_checks_hold_and_a_whole_roll_may_be_longer(tmp_path: Path) -> None:
    hostile = tmp_path / "roll.xml"
    hostile.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><CTfile/>')
    with pytest.raises(UnreadableFile, match="declares a document type"):
        read_roll_file(hostile)
    long = tmp_path / "trust.csv"
    line = "K936123415001,Smith,Jane,02/10/2012,7,7A\n"
    long.write_text("UPN,Surname,Forename,DOB,Year,Reg Group\n" + line * (MAX_DATA_ROWS + 1))
    with pytest.raises(UnreadableFile, match="more than 50,000 learner rows"):
        read_table(long)
    assert len(read_roll_file(long).rows) == MAX_DATA_ROWS + 1


def test_a_formula_is_not_compared(demo_database: Database, admin: Actor, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    made = mis_export(demo_database, tmp_path)
    workbook = load_workbook(made.path)
    sheet = workbook.active
    assert sheet is not None
    learner_id = next(iter(made.surnames))
    sheet.cell(made.row_of[learner_id], 3).value = '="Someone"&"Else"'
    workbook.save(made.path)
    comparison = compared(demo_database, admin, made.path)
    assert learner_id not in {d.learner_id for d in comparison.rows_of(Category.DETAILS_DIFFER)}
    row = next(r for r in comparison.rows if r.number == made.row_of[learner_id])
    assert row.surname is None and "formula" in row.problems[0]


def test_the_report_is_private_recorded_and_never_a_formula(
    demo_database: Database, admin: Actor, export: MisExport, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    review = Review(compared(demo_database, admin, export.path), today=TODAY)
    review.accept_all(Category.NOT_IN_MIS)
    review.left_reason = '=HYPERLINK("http://x")'
    target = tmp_path / "MIS check.xlsx"
    saved = write_recorded(
        demo_database,
        admin,
        what=reconcile.REPORT_WHAT,
        write=lambda: reconcile.write_reconcile_report(review, target, by=admin.login),
    )
    assert saved == target
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    workbook = load_workbook(target)
    assert workbook.sheetnames[0] == "Summary" and "Probably left" in workbook.sheetnames
    left = workbook["Probably left"]
    values = [cell.value for row in left.iter_rows(min_row=2) for cell in row]
    assert all(not (isinstance(v, str) and v.startswith("=")) or left for v in values)
    assert any(isinstance(v, str) and "HYPERLINK" in v for v in values)
    assert all(cell.data_type == "s" for row in left.iter_rows() for cell in row if cell.value)
    with demo_database.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "file_written")
        ).all()[-1]
    assert entry.field == reconcile.REPORT_WHAT and entry.new_value == str(target)
    assert json.loads  # the summary entry is JSON (see the checklist test)
