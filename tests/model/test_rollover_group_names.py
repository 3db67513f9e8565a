"""Group names with a year in them: suggestions, top-year groups, clashes, and renames."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Group
from planit_desktop.model.errors import InvalidInput, PermissionDenied, Refused
from planit_desktop.model.services.groups.batches import rename_in_batch, undo_rename_batch
from planit_desktop.model.services.groups.names import is_top_year_group
from planit_desktop.model.services.year_end import (
    apply_rollover,
    find_clashes,
    suggest_group_name,
    suggest_group_renames,
)
from tests.support.rollover import checksum, small_school
from tests.support.sign_in import staff_actor


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("10A", "11A"),
        ("7", "8"),
        ("9AB", "10AB"),
        ("Year 10 Blue", "Year 11 Blue"),
        ("year10 blue", "year11 blue"),
        ("Y9 Set 2", "Y10 Set 2"),
        ("Yr 8 Maths", "Yr 9 Maths"),
        ("Yr. 8 Maths", "Yr. 9 Maths"),
        ("7/2", "8/2"),  # Year 7, form 2: the year comes first
        ("10-Blue", "11-Blue"),
        ("Tutor 9B", "Tutor 10B"),
        ("11F", None),  # top year: its learners complete
        ("Oak", None),
        ("Careers Club", None),
        ("Set 2", None),  # a set number, not a year
        ("Room 101", None),
        ("3D Design", None),  # below the years served
        ("Year 12 Mentors", None),  # above them
        ("101 Club", None),
    ],
)
def test_suggestions(name: str, suggested: str | None) -> None:
    assert suggest_group_name(name, highest_year=11, lowest_year=7) == suggested


def test_top_year_groups_are_recognised() -> None:
    assert is_top_year_group("11F", highest_year=11, lowest_year=7)
    assert is_top_year_group("Year 11 Revision", highest_year=11, lowest_year=7)
    assert not is_top_year_group("10F", highest_year=11, lowest_year=7)


def test_clashes_with_kept_names_and_between_suggestions() -> None:
    current = {1: "10A", 2: "11A", 3: "9A", 4: "Year 10 A", 5: "oak"}
    clashes = find_clashes(current, {1: "11A", 3: "10A"})
    assert set(clashes) == {1} and "11A" in clashes[1]
    assert find_clashes(current, {1: "11A", 2: "Leavers 2026"}) == {}
    both = find_clashes(current, {1: "Oak B", 4: "oak b"})
    assert set(both) == {1, 4} and "also" in both[1]
    assert find_clashes(current, {3: "OAK"}) == {
        3: "a group called “oak” already exists and keeps its name"
    }
    assert find_clashes(current, {5: "Oak"}) == {}  # only the case changes


@pytest.fixture
def school(database: Database) -> dict[str, int]:
    with database.begin() as session:
        return small_school(session)


@pytest.fixture
def admin(database: Database, school: dict[str, int]) -> Actor:
    """The small school's own administrator, Ada Admin (``ada``), as signed in."""
    return staff_actor(database, "ada")


def _names(database: Database) -> list[str]:
    with database.read() as session:
        return sorted(session.scalars(select(Group.name)))


def test_rename_a_chain_in_one_step_then_undo(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    g = {k[6:]: v for k, v in school.items() if k.startswith("group:")}
    with database.begin() as session:
        result = rename_in_batch(
            session, admin, {g["11A"]: "Leavers 2026", g["10A"]: "11A", g["7A"]: "8A"}
        )
    assert _names(database) == ["11A", "8A", "Leavers 2026", "Oak", "Y9 Set 2"]
    assert len(result.renamed) == 3
    with database.read() as session:
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "group_renamed")
        ).all()
    assert {(a.old_value, a.new_value) for a in audited} == {
        ("11A", "Leavers 2026"),
        ("10A", "11A"),
        ("7A", "8A"),
    }
    with database.begin() as session:
        undone = undo_rename_batch(session, admin)
    assert undone.undone and _names(database) == ["10A", "11A", "7A", "Oak", "Y9 Set 2"]
    with pytest.raises(Refused, match="no group renames to undo"), database.begin() as session:
        undo_rename_batch(session, admin)


@pytest.mark.parametrize(
    ("new", "error", "message"),
    [
        ("   ", InvalidInput, "empty"),
        ("oak", Refused, "already a group called “Oak”"),
        ("x" * 101, InvalidInput, "too long"),
    ],
)
def test_bad_renames_change_nothing(
    database: Database,
    school: dict[str, int],
    admin: Actor,
    new: str,
    error: type[Exception],
    message: str,
) -> None:
    before = checksum(database)
    with pytest.raises(error, match=message), database.begin() as session:
        rename_in_batch(session, admin, {school["group:7A"]: new})
    assert checksum(database) == before


def test_two_groups_to_one_name_refused(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    with pytest.raises(Refused, match="both be called"), database.begin() as session:
        rename_in_batch(session, admin, {school["group:7A"]: "New", school["group:10A"]: "new"})


def test_undo_refused_when_renamed_again_since(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    with database.begin() as session:
        rename_in_batch(session, admin, {school["group:7A"]: "8A"})
    with database.begin() as session:
        session.get_one(Group, school["group:7A"]).name = "Eight A"
    with pytest.raises(Refused, match="renamed again"), database.begin() as session:
        undo_rename_batch(session, admin)


def test_supervisors_cannot_rename(
    database: Database, school: dict[str, int], supervisor_actor: Actor
) -> None:
    with pytest.raises(PermissionDenied), database.begin() as session:
        rename_in_batch(session, supervisor_actor, {school["group:7A"]: "8A"})


def test_suggestions_after_the_rollover_follow_the_learners(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    from datetime import date

    with database.begin() as session:
        assert suggest_group_renames(session, admin) == ()  # names fit the learners
        apply_rollover(session, admin, today=date(2026, 8, 1))
    with database.read() as session:
        renames = {r.old: r for r in suggest_group_renames(session, admin)}
    assert renames["7A"].suggested == "8A"
    assert renames["10A"].suggested == "11A" and renames["10A"].clash
    assert renames["11A"].emptied and renames["11A"].suggested is None
    assert renames["Y9 Set 2"].suggested == "Y10 Set 2"
