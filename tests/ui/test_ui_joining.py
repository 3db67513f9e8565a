"""A primary's transfer file in the window: the import preview says how its year groups
meet the school's year and which pupils join next year; the Learners tab shows them as
joining, apart from those on roll."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import LearnerStatus
from planit_desktop.model.services.importing import Field
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.importing.passwords import PasswordsDialog
from planit_desktop.ui.importing.preview import ImportPreviewDialog
from planit_desktop.ui.importing.preview_model import FIELDS, FIRST_FIELD_COLUMN, PreviewStatus
from planit_desktop.ui.learners.tab import LearnersTab
from planit_desktop.ui.learners.table import LearnerColumn
from planit_desktop.ui.main_window import MainWindow
from tests.support.dialogs import FileDialogs, MessageBoxes
from tests.support.import_files import primary_ctf, pupil

WAIT = 60_000


@pytest.fixture(autouse=True)
def notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The notes of unfinished password files go in the test's folder, not the user's."""
    from planit_desktop.model.services.credentials import delivery as password_delivery

    folder = tmp_path / "notes"
    monkeypatch.setattr(password_delivery, "notes_folder", lambda: folder)
    return folder


def _shot(widget: Any, name: str) -> None:
    # Set PLANIT_TEST_SCREENSHOTS to a folder to look at what the test saw.
    folder = os.environ.get("PLANIT_TEST_SCREENSHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / name))


def test_primary_ctf_previewed_imported_and_listed_as_joining(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    window = MainWindow(AppContext(demo_database, admin, DataEvents()))
    qtbot.addWidget(window)
    path = primary_ctf(tmp_path / "primary leavers.xml", [pupil(i) for i in range(1, 7)])
    file_dialogs.answers.append(str(path))
    window.import_menu.import_action.trigger()
    qtbot.waitUntil(lambda: window.import_menu.preview is not None, timeout=WAIT)
    preview = window.import_menu.preview
    assert isinstance(preview, ImportPreviewDialog)
    preview.show()
    notes = preview.notes_label.text()
    assert preview.notes_label.isVisibleTo(preview)
    assert "year groups are those of 2025/26" in notes
    assert "6 pupils join the school in 2026/27, in Year 7" in notes
    model = preview.model
    year_column = FIRST_FIELD_COLUMN + FIELDS.index(Field.YEAR_GROUP)
    assert model.headerData(year_column, _horizontal()) == "Year Group (in 2025/26)"
    first = model.index(0, 1)
    assert first.data() == "Joining"
    assert model.preview_row(0).status is PreviewStatus.READY
    _shot(preview, "import-preview-primary-ctf.png")

    ended: list[Any] = []
    preview.sig_import_done.connect(ended.append)
    preview.sig_import_failed.connect(ended.append)
    preview.import_button.click()
    qtbot.waitUntil(lambda: bool(ended), timeout=WAIT)
    assert isinstance(ended[0], PasswordsDialog), ended
    ended[0].close_button.click()

    tab = LearnersTab(AppContext(demo_database, admin, DataEvents()))
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        tab.show()
    joining = [r for r in tab.visible_rows() if r.status is LearnerStatus.JOINING]
    assert len(joining) == 6 and {r.year_group for r in joining} == {7}
    assert "(6 joining)" in tab.count_label.text()
    assert "not on roll until the year end" in tab.count_label.toolTip()
    tab.search.setText("Primarova")
    qtbot.waitUntil(lambda: len(tab.visible_rows()) == 6, timeout=5_000)
    statuses = {
        tab.table.model().index(r, LearnerColumn.STATUS).data()
        for r in range(tab.table.model().rowCount())
    }
    assert statuses == {"Joining next year"}
    # Neither reinstated nor marked left: they are not on roll yet.
    tab.table.selectRow(0)
    assert not tab.actions_.reinstate.isEnabled() and not tab.actions_.mark_left.isEnabled()
    _shot(tab, "learners-tab-joining.png")


def _horizontal() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
