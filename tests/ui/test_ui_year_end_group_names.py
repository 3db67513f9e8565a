"""The wizard's group names on the demo school: proposals from what the groups will hold,
following kept-back and leaving choices at once; none ticked until chosen ("Rename all
proposed"); other naming schemes; the Checks step's list; and the Year End tab's undo that
names the group it could not give its old name back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select, update

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Group, GroupMembership, Learner, School
from planit_desktop.model.services.groups.editing import rename_group
from planit_desktop.model.services.year_end import YearEndChoices, plan_rollover
from planit_desktop.model.services.year_end.run import run_year_end
from planit_desktop.ui.groups.year_renames import RenameChoice, YearRenameColumn
from planit_desktop.ui.year_end.models import Choice
from planit_desktop.ui.year_end.page import PageId
from planit_desktop.ui.year_end.tab import YearEndTab
from planit_desktop.ui.year_end.wizard import YearEndWizard
from tests.support.dialogs import MessageBoxes
from tests.support.ui_year_end import AUGUST, WAIT, go_to, open_tab, open_wizard


@pytest.fixture
def tab(qtbot: Any, demo_database: Database, admin: Actor) -> Iterator[YearEndTab]:
    with demo_database.begin() as session:
        # Other naming schemes: a year-and-form code with a number after it.
        session.execute(update(Group).where(Group.name == "7A").values(name="7K10"))
    page = open_tab(qtbot, demo_database, admin)
    yield page
    page.window().close()


def row_of(wizard: YearEndWizard, old: str) -> RenameChoice | None:
    return next((r for r in wizard.renames.rows() if r.old == old), None)


def members(database: Database, group: str, year: int) -> list[int]:
    with database.read() as session:
        return list(
            session.scalars(
                select(Learner.id)
                .join(GroupMembership, GroupMembership.learner_id == Learner.id)
                .join(Group, Group.id == GroupMembership.group_id)
                .where(Group.name == group, Learner.year_group == year, Learner.status == "on_roll")
                .order_by(Learner.id)
            )
        )


def test_proposals_follow_what_the_groups_will_hold(
    qtbot: Any, tab: YearEndTab, demo_database: Database
) -> None:
    wizard = open_wizard(qtbot, tab)
    page = go_to(wizard, PageId.GROUPS)
    renames = wizard.renames
    # Nothing ticked: names stay unless the coordinator chooses.
    assert renames.chosen() == {} and page.rename_all.isEnabled()
    assert "none is renamed unless you tick it" in page.intro.text()
    assert row_of(wizard, "7K10").suggested == "8K10"  # type: ignore[union-attr]
    assert row_of(wizard, "Y9 Set 2").suggested == "Y10 Set 2"  # type: ignore[union-attr]
    assert row_of(wizard, "11A").suggested == "11A leavers 2026"  # type: ignore[union-attr]
    assert row_of(wizard, "8A").suggested == "9A"  # type: ignore[union-attr]
    seven = renames.index(next(i for i, r in enumerate(renames.rows()) if r.old == "7K10"), 2)
    assert renames.data(seven) == "Year 8 (20)"  # the year groups its learners will be in

    # Year groups: one Year 11 of 11A and two Year 8s of 8A kept back.
    year_groups = go_to(wizard, PageId.YEAR_GROUPS)
    eleven = members(demo_database, "11A", 11)[:1]
    eights = members(demo_database, "8A", 8)[:2]
    assert year_groups.year_end().learners.set_exception(eleven + eights, Choice.KEPT_BACK) == 3
    page = go_to(wizard, PageId.GROUPS)
    eleven_a, eight_a = row_of(wizard, "11A"), row_of(wizard, "8A")
    # The kept-back Year 11's group is no leavers' group: it keeps its name, and 10A's
    # proposal, 11A, clashes with it.
    assert eleven_a is not None and eleven_a.suggested is None and not eleven_a.emptied
    assert "Keeps its name" in (eleven_a.reason or "") and "kept back" in (eleven_a.reason or "")
    ten_a = next(i for i, r in enumerate(renames.rows()) if r.old == "10A")
    assert "would clash" in renames.note(ten_a)
    # The kept-back Year 8s' group is mixed: not renamed to Year 9.
    assert eight_a is not None and eight_a.suggested is None and eight_a.new == "8A"
    assert "Mixed" in (eight_a.reason or "") and "Year 8 (2) and Year 9 (18)" in eight_a.reason  # type: ignore[operator]

    # Rename all proposed: every proposal that can be made together; not those two, nor
    # the A forms' chain blocked by 11A (10A → 11A clashes, so 9A → 10A would, and so on).
    page.rename_all.click()
    chosen = {r.old for r in renames.rows() if r.chosen}
    assert {"7K10", "Y9 Set 2", "11B", "10B", "9B", "8B"} <= chosen
    assert not {"8A", "11A", "10A", "9A"} & chosen
    assert page.isComplete()

    # A choice changed while on the Groups step: the proposals follow at once. 11A's learner
    # moves up as usual again, so 11A is for its leavers and 10A can become 11A.
    wizard.learners.set_exception(eleven, Choice.MOVES_UP)
    assert row_of(wizard, "11A").suggested == "11A leavers 2026"  # type: ignore[union-attr]
    assert not row_of(wizard, "11A").chosen  # type: ignore[union-attr]  # a new proposal
    assert row_of(wizard, "7K10").chosen  # type: ignore[union-attr]  # ticks kept
    # Leaving counts too: the whole of 9B leaves, so nobody is left in it.
    leavers = members(demo_database, "9B", 9)
    wizard.learners.set_exception(leavers, Choice.LEAVING)
    nine_b = row_of(wizard, "9B")
    assert nine_b is not None and nine_b.emptied and nine_b.suggested is None
    assert not nine_b.chosen
    # 9B keeps its name now, so 8B → 9B, still ticked, clashes: said, and Next waits.
    assert not page.isComplete() and "“9B”" in page.summary.text()
    page.rename_all.click()  # again: what can be renamed together, the rest unticked
    assert page.isComplete() and not row_of(wizard, "8B").chosen  # type: ignore[union-attr]

    # Checks: the groups whose names will not match their learners, as ticked.
    checks = go_to(wizard, PageId.CHECKS)
    check = next(r for r in checks.model.rows() if r.kind == "group_names")
    assert any(line.startswith("8A: mixed") for line in check.groups)
    assert any(line.startswith("8B: its learners will be in Year 9") for line in check.groups)
    assert not any(line.startswith(("7K10", "11A")) for line in check.groups)  # ticked
    checks.table.selectRow(checks.model.rows().index(check))
    checks.look()
    assert checks.dialog is not None and checks.dialog.list.count() == len(check.groups)
    checks.dialog.close()

    # A name typed by hand stays through later changes of the choices.
    go_to(wizard, PageId.GROUPS)
    index = next(i for i, r in enumerate(renames.rows()) if r.old == "8A")
    renames.setData(renames.index(index, YearRenameColumn.NEW_NAME), "8A and 9A mixed")
    wizard.learners.set_exception(eights, Choice.MOVES_UP)
    eight_a = row_of(wizard, "8A")
    assert eight_a is not None and eight_a.suggested == "9A"
    assert eight_a.new == "8A and 9A mixed" and eight_a.chosen
    wizard.reject()


def test_nothing_ticked_renames_nothing(
    qtbot: Any, tab: YearEndTab, demo_database: Database
) -> None:
    with demo_database.read() as session:
        before = set(session.scalars(select(Group.name)))
    wizard = open_wizard(qtbot, tab)
    page = go_to(wizard, PageId.CONFIRM)
    qtbot.waitUntil(lambda: page.plan is not None, timeout=WAIT)
    assert "• 0 groups are renamed." in page.summary.text()
    qtbot.keyClicks(page.typed, "2026/27")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.outcome is not None, timeout=WAIT)
    assert "0 groups renamed" in wizard.pages[PageId.RUN].status.text()
    with demo_database.read() as session:
        assert set(session.scalars(select(Group.name))) == before
    wizard.reject()


def test_undo_from_the_tab_names_the_group_renamed_since(
    qtbot: Any,
    tab: YearEndTab,
    demo_database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    with demo_database.read() as session:
        before = dict(session.execute(select(Group.id, Group.name)).all())
        plan = plan_rollover(session, admin)
    renames = {r.group_id: r.suggested for r in plan.group_renames if r.suggested}
    with demo_database.begin() as session:
        run_year_end(session, admin, YearEndChoices(renames=renames), from_year=2025, today=AUGUST)
    eight_k = next(gid for gid, name in before.items() if name == "7K10")
    with demo_database.begin() as session:
        rename_group(session, admin, eight_k, "Eights")  # on the Groups tab, afterwards
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        tab.reload()

    # Answered No: nothing changes.
    message_boxes.answers.append(QMessageBox.StandardButton.No)
    tab.undo_button.click()
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 1, timeout=WAIT)
    question = message_boxes.shown[0][1]
    assert f"{len(renames) - 1} groups renamed by the year end get their old names back" in (
        question
    )
    assert "“Eights” (“7K10” before the year end, which renamed it “8K10”)" in question
    assert "renamed again since" in question and "Undo anyway and leave it so?" in question
    with demo_database.read() as session:
        assert session.get_one(School, 1).academic_year == 2026

    # Answered Yes: every other name back, and the message says which one it left.
    message_boxes.answers.append(QMessageBox.StandardButton.Yes)
    tab.undo_button.click()
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 3, timeout=WAIT)
    kind, result = message_boxes.shown[2]
    assert kind == "information" and "back in 2025/26" in result
    assert f"{len(renames) - 1} groups have their old names again" in result
    assert "1 group keeps the name it has now, as agreed: “Eights”" in result
    assert "Nothing was changed" not in result
    with demo_database.read() as session:
        after = dict(session.execute(select(Group.id, Group.name)).all())
    assert after == {**before, eight_k: "Eights"}


def test_the_groups_model_passes_the_model_tester(
    qtbot: Any, qtmodeltester: Any, tab: YearEndTab
) -> None:
    wizard = open_wizard(qtbot, tab)
    go_to(wizard, PageId.GROUPS)
    qtmodeltester.check(wizard.renames)
    wizard.renames.choose_all_proposed()
    qtmodeltester.check(wizard.renames)
    assert wizard.renames.data(wizard.renames.index(0, 0), Qt.ItemDataRole.CheckStateRole)
    wizard.reject()
