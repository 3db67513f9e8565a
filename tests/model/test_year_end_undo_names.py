"""Undoing the year end puts back every group name it changed, and names any it cannot (a
group renamed again since, or whose old name another group now has), with a choice: refused
unless agreed (``--keep-renamed``), then every other name back and that one named. Doing the
year end again never makes "11A leavers 2026 leavers 2026"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from planit_desktop.cli import main
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import Group, School
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.demo.school import create_demo_school
from planit_desktop.model.services.groups.editing import create_group, rename_group
from planit_desktop.model.services.year_end import YearEndChoices, plan_rollover, undo_preview
from planit_desktop.model.services.year_end.run import (
    GroupsRenamedSince,
    run_year_end,
    undo_year_end,
)
from tests.support.sign_in import CommandLineSignIn, staff_actor


def names(database: Database) -> dict[int, str]:
    with database.read() as session:
        return dict(session.execute(select(Group.id, Group.name)).all())


def roll_over_renaming_all(database: Database, admin: Actor) -> dict[int, str]:
    """The year end with every proposed name chosen (as "Rename all proposed" does)."""
    with database.read() as session:
        plan = plan_rollover(session, admin)
    renames = {r.group_id: r.suggested for r in plan.group_renames if r.suggested}
    assert len(renames) > 10
    with database.begin() as session:
        run_year_end(
            session, admin, YearEndChoices(renames=renames), from_year=2025, allow_early=True
        )
    return renames


def by_name(database: Database, name: str) -> int:
    return next(gid for gid, now in names(database).items() if now == name)


def test_undo_puts_back_every_name_but_one_renamed_since(
    demo_database: Database, admin: Actor
) -> None:
    before = names(demo_database)
    renames = roll_over_renaming_all(demo_database, admin)
    eight_a = by_name(demo_database, "8A")  # 7A, renamed by the year end
    with demo_database.begin() as session:
        rename_group(session, admin, eight_a, "Eights")  # on the Groups tab, afterwards

    with demo_database.read() as session:
        preview = undo_preview(session, admin)
    assert preview.names_to_restore == len(renames) - 1
    assert [(row.old, row.renamed_to, row.now) for row in preview.names_left] == [
        ("7A", "8A", "Eights")
    ]
    # Not agreed: refused, naming the group, and nothing changed.
    with pytest.raises(GroupsRenamedSince, match="“Eights”") as refused:
        with demo_database.begin() as session:
            undo_year_end(session, admin, keep_edited=True)
    assert "Nothing was changed." in refused.value.message
    with demo_database.read() as session:
        assert session.get_one(School, 1).academic_year == 2026

    with demo_database.begin() as session:
        undone = undo_year_end(session, admin, keep_edited=True, keep_renamed=True)
    after = names(demo_database)
    assert after == {**before, eight_a: "Eights"}  # every other name is back
    assert undone.renames_undone is not None
    assert len(undone.renames_undone.renamed) == len(renames) - 1
    assert [row.now for row in undone.names_left] == ["Eights"]
    assert "renamed again since" in (undone.renames_kept or "")
    data = undone.to_json()
    assert data["group_names_left"] == [
        {
            "id": eight_a,
            "before_year_end": "7A",
            "renamed_by_year_end": "8A",
            "now": "Eights",
            "reason": "renamed again since",
        }
    ]


def test_an_old_name_taken_since_is_not_forced(demo_database: Database, admin: Actor) -> None:
    before = names(demo_database)
    roll_over_renaming_all(demo_database, admin)
    with demo_database.begin() as session:
        # 7A became 8A; a new group takes the free "7A"; 7A cannot get its name back.
        create_group(session, admin, "7a")
    with demo_database.begin() as session:
        undone = undo_year_end(session, admin, keep_edited=True, keep_renamed=True)
    left = {row.old: row for row in undone.names_left}
    assert "another group is now called “7A”" in left["7A"].reason and left["7A"].now == "8A"
    # The A forms above are blocked in turn (each name is held by the one below, which keeps
    # it): every one is named, none forced; the B forms and the rest get their names back.
    assert set(left) == {"7A", "8A", "9A", "10A", "11A"}
    assert "another group is now called “8A”" in left["8A"].reason
    after = names(demo_database)
    assert {gid: after[gid] for gid in before if before[gid] not in left} == {
        gid: name for gid, name in before.items() if name not in left
    }


def test_a_second_run_after_undo_proposes_no_double_leavers_name(
    demo_database: Database, admin: Actor
) -> None:
    roll_over_renaming_all(demo_database, admin)
    with demo_database.begin() as session:
        undo_year_end(session, admin, keep_edited=True)
    with demo_database.read() as session:
        plan = plan_rollover(session, admin)
    proposed = [r.suggested or "" for r in plan.group_renames]
    assert "11A leavers 2026" in proposed
    assert not [name for name in proposed if name.count("leavers") > 1]
    # Even a leavers' group left on roll (its name not put back) is not named again.
    with demo_database.begin() as session:
        rename_group(session, admin, by_name(demo_database, "11A"), "11A leavers 2026")
    with demo_database.read() as session:
        plan = plan_rollover(session, admin)
    assert not [r for r in plan.group_renames if "leavers 2026 leavers" in (r.suggested or "")]


def test_undo_without_renames_says_nothing_of_names(demo_database: Database, admin: Actor) -> None:
    with demo_database.begin() as session:
        run_year_end(session, admin, YearEndChoices(), from_year=2025, allow_early=True)
    with demo_database.begin() as session:
        undone = undo_year_end(session, admin, keep_edited=True)
    assert undone.renames_undone is None and undone.names_left == ()
    assert undone.renames_kept is None


def test_a_rename_meanwhile_refuses_what_was_agreed(demo_database: Database, admin: Actor) -> None:
    roll_over_renaming_all(demo_database, admin)
    with demo_database.begin() as session:
        rename_group(session, admin, by_name(demo_database, "8A"), "Eights")
    with pytest.raises(Refused, match="renamed since the undo was looked at"):
        with demo_database.begin() as session:
            undo_year_end(session, admin, keep_edited=True, keep_renamed=True, expected_renamed=[])


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def school_file(tmp_path: Path) -> Path:
    path = tmp_path / "school.db"
    database = open_database(f"sqlite:///{path}")
    try:
        with database.begin() as session:
            create_demo_school(session, learners=200, seed=7, academic_year=2025)
    finally:
        database.dispose()
    return path


def test_undo_on_the_command_line_names_the_group_it_left(
    school_file: Path, capsys: pytest.CaptureFixture[str], cli_signed_in: CommandLineSignIn
) -> None:
    database = open_database(f"sqlite:///{school_file}")
    try:
        admin = staff_actor(database, cli_signed_in.login)
        before = names(database)
        renames = roll_over_renaming_all(database, admin)
        eight_a = by_name(database, "8A")
        with database.begin() as session:
            rename_group(session, admin, eight_a, "Eights")
    finally:
        database.dispose()

    status = main(["rollover", "--db", str(school_file), "--undo"])
    out, err = capsys.readouterr()
    assert status == 1 and "“Eights”" in err and "--keep-renamed" in err
    assert "Nothing was changed." in err and not out

    status = main(["rollover", "--db", str(school_file), "--undo", "--keep-renamed", "--json"])
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert status == 0 and data["academic_year"] == "2025/26"
    assert len(data["group_renames_undone"]) == len(renames) - 1
    assert [row["now"] for row in data["group_names_left"]] == ["Eights"]
    database = open_database(f"sqlite:///{school_file}")
    try:
        assert names(database) == {**before, eight_a: "Eights"}
    finally:
        database.dispose()


def test_undo_text_says_what_it_did_and_nothing_else(
    school_file: Path, capsys: pytest.CaptureFixture[str], cli_signed_in: CommandLineSignIn
) -> None:
    database = open_database(f"sqlite:///{school_file}")
    try:
        admin = staff_actor(database, cli_signed_in.login)
        roll_over_renaming_all(database, admin)
        with database.begin() as session:
            rename_group(session, admin, by_name(database, "8A"), "Eights")
    finally:
        database.dispose()
    status = main(["rollover", "--db", str(school_file), "--undo", "--keep-renamed"])
    out, _ = capsys.readouterr()
    assert status == 0 and "Rollover undone" in out
    assert "Group names put back: " in out and "8B → 7B" in out
    assert "Group name not put back: “Eights” (“7A” before the year end" in out
    assert "Nothing was changed" not in out
