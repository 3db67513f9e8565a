"""What the window announces after a change, through ops, on the demo school: the kinds each
change touched, derived from what it audited (no caller says them), for a correction, a group
move and its undo, an import, the year end and its undo; and writes that announced nothing
before (a checklist mark) or that change nothing on screen (an export)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Group, GroupMembership, Learner
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.groups import editing
from planit_desktop.model.services.importing import (
    check_rows,
    hash_passwords_parallel,
    import_learners,
    read_table,
)
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.model.services.learners.exporting import export_learners
from planit_desktop.model.services.year_end import YearEndChoices
from planit_desktop.model.services.year_end.checklist import mark_done
from planit_desktop.model.services.year_end.run import run_year_end, undo_year_end
from planit_desktop.ui import events, ops
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.groups.history import GroupChangeEntry
from planit_desktop.ui.undo import UndoHistory
from tests.support.import_files import TODAY, learner, write_xlsx

WAIT = 30_000
AUGUST = date(2026, 8, 3)
YEAR_END = frozenset({events.LEARNERS, events.GROUPS, events.STAFF, events.SCHOOL, events.ROLLOVER})


def _announced(qtbot: Any, context: AppContext, fn: Any) -> frozenset[str]:
    """Run ``fn(session)`` as a write through the context; the one announcement it makes."""
    with qtbot.waitSignal(context.events.sig_data_changed, timeout=WAIT) as announced:
        operation = context.run(None, lambda session, _p: fn(session), write=True)
    qtbot.waitUntil(lambda: operation.done, timeout=WAIT)  # it finished as it announced
    assert operation.error is None
    kinds: frozenset[str] = announced.args[0]
    return kinds


def _context(database: Database, actor: Actor) -> AppContext:
    return AppContext(database, actor, DataEvents())


def test_a_correction_announces_the_learners_and_the_groups_if_they_changed(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    context = _context(demo_database, admin)
    with demo_database.read() as session:
        ada = session.scalars(
            select(Learner).where(Learner.status == LearnerStatus.ON_ROLL).order_by(Learner.id)
        ).first()
        other = session.scalars(select(Group.id).where(Group.name == "Year 10 Blue")).one()
    assert ada is not None
    renamed = _announced(
        qtbot,
        context,
        lambda s: correct_learner(
            s, admin, ada.id, {"surname": "Byron"}, expected_version=ada.version
        ),
    )
    assert renamed == {events.LEARNERS}
    regrouped = _announced(
        qtbot,
        context,
        lambda s: correct_learner(
            s, admin, ada.id, {"groups": frozenset({other})}, expected_version=ada.version + 1
        ),
    )
    assert regrouped == {events.LEARNERS, events.GROUPS}


def test_a_group_move_and_its_undo_announce_the_learners_and_the_groups(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    context = _context(demo_database, admin)
    with demo_database.read() as session:
        from_id, learner_id = session.execute(
            select(GroupMembership.group_id, GroupMembership.learner_id).limit(1)
        ).one()
        to_id = session.scalars(select(Group.id).where(Group.id != from_id)).first()
    assert to_id is not None
    moved: list[Any] = []
    kinds = _announced(
        qtbot,
        context,
        lambda s: moved.append(editing.move_members(s, admin, from_id, to_id, [learner_id])),
    )
    assert kinds == {events.LEARNERS, events.GROUPS}
    # Edit ▸ Undo derives its announcement the same way: the entry carries no kinds.
    history = UndoHistory(context)
    history.push(GroupChangeEntry("move of 1 learner", moved[0]))
    with qtbot.waitSignal(context.events.sig_data_changed, timeout=WAIT) as undone:
        operation = history.undo()
    assert operation is not None and operation.done
    assert undone.args == [frozenset({events.LEARNERS, events.GROUPS})]


def test_an_import_in_a_transaction_of_its_own_announces_the_learners_and_the_groups(
    qtbot: Any, demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    """As the import's commit runs: work with its own transaction, through ops.run_task."""
    context = _context(demo_database, admin)
    path = write_xlsx(tmp_path / "new.xlsx", [learner(1), learner(2)])
    with demo_database.read() as session:
        checked = check_rows(session, read_table(path), today=TODAY)
    pairs = hash_passwords_parallel(2, workers=1)

    def work(_progress: ops.Progress) -> object:
        with demo_database.begin() as session:
            return import_learners(
                session, admin, checked, password_pairs=pairs, source_name="new.xlsx", today=TODAY
            )

    with qtbot.waitSignal(context.events.sig_data_changed, timeout=WAIT) as announced:
        operation = ops.run_task(None, work, events=context.events)
    assert operation.done and operation.error is None
    assert announced.args == [frozenset({events.LEARNERS, events.GROUPS})]


def test_the_year_end_and_its_undo_announce_what_they_changed(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    context = _context(demo_database, admin)
    with demo_database.read() as session:
        blue = session.scalars(select(Group.id).where(Group.name == "Year 10 Blue")).one()
    ran = _announced(
        qtbot,
        context,
        lambda s: run_year_end(
            s, admin, YearEndChoices(renames={blue: "Year 11 Blue"}), from_year=2025, today=AUGUST
        ),
    )
    assert ran == YEAR_END
    assert _announced(qtbot, context, lambda s: undo_year_end(s, admin)) == YEAR_END


def test_a_checklist_mark_announces_the_school_and_an_export_nothing(
    qtbot: Any, demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    context = _context(demo_database, admin)
    # Announced nothing before, though the Year End tab shows the marks.
    assert _announced(qtbot, context, lambda s: mark_done(s, admin, "subjects")) == {events.SCHOOL}
    # A file written out changes nothing on screen: audited, and not announced.
    with qtbot.assertNotEmitted(context.events.sig_data_changed, wait=100):
        operation = context.run(
            None,
            lambda s, _p: export_learners(s, admin, tmp_path / "learners.xlsx"),
            write=True,
        )
        with qtbot.waitSignal(operation.sig_op_finished, timeout=WAIT):
            pass
    assert operation.error is None and operation.changed.entities == {"file"}
