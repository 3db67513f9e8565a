"""In the window: a password shown on screen works only once delivered; what an interrupted
change left is said at the next start.

- A learner created in class whose window never closed (the program died) has no password,
  and their supervisor gives them one with New temporary password…; closing it stores it.
- Storing that fails keeps the window open and says so; closing then asks, and gives up.
- After a change that died half-way, opening the database finishes or clears it, and says
  which in a message box.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from planit_desktop.model.db import Database
from planit_desktop.model.entities import Learner, LearnerCredential
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.credentials import delivery as password_delivery
from planit_desktop.model.services.credentials import learner_passwords as credentials
from planit_desktop.model.services.credentials.learner_site import learner_sign_in
from planit_desktop.model.services.groups.listing import list_groups
from planit_desktop.model.services.learners.in_class import quick_create
from planit_desktop.ui.importing.unfinished import report_unfinished
from planit_desktop.ui.learners import quick_create as quick_create_ui
from planit_desktop.ui.learners.quick_create import NOT_ISSUED, LearnerPasswordDialog
from tests.support.dialogs import MessageBoxes
from tests.support.ui_learners import open_tab, signed_in

WAIT = 15_000


@pytest.fixture(autouse=True)
def notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "notes"
    monkeypatch.setattr(password_delivery, "notes_folder", lambda: folder)
    return folder


def created_in_class(database: Database, supervisor: Any) -> int:
    """Create New User as ``supervisor``, its window never closed: no password stored."""
    with database.read() as session:
        mine = list_groups(session, supervisor)[0].name
    with database.begin() as session:
        result = quick_create(
            session, supervisor, first_names="Nadia", surname="Nevergot",
            date_of_birth="03/02/2013", year_group=8, tutor_group=mine,
            staff_password="demo-supervisor-pass",
        )  # fmt: skip
    assert result.learner_id is not None
    return result.learner_id


def has_password(database: Database, learner_id: int) -> bool:
    with database.read() as session:
        credential = session.get(LearnerCredential, learner_id)
        return credential is not None and credential.password_hash is not None


def test_a_learner_whose_first_password_never_reached_them_gets_a_new_one(
    qtbot: Any,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    supervisor = signed_in(demo_database, "supervisor1", "demo-supervisor-pass")
    learner_id = created_in_class(demo_database, supervisor)
    assert not has_password(demo_database, learner_id)
    tab = open_tab(qtbot, demo_database, supervisor)
    tab.select_learners([learner_id])
    assert tab.actions_.new_password.isEnabled()
    tab.actions_.new_password.trigger()
    qtbot.waitUntil(lambda: isinstance(tab.actions_.dialog, LearnerPasswordDialog), timeout=WAIT)
    shown: LearnerPasswordDialog = tab.actions_.dialog
    password = shown.password.text()
    assert "starts working when you close this window" in shown.warning.text()
    assert not has_password(demo_database, learner_id)
    with qtbot.waitSignal(shown.sig_password_delivered, timeout=WAIT):
        shown.close_button.click()  # Done
    qtbot.waitUntil(lambda: not shown.isVisible(), timeout=WAIT)
    with demo_database.begin() as session:
        login = session.get(Learner, learner_id).login  # type: ignore[union-attr]
        assert learner_sign_in(session, login, password).signed_in
    # Once they have one, a supervisor cannot reset it: that is an administrator's task.
    tab.select_learners([learner_id])
    tab.actions_.new_password.trigger()
    qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=WAIT)
    kind, said = message_boxes.shown[0]
    assert kind == "warning" and said.startswith("Only administrators can reset a learner's")


def test_storing_that_fails_keeps_the_password_on_screen_then_gives_up_when_told(
    qtbot: Any,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    supervisor = signed_in(demo_database, "supervisor1", "demo-supervisor-pass")
    learner_id = created_in_class(demo_database, supervisor)
    tab = open_tab(qtbot, demo_database, supervisor)
    with demo_database.read() as session:
        prepared = credentials.prepare_temporary_password(session, supervisor, learner_id)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise Refused("The database is busy.")

    monkeypatch.setattr(quick_create_ui, "deliver_temporary_password", broken)
    shown = quick_create_ui.show_learner_password(tab.context, prepared, "School", tab)
    shown.close_button.click()
    qtbot.waitUntil(shown.problem.isVisible, timeout=WAIT)
    assert shown.isVisible() and "The database is busy." in shown.problem.text()
    assert "does not work yet" in shown.problem.text()
    assert shown.close_button.text() == "Try again"
    message_boxes.answers.append(QMessageBox.StandardButton.Yes)
    shown.reject()
    assert message_boxes.shown == [("question", NOT_ISSUED)]
    assert not shown.isVisible() and not has_password(demo_database, learner_id)


def test_the_window_says_what_an_interrupted_import_left(
    qtbot: Any,
    demo_database: Database,
    notes: Path,
    tmp_path: Path,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    """A note whose change never committed: its staged file is removed, and that is said."""
    staged = tmp_path / "p (being saved 0000bbbb).xlsx"
    staged.write_bytes(b"half")
    notes.mkdir()
    (notes / "0000bbbb.json").write_text(
        json.dumps(
            {
                "token": "0000bbbb",
                "database": demo_database.location,
                "what": "import of new learners from autumn.xlsx",
                "started": "2026-09-07T09:30:00",
                "files": [
                    {
                        "what": "password list",
                        "staged": str(staged),
                        "final": str(tmp_path / "p.xlsx"),
                    }
                ],
            }
        )
    )
    operation = report_unfinished(None, demo_database)
    qtbot.waitUntil(lambda: operation.done, timeout=WAIT)
    assert message_boxes.shown == [
        (
            "information",
            "Plan-it was stopped during the import of new learners from autumn.xlsx on "
            "7 September 2026 at 09:30, before anything was saved: nothing was changed, and "
            "the unfinished password list was deleted.",
        )
    ]
    assert not staged.exists() and list(notes.iterdir()) == []
    again = report_unfinished(None, demo_database)
    qtbot.waitUntil(lambda: again.done, timeout=WAIT)
    assert len(message_boxes.shown) == 1  # said once
