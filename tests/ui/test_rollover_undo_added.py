"""Undo of a rollover after learners were added: listed, agreed to, moved back a year group.

Learners imported, reinstated by an import or created in class after the rollover have year
groups of the new academic year. Undo lists them (service, command line, window) and moves
them back a year group with the school once agreed, so that doing the year end again puts
them back where they were added; without the agreement it refuses and changes nothing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from planit_desktop.cli import main
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Learner, LearnerStatus, School
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.importing import (
    check_rows,
    hash_passwords_parallel,
    import_learners,
    read_table,
)
from planit_desktop.model.services.learners.in_class import quick_create
from planit_desktop.model.services.learners.leavers import reinstate
from planit_desktop.model.services.year_end import (
    LearnersAddedSince,
    apply_rollover,
    undo_preview,
    undo_rollover,
)
from tests.support.dialogs import MessageBoxes
from tests.support.import_files import learner, write_xlsx
from tests.support.sign_in import DEMO_ADMINISTRATOR, CommandLineSignIn
from tests.support.ui_year_end import WAIT, open_tab

AUGUST = date(2026, 8, 3)
AUTUMN = date(2026, 10, 1)


def year_of(database: Database, learner_id: int) -> int:
    with database.read() as session:
        found = session.get(Learner, learner_id)
        assert found is not None
        return found.year_group


def school_year(database: Database) -> int:
    with database.read() as session:
        school = session.get(School, 1)
        assert school is not None
        return school.academic_year


def after_the_rollover(database: Database, admin: Actor, folder: Path) -> dict[str, Any]:
    """Roll over into 2026/27, then add: two Year 7s imported, a Year 8 created in class,
    and a learner who had left reinstated from the Learners tab (with the year group they
    had: not "added" for undo)."""
    with database.read() as session:
        gone = session.scalars(
            select(Learner.id).where(Learner.status == LearnerStatus.LEFT).limit(1)
        ).one()
    with database.begin() as session:
        apply_rollover(session, admin, from_year=2025, today=AUGUST)
    rows = [learner(i, **{"Date of Birth": f"0{i % 8 + 1}/0{i % 8 + 1}/2015"}) for i in (701, 702)]
    path = write_xlsx(folder / "year7s.xlsx", rows)
    with database.read() as session:
        checked = check_rows(session, read_table(path), today=AUTUMN)
    with database.begin() as session:
        imported = import_learners(
            session,
            admin,
            checked,
            password_pairs=hash_passwords_parallel(2),
            source_name="year7s.xlsx",
            today=AUTUMN,
        ).created
    with database.begin() as session:
        made = quick_create(
            session, admin, first_names="Quentin", surname="Inclass",
            date_of_birth="05/05/2014", year_group=8, tutor_group=None,
            staff_password=DEMO_ADMINISTRATOR[1], academic_year=2026, today=AUTUMN,
        )  # fmt: skip
    with database.begin() as session:
        reinstate(session, admin, gone)
    assert made.learner_id is not None
    return {"imported": imported, "made": made.learner_id, "reinstated": gone}


def test_undo_lists_the_learners_added_since_and_moves_them_back_once_agreed(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    added = after_the_rollover(demo_database, admin, tmp_path)
    reinstated_year = year_of(demo_database, added["reinstated"])
    with demo_database.read() as session:
        preview = undo_preview(session, admin)
    listed = {row.learner_id: row for row in preview.added}
    assert set(listed) == {*added["imported"], added["made"]}  # not the one reinstated
    assert {listed[i].year_group for i in added["imported"]} == {7}
    assert {listed[i].how for i in added["imported"]} == {"imported"}
    assert (listed[added["made"]].year_group, listed[added["made"]].how) == (8, "created in class")
    assert preview.to_json()["added_since"][0]["year_group_after_undo"] == 6

    # Without the agreement: refused, naming them, and nothing changed.
    with pytest.raises(LearnersAddedSince) as refused, demo_database.begin() as session:
        undo_rollover(session, admin, keep_edited=True)
    message = refused.value.message
    assert message.startswith("3 learners were added after the rollover")
    assert "Quentin Inclass (Year 8, created in class)" in message
    assert "move them back a year group with the school" in message
    assert message.endswith("Nothing was changed.")
    assert school_year(demo_database) == 2026
    # Agreed to different learners than are there now: refused too.
    with pytest.raises(Refused, match="look at what undo will do again"):
        with demo_database.begin() as session:
            undo_rollover(
                session, admin, keep_edited=True, move_added_back=True,
                expected_added=added["imported"],
            )  # fmt: skip
    assert school_year(demo_database) == 2026 and year_of(demo_database, added["made"]) == 8

    with demo_database.begin() as session:
        result = undo_rollover(
            session, admin, keep_edited=True, move_added_back=True, expected_added=set(listed)
        )
    assert {row.learner_id for row in result.added} == set(listed)
    assert school_year(demo_database) == 2025
    assert {year_of(demo_database, i) for i in added["imported"]} == {6}
    assert year_of(demo_database, added["made"]) == 7
    assert year_of(demo_database, added["reinstated"]) == reinstated_year
    with demo_database.read() as session:
        audited = session.execute(
            select(AuditEntry.entity_id, AuditEntry.old_value, AuditEntry.new_value).where(
                AuditEntry.action == "rollover_undone", AuditEntry.field == "year_group"
            )
        ).all()
    assert {(e, o, n) for e, o, n in audited if e in listed} == {
        *((i, "7", "6") for i in added["imported"]),
        (added["made"], "8", "7"),
    }

    # Doing the year end again puts them back where they were added.
    with demo_database.begin() as session:
        apply_rollover(session, admin, from_year=2025, today=AUGUST)
    assert {year_of(demo_database, i) for i in added["imported"]} == {7}
    assert year_of(demo_database, added["made"]) == 8


def test_an_undo_with_nobody_added_since_asks_nothing_more(
    demo_database: Database, admin: Actor
) -> None:
    with demo_database.begin() as session:
        apply_rollover(session, admin, from_year=2025, today=AUGUST)
    with demo_database.read() as session:
        assert undo_preview(session, admin).added == ()
    with demo_database.begin() as session:
        assert undo_rollover(session, admin).added == ()
    assert school_year(demo_database) == 2025


def test_the_command_line_refuses_without_move_added_back(
    demo_database: Database,
    database_url: str,
    admin: Actor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    added = after_the_rollover(demo_database, admin, tmp_path)
    # The rollover's own learners edited since stay as they are with --keep-edited.
    status = main(["rollover", "--db", database_url, "--undo", "--keep-edited"])
    _out, err = capsys.readouterr()
    assert status == 1 and "3 learners were added after the rollover" in err
    assert "give --move-added-back" in err and "Traceback" not in err
    assert school_year(demo_database) == 2026

    status = main(["rollover", "--db", database_url, "--move-added-back", "--preview"])
    assert status == 2 and "go with --undo" in capsys.readouterr().err

    status = main(
        [
            "rollover", "--db", database_url, "--undo", "--keep-edited", "--move-added-back",
            "--json",
        ]
    )  # fmt: skip
    out, _err = capsys.readouterr()
    data = json.loads(out)
    assert status == 0 and data["academic_year"] == "2025/26"
    moved = {row["id"]: row for row in data["added_since_moved_back"]}
    assert set(moved) == {*added["imported"], added["made"]}
    assert moved[added["made"]]["year_group_after_undo"] == 7
    assert year_of(demo_database, added["made"]) == 7


def test_the_command_lines_help_documents_move_added_back(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["rollover", "--help"])
    assert "--move-added-back" in capsys.readouterr().out


def test_the_window_lists_them_says_what_undo_does_and_moves_them_back(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    tmp_path: Path,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    added = after_the_rollover(demo_database, admin, tmp_path)
    tab = open_tab(qtbot, demo_database, admin)
    assert tab.undo_button.isEnabled()
    message_boxes.answers.append(QMessageBox.StandardButton.No)
    tab.undo_button.click()
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 1, timeout=WAIT)
    kind, question = message_boxes.shown[0]
    assert kind == "question"
    assert "3 learners were added after the year end, with year groups of 2026/27" in question
    assert "Quentin Inclass (Year 8 → Year 7, created in class)" in question
    assert "(Year 7 → Year 6, imported)" in question
    assert "move back a year group with the school, to where they were in 2025/26" in question
    assert school_year(demo_database) == 2026  # No: nothing changed

    message_boxes.answers.append(QMessageBox.StandardButton.Yes)
    tab.undo_button.click()
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 3, timeout=WAIT)
    kind, result = message_boxes.shown[2]
    assert kind == "information" and "back in 2025/26" in result
    assert "3 learners added since moved back a year group with the school" in result
    assert year_of(demo_database, added["made"]) == 7
    assert {year_of(demo_database, i) for i in added["imported"]} == {6}
