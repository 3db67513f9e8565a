"""Group names at the year end: a year read in any naming scheme, names proposed from what
the groups will hold (kept-back learners and leavers counted as chosen), ambiguous names left
to decide, the Checks step's list, and ``rollover --preview --json`` with the same."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import update

from planit_desktop.cli import main
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import Group, Learner
from planit_desktop.model.services.demo.school import create_demo_school
from planit_desktop.model.services.groups.names import read_name, with_year
from planit_desktop.model.services.year_end import YearEndChoices, plan_rollover
from planit_desktop.model.services.year_end.checklist import work_out_hints
from planit_desktop.model.services.year_end.proposals import (
    members_after,
    names_not_matching,
    propose_renames,
)
from planit_desktop.model.services.year_end.renames import needs_a_new_name, suggest_group_renames
from planit_desktop.model.services.year_end.rule import Outcome
from tests.support.rollover import small_school
from tests.support.sign_in import staff_actor

AMBIGUOUS = "ambiguous"

#: Real-style names, the year group of the learners in them now, and the name proposed when
#: they all move up as the rule says (None: not listed, no year the school serves in it).
NAMES: list[tuple[str, int, str | None]] = [
    ("10A", 10, "11A"),
    ("7K10", 7, "8K10"),
    ("8S7", 8, "9S7"),
    ("10E6", 10, "11E6"),
    ("7A2", 7, "8A2"),  # the demo's authority-sized years: 7A2, 7B2, …
    ("9AB", 9, "10AB"),
    ("7", 7, "8"),
    ("07A", 7, "08A"),
    ("Y9 Set 2", 9, "Y10 Set 2"),
    ("Y9 Set 10", 9, "Y10 Set 10"),  # the year word decides; the set number stays
    ("Yr10 Maths", 10, "Yr11 Maths"),
    ("Yr 8 Maths", 8, "Yr 9 Maths"),
    ("Yr. 8 Maths", 8, "Yr. 9 Maths"),
    ("Year 10 Blue", 10, "Year 11 Blue"),
    ("year10 blue", 10, "year11 blue"),
    ("YEAR 7 FORM", 7, "YEAR 8 FORM"),
    ("Y07", 7, "Y08"),
    ("Y09 Blue", 9, "Y10 Blue"),
    ("Y8_Sci_2", 8, "Y9_Sci_2"),
    ("Yr7 Reg 3", 7, "Yr8 Reg 3"),
    ("Year 8 - Group 3", 8, "Year 9 - Group 3"),
    ("7/Blu", 7, "8/Blu"),
    ("10-Blue", 10, "11-Blue"),
    ("10 Blue", 10, "11 Blue"),
    ("7/2", 7, "8/2"),  # Year 7, form 2
    ("8.3", 8, "9.3"),
    ("Tutor 9B", 9, "Tutor 10B"),
    ("Form 7K10", 7, "Form 8K10"),
    ("Maths 10X1", 10, "Maths 11X1"),
    ("10X1 Maths", 10, "11X1 Maths"),
    # The top year completes: a leavers' name, so the group below can take the name.
    ("11A", 11, "11A leavers 2026"),
    ("11-Green", 11, "11-Green leavers 2026"),
    ("Year 11 Revision", 11, "Year 11 Revision leavers 2026"),
    # Already named for leavers: never "11A leavers 2026 leavers 2026".
    ("11A leavers 2026", 11, None),
    ("Yr 11 Leavers", 11, None),
    # A number that may or may not be a year: shown to decide, never renamed by rule.
    ("Set 10", 10, AMBIGUOUS),
    ("Room 101", 10, AMBIGUOUS),
    ("101 Club", 9, AMBIGUOUS),
    ("Maths 9", 9, AMBIGUOUS),
    ("Room 10B", 10, AMBIGUOUS),
    ("Years 10-11", 10, AMBIGUOUS),
    ("10/11 Mentors", 10, AMBIGUOUS),
    ("U11 Football", 9, AMBIGUOUS),
    # No year the school serves (Years 7 to 11).
    ("Oak", 8, None),
    ("Careers Club", 9, None),
    ("Set 2", 9, None),
    ("3D Design", 9, None),
    ("Year 12 Mentors", 11, None),
    ("Class of 2027", 10, None),
    ("KS4 Maths", 10, None),
    ("Duke of Edinburgh", 10, None),
]


def _proposal(name: str, year_now: int) -> tuple[str | None, bool] | None:
    """What the year end proposes for one group ``name`` of 20 learners in ``year_now``."""
    members = members_after({1: {year_now: 20}}, 11)
    rows = propose_renames({1: name}, members, lowest_year=7, highest_year=11, leavers_year=2026)
    if not rows:
        return None
    (row,) = rows
    return row.suggested, row.ambiguous


def test_the_table_has_enough_real_style_names() -> None:
    assert len(NAMES) >= 40 and len({name for name, _, _ in NAMES}) == len(NAMES)


@pytest.mark.parametrize(("name", "year_now", "expected"), NAMES)
def test_a_year_is_read_in_any_naming_scheme(
    name: str, year_now: int, expected: str | None
) -> None:
    found = _proposal(name, year_now)
    if expected is None:
        assert found is None
    elif expected == AMBIGUOUS:
        assert found == (None, True)  # listed to decide, with no name proposed
        assert read_name(name, lowest_year=7, highest_year=11).ambiguous
    else:
        assert found == (expected, False)


def test_a_leading_zero_is_kept() -> None:
    found = read_name("Y09", lowest_year=7, highest_year=11).year
    assert found is not None and with_year("Y09", found, 10) == "Y10"
    assert with_year("Y07", read_name("Y07").year, 8) == "Y08"  # type: ignore[arg-type]


def test_kept_back_and_leaving_learners_count_as_chosen() -> None:
    current = {1: "8D", 2: "11D", 3: "10D", 4: "9C"}
    years_now = {1: {8: 30}, 2: {11: 30}, 3: {10: 30}, 4: {9: 25}}
    chosen = [
        ([1], 8, Outcome.KEPT_BACK),
        ([1], 8, Outcome.KEPT_BACK),
        ([2], 11, Outcome.KEPT_BACK),
        *[([4], 9, Outcome.LEAVES)] * 25,
    ]
    members = members_after(years_now, 11, chosen)
    assert members[1].after == {8: 2, 9: 28} and members[1].kept_back == 2
    assert members[2].after == {11: 1} and members[2].leaving == 29
    assert members[4].after == {} and members[4].leaving == 25
    rows = {
        r.old: r
        for r in propose_renames(
            current, members, lowest_year=7, highest_year=11, leavers_year=2026
        )
    }
    # Two Year 8s kept back: mixed, said so, not renamed to 9D by rule.
    assert rows["8D"].suggested is None and rows["8D"].mixed
    assert "Year 8 (2) and Year 9 (28)" in (rows["8D"].note or "")
    # A Year 11 kept back in 11D: not a leavers' group; it keeps its name, and is shown
    # because 10D's proposal wants that name.
    assert rows["11D"].suggested is None and not rows["11D"].emptied
    assert "Keeps its name" in (rows["11D"].note or "") and "kept back" in (rows["11D"].note or "")
    assert rows["10D"].suggested == "11D" and "11D" in (rows["10D"].clash or "")
    # Everyone in 9C leaves from Year 9: emptied, but not a leavers' group either.
    assert rows["9C"].suggested is None and rows["9C"].emptied
    # Nothing kept back: 8D moves up whole, 11D is for its leavers, 10D takes its name.
    plain = {
        r.old: r
        for r in propose_renames(
            current,
            members_after(years_now, 11),
            lowest_year=7,
            highest_year=11,
            leavers_year=2026,
        )
    }
    assert plain["8D"].suggested == "9D"
    assert plain["11D"].suggested == "11D leavers 2026" and plain["11D"].emptied
    assert plain["10D"].suggested == "11D" and plain["10D"].clash is None


def test_names_that_will_not_match_their_learners_are_listed() -> None:
    current = {1: "8D", 2: "10D", 3: "11D", 4: "Oak", 5: "Set 10"}
    years_now = {1: {8: 30}, 2: {10: 30}, 3: {11: 30}, 4: {9: 5}, 5: {10: 5}}
    members = members_after(years_now, 11, [([1], 8, Outcome.KEPT_BACK)])
    renames = propose_renames(current, members, lowest_year=7, highest_year=11, leavers_year=2026)
    problem = names_not_matching(renames, {}, lowest_year=7, highest_year=11)
    assert problem is not None and problem.kind == "group_names" and problem.count == 3
    assert problem.groups == (
        "10D: its learners will be in Year 11 (30)",
        "11D: nobody on roll will be left in it (its learners complete)",
        "8D: mixed, its learners will be in Year 8 (1) and Year 9 (29)",
    )
    # Renamed as proposed, only the mixed group is left; named by hand, none.
    chosen = {2: "11D", 3: "11D leavers 2026"}
    problem = names_not_matching(renames, chosen, lowest_year=7, highest_year=11)
    assert problem is not None and problem.groups == (
        "8D: mixed, its learners will be in Year 8 (1) and Year 9 (29)",
    )
    assert (
        names_not_matching(
            renames, {**chosen, 1: "Mixed tutor group"}, lowest_year=7, highest_year=11
        )
        is None
    )


@pytest.fixture
def school(database: Database) -> dict[str, int]:
    with database.begin() as session:
        return small_school(session)


def test_the_plan_counts_a_kept_back_year_11_in_her_group(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    with database.read() as session:
        plan = plan_rollover(
            session, admin, YearEndChoices(kept_back=frozenset({school["eleven"]}))
        )
    renames = {r.old: r for r in plan.group_renames}
    # "eleven" stays on roll in Year 11 in 11A: no leavers' name; 10A → 11A clashes.
    assert renames["11A"].suggested is None and not renames["11A"].emptied
    assert renames["11A"].years_after == {11: 1} and renames["11A"].kept_back == 1
    assert renames["10A"].suggested == "11A" and "keeps its name" in (renames["10A"].clash or "")
    check = next(p for p in plan.problems if p.kind == "group_names")
    assert any(line.startswith("10A:") for line in check.groups)
    assert plan.to_json()["problems"][-1]["groups"] == list(check.groups)


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    """A 200-learner demo school in 2025/26 in a SQLite file, 7A renamed "7K10"."""
    path = tmp_path / "demo.db"
    database = open_database(f"sqlite:///{path}")
    try:
        with database.begin() as session:
            create_demo_school(session, learners=200, seed=7, academic_year=2025)
            session.execute(update(Group).where(Group.name == "7A").values(name="7K10"))
    finally:
        database.dispose()
    return path


def _upns(path: Path, group: str, year: int, count: int) -> list[str]:
    with sqlite3.connect(path) as raw:
        return [
            row[0]
            for row in raw.execute(
                "SELECT l.upn FROM learner l JOIN group_membership m ON m.learner_id = l.id "
                "JOIN learner_group g ON g.id = m.group_id WHERE g.name = ? AND "
                "l.year_group = ? AND l.status = 'on_roll' ORDER BY l.id LIMIT ?",
                (group, year, count),
            )
        ]


def _preview(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> dict[str, dict]:  # type: ignore[type-arg]
    status = main(["rollover", "--db", str(path), "--preview", "--json", *args])
    out, err = capsys.readouterr()
    assert status == 0, err
    return {r["from"]: r for r in json.loads(out)["group_renames"]}


def test_preview_json_follows_keep_back_and_shows_the_years(
    demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = _preview(capsys, demo_file)
    assert plain["11A"]["to"] == "11A leavers 2026" and plain["11A"]["years_after"] == {}
    assert plain["8A"]["to"] == "9A" and plain["8A"]["years_after"] == {"9": 20}
    assert plain["7K10"]["to"] == "8K10" and plain["7K10"]["years_after"] == {"8": 20}
    assert plain["Y9 Set 2"]["to"] == "Y10 Set 2" and plain["Y9 Set 2"]["years_after"] == {"10": 9}

    (eleven,) = _upns(demo_file, "11A", 11, 1)
    eights = _upns(demo_file, "8A", 8, 2)
    kept = _preview(capsys, demo_file, "--keep-back", ",".join([eleven, *eights]))
    # The kept-back Year 11's group is not proposed as a leavers' group...
    assert kept["11A"]["to"] is None and kept["11A"]["years_after"] == {"11": 1}
    assert kept["11A"]["kept_back"] == 1 and not kept["11A"]["emptied"]
    assert "keeps its name" in kept["10A"]["clash"]
    # ...and the kept-back Year 8s' group is not renamed to Year 9: it is mixed.
    assert kept["8A"]["to"] is None and kept["8A"]["mixed"]
    assert kept["8A"]["years_after"] == {"8": 2, "9": 18}
    assert kept["7K10"]["to"] == "8K10"  # the others are as before

    # Leaving counts too: the whole of 9B leaves, so nobody is left in it.
    leaving = _upns(demo_file, "9B", 9, 50)
    left = _preview(capsys, demo_file, "--left", ",".join(leaving))
    assert left["9B"]["to"] is None and left["9B"]["emptied"]

    status = main(["rollover", "--db", str(demo_file), "--preview", "--keep-back", eleven])
    out, _ = capsys.readouterr()
    assert status == 0 and "stay as they are unless you choose" in out
    assert "7K10 → 8K10 (Y8: 20)" in out and "11A leavers" not in out
    assert "group names will not match their learners" in out


def test_the_checklist_counts_groups_by_the_same_rule(demo_file: Path) -> None:
    db = open_database(f"sqlite:///{demo_file}")
    try:
        demo_admin = staff_actor(db, "admin1")
        with db.begin() as session:
            # As if the year end had run without renames: every learner a year up.
            session.execute(
                update(Learner)
                .where(Learner.status == "on_roll", Learner.year_group == 11)
                .values(status="completed")
            )
            session.execute(
                update(Learner)
                .where(Learner.status == "on_roll")
                .values(year_group=Learner.year_group + 1)
            )
            session.execute(update(Group).where(Group.name == "Oak").values(name="Set 10"))
        with db.read() as session:
            renames = suggest_group_renames(session, demo_admin)
            hint = work_out_hints(session, demo_admin)["group_names"]
    finally:
        db.dispose()
    rows = {r.old: r for r in renames}
    assert rows["7K10"].suggested == "8K10"  # read in the other schemes too
    assert rows["Y9 Set 2"].suggested == "Y10 Set 2"
    assert rows["11A"].emptied and rows["11A"].suggested is None
    assert rows["Set 10"].ambiguous and rows["Set 10"].suggested is None
    needing = [r.old for r in renames if needs_a_new_name(r)]
    assert "7K10" in needing and "11A" in needing and "Set 10" not in needing
    assert hint.looks_open and hint.text.startswith(f"{len(needing)} groups still have")
    assert "1 more has a number that may be a year" in hint.text


def test_the_report_lists_the_groups_whose_names_will_not_match(
    database: Database, school: dict[str, int], admin: Actor, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from planit_desktop.model.services.year_end import write_rollover_report
    from planit_desktop.model.services.year_end.run import run_year_end

    with database.begin() as session:
        run_year_end(
            session,
            admin,
            YearEndChoices(kept_back=frozenset({school["seven"]})),
            from_year=2025,
            allow_early=True,
        )
    target = tmp_path / "report.xlsx"
    with database.read() as session:
        write_rollover_report(session, admin, None, target)
    rows = [row[0] for row in load_workbook(target)["Problems"].iter_rows(values_only=True)]
    assert "7A: mixed, its learners will be in Year 7 (1) and Year 8 (1)" in rows
    assert "10A: its learners will be in Year 11 (1)" in rows
