"""The learners read service: snapshots, groups in one query, and what supervisors may see."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import event

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    Group,
    GroupMembership,
    Learner,
    LearnerStatus,
    School,
    Staff,
    StaffRole,
    SupervisorAccess,
)
from planit_desktop.model.services.learners.roll import (
    LearnerRow,
    first_learners,
    list_learners,
    matches,
    search_tokens,
)
from planit_desktop.model.services.staff.sign_in import sign_in
from planit_desktop.model.validation import names
from tests.support.postgres import advance_id_sequences


@pytest.fixture
def school(database: Database) -> Database:
    """Four learners, two groups, one supervisor with access to 7A this year and 8B last year."""
    with database.begin() as session:
        session.add(School(id=1, name="Test School", academic_year=2025))
        people = [
            ("Zoë", "O'Brien", 7, "H801200001001", "0007", LearnerStatus.ON_ROLL),
            ("Ada", "Lovelace", 8, None, None, LearnerStatus.ON_ROLL),
            ("Tom", "Smith-Jones", 7, None, "0123", LearnerStatus.LEFT),
            ("Ann", "Lovelace", 9, None, None, LearnerStatus.ON_ROLL),
        ]
        for number, (first, surname, year, upn, sims, status) in enumerate(people, start=1):
            session.add(
                Learner(
                    id=number,
                    first_names=first,
                    surname=surname,
                    date_of_birth=date(2013 - (year - 7), 1, number),
                    year_group=year,
                    upn=upn,
                    sims_number=sims,
                    login=f"learner{number}",
                    status=status,
                )
            )
        session.add_all([Group(id=1, name="7A"), Group(id=2, name="8B"), Group(id=3, name="Oak")])
        session.flush()
        session.add_all(
            [
                GroupMembership(learner_id=1, group_id=1),
                GroupMembership(learner_id=1, group_id=3),
                GroupMembership(learner_id=3, group_id=1),
                GroupMembership(learner_id=2, group_id=2),
            ]
        )
        session.add(Staff(id=1, name="Sam Super", login="sam", role=StaffRole.SUPERVISOR))
        session.flush()
        session.add_all(
            [
                SupervisorAccess(staff_id=1, group_id=1, academic_year=2025),
                SupervisorAccess(staff_id=1, group_id=2, academic_year=2024),
            ]
        )
        advance_id_sequences(session)  # ids were chosen above
    return database


def test_administrator_sees_everyone_in_register_order(school: Database, admin: Actor) -> None:
    with school.read() as session:
        rows = list_learners(session, admin)
    assert [(r.surname, r.first_names) for r in rows] == [
        ("Lovelace", "Ada"),
        ("Lovelace", "Ann"),
        ("O'Brien", "Zoë"),
        ("Smith-Jones", "Tom"),
    ]
    zoe = rows[2]
    assert isinstance(zoe, LearnerRow)
    assert zoe.groups == ("7A", "Oak")
    assert zoe.upn == "H801200001001"
    assert zoe.sims_number == "0007"
    assert zoe.date_of_birth == date(2013, 1, 1)
    assert zoe.status is LearnerStatus.ON_ROLL
    assert rows[1].groups == ()


def test_left_learners_can_be_left_out(school: Database, admin: Actor) -> None:
    with school.read() as session:
        rows = list_learners(session, admin, include_left=False)
    assert "Smith-Jones" not in {r.surname for r in rows}
    assert len(rows) == 3


def test_supervisor_sees_only_this_years_groups(school: Database) -> None:
    supervisor = Actor(login="sam", name="Sam Super", role=StaffRole.SUPERVISOR, staff_id=1)
    with school.read() as session:
        rows = list_learners(session, supervisor)
    # 8B was theirs last year only: Ada Lovelace is not shown.
    assert {r.surname for r in rows} == {"O'Brien", "Smith-Jones"}


def test_supervisor_without_groups_sees_nobody(school: Database, supervisor_actor: Actor) -> None:
    with school.read() as session:
        assert list_learners(session, supervisor_actor) == []


def test_a_whole_school_is_read_in_two_queries(school: Database, admin: Actor) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with school.read() as session:
        # Held, so that the role check is answered by the session's identity map.
        me = session.get(Staff, admin.staff_id)
        assert me is not None
        event.listen(school.engine, "before_cursor_execute", count)
        try:
            list_learners(session, admin)
        finally:
            event.remove(school.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("zoe", {"O'Brien"}),
        ("OBRIEN", {"O'Brien"}),
        ("o'brien zoë", {"O'Brien"}),
        ("smith jones", {"Smith-Jones"}),
        ("lovelace ann", {"Lovelace"}),
        ("h8012", {"O'Brien"}),
        ("0123", {"Smith-Jones"}),
        ("learner2", {"Lovelace"}),
        ("nobody", set()),
    ],
)
def test_search_ignores_case_accents_and_punctuation(
    school: Database, admin: Actor, typed: str, found: set[str]
) -> None:
    with school.read() as session:
        rows = list_learners(session, admin)
    tokens = search_tokens(typed)
    assert {r.surname for r in rows if matches(r.search_key, tokens)} == found


def test_empty_search_matches_everyone() -> None:
    assert search_tokens("   ") == []
    assert matches("anything", [])


def _shown(rows: list[LearnerRow]) -> list[tuple[LearnerRow, str]]:
    """Rows with their search keys (which row equality leaves out)."""
    return [(row, row.search_key) for row in rows]


@pytest.mark.parametrize("include_left", [True, False])
def test_the_first_page_is_the_start_of_the_whole_list(
    demo_database: Database, admin: Actor, *, include_left: bool
) -> None:
    with demo_database.begin() as session:
        supervisor = sign_in(session, "supervisor1", "demo-supervisor-pass").actor
    assert supervisor is not None and not supervisor.is_administrator
    with demo_database.read() as session:
        for actor in (admin, supervisor):
            everyone = list_learners(session, actor, include_left=include_left)
            assert len(everyone) > 40
            by_id = {row.id: row for row in everyone}
            for size in (0, 1, 40, len(everyone) - 1, len(everyone), len(everyone) + 50):
                page = first_learners(session, actor, size, include_left=include_left)
                # The same rows (search keys and groups too) as the whole list, in its order
                # (sort_key); which learners are first is the index's choice, and differs from
                # the whole list's only where accents, case or punctuation move a name across
                # the page's end. A page holding everyone is the whole list.
                assert len(page) == min(size, len(everyone))
                assert _shown(page) == _shown([by_id[row.id] for row in page])
                assert page == sorted(page, key=lambda r: (r.sort_name, r.id))
                assert [r.groups for r in page] == [by_id[r.id].groups for r in page]
                if size >= len(everyone):
                    assert _shown(page) == _shown(everyone)
        assert first_learners(session, admin, -1) == []


def test_the_first_page_is_read_by_the_index_in_two_queries(
    demo_database: Database, admin: Actor, supervisor_actor: Actor
) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def selects() -> list[str]:
        return [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    with demo_database.read() as session:
        # Held, so that the role checks are answered by the session's identity map.
        staff = [session.get(Staff, actor.staff_id) for actor in (admin, supervisor_actor)]
        assert all(staff)
        event.listen(demo_database.engine, "before_cursor_execute", count)
        try:
            assert len(first_learners(session, admin, 25)) == 25
            page = selects()
            statements.clear()
            assert first_learners(session, supervisor_actor, 25) == []  # no groups: nobody
        finally:
            event.remove(demo_database.engine, "before_cursor_execute", count)
    assert len(page) == 2
    assert "LIMIT" in page[0].upper() and "ORDER BY" in page[0].upper()
    # A real supervisor's groups are looked up; with none, only the learners they created in
    # class (seen until an administrator checks them) are looked for, in one query.
    groups, created = selects()
    assert "supervisor_access" in groups and "FROM learner" not in groups
    assert "audit_entry" in created and "learner_group" not in created


@given(st.text() | st.text(st.characters(max_codepoint=127)))
@example("Smith-Jones O'Brien")
@example("H801200001001 \t\x00\x7f")
@example("")
def test_the_ascii_name_key_is_the_general_one(text: str) -> None:
    assert names.name_key(text) == names._unicode_name_key(text)
