"""A test that looks: every tab of the main window and the dialogs reachable from it (the
year-end wizard aside: its own test looks at it), with realistic data, at the default size
and at 1024×700, on the light and the dark palette, and at 150 % and 200 % text. It fails
where a widget is squashed below its minimum size, where siblings overlap, or where a
label's, button's or column's text is cut off (tests/support/looking.py); and it lists every
input, table and button a screen reader could not name.

Set ``PLANIT_LOOK_SHOTS`` to a folder to keep the screenshots for review."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMenu,
    QMessageBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.services.demo.school import DemoSchool
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.model.services.learners.details import learner_details
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.model.validation.dates import format_date
from planit_desktop.ui import ops
from planit_desktop.ui.account.first_administrator import FirstAdministratorDialog
from planit_desktop.ui.account.passwords import ChangePasswordDialog, ShownOncePasswordDialog
from planit_desktop.ui.account.sign_in import SignInDialog
from planit_desktop.ui.common import styles
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.groups.tab import GroupsTab
from planit_desktop.ui.learners.tab import LearnersTab
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.school.new_school import DemoSchoolDialog, NewSchoolDialog
from planit_desktop.ui.school.opening import demo_accounts_text
from planit_desktop.ui.staff.add_staff import AddStaffDialog
from planit_desktop.ui.staff.tab import StaffAccessTab
from planit_desktop.ui.subjects.tab import SubjectsTab
from planit_desktop.ui.year_end.chart import YearGroupChart
from planit_desktop.ui.year_end.tab import YearEndTab
from tests.support.import_files import learner, write_xlsx
from tests.support.looking import (
    TEXT_SCALES,
    flaws,
    on_screen,
    save_grab,
    tab_order,
    text_scaled,
    unnamed,
)
from tests.support.sign_in import DEMO_ADMINISTRATOR

LONG_SURNAME = "Featherstonehaugh-Cholmondeley-Wolfeschlegelsteinhausen"
SIZES = {"default": None, "1024x700": (1024, 700)}
TABS = (YearEndTab, LearnersTab, GroupsTab, StaffAccessTab, SubjectsTab)


@pytest.fixture(params=["light", "dark"])
def palette(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    before = QPalette(qapp.palette())
    styles.follow_colour_scheme(qapp)
    qapp.setPalette(
        styles.dark_palette() if request.param == "dark" else qapp.style().standardPalette()
    )
    yield request.param
    qapp.setPalette(before)


@pytest.fixture
def window(
    qtbot: Any,
    demo_database: Database,
    demo_school: DemoSchool,
    admin: Actor,
    settings_folder: Any,  # noqa: F811
    message_boxes: Any,  # noqa: F811
    file_dialogs: Any,  # noqa: F811
    ops_drained: None,  # noqa: F811
    tmp_path: Path,
) -> Iterator[MainWindow]:
    with demo_database.begin() as session:
        first = list_learners(session, admin)[0]
        version = learner_details(session, admin, first.id).version
        correct_learner(
            session, admin, first.id, {"surname": LONG_SURNAME}, expected_version=version
        )
    main = MainWindow(AppContext(demo_database, admin, DataEvents()))
    main.file_dialogs = file_dialogs  # type: ignore[attr-defined]  # for the import below
    main.files_folder = tmp_path  # type: ignore[attr-defined]
    main.demo_accounts = demo_school.sign_in_accounts()  # type: ignore[attr-defined]
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.tab(YearEndTab).sig_tab_loaded, timeout=10_000):
        main.show()
    yield main


@pytest.fixture(params=TEXT_SCALES)
def large_text(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    with text_scaled(TEXT_SCALES[request.param]):
        yield request.param


@pytest.fixture
def window_at_large_text(large_text: str, window: MainWindow) -> MainWindow:
    """The main window made once the text is large, so it counts its sizes from that font."""
    return window


def _sized(widget: QWidget, size: tuple[int, int] | None) -> None:
    if size is not None:
        widget.resize(*size)
    QApplication.processEvents()


def _show_tab(qtbot: Any, window: MainWindow, tab_class: type) -> Any:
    tab = window.tab(tab_class)
    if not tab.loaded:
        with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
            window.tabs.setCurrentWidget(tab)
    window.tabs.setCurrentWidget(tab)
    return tab


def _dialog_from(qtbot: Any, trigger: Callable[[], object]) -> QDialog:
    """The dialog ``trigger`` opens (a new visible top-level window)."""
    # The windows themselves, held: an id of a window since deleted could be used again.
    before = QApplication.topLevelWidgets()
    known = {id(widget) for widget in before}
    trigger()

    def opened() -> QDialog | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible() and id(widget) not in known:
                return widget
        return None

    qtbot.waitUntil(lambda: opened() is not None, timeout=10_000)
    dialog = opened()
    assert dialog is not None
    return dialog


def _settle() -> None:
    """What the window loads in the background shown (an outcome may start another load),
    and laid out (a pass each): looked at sooner, a slow machine shows a table's headings at
    Qt's default widths, or a count squashed for one layout pass."""
    deadline = time.monotonic() + 10
    while ops.busy():
        assert time.monotonic() < deadline, "a background load never ended"
        ops.wait_for_operations(100)
        QApplication.processEvents()
    for _ in range(3):
        QApplication.processEvents()


def _check(findings: dict[str, list[str]], name: str, widget: QWidget) -> None:
    _settle()
    problems = [str(flaw) for flaw in flaws(widget)]
    save_grab(widget, name)
    if problems:
        findings[name] = problems


def _report(findings: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in findings.items())


def _dialogs(qtbot: Any, window: MainWindow) -> Iterator[tuple[str, QDialog]]:
    """Every top-level dialog of the tabs (wizard aside), each with realistic data in it."""
    learners = _show_tab(qtbot, window, LearnersTab)
    long_one = next(r for r in learners.model.rows() if r.surname == LONG_SURNAME)
    learners.select_learners([long_one.id])
    actions = learners.actions_
    for name, action in (
        ("correct-details", actions.correct),
        ("history", actions.history),
        ("merge", actions.merge),
        ("secondary-passwords", actions.secondary),
        ("support-requests", actions.support),
        ("remove-old-leavers", actions.remove_old),
    ):
        learners.select_learners([long_one.id])
        dialog: Any = _dialog_from(qtbot, action.trigger)
        if name == "support-requests":  # looked at once its rows (the correction) are in
            qtbot.waitUntil(lambda d=dialog: d.model.rowCount() > 0, timeout=10_000)
        yield name, dialog
    create: Any = _dialog_from(qtbot, actions.create.trigger)
    # The duplicate warning, as the service gives it: a learner on roll typed again, created.
    create.first_names.setText(long_one.first_names)
    create.surname.setText(long_one.surname)
    create.date_of_birth.setText(format_date(long_one.date_of_birth))
    create.year_group.setCurrentIndex(create.year_group.findData(long_one.year_group))
    create.tutor_group.setCurrentText(long_one.groups[0])
    create.staff_password.setText(DEMO_ADMINISTRATOR[1])
    create.ok_button.click()
    qtbot.waitUntil(lambda: create.ok_button.text() == "Create anyway", timeout=10_000)
    assert create.duplicates.isVisible() and LONG_SURNAME in create.duplicates.text()
    yield "create-new-user-duplicate", create
    groups = _show_tab(qtbot, window, GroupsTab)
    assert groups.select_group(groups.groups_model.rows()[0].id)
    yield "add-learners", _dialog_from(qtbot, groups.actions_.add_learners.trigger)
    staff = _show_tab(qtbot, window, StaffAccessTab)
    yield "lost-access", _dialog_from(qtbot, staff.actions_.lost.trigger)
    yield "year-end-guide", _dialog_from(qtbot, window.guide_action.trigger)
    # A file with a warning, an error, a long name and a likely duplicate of a learner.
    path = write_xlsx(
        window.files_folder / "new learners.xlsx",  # type: ignore[attr-defined]
        [
            learner(1),
            learner(2, **{"Date of Birth": "31/02/2014"}),
            learner(3, **{"Surnames": LONG_SURNAME, "First Names": "Anastasia Bartholomew"}),
            learner(4, **{"UPN": None, "Gender": None}),
        ],
    )
    window.file_dialogs.answers.append(str(path))  # type: ignore[attr-defined]
    window.import_menu.import_action.trigger()
    qtbot.waitUntil(lambda: window.import_menu.preview is not None, timeout=10_000)
    yield "import-preview", window.import_menu.preview
    # The dialogs the program opens with exec(), made as it makes them.
    database = window.context.database
    yield "add-staff", _shown(qtbot, AddStaffDialog(window))
    sign_in = _shown(qtbot, SignInDialog(database, window, school="Riverside Academy (demo)"))
    sign_in.login.setText("admin1")
    sign_in.password.setText("not my password")
    sign_in.sign_in_button.click()
    # The wrong password said, under the introduction.
    qtbot.waitUntil(lambda: bool(sign_in.problem.text()), timeout=10_000)
    yield "sign-in-wrong-password", sign_in
    yield "first-administrator", _shown(qtbot, FirstAdministratorDialog(database, window))
    where = str(window.files_folder / "school.db")  # type: ignore[attr-defined]
    yield "new-school", _shown(qtbot, NewSchoolDialog(window, where=where))
    demo = _shown(qtbot, DemoSchoolDialog(window, where=where))
    demo.learners.setValue(100_000)
    yield "demo-school-100000", demo
    # The box that tells the demo school's accounts, made as show_demo_accounts makes it.
    accounts = QMessageBox(
        QMessageBox.Icon.Information,
        ops.TITLE,
        demo_accounts_text(window.demo_accounts),  # type: ignore[attr-defined]
        QMessageBox.StandardButton.Ok,
        window,
    )
    yield "demo-accounts", _shown(qtbot, accounts)
    yield "change-password", _shown(qtbot, ChangePasswordDialog(database, window.context.actor))
    yield (
        "temporary-password",
        _shown(
            qtbot, ShownOncePasswordDialog(LONG_SURNAME, "a.featherstonehaugh", "Tiger-Lamp-42")
        ),
    )


def _shown(qtbot: Any, dialog: Any) -> Any:
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    return dialog


@pytest.mark.parametrize("size", SIZES)
def test_every_tab_looks_right(qtbot: Any, window: MainWindow, palette: str, size: str) -> None:
    _sized(window, SIZES[size])
    findings: dict[str, list[str]] = {}
    for tab_class in TABS:
        _show_tab(qtbot, window, tab_class)
        _check(findings, f"tab-{tab_class.__name__}-{size}-{palette}", window)
        # The window can be made that small with every tab (none holds it larger).
        assert SIZES[size] in (None, (window.width(), window.height())), tab_class.__name__
    assert not findings, _report(findings)


@pytest.mark.parametrize("size", SIZES)
def test_every_dialog_looks_right(qtbot: Any, window: MainWindow, palette: str, size: str) -> None:
    _sized(window, SIZES[size])
    findings: dict[str, list[str]] = {}
    for name, dialog in _dialogs(qtbot, window):
        _sized(dialog, SIZES[size] and (min(dialog.width(), 1000), min(dialog.height(), 680)))
        QApplication.processEvents()
        _check(findings, f"dialog-{name}-{size}-{palette}", dialog)
        dialog.reject()
        QApplication.processEvents()
    assert not findings, _report(findings)


@pytest.mark.parametrize("palette", ["light"], indirect=True)
def test_every_tab_and_dialog_looks_right_at_large_text(
    qtbot: Any, window_at_large_text: MainWindow, palette: str, large_text: str
) -> None:
    """At 150 % and 200 % text, every tab and dialog at the size it opens at, and at the
    least size it can be made (the main window with each tab).

    One QApplication serves the suite, so its scaling (``QT_SCALE_FACTOR``) cannot change:
    the application's font is scaled instead, before the windows are made (they count their
    sizes from the font when made). Text 1.5 or 2 times as large on a 1920×1080 screen is
    what a coordinator sees there at 150 % or 200 % scaling (a screen of 1280×720 or
    960×540 of the program's own pixels, at 100 % text): so the windows open as on a
    1920×1080 screen (the program's ``screen_room`` is told so), each is looked at as it
    opened, kept within 1920×1080, and fails if it cannot be made to fit there. Each is
    looked at at its least size too: a coordinator may drag a window smaller, and that is
    where a tab too tall for a low screen, and a dialog's wrapped text and fields, were
    squeezed. (The frames and margins the style draws stay at 100 % here, so the text is
    held to the harder test.) Only the light palette: colours do not change sizes, and the
    dark one is looked at above, at 100 %, as is 1024×700, a screen at 100 %."""
    window = window_at_large_text
    findings: dict[str, list[str]] = {}
    for tab_class in TABS:
        _show_tab(qtbot, window, tab_class)
        _check_on_screen(findings, f"tab-{tab_class.__name__}-{large_text}", window, least=True)
    for name, dialog in _dialogs(qtbot, window):
        _check_on_screen(findings, f"dialog-{name}-{large_text}", dialog, least=True)
        dialog.reject()
        QApplication.processEvents()
    assert not findings, _report(findings)


def _check_on_screen(
    findings: dict[str, list[str]], name: str, widget: QWidget, *, least: bool = False
) -> None:
    """At the size it opened at, within the screen; and with ``least``, at the least size
    it can be made as well."""
    too_big = [str(flaw) for flaw in on_screen(widget)]
    _check(findings, name, widget)
    if too_big:
        findings[name] = too_big + findings.get(name, [])
    if least:
        opened = widget.size()
        widget.resize(widget.minimumSize())
        _check(findings, f"{name}-least", widget)
        widget.resize(opened)


@pytest.mark.parametrize("size", SIZES)
def test_toolbars_show_every_action(qtbot: Any, window: MainWindow, size: str) -> None:
    """Every action of the tabs is on screen or in a named menu, none behind "»"."""
    _sized(window, SIZES[size])
    for tab_class, actions in (
        (LearnersTab, lambda tab: tab.actions_.all),
        (GroupsTab, lambda tab: tab.actions_.all),
        (StaffAccessTab, lambda tab: tab.actions_.all),
        (SubjectsTab, lambda tab: tab.change_actions),
    ):
        tab = _show_tab(qtbot, window, tab_class)
        QApplication.processEvents()
        shown = set()
        for toolbar in (bar for bar in tab.findChildren(QToolBar) if bar.isVisible()):
            more = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
            assert more is None or not more.isVisible(), f"{tab_class.__name__}: » at {size}"
            for action in toolbar.actions():
                button = toolbar.widgetForAction(action)
                assert button is not None and button.isVisible(), action.text()
                inside = QRect(0, 0, toolbar.width(), toolbar.height())
                assert inside.contains(button.geometry()), f"{action.text()} at {size}"
                menu = action.menu() if isinstance(action.menu(), QMenu) else None
                assert menu is None or action.text(), "a menu named for what it holds"
                shown |= {action, *(menu.actions() if menu is not None else ())}
        assert shown >= set(actions(tab)), tab_class.__name__


def test_every_input_table_and_button_can_be_named(qtbot: Any, window: MainWindow) -> None:
    """What a screen reader would say nothing for: inputs without a name or a label, tables
    and charts without a description."""
    findings: dict[str, list[str]] = {}
    for tab_class in TABS:
        tab = _show_tab(qtbot, window, tab_class)
        if found := unnamed(tab, charts=(YearGroupChart,)):
            findings[tab_class.__name__] = found
    for name, dialog in _dialogs(qtbot, window):
        if found := unnamed(dialog):
            findings[name] = found
        dialog.reject()
    assert not findings, _report(findings)


def test_tab_order_follows_reading_order(qtbot: Any, window: MainWindow) -> None:
    """On the main forms, Tab moves down the form, and along a row left to right."""
    findings: dict[str, list[str]] = {}
    learners = _show_tab(qtbot, window, LearnersTab)
    database = window.context.database
    forms: list[tuple[str, Callable[[], QDialog]]] = [
        ("sign-in", lambda: _shown(qtbot, SignInDialog(database, window))),
        ("new-school", lambda: _shown(qtbot, NewSchoolDialog(window))),
        ("add-staff", lambda: _shown(qtbot, AddStaffDialog(window))),
        ("correct-details", lambda: _dialog_from(qtbot, learners.actions_.correct.trigger)),
        ("create-new-user", lambda: _dialog_from(qtbot, learners.actions_.create.trigger)),
    ]
    for name, make in forms:
        learners.select_learners([learners.model.rows()[0].id])
        dialog = make()
        order = tab_order(dialog)
        assert len(order) >= 3, name  # the form's fields and its buttons
        if found := out_of_reading_order(dialog):
            findings[name] = found
        dialog.reject()
        QApplication.processEvents()
    assert not findings, _report(findings)


def out_of_reading_order(root: QWidget) -> list[str]:
    """Consecutive stops of the tab order where the second comes before the first on screen."""
    order = tab_order(root)
    found = []
    for first, second in zip(order, order[1:], strict=False):
        a = QRect(first.mapTo(root, first.rect().topLeft()), first.size())
        b = QRect(second.mapTo(root, second.rect().topLeft()), second.size())
        above = b.bottom() < a.top()
        same_row = b.top() <= a.bottom() and a.top() <= b.bottom()
        if above or (same_row and b.right() < a.left()):
            found.append(f"{type(first).__name__} then {type(second).__name__} goes backwards")
    return found


@pytest.mark.sqlite_only(reason="one cheap run of the window in a process of its own")
def test_the_window_looks_right_at_a_real_scale_factor_of_2(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    """Every tab under ``QT_SCALE_FACTOR=2`` on a 1920×1080 screen (960×540 of the program's
    own pixels, 100 % text), in a process of its own: the scale factor is read once, when
    the QApplication is made."""
    screen = tmp_path / "screen.json"
    screen.write_text(
        json.dumps({"screens": [{"name": "1920x1080", "width": 1920, "height": 1080}]})
    )
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
        "QT_SCALE_FACTOR": "2",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    demo_database.engine.dispose()  # the child opens the file itself
    url = demo_database.url
    run = subprocess.run(
        [sys.executable, "-m", "tests.support.scaled_window", url, admin.login, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        cwd=root,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["screen"] == [960, 540]
    assert not result["found"], _report(result["found"])


def test_groups_tab_needs_no_sideways_scroll(qtbot: Any, window: MainWindow) -> None:
    """At 1024×700 neither list of the Groups tab scrolls sideways, even with the learner of
    the longest surname shown; at 720 px wide the list of groups, by which the tab is used,
    still does not (the supervisors' names wrap)."""
    with window.context.database.read() as session:
        rows = list_learners(session, window.context.actor)
        group = next(r for r in rows if r.surname == LONG_SURNAME).groups[0]
    tab = _show_tab(qtbot, window, GroupsTab)
    chosen = next(row for row in tab.groups_model.rows() if row.name == group)
    with qtbot.waitSignal(tab.sig_members_loaded, timeout=10_000):
        assert tab.select_group(chosen.id)
    for size, tables in (
        ((1024, 700), (tab.groups_table, tab.members_table)),
        ((720, 560), (tab.groups_table,)),
    ):
        _sized(window, size)
        QApplication.processEvents()
        for table in tables:
            wide = table.horizontalHeader().length()
            assert wide <= table.viewport().width(), f"{table.accessibleName()} at {size}"
