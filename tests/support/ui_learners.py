"""The Learners tab in GUI tests: opened on its own; staff signed in; a learner renamed."""

from __future__ import annotations

from typing import Any

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.model.services.learners.details import learner_details
from planit_desktop.model.services.staff import sign_in
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.learners.tab import LearnersTab


def open_tab(qtbot: Any, database: Database, actor: Actor) -> LearnersTab:
    """The Learners tab on its own, shown and loaded."""
    tab = LearnersTab(AppContext(database, actor, DataEvents()))
    qtbot.addWidget(tab)
    tab.resize(1000, 600)
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        tab.show()
    return tab


def signed_in(database: Database, login: str, password: str) -> Actor:
    with database.begin() as session:
        actor = sign_in.sign_in(session, login, password).actor
    assert actor is not None
    return actor


def rename(database: Database, admin: Actor, learner_id: int, **changes: object) -> None:
    with database.begin() as session:
        version = learner_details(session, admin, learner_id).version
        correct_learner(session, admin, learner_id, changes, expected_version=version)
