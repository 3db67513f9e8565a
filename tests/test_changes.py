"""What a transaction changed, derived from what it audited (model.changes), with no widgets:
each kind of change says the kinds of data it touched, savepoints and rollbacks are taken
into account, bulk work is noted batch by batch, and every audit entity the code writes has
its kinds."""

from __future__ import annotations

import ast
import threading
from datetime import date
from pathlib import Path

from sqlalchemy import select
from test_import_support import TODAY, learner, write_xlsx

import planit_desktop
from planit_desktop.model import changes
from planit_desktop.model.actor import Actor
from planit_desktop.model.changes import (
    ACTION_KINDS,
    ENTITY_KINDS,
    EVERYTHING,
    FIELD_KINDS,
    GROUPS,
    KINDS,
    LEARNERS,
    ROLLOVER,
    SCHOOL,
    STAFF,
    SUBJECTS,
    audited,
    collect,
    kinds_of_entry,
)
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Group, GroupMembership, Learner, Staff
from planit_desktop.model.kinds import LearnerStatus, StaffRole
from planit_desktop.model.services import audit
from planit_desktop.model.services.demo.school import DemoAccount, DemoSchool
from planit_desktop.model.services.groups import editing
from planit_desktop.model.services.importing import (
    check_rows,
    hash_passwords_parallel,
    import_learners,
    read_table,
)
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.model.services.learners.exporting import export_learners
from planit_desktop.model.services.staff import access
from planit_desktop.model.services.staff.sign_in import sign_in
from planit_desktop.model.services.subjects.offers import add_subject
from planit_desktop.model.services.year_end.choices import YearEndChoices
from planit_desktop.model.services.year_end.run import run_year_end, undo_year_end

AUGUST = date(2026, 8, 3)


def _on_roll(database: Database) -> Learner:
    with database.read() as session:
        found = session.scalars(
            select(Learner).where(Learner.status == LearnerStatus.ON_ROLL).order_by(Learner.id)
        ).first()
    assert found is not None
    return found


def _group_ids(database: Database) -> dict[str, int]:
    with database.read() as session:
        return {name: gid for name, gid in session.execute(select(Group.name, Group.id))}


# --- each kind of change says what it touched -------------------------------------------------
def test_a_correction_touches_learners_and_groups_only_when_the_groups_changed(
    demo_database: Database, admin: Actor
) -> None:
    ada = _on_roll(demo_database)
    with demo_database.begin() as session:
        assert audited(session) == changes.NOTHING
        result = correct_learner(
            session, admin, ada.id, {"surname": "Lovelace-King"}, expected_version=ada.version
        )
        assert audited(session).kinds == {LEARNERS}
        assert audited(session).entities == {"learner"}
    other = next(gid for name, gid in _group_ids(demo_database).items() if name == "Year 10 Blue")
    with demo_database.begin() as session:
        correct_learner(
            session, admin, ada.id, {"groups": frozenset({other})}, expected_version=result.version
        )
        assert audited(session).kinds == {LEARNERS, GROUPS}


def test_a_group_move_touches_the_learners_and_the_groups(
    demo_database: Database, admin: Actor
) -> None:
    with demo_database.read() as session:
        from_id, learner_id = session.execute(
            select(GroupMembership.group_id, GroupMembership.learner_id).limit(1)
        ).one()
    to_id = next(gid for gid in _group_ids(demo_database).values() if gid != from_id)
    with demo_database.begin() as session:
        editing.move_members(session, admin, from_id, to_id, [learner_id])
        moved = audited(session)
    assert moved.kinds == {LEARNERS, GROUPS}
    assert {action for action, _entity, _field in moved.entries} == {"group_members_moved"}
    with demo_database.begin() as session:
        editing.rename_group(session, admin, to_id, "Renamed group")
        assert audited(session).kinds == {GROUPS}
    with demo_database.begin() as session:
        editing.delete_group(session, admin, to_id, remove_members=True)
        # Its members' memberships, and its supervisors' access, went with it.
        assert audited(session).kinds == {LEARNERS, GROUPS, STAFF}


def test_an_import_touches_the_learners_and_the_groups(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "new.xlsx", [learner(1), learner(2, **{"Tutor Group": "7Z"})])
    with demo_database.read() as session:
        checked = check_rows(session, read_table(path), today=TODAY)
    pairs = hash_passwords_parallel(2, workers=1)
    with demo_database.begin() as session:
        import_learners(
            session, admin, checked, password_pairs=pairs, source_name="new.xlsx", today=TODAY
        )
        imported = audited(session)
    assert imported.kinds == {LEARNERS, GROUPS}
    assert {"import", "learner", "group"} <= imported.entities


def test_the_year_end_and_its_undo_touch_everything_but_the_subjects(
    demo_database: Database, admin: Actor
) -> None:
    groups = _group_ids(demo_database)
    with demo_database.begin() as session:
        run_year_end(
            session,
            admin,
            YearEndChoices(renames={groups["Year 10 Blue"]: "Year 11 Blue"}),
            from_year=2025,
            today=AUGUST,
        )
        ran = audited(session)
    # Learners moved up, supervisors' access ended, a group renamed, a new academic year.
    assert ran.kinds == {LEARNERS, GROUPS, STAFF, SCHOOL, ROLLOVER}
    assert {"learner", "supervisor_access", "group", "year_end_run"} <= ran.entities
    with demo_database.begin() as session:
        undo_year_end(session, admin)
        assert audited(session).kinds == {LEARNERS, GROUPS, STAFF, SCHOOL, ROLLOVER}


def test_what_changes_nothing_on_screen_touches_no_kind(
    demo_database: Database, admin: Actor, demo_accounts: tuple[DemoAccount, ...], tmp_path: Path
) -> None:
    with demo_database.begin() as session:
        export_learners(session, admin, tmp_path / "learners.xlsx")
        written = audited(session)
    assert written.entities == {"file"} and written.kinds == frozenset()
    account = demo_accounts[0]
    with demo_database.begin() as session:
        assert sign_in(session, account.login, account.password).ok
        assert not sign_in(session, account.login, "not the password").ok
        sign_in(session, "nobody-at-all", "whatever")
        signed = audited(session)
    assert signed.any and signed.kinds == frozenset()
    with demo_database.begin() as session:
        add_subject(session, admin, "Astronomy")
        assert audited(session).kinds == {SUBJECTS}


def test_a_supervisors_access_is_staff_and_groups(
    demo_database: Database, demo_school: DemoSchool, admin: Actor
) -> None:
    login = demo_school.supervisors[0].login
    with demo_database.begin() as session:
        group_id = editing.create_group(session, admin, "New tutor group").created_group_id
    assert group_id is not None
    with demo_database.read() as session:
        supervisor = session.scalars(select(Staff.id).where(Staff.login == login)).one()
    with demo_database.begin() as session:
        assert access.assign(session, admin, supervisor, [group_id]) == ["New tutor group"]
        assert audited(session).kinds == {STAFF, GROUPS}


# --- one transaction, savepoints, commits -----------------------------------------------------
def _entry(session: object, action: str, entity: str | None) -> None:
    audit.record(session, "tester", action, entity=entity)  # type: ignore[arg-type]


def test_a_savepoint_rolled_back_takes_its_changes_with_it(database: Database) -> None:
    with collect() as collected, database.begin() as session:
        _entry(session, "staff_added", "staff")
        kept = session.begin_nested()
        _entry(session, "subject_added", "subject")
        dropped = session.begin_nested()
        _entry(session, "group_created", "group")
        dropped.rollback()
        assert audited(session).kinds == {STAFF, SUBJECTS}
        kept.commit()
        assert audited(session).kinds == {STAFF, SUBJECTS}
        again = session.begin_nested()
        _entry(session, "school created", "school")
        again.rollback()
        assert audited(session).kinds == {STAFF, SUBJECTS}
    assert collected.changes.kinds == {STAFF, SUBJECTS}


def test_only_committed_transactions_are_collected(database: Database) -> None:
    with collect() as outer:
        with database.begin() as session:
            _entry(session, "group_created", "group")
        try:
            with database.begin() as session:
                _entry(session, "staff_added", "staff")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        with collect() as inner, database.begin() as session:
            _entry(session, "subject_added", "subject")
        assert inner.changes.kinds == {SUBJECTS}
    assert outer.changes.kinds == {GROUPS, SUBJECTS}
    # Outside the block, and on another thread, nothing is collected into it.
    with database.begin() as session:
        _entry(session, "learner_corrected", "learner")
    with collect() as here:
        thread = threading.Thread(target=lambda: _commit_elsewhere(database))
        thread.start()
        thread.join(30)
    assert outer.changes.kinds == {GROUPS, SUBJECTS} and not here.changes.any


def _commit_elsewhere(database: Database) -> None:
    with database.begin() as session:
        _entry(session, "staff_added", "staff")


def test_bulk_entries_are_noted_in_every_batch(database: Database) -> None:
    """Thousands of entries in several batches (and by COPY on PostgreSQL): the first batch's
    kinds and the last one's are both noted, once each."""
    actor = Actor(login="tester", name="Tester", role=StaffRole.ADMINISTRATOR, staff_id=None)
    many = audit._BATCH * 2 + 1
    rows = [("learner_corrected", "learner", n, "surname", "a", "b", None) for n in range(many)]
    rows[-1] = ("access_assigned", "staff", 1, None, None, "7A", None)
    with database.begin() as session:
        assert audit.record_rows(session, actor, rows) == many
        noted = audited(session)
    assert noted.entries == {
        ("learner_corrected", "learner", "surname"),
        ("access_assigned", "staff", None),
    }
    assert noted.kinds == {LEARNERS, STAFF, GROUPS}


def test_a_transaction_that_ended_leaves_nothing_behind(database: Database) -> None:
    with database.begin() as session:
        _entry(session, "group_created", "group")
    # The session's notes went with its transaction.
    assert audited(session) == changes.NOTHING


# --- the vocabulary --------------------------------------------------------------------------
def _written_literals() -> tuple[set[str], set[str]]:
    """Every ``entity`` the code writes into an audit entry (``entity="…"`` arguments, and
    ``"entity": "…"`` in rows), and every string literal (to find the actions)."""
    root = Path(planit_desktop.__file__).parent
    entities: set[str] = set()
    strings: set[str] = set()
    named = {"FILE": changes.FILE, "YEAR_END_RUN": changes.YEAR_END_RUN}
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path.name == "changes.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
            given: list[ast.expr] = []
            if isinstance(node, ast.Call):
                given = [k.value for k in node.keywords if k.arg == "entity"]
            elif isinstance(node, ast.Dict):
                given = [
                    v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "entity"
                ]
            for value in given:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    entities.add(value.value)
                elif isinstance(value, ast.Attribute | ast.Name):
                    name = value.attr if isinstance(value, ast.Attribute) else value.id
                    if name in named:
                        entities.add(named[name])
    return entities, strings


def test_every_entity_the_code_writes_has_its_kinds() -> None:
    entities, strings = _written_literals()
    # The walk finds what the services write (a sample, so that it cannot find nothing).
    assert {"learner", "group", "staff", "file", "supervisor_access", "year_end_run"} <= entities
    unmapped = entities - set(ENTITY_KINDS)
    assert not unmapped, f"audit entities with no kinds in model/changes.py: {sorted(unmapped)}"
    # Every kind named is a kind; what maps to none does so on purpose (listed here).
    assert all(kinds <= KINDS for kinds in [*ENTITY_KINDS.values(), *ACTION_KINDS.values()])
    assert {e for e, kinds in ENTITY_KINDS.items() if not kinds} == {"file", "year_end_draft"}
    # The actions and fields named in the mapping are ones the code writes (no typos).
    assert set(ACTION_KINDS) <= strings, sorted(set(ACTION_KINDS) - strings)
    assert all(entity in ENTITY_KINDS and field in strings for entity, field in FIELD_KINDS)


def test_kinds_of_an_entry() -> None:
    assert kinds_of_entry("subject_added", "subject") == {SUBJECTS}
    assert kinds_of_entry("learner_corrected", "learner", "surname") == {LEARNERS}
    assert kinds_of_entry("learner_corrected", "learner", "groups") == {LEARNERS, GROUPS}
    assert kinds_of_entry("sign_in", "staff") == frozenset()
    assert kinds_of_entry("refused", None) == frozenset()
    # Written by a newer program: every tab reloads, rather than miss it.
    assert kinds_of_entry("something new", "timetable") == EVERYTHING
    assert kinds_of_entry("something new", None) == EVERYTHING
