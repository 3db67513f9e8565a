"""The import from the File menu, on the demo school as an administrator: the template saved
and read back, a filled-in file previewed (statuses, messages, a bad cell fixed by typing, a
duplicate decided), imported with its passwords hashed in the background, the password list
saved; Cancel imports nothing; the valid rows only, with the others written back; and a
supervisor, who cannot import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QFileDialog, QInputDialog
from sqlalchemy import func, select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    Group,
    GroupMembership,
    Learner,
    LearnerCredential,
    LearnerStatus,
)
from planit_desktop.model.errors import PermissionDenied
from planit_desktop.model.services.credentials.hashing import verify_password
from planit_desktop.model.services.importing import (
    Decision,
    Field,
    check_rows,
    import_learners,
    read_table,
)
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.importing.actions import ADMINISTRATORS_ONLY, TEMPLATE_NAME
from planit_desktop.ui.importing.commit import CANCELLED
from planit_desktop.ui.importing.passwords import PasswordFilesChoice, PasswordsDialog
from planit_desktop.ui.importing.preview import ImportPreviewDialog
from planit_desktop.ui.importing.preview_model import PreviewStatus
from planit_desktop.ui.main_window import MainWindow
from tests.support.dialogs import FileDialogs, MessageBoxes
from tests.support.import_files import HEADER, learner, write_xlsx

WAIT = 60_000
DOB = list(Field).index(Field.DATE_OF_BIRTH)
SURNAME = list(Field).index(Field.SURNAME)


@dataclass
class Env:
    """The window on the demo school as an administrator, with dialogs answered."""

    qtbot: Any
    window: MainWindow
    database: Database
    folder: Path
    dialogs: FileDialogs
    boxes: MessageBoxes


@pytest.fixture(autouse=True)
def notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The notes of unfinished password files go in the test's folder, not the user's."""
    from planit_desktop.model.services.credentials import delivery as password_delivery

    folder = tmp_path / "notes"
    monkeypatch.setattr(password_delivery, "notes_folder", lambda: folder)
    return folder


@pytest.fixture
def env(qtbot: Any, demo_database: Database, admin: Actor, tmp_path: Path, request: Any) -> Env:
    window = window_for(qtbot, demo_database, admin)
    dialogs = request.getfixturevalue("file_dialogs")
    boxes = request.getfixturevalue("message_boxes")
    return Env(qtbot, window, demo_database, tmp_path, dialogs, boxes)


def window_for(qtbot: Any, database: Database, actor: Actor) -> MainWindow:
    window = MainWindow(AppContext(database, actor, DataEvents()))
    qtbot.addWidget(window)
    return window


def learners_count(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Learner)) or 0


def demo_learner(database: Database) -> Learner:
    with database.read() as session:
        query = select(Learner).where(Learner.status == LearnerStatus.ON_ROLL).order_by(Learner.id)
        return session.scalars(query.limit(1)).one()


def filled_template(tmp_path: Path, database: Database) -> Path:
    """Row 2 ready, row 3 an impossible date, row 4 the same person as a demo learner."""
    twin = demo_learner(database)
    rows = [
        learner(1),
        learner(2, **{"Date of Birth": "31/02/2014"}),
        learner(
            3,
            **{
                "First Names": twin.first_names,
                "Surnames": twin.surname,
                "Date of Birth": twin.date_of_birth.strftime("%d/%m/%Y"),
                "Year Group": f"Year {twin.year_group}",
                "UPN": None,
                "SIMS Number": None,
            },
        ),
    ]
    return write_xlsx(tmp_path / "new learners.xlsx", rows)


def open_preview(qtbot: Any, window: MainWindow, dialogs: FileDialogs, path: Path) -> Any:
    dialogs.answers.append(str(path))
    window.import_menu.import_action.trigger()
    qtbot.waitUntil(lambda: window.import_menu.preview is not None, timeout=WAIT)
    preview = window.import_menu.preview
    assert isinstance(preview, ImportPreviewDialog)
    return preview


def status(preview: ImportPreviewDialog, number: int) -> PreviewStatus:
    return preview.model.preview_row(preview.model.source_row_of(number)).status


def decide(preview: ImportPreviewDialog, number: int, decision: Decision) -> None:
    preview.select_row(number)
    box = preview.decision_box
    position = next(i for i in range(box.count()) if box.itemData(i) == decision.value)
    box.setCurrentIndex(position)
    box.activated.emit(position)


def press_import(qtbot: Any, preview: ImportPreviewDialog, button: Any) -> Any:
    """Press ``button`` and wait for the import to end; its PasswordsDialog, or its message."""
    ended: list[Any] = []
    preview.sig_import_done.connect(ended.append)
    preview.sig_import_failed.connect(ended.append)
    button.click()
    qtbot.waitUntil(lambda: bool(ended), timeout=WAIT)
    return ended[0]


def test_save_the_template_from_the_menu(env: Env) -> None:
    target = env.folder / "template"  # the extension is added
    env.dialogs.answers.append(str(target))
    env.window.import_menu.template_action.trigger()
    env.qtbot.waitUntil(lambda: bool(env.boxes.shown), timeout=WAIT)
    saved = env.folder / "template.xlsx"
    assert env.boxes.shown[0][0] == "information"
    assert str(saved) in env.boxes.texts()[0]
    workbook = load_workbook(saved)
    assert [c.value for c in workbook["Learners"][1]] == HEADER
    years = [row[0].value for row in workbook["Lists"].iter_rows() if row[0].value]
    assert years == [f"Year {n}" for n in range(7, 12)]  # the demo school's range
    assert read_table(saved).rows == ()  # it reads back as a file of no learners yet


def test_template_default_name_and_failure_in_plain_words(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[str] = []

    def ask(parent: object, caption: str, default: str, *_args: object) -> tuple[str, str]:
        offered.append(default)
        return env.dialogs._ask(parent, caption)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(ask))
    env.dialogs.answers.append(str(env.folder / "no such folder" / "t.xlsx"))
    env.window.import_menu.template_action.trigger()
    assert Path(offered[0]).name == TEMPLATE_NAME
    env.qtbot.waitUntil(lambda: bool(env.boxes.shown), timeout=WAIT)
    kind, text = env.boxes.shown[0]
    assert kind == "warning"
    assert text.startswith("The import template was not saved.")
    assert "does not exist" in text and "Traceback" not in text
    # The coordinator cancelling the file dialog does nothing.
    env.window.import_menu.template_action.trigger()
    assert len(env.boxes.shown) == 1
    assert env.dialogs.asked == ["Save the import template"] * 2


def test_import_through_the_preview_to_the_password_list(env: Env, qtmodeltester: Any) -> None:
    qtbot, database = env.qtbot, env.database
    before = learners_count(database)
    preview = open_preview(qtbot, env.window, env.dialogs, filled_template(env.folder, database))
    qtmodeltester.check(preview.model)
    qtmodeltester.check(preview.proxy)

    assert [status(preview, n) for n in (2, 3, 4)] == [
        PreviewStatus.READY,
        PreviewStatus.ERROR,
        PreviewStatus.UNDECIDED,
    ]
    bad = preview.model.preview_row(preview.model.source_row_of(3))
    assert "Date of Birth" in bad.check.messages[0].column
    assert bad.levels[Field.DATE_OF_BIRTH].value == "error"
    status_cell = preview.model.index(preview.model.source_row_of(3), 1)
    assert status_cell.data() == "Error"  # in words, not colour alone
    assert not preview.import_button.isEnabled()
    assert "1 row has errors and 1 row needs a decision" in preview.blocked_label.text()
    assert preview.groups_label.text() == "Tutor groups that will be created: 7Q."
    preview.only_problems.setChecked(True)
    assert preview.proxy.rowCount() == 2  # the ready row is hidden
    preview.only_problems.setChecked(False)

    # The duplicate: the matched demo learner is described, and the choices offered.
    preview.select_row(4)
    assert "login" in preview.detail.text() and "on roll" in preview.detail.text()
    texts = [preview.decision_box.itemText(i) for i in range(preview.decision_box.count())]
    assert any("different person" in t for t in texts) and any("Skip" in t for t in texts)

    preview.edit(3, DOB, "28/02/2014")  # checked again at once
    assert status(preview, 3) is PreviewStatus.READY
    decide(preview, 4, Decision.CREATE_NEW)
    assert status(preview, 4) is PreviewStatus.WARNING
    assert preview.import_button.isEnabled() and not preview.blocked_label.isVisible()
    assert "Ready: 2 · Warnings: 1 · Errors: 0" in preview.counts_label.text()

    # Where the passwords go is chosen before Import: a dated default beside the file...
    choice = preview.password_files
    assert choice.list_path.parent == env.folder
    assert choice.list_path.name.startswith("Plan-it temporary passwords ")
    assert str(choice.list_path) in choice.label.text()
    # ... or elsewhere (the extension is added).
    out = env.folder / "passwords.xlsx"
    env.dialogs.answers.append(str(env.folder / "passwords"))
    choice.change_button.click()
    assert choice.files().password_list == out and choice.files().slips is None
    assert not out.exists()

    assert env.window.context is not None
    announced: list[Any] = []
    env.window.context.events.sig_data_changed.connect(announced.append)
    passwords = press_import(qtbot, preview, preview.import_button)
    assert isinstance(passwords, PasswordsDialog) and passwords.holds_passwords
    assert learners_count(database) == before + 3
    # What the import wrote, as its audit entries say (its password list changes no data).
    assert announced == [frozenset({"learners", "groups"})]
    # The list was written by the import itself, before it committed.
    assert passwords.saved == [out] and str(out) in passwords.saved_label.text()
    assert not list(env.folder.glob("*being saved*"))
    sheet = load_workbook(out).active
    listed = {(row[1], row[2]): row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(listed) == 3 and ("Testacilkbram", "Importovacilkbram") in listed
    passwords.close_button.click()
    assert not passwords.isVisible() and not passwords.holds_passwords
    assert env.boxes.shown == []  # saved as part of the import: closing needs no warning

    with database.read() as session:
        made = session.scalars(select(Learner).order_by(Learner.id.desc()).limit(3)).all()
        ids = {m.id for m in made}
        assert {(m.first_names, m.surname) for m in made} == set(listed)
        credentials = session.scalars(
            select(LearnerCredential).where(LearnerCredential.learner_id.in_(ids))
        ).all()
        assert len(credentials) == 3 and all(c.must_change for c in credentials)
        group = session.scalars(select(Group).where(Group.name == "7Q")).one()
        query = select(GroupMembership.learner_id).where(GroupMembership.group_id == group.id)
        assert set(session.scalars(query)) == ids  # 7Q was created for them
        login_of = {m.login: m.id for m in made}
        hashes = {c.learner_id: c.password_hash for c in credentials}
        for row in listed.values():
            assert verify_password(hashes[login_of[row[0]]], row[4])


def test_cancel_while_passwords_are_prepared_imports_nothing(env: Env) -> None:
    before = learners_count(env.database)
    path = write_xlsx(env.folder / "three.xlsx", [learner(i) for i in range(1, 4)])
    preview = open_preview(env.qtbot, env.window, env.dialogs, path)
    assert preview.import_button.isEnabled()
    ended: list[str] = []
    preview.sig_import_failed.connect(ended.append)
    preview.import_button.click()
    assert preview.commit is not None
    preview.commit.cancel()
    assert not preview.import_button.isEnabled()
    preview.reject()  # refused while the import is under way
    assert preview.isVisible()
    env.qtbot.waitUntil(lambda: bool(ended), timeout=WAIT)
    assert ended == [CANCELLED]
    assert learners_count(env.database) == before
    assert preview.isVisible() and preview.import_button.isEnabled()
    assert preview.status_label.text() == CANCELLED


def test_valid_rows_only_writes_the_rejected_rows(env: Env) -> None:
    rows = [learner(1), learner(2, **{"Date of Birth": "31/02/2014"}), learner(3)]
    path = write_xlsx(env.folder / "mixed.xlsx", rows)
    preview = open_preview(env.qtbot, env.window, env.dialogs, path)
    preview.edit(3, SURNAME, "=HYPERLINK(1)")  # still an error row, and formula-like text
    assert status(preview, 3) is PreviewStatus.ERROR
    assert not preview.import_button.isEnabled() and preview.valid_only_button.isEnabled()
    rejected = env.folder / "to fix.xlsx"
    env.dialogs.answers.append(str(rejected))
    before = learners_count(env.database)
    passwords = press_import(env.qtbot, preview, preview.valid_only_button)
    assert isinstance(passwords, PasswordsDialog)
    assert passwords.outcome.imported == 2 and passwords.outcome.result.left_out_rows == (3,)
    assert learners_count(env.database) == before + 2
    with env.database.read() as session:  # recorded with its path, as the one signed in
        recorded = session.execute(
            select(AuditEntry.actor, AuditEntry.field, AuditEntry.new_value).where(
                AuditEntry.action == "file_written", AuditEntry.field == "rows to fix"
            )
        ).all()
    assert [tuple(row) for row in recorded] == [
        (env.window.context.actor.login, "rows to fix", str(rejected))
    ]  # (the password list the import wrote is recorded too, as every such file is)
    sheet = load_workbook(rejected).active
    assert [c.value for c in sheet[1]] == [*HEADER, "Problems"]
    assert sheet.max_row == 2
    surname = sheet.cell(row=2, column=2)
    assert surname.value == "=HYPERLINK(1)" and surname.data_type == "s"
    problems = sheet.cell(row=2, column=10).value
    assert problems.startswith("Was row 3.") and "Date of Birth" in problems
    # The rows to fix read back as a file to import again, the Problems column ignored.
    again = read_table(rejected)
    assert len(again.rows) == 1 and again.unknown_columns == ("Problems",)
    # The passwords were saved by the import, in the default place beside the file.
    assert len(passwords.saved) == 1 and passwords.saved[0].parent == env.folder
    assert len(list(load_workbook(passwords.saved[0]).active.iter_rows(min_row=2))) == 2
    passwords.reject()  # nothing can be lost: closing asks nothing
    assert env.boxes.shown == [] and not passwords.isVisible()


def test_a_password_list_that_cannot_be_saved_imports_nothing(env: Env) -> None:
    path = write_xlsx(env.folder / "one.xlsx", [learner(1)])
    before = learners_count(env.database)
    preview = open_preview(env.qtbot, env.window, env.dialogs, path)
    env.dialogs.answers.append(str(env.folder / "missing" / "p.xlsx"))
    preview.password_files.change_button.click()
    failed = press_import(env.qtbot, preview, preview.import_button)
    assert isinstance(failed, str)
    assert "does not exist" in failed and "Nothing was imported" in failed
    assert learners_count(env.database) == before
    assert preview.isVisible() and preview.import_button.isEnabled()
    assert preview.password_files.isEnabled()
    # Another place, with slips too: both are written by the import.
    env.dialogs.answers.append(str(env.folder / "p.xlsx"))
    preview.password_files.change_button.click()
    preview.password_files.slips_box.setChecked(True)
    passwords = press_import(env.qtbot, preview, preview.import_button)
    assert isinstance(passwords, PasswordsDialog)
    assert learners_count(env.database) == before + 1
    slips = env.folder / f"Plan-it password slips {date.today():%Y-%m-%d}.pdf"
    assert passwords.saved == [env.folder / "p.xlsx", slips]
    assert slips.read_bytes().startswith(b"%PDF")
    # Another copy may still be saved while the dialog is open.
    env.dialogs.answers.append(str(env.folder / "copy"))  # the extension is added
    with env.qtbot.waitSignal(passwords.sig_passwords_saved, timeout=WAIT):
        passwords.list_button.click()
    assert (env.folder / "copy.xlsx").exists()
    with env.database.read() as session:
        written = session.execute(
            select(AuditEntry.field, AuditEntry.new_value).where(
                AuditEntry.action == "file_written"
            )
        ).all()
    assert set(written) == {
        ("password list", str(env.folder / "p.xlsx")),
        ("password slips", str(slips)),
        ("password list (a copy)", str(env.folder / "copy.xlsx")),
    }
    passwords.reject()
    assert not passwords.isVisible() and env.boxes.shown == []


def test_skipping_a_copy_clears_its_twins_error(env: Env) -> None:
    twin = learner(1)
    path = write_xlsx(env.folder / "twins.xlsx", [twin, learner(2), twin])
    preview = open_preview(env.qtbot, env.window, env.dialogs, path)
    assert [status(preview, n) for n in (2, 4)] == [PreviewStatus.ERROR] * 2
    assert not preview.import_button.isEnabled()
    decide(preview, 4, Decision.SKIP)
    assert status(preview, 4) is PreviewStatus.SKIPPED
    kept = preview.model.preview_row(preview.model.source_row_of(2))
    assert kept.status is PreviewStatus.READY and "already used" not in kept.messages
    assert preview.import_button.isEnabled()
    preview.reject()


def test_slips_a_page_per_group_only_when_asked(qtbot: Any, tmp_path: Path) -> None:
    choice = PasswordFilesChoice(tmp_path)
    qtbot.addWidget(choice)
    assert not choice.page_per_group_box.isEnabled()
    assert choice.files().slips is None and not choice.files().new_page_per_group
    choice.slips_box.setChecked(True)
    assert choice.page_per_group_box.isEnabled() and not choice.files().new_page_per_group
    with qtbot.waitSignal(choice.sig_files_changed, timeout=WAIT) as changed:
        choice.page_per_group_box.setChecked(True)
    assert changed.args[0].new_page_per_group and choice.files().new_page_per_group


def test_a_file_checked_before_the_year_end_is_refused_after_it(env: Env, admin: Actor) -> None:
    """The school moves into the next academic year while the file waits in the preview."""
    from planit_desktop.model.services.year_end import apply_rollover

    path = write_xlsx(env.folder / "one.xlsx", [learner(1)])
    preview = open_preview(env.qtbot, env.window, env.dialogs, path)
    before = learners_count(env.database)
    with env.database.begin() as session:
        apply_rollover(session, admin, allow_early=True)
    failed = press_import(env.qtbot, preview, preview.import_button)
    assert failed == (
        "The school moved into 2026/27 while this file was being checked: check it again. "
        "Nothing was imported."
    )
    assert learners_count(env.database) == before
    assert not preview.password_files.list_path.exists()
    assert sorted(p.name for p in env.folder.glob("*.xlsx")) == ["one.xlsx"]


def test_the_coordinator_picks_the_sheet(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(env.folder / "two.xlsx", [learner(1)], title="Notes")
    workbook = load_workbook(path)
    hidden = workbook.create_sheet("Real")
    for values in [HEADER, learner(2), learner(3)]:
        hidden.append(values)
    hidden.sheet_state = "hidden"
    workbook.save(path)
    offered: list[list[str]] = []

    def pick(_parent: object, _title: str, _label: str, items: list[str], *_a: object) -> Any:
        offered.append(list(items))
        return items[1], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(pick))
    preview = open_preview(env.qtbot, env.window, env.dialogs, path)
    assert offered == [["Notes", "Real (hidden)"]]
    assert preview.model.rowCount() == 2 and "sheet “Real”" in preview.file_label.text()


def test_unreadable_file_is_refused_in_plain_words(env: Env) -> None:
    path = env.folder / "renamed.xlsx"
    path.write_text("just some text\n")
    env.dialogs.answers.append(str(path))
    env.window.import_menu.import_action.trigger()
    env.qtbot.waitUntil(lambda: bool(env.boxes.shown), timeout=WAIT)
    assert "renamed CSV or text file" in env.boxes.texts()[0]
    assert env.window.import_menu.preview is None


def test_a_supervisor_cannot_import(env: Env, supervisor_actor: Actor) -> None:
    window = window_for(env.qtbot, env.database, supervisor_actor)
    action = window.import_menu.import_action
    assert not action.isEnabled() and action.toolTip() == ADMINISTRATORS_ONLY
    assert window.import_menu.template_action.isEnabled()
    window.import_menu.import_learners()  # reached anyway: explained, nothing asked
    assert env.boxes.texts() == [ADMINISTRATORS_ONLY] and env.dialogs.asked == []
    # And the service itself refuses.
    path = write_xlsx(env.folder / "one.xlsx", [learner(1)])
    with env.database.read() as session:
        checked = check_rows(session, read_table(path))
    with pytest.raises(PermissionDenied), env.database.begin() as session:
        import_learners(
            session,
            supervisor_actor,
            checked,
            password_pairs=[("x" * 10, "hash")],
            source_name="one.xlsx",
        )
