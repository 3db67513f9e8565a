"""Checking rows: validators per cell, messages naming row and column, duplicates, decisions."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from planit_desktop.model.db import Database
from planit_desktop.model.entities import Learner, LearnerStatus
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.importing import (
    CheckResult,
    Decision,
    DuplicateKind,
    Field,
    RowStatus,
    Severity,
    check_rows,
    plan_import,
    read_table,
)
from tests.support.import_files import TODAY, learner, upn, write_xlsx


def check(database: Database, path: Path) -> CheckResult:
    with database.read() as session:
        return check_rows(session, read_table(path), today=TODAY)


def messages(result: CheckResult, number: int, field: Field | None = None) -> list[str]:
    return [m.message for m in result.row(number).messages if field is None or m.field is field]


def a_learner(database: Database, status: LearnerStatus) -> Learner:
    with database.read() as session:
        found = session.scalars(
            select(Learner)
            .where(Learner.status == status, Learner.upn.is_not(None))
            .order_by(Learner.id)
        ).first()
    assert found is not None
    return found


def test_clean_rows_are_ready(demo_database: Database, tmp_path: Path) -> None:
    result = check(demo_database, write_xlsx(tmp_path / "ok.xlsx", [learner(1), learner(2)]))
    assert [r.status() for r in result.rows] == [RowStatus.READY, RowStatus.READY]
    assert result.ready_to_import()
    assert result.new_tutor_groups == ("7Q",)
    draft = result.row(2).draft
    assert draft is not None and draft.date_of_birth == date(2014, 2, 2)
    assert draft.year_group == 7 and draft.sims_number == "T00001"


def test_cells_are_checked_with_row_and_column_named(
    demo_database: Database, tmp_path: Path
) -> None:
    rows: list[list[Any]] = [
        learner(1, **{"Date of Birth": "29/02/2013"}),  # not a leap year
        learner(2, **{"Date of Birth": "01/01/2030"}),  # in the future
        learner(3, **{"Year Group": "Year 12"}),  # outside the range served
        learner(4, **{"Year Group": "Year 9"}),  # does not fit the date of birth: warning
        learner(5, UPN="A801200005001"),  # wrong check letter
        learner(6, Gender="Q", Ethnicity="ZZZZ9"),
        learner(7, **{"First Names": "x" * 10_000}),
    ]
    result = check(demo_database, write_xlsx(tmp_path / "bad.xlsx", rows))
    assert "not a leap year" in messages(result, 2, Field.DATE_OF_BIRTH)[0]
    assert "in the future" in messages(result, 3, Field.DATE_OF_BIRTH)[0]
    assert "not taught at this school" in messages(result, 4, Field.YEAR_GROUP)[0]
    assert result.row(5).status() is RowStatus.WARNING
    assert "would usually be in Year 7" in messages(result, 5, Field.YEAR_GROUP)[0]
    assert "check letter should be B" in messages(result, 6, Field.UPN)[0]
    assert messages(result, 7, Field.SEX) and messages(result, 7, Field.ETHNICITY)
    long_name = messages(result, 8, Field.FIRST_NAMES)[0]
    assert "10,000 characters" in long_name and len(long_name) < 200
    message = result.row(6).messages[0]
    assert (message.row, message.column) == (6, "UPN (column H)")
    assert message.as_dict() == {"row": 6, "column": "UPN (column H)", "message": message.message}
    assert [r.status() for r in result.rows][:3] == [RowStatus.ERROR] * 3
    assert not result.ready_to_import()


def test_dates_in_every_form_and_upns_as_typed(demo_database: Database, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        learner(1, **{"Date of Birth": date(2014, 2, 2)}),  # a date cell
        learner(2, **{"Date of Birth": 41672}),  # an Excel serial number: 02/02/2014
        learner(3, **{"Date of Birth": "2014-02-04"}),
        learner(4, UPN=" " + upn(4).lower()[:5] + " " + upn(4)[5:] + " "),
        learner(5, UPN="L93612341501K"),  # temporary: warning
        learner(6, **{"SIMS Number": 123.0}),  # a number cell: leading zeros may be lost
        learner(7, **{"First Names": "An\u200bn\u00ade"}),  # zero-width, soft hyphen
    ]
    result = check(demo_database, write_xlsx(tmp_path / "forms.xlsx", rows))
    births = [r.draft.date_of_birth for r in result.rows[:3] if r.draft]
    assert births == [date(2014, 2, 2), date(2014, 2, 2), date(2014, 2, 4)]
    assert result.row(5).draft is not None and result.row(5).draft.upn == upn(4)
    assert "temporary UPN" in messages(result, 6, Field.UPN)[0]
    assert result.row(7).draft is not None and result.row(7).draft.sims_number == "123"
    assert "zeros" in messages(result, 7, Field.SIMS_NUMBER)[0]
    assert result.row(8).draft is not None and result.row(8).draft.first_names == "Anne"


def test_values_starting_like_formulas_are_refused_with_the_cell_named(
    demo_database: Database, tmp_path: Path
) -> None:
    from tests.support.import_files import write_csv

    rows = [
        learner(1, **{"Surnames": '=HYPERLINK("http://evil","Click")', "First Names": "@cmd"}),
        learner(2, **{"Surnames": "+SUM(A1)", "First Names": "-Bo"}),
        learner(3, **{"First Names": "Zo\u0007e", "Tutor Group": "7\u0007Q\u200b"}),
        learner(4, **{"Surnames": "O'Neil", "First Names": "Anne-Marie"}),
        learner(5, **{"Tutor Group": "\t=1+1", "SIMS Number": "-12"}),
        learner(6, **{"Surnames": "\uff1dcmd", "UPN": " @x"}),
    ]
    result = check(demo_database, write_csv(tmp_path / "n.csv", rows))
    surname = messages(result, 2, Field.SURNAME)
    assert len(surname) == 1 and "cell B2" in surname[0] and "“=”" in surname[0]
    assert "cell A2" in messages(result, 2, Field.FIRST_NAMES)[0]
    assert "cell B3" in messages(result, 3, Field.SURNAME)[0]
    assert "“-”" in messages(result, 3, Field.FIRST_NAMES)[0]
    assert "cell E6" in messages(result, 6, Field.TUTOR_GROUP)[0]
    assert "minus sign" in messages(result, 6, Field.SIMS_NUMBER)[0]  # a number, not a formula
    assert "“＝”" in messages(result, 7, Field.SURNAME)[0]
    assert "cell H7" in messages(result, 7, Field.UPN)[0]
    assert [r.status() for r in result.rows] == [
        RowStatus.ERROR,
        RowStatus.ERROR,
        RowStatus.READY,
        RowStatus.READY,
        RowStatus.ERROR,
        RowStatus.ERROR,
    ]
    drafts = [r.draft for r in result.rows]
    assert drafts[2] is not None and drafts[2].first_names == "Zoe"
    assert drafts[2].tutor_group == "7Q"
    assert drafts[3] is not None
    assert (drafts[3].first_names, drafts[3].surname) == ("Anne-Marie", "O'Neil")


def test_formula_like_text_refused_in_xlsx_and_transfer_files(
    demo_database: Database, tmp_path: Path
) -> None:
    from tests.support.import_files import ctf

    # Text cells (not formulas) that a spreadsheet would run: "+…" and "@…" are text to Excel.
    rows = [learner(1, **{"Surnames": "+SUM(A1)"}), learner(2, **{"First Names": "@cmd"})]
    result = check(demo_database, write_xlsx(tmp_path / "t.xlsx", rows))
    assert "cell B2" in messages(result, 2, Field.SURNAME)[0]
    assert "cell A3" in messages(result, 3, Field.FIRST_NAMES)[0]
    pupil = (
        "<Pupil><Surname>=cmd|' /C calc'!A0</Surname><UPN>{upn}</UPN><Forename>JANE</Forename>"
        "<DOB>2013-10-02</DOB><Gender>F</Gender>"
        "<BasicDetails><NCyearActual>7</NCyearActual></BasicDetails></Pupil>"
    )
    path = tmp_path / "ctf.xml"
    path.write_text(ctf([pupil.format(upn=upn(1))]), encoding="utf-8")
    result = check(demo_database, path)
    (refusal,) = messages(result, 1, Field.SURNAME)
    assert "<Surname> of pupil 1" in refusal and result.row(1).status() is RowStatus.ERROR


def test_formula_cells_rejected(demo_database: Database, tmp_path: Path) -> None:
    rows = [learner(1, **{"First Names": '=HYPERLINK("http://example.com","Ann")'})]
    result = check(demo_database, write_xlsx(tmp_path / "f.xlsx", rows))
    (refusal,) = messages(result, 2, Field.FIRST_NAMES)
    assert "Cell A2 holds a formula" in refusal
    assert result.row(2).status() is RowStatus.ERROR


def test_duplicates_within_the_file(demo_database: Database, tmp_path: Path) -> None:
    rows = [
        learner(1),
        learner(2, UPN=upn(1)),  # same UPN as row 2
        learner(3, **{"SIMS Number": "T00001"}),  # same SIMS number as row 2
        learner(1, UPN=upn(11), **{"SIMS Number": "X1"}),  # same name and date as row 2
    ]
    result = check(demo_database, write_xlsx(tmp_path / "d.xlsx", rows))
    kinds = {n: {d.kind for d in result.row(n).duplicates} for n in (2, 3, 4, 5)}
    assert DuplicateKind.UPN in kinds[2] and DuplicateKind.UPN in kinds[3]
    assert DuplicateKind.SIMS_NUMBER in kinds[4]
    assert kinds[5] == {DuplicateKind.SAME_NAME}
    assert result.row(5).status() is RowStatus.ERROR
    assert result.row(5).status(Decision.CREATE_NEW) is RowStatus.WARNING
    assert result.row(3).options == ()  # a clash of UPNs is never decided away


def test_duplicates_against_learners_on_roll(demo_database: Database, tmp_path: Path) -> None:
    known = a_learner(demo_database, LearnerStatus.ON_ROLL)
    born = known.date_of_birth.strftime("%d/%m/%Y")
    same = {"First Names": known.first_names, "Surnames": known.surname, "Date of Birth": born}
    rows = [
        learner(1, UPN=known.upn),
        learner(2, **{"SIMS Number": known.sims_number}),
        learner(3, **{**same, "First Names": known.first_names.upper()}),
        learner(4, **{**same, "First Names": known.first_names + "h"}),  # Jon / John
        learner(5, **{**same, "Surnames": f"{known.surname}-{known.surname}"}),
    ]
    result = check(demo_database, write_xlsx(tmp_path / "d.xlsx", rows))
    assert "already used by" in result.row(2).duplicates[0].message
    assert result.row(2).duplicates[0].match.learner_id == known.id
    assert result.row(3).duplicates[0].kind is DuplicateKind.SIMS_NUMBER
    assert result.row(4).duplicates[0].kind is DuplicateKind.SAME_NAME
    assert result.row(4).options == (Decision.CREATE_NEW, Decision.SKIP)
    similar = result.row(5).duplicates[0]
    assert similar.kind is DuplicateKind.SIMILAR_NAME and not similar.error_until_decided
    assert result.row(5).status() is RowStatus.WARNING and result.row(5).needs_decision
    assert not result.row(5).importable()
    assert result.row(5).importable(Decision.CREATE_NEW)
    assert result.row(6).status(Decision.SKIP) is RowStatus.SKIPPED


def test_a_learner_who_left_can_be_reinstated(demo_database: Database, tmp_path: Path) -> None:
    left = a_learner(demo_database, LearnerStatus.LEFT)
    result = check(demo_database, write_xlsx(tmp_path / "l.xlsx", [learner(1, UPN=left.upn)]))
    row = result.row(2)
    assert row.options == (Decision.REINSTATE, Decision.SKIP)
    assert "Reinstate" in row.duplicates[0].message
    assert row.status() is RowStatus.ERROR
    plan = plan_import(result, {2: Decision.REINSTATE})
    assert plan.reinstate[0][1] == left.id and not plan.create
    with pytest.raises(Refused, match="does not apply"):
        plan_import(result, {2: Decision.CREATE_NEW})


def test_nothing_planned_while_a_row_is_blocked(demo_database: Database, tmp_path: Path) -> None:
    rows = [learner(1), learner(2, **{"Date of Birth": "31/02/2014"})]
    result = check(demo_database, write_xlsx(tmp_path / "p.xlsx", rows))
    with pytest.raises(Refused, match="1 rows still have errors"):
        plan_import(result)
    plan = plan_import(result, skip_invalid=True)
    assert [r.number for r in plan.create] == [2]
    assert [r.number for r in plan.left_out] == [3]


def test_edit_then_recheck(demo_database: Database, tmp_path: Path) -> None:
    from planit_desktop.model.services.importing import check_table, load_context

    table = read_table(write_xlsx(tmp_path / "e.xlsx", [learner(1, Gender="?")]))
    with demo_database.read() as session:
        context = load_context(session, today=TODAY)
    assert check_table(table, context).row(2).status() is RowStatus.ERROR
    fixed = check_table(table.with_value(2, Field.SEX, "F"), context)
    assert fixed.row(2).status() is RowStatus.READY
    assert all(m.severity is not Severity.ERROR for m in fixed.row(2).messages)


def test_identical_rows_resolved_by_skipping_all_but_one(
    demo_database: Database, tmp_path: Path
) -> None:
    twin = learner(1)
    rows = [twin, learner(2), twin, twin]  # rows 2, 4 and 5 are one learner three times
    result = check(demo_database, write_xlsx(tmp_path / "twins.xlsx", rows))
    assert [result.row(n).status() for n in (2, 3, 4, 5)] == [
        RowStatus.ERROR,
        RowStatus.READY,
        RowStatus.ERROR,
        RowStatus.ERROR,
    ]
    assert any("already used by" in d.message for d in result.row(2).duplicates)
    # Skipping one of the copies is not enough: the third still clashes with the first.
    one = {4: Decision.SKIP}
    assert result.row(2, one).status() is RowStatus.ERROR
    assert all(d.match.row == 5 for d in result.row(2, one).duplicates)
    # Skipping all but one clears the one kept, whose duplicates were only those copies.
    decisions = {4: Decision.SKIP, 5: Decision.SKIP}
    kept = result.row(2, decisions)
    assert kept.duplicates == () and kept.status() is RowStatus.READY
    assert result.row(2).duplicates  # the check itself is unchanged
    assert result.counts(decisions)[RowStatus.SKIPPED] == 2
    assert result.blocked_rows(decisions) == [] and result.ready_to_import(decisions)
    plan = plan_import(result, decisions)
    assert [r.number for r in plan.create] == [2, 3]
    assert [r.number for r in plan.left_out] == [4, 5]
    with pytest.raises(Refused, match="still have errors"):
        plan_import(result, one)


def test_skipping_a_twin_by_name_clears_the_other(demo_database: Database, tmp_path: Path) -> None:
    # The same name and date of birth, no UPN or SIMS number: an error until decided.
    twin = learner(1, UPN=None, **{"SIMS Number": None})
    result = check(demo_database, write_xlsx(tmp_path / "twins.xlsx", [twin, twin]))
    assert result.row(3).status() is RowStatus.ERROR
    decisions = {2: Decision.SKIP}
    assert result.row(3, decisions).status() is not RowStatus.ERROR
    assert [r.number for r in plan_import(result, decisions).create] == [3]
    # Deciding the other was a different person, and then skipping its twin, still imports it.
    both = {2: Decision.SKIP, 3: Decision.CREATE_NEW}
    assert [r.number for r in plan_import(result, both).create] == [3]
